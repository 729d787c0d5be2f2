"""`subsidy serve` as production runs it, against slow, heavy and malformed clients, and kill -9.

Each test starts the real server (gunicorn, threaded workers) on a free port and talks to it over
sockets, as the attacks on the issue tracker did.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUBSIDY = Path(sys.executable).with_name("subsidy")
HEAVY_PLAN = {
    "cities": ["wuhan", "suzhou", "changsha"],
    "start_year": 2021,
    "years": 10,
    "growth": {"operating_revenue": "0.25", "local_fiscal_contribution": "0.2"},
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    port: int
    folder: Path
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.folder / 'serve.db'}", "RATE_LIMIT_PER_ADDRESS": "off"}
        with (self.folder / "serve.log").open("ab") as log:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [str(SUBSIDY), "serve", "--port", str(self.port), *self.args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if health(self.port, 2)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the service did not start:\n" + (self.folder / "serve.log").read_text())

    def workers(self) -> list[int]:
        assert self.process is not None
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def health(port: int, timeout: float) -> tuple[int, float]:
    """GET /api/v1/healthz: (status, seconds it took)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=timeout) as response:
            return response.status, time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started


def exchange(port: int, data: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes, read until the server closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


def parts(answer: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    while lines[0].startswith("HTTP/1.1 100"):  # an interim answer to Expect: 100-continue
        lines = lines[2:]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, json.loads(body)


def _served(folder: Path, args: list[str]) -> Iterator[Server]:
    """`subsidy serve` with ``args`` on a free port, for as long as a test runs."""
    running = Server(_free_port(), folder, args)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    yield from _served(tmp_path, ["--body-timeout", "2"])


def _watch(port: int, seconds: float) -> list[float]:
    """Poll healthz for ``seconds``; the time each answer took (10 s when none came)."""
    took = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            status, spent = health(port, 10)
            took.append(spent if status == 200 else 10.0)
        except OSError:
            took.append(10.0)
        time.sleep(0.1)
    return took


def test_slow_clients_do_not_stall_the_service(server: Server) -> None:
    # Eight clients send headers announcing 1,000 bytes, then 7 bytes, then nothing.
    slow = []
    for _ in range(8):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b'POST /api/v1/estimates HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"city"')
        slow.append(sock)
    try:
        took = _watch(server.port, 6)
        assert len(took) > 20 and max(took) < 1.0, took
        # Each stalled body is given up after the body timeout (2 s here): 408, connection closed.
        for sock in slow:
            sock.settimeout(5)
            answer = b""
            while chunk := sock.recv(65536):  # until the server closes the connection
                answer += chunk
            code, headers, body = parts(answer)
            assert code == 408 and body["code"] == 408 and headers["Connection"] == "close"
    finally:
        for sock in slow:
            sock.close()


def test_heavy_requests_do_not_stall_the_service(server: Server) -> None:
    # Two requests of just under 1 MiB each (15,000 prior awards, 10 years, 3 cities), refused by the
    # bound on prior awards; then four clients drawing the heaviest chart allowed, in a loop.
    prior = [{"rule": "wuhan.key_pool_growth", "year": 2015 + i % 6, "amount": "1000"} for i in range(15_000)]
    bomb = json.dumps({**HEAVY_PLAN, "profile": {"entity_type": "enterprise", "prior_awards": prior}}, separators=(",", ":")).encode()
    assert 900_000 < len(bomb) < 1024 * 1024
    answers: list[int] = []
    charts: list[int] = []
    stop = threading.Event()

    def post(path: str, body: bytes, into: list[int], loop: bool) -> None:
        while True:
            request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", body, {"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    into.append(response.status)
            except urllib.error.HTTPError as error:
                into.append(error.code)
            if not loop or stop.is_set():
                return

    within = {**HEAVY_PLAN, "profile": {"entity_type": "enterprise", "operating_revenue": "36000000", "prior_awards": prior[:500]}}
    clients = [threading.Thread(target=post, args=("/api/v1/comparisons", bomb, answers, False)) for _ in range(2)]
    clients += [threading.Thread(target=post, args=("/api/v1/comparisons/chart.svg", json.dumps(within).encode(), charts, True)) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        took = _watch(server.port, 5)
    finally:
        stop.set()
        for client in clients:
            client.join()
    assert answers == [422, 422]
    assert charts and set(charts) <= {200, 503}, charts
    assert 200 in charts
    assert max(took) < 1.0, took


def test_errors_before_the_application_come_in_the_error_shape(server: Server) -> None:
    cases = {
        414: b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        431: b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(200)) + b"\r\n",
        400: b"NOT A REQUEST LINE\r\n\r\n",
    }
    for code, request in cases.items():
        status, headers, body = parts(exchange(server.port, request))
        assert status == code and body["code"] == code and body["errors"] == {} and body["message"]
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Content-Type-Options"] == "nosniff" and "default-src 'self'" in headers["Content-Security-Policy"]
        assert "<html" not in json.dumps(body)


def _chunked(body: bytes) -> bytes:
    pieces = b"".join(b"%x\r\n%s\r\n" % (len(body[i : i + 65536]), body[i : i + 65536]) for i in range(0, len(body), 65536))
    head = b"POST /api/v1/estimates HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    return head + pieces + b"0\r\n\r\n"


def test_a_chunked_body_over_the_limit_is_refused_not_cut(server: Server) -> None:
    over = b'{"city": "wuhan", "profile": {"entity_type": "' + b"a" * (1024 * 1024) + b'"}}'
    status, headers, body = parts(exchange(server.port, _chunked(over)))
    assert status == 413 and body["code"] == 413 and headers["Connection"] == "close"
    # Just under the limit, chunked, is read whole (and refused for its content, not its size).
    under = b'{"city": "wuhan", "profile": {"entity_type": "' + b"a" * (1024 * 1024 - 100) + b'"}}'
    status, _headers, body = parts(exchange(server.port, _chunked(under)))
    assert status == 422 and "profile.entity_type" in body["errors"]  # type: ignore[operator]
    small = json.dumps({"city": "wuhan", "as_of": "2022-06-30", "profile": {"entity_type": "enterprise"}}).encode()
    status, _headers, body = parts(exchange(server.port, _chunked(small)))
    assert status == 200 and body["city"] == "wuhan"


def test_a_kept_alive_connection_is_closed_after_its_hundredth_request(server: Server) -> None:
    # So that a burst of connections taken by one worker is shared out again: see ServiceWorker.
    from api.serving import ServiceWorker

    limit = ServiceWorker.requests_per_connection
    assert limit == 100
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    ports = set()
    for number in range(1, limit + 2):
        client.request("GET", "/api/v1/healthz")
        ports.add(client.sock.getsockname()[1])
        response = client.getresponse()
        response.read()
        assert response.status == 200
        if number < limit:  # the 99th still keeps the connection
            assert response.getheader("Connection") == "keep-alive" and client.sock is not None, number
        elif number == limit:  # the 100th closes it
            assert response.getheader("Connection") == "close" and client.sock is None
            assert len(ports) == 1  # all hundred on one connection
        else:  # the next goes on a new connection, kept alive again
            assert response.getheader("Connection") == "keep-alive" and len(ports) == 2
    client.close()


@pytest.fixture
def one_thread(tmp_path: Path) -> Iterator[Server]:
    """The service with a single worker thread: whatever holds that thread holds the service."""
    yield from _served(tmp_path, ["--workers", "1", "--threads", "1"])


def test_an_idle_kept_alive_connection_does_not_hold_a_thread(one_thread: Server) -> None:
    # A thread that has answered a connection waits a moment for its next request (see
    # ServiceWorker.handle); a client that keeps the connection open and sends nothing has it handed
    # back to the poller, and the only thread answers others.
    idle = http.client.HTTPConnection("127.0.0.1", one_thread.port, timeout=10)
    idle.request("GET", "/api/v1/healthz")
    answer = idle.getresponse()
    answer.read()
    assert answer.status == 200 and answer.getheader("Connection") == "keep-alive"
    try:
        for _ in range(5):
            status, took = health(one_thread.port, 5)
            assert status == 200 and took < 0.5, took
        # The idle connection is still open and served again.
        idle.request("GET", "/api/v1/healthz")
        assert idle.getresponse().status == 200
    finally:
        idle.close()


def test_a_connection_sending_request_after_request_takes_turns_with_others(one_thread: Server) -> None:
    # One client sends comparisons back to back on one kept-alive connection (about 10 ms each here);
    # another's healthz waits for the one being answered, not for the hundred the connection may
    # carry before it is closed.
    comparison = json.dumps({**HEAVY_PLAN, "profile": {"entity_type": "enterprise", "operating_revenue": "36000000"}}).encode()
    stop = threading.Event()
    answered: list[int] = []

    def busy() -> None:
        client = http.client.HTTPConnection("127.0.0.1", one_thread.port, timeout=30)
        while not stop.is_set():
            client.request("POST", "/api/v1/comparisons", comparison, {"Content-Type": "application/json"})
            response = client.getresponse()
            response.read()
            answered.append(response.status)
        client.close()

    loop = threading.Thread(target=busy)
    loop.start()
    try:
        while len(answered) < 3:
            time.sleep(0.01)
        took = []
        for _ in range(10):
            status, spent = health(one_thread.port, 10)
            assert status == 200
            took.append(spent)
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join()
    assert set(answered) == {200} and len(answered) > 10
    assert max(took) < 0.3, took


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an exited one may linger as a zombie until reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_after_kill_9_of_the_master_a_restart_takes_the_port(server: Server) -> None:
    from api.serving import default_workers

    count = default_workers()  # `subsidy serve` starts one per processor, and one more
    assert count >= 2
    assert server.process is not None
    deadline = time.monotonic() + 10
    while len(workers := server.workers()) < count and time.monotonic() < deadline:  # the last may still be booting
        time.sleep(0.1)
    assert len(workers) == count
    os.kill(server.process.pid, signal.SIGKILL)  # the master only: its workers are orphaned
    server.process.wait()
    started = time.monotonic()
    server.start(timeout=20)  # `subsidy serve` again, on the same port (the orphans may answer meanwhile)
    while any(_running(pid) for pid in workers) and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)  # the orphans noticed their parent was gone and left
    gone = time.monotonic() - started
    while time.monotonic() - started < gone + 8 and server.process is not None and server.process.poll() is None and len(server.workers()) < count:
        time.sleep(0.1)
    # The new server holds the port: it is running, its workers answer, and it took a few seconds.
    assert server.process is not None and server.process.poll() is None, (server.folder / "serve.log").read_text()[-2000:]
    assert len(server.workers()) == count
    assert health(server.port, 2)[0] == 200
    assert time.monotonic() - started < 10


@dataclass
class _Answer:
    status: str
    sent: int | None
    headers: list[tuple[str, str]]


@dataclass
class _Request:
    headers: list[tuple[str, str]]


@pytest.mark.parametrize("sent", [1234, 0, None])
def test_the_access_log_line_is_gunicorns_own(sent: int | None) -> None:
    """The lean logger writes exactly the line gunicorn's logger writes in its default format."""
    from datetime import timedelta

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from api.serving import ServiceLogger

    config = Config()
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "POST",
        "RAW_URI": "/api/v1/estimates?lang=zh",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/api/v1/estimates",
        "QUERY_STRING": "lang=zh",
        "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz",  # user:pass
        "HTTP_USER_AGENT": "curl/8.0",
    }
    answer = _Answer("201 CREATED", sent, [("Content-Type", "application/json")])
    request = _Request([("HOST", "localhost")])
    theirs, ours = Logger(config), ServiceLogger(config)
    for _ in range(5):  # both lines within one second: the time is the same
        expected = config.access_log_format % theirs.atoms_wrapper_class(theirs.atoms(answer, request, environ, timedelta(milliseconds=3)))
        written = config.access_log_format % ours.atoms_wrapper_class(ours.atoms(answer, request, environ, timedelta(milliseconds=3)))
        # A second may pass between the two, and gunicorn reads the C library's coarse clock, which
        # turns over a few milliseconds after Python's: then again, once both are past it.
        if expected.partition("[")[2][:20] == written.partition("[")[2][:20]:
            break
        time.sleep(0.02)
    assert written == expected
    assert written.startswith("10.0.0.7 - user [") and '"POST /api/v1/estimates?lang=zh HTTP/1.1" 201 ' in written and written.endswith('"-" "curl/8.0"')


def test_each_request_is_logged(server: Server) -> None:
    health(server.port, 5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = (server.folder / "serve.log").read_text()
        if '"GET /api/v1/healthz HTTP/1.1" 200 ' in log:
            break
        time.sleep(0.1)
    assert '"GET /api/v1/healthz HTTP/1.1" 200 ' in log, log
