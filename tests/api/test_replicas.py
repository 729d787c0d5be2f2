"""The service as replicas: two `subsidy serve` processes on one PostgreSQL and one Redis, on loopback.

Each replica is a whole server (its own port and gunicorn master), as on two machines behind a load
balancer. They start at the same moment on an empty database (the migration lock), share rate limits
through Redis, read and write the same companies with the same ETags, and when one is killed under
load no acknowledged record is lost.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from api.db import Database, migrate
from api.keys import create_key
from api.models import StoredEstimate

from .conftest import POSTGRES, _fresh_postgres
from .test_idempotency import ESTIMATE
from .test_serving import SUBSIDY, _free_port, health

pytestmark = pytest.mark.skipif(
    not POSTGRES.startswith("postgresql") or shutil.which("redis-server") is None, reason="needs PostgreSQL (DATABASE_URL) and redis-server"
)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with __import__("socket").create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def _start(port: int, folder: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (folder / f"replica-{port}.log").open("ab") as log:
        return subprocess.Popen(
            [str(SUBSIDY), "serve", "--port", str(port), "--workers", "2"],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait(port: int, process: subprocess.Popen[bytes], folder: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (folder / f"replica-{port}.log").read_text()[-3000:]
        try:
            if health(port, 2)[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"replica on {port} did not become ready")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def call(port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, {"Content-Type": "application/json", **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, dict(error.headers), json.loads(raw) if raw else None


@pytest.fixture
def replicas(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> Iterator[tuple[int, int, str]]:
    """Two replicas started at the same moment on an empty PostgreSQL database, sharing Redis; the
    per-key limit is the test's ``limit`` mark (default 10 a minute)."""
    mark = request.node.get_closest_marker("limit")
    limit = mark.args[0] if mark else "10/minute"
    _fresh_postgres(POSTGRES)
    engine = create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    env = {"DATABASE_URL": POSTGRES, "RATELIMIT_STORAGE_URI": redis_url, "RATE_LIMIT_PER_KEY": limit, "RATE_LIMIT_PER_ADDRESS": "off"}
    ports = (_free_port(), _free_port())
    processes = [_start(port, tmp_path, env) for port in ports]  # both migrate the empty database at once
    try:
        for port, process in zip(ports, processes, strict=True):
            _wait(port, process, tmp_path)
        migrate(POSTGRES)  # already current: a no-op
        database = Database.connect(POSTGRES)
        with database.sessions() as session:
            key = create_key(session, "replicas")
        database.engine.dispose()
        yield ports[0], ports[1], key
    finally:
        for process in processes:
            _stop(process)


def test_replicas_share_companies_etags_and_rate_limits(replicas: tuple[int, int, str]) -> None:
    first, second, key = replicas
    auth = {"Authorization": f"Bearer {key}"}
    company = {"name": "链通科技", "city": "wuhan", "profile": {"entity_type": "enterprise", "prior_awards": []}}
    status, _headers, made = call(first, "POST", "/api/v1/companies", company, auth)
    assert status == 201
    path = f"/api/v1/companies/{made['id']}"
    status, read_first, _ = call(first, "GET", path, headers=auth)
    status_b, read_second, body = call(second, "GET", path, headers=auth)
    assert status == status_b == 200 and body["name"] == "链通科技"
    assert read_first["ETag"] == read_second["ETag"]  # one company, one ETag, whichever replica answers
    changed = {**company, "name": "链通科技（武汉）"}
    assert call(second, "PUT", path, changed, {**auth, "If-Match": read_first["ETag"]})[0] == 200
    assert call(first, "PUT", path, company, {**auth, "If-Match": read_first["ETag"]})[0] == 412  # stale on the other replica too
    # The key's limit is 10 a minute across both replicas: 5 requests were made above; 8 more, alternating.
    answers = [call(port, "GET", "/api/v1/companies", headers=auth)[0] for port in (first, second) * 4]
    assert answers.count(200) == 5 and answers.count(429) == 3, answers


@pytest.mark.limit("100000/minute")
def test_a_replica_killed_under_load_loses_no_acknowledged_record(replicas: tuple[int, int, str]) -> None:
    first, second, key = replicas
    auth = {"Authorization": f"Bearer {key}"}
    acknowledged: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(ports: tuple[int, ...]) -> None:
        turn = 0
        while not stop.is_set():
            port = ports[turn % len(ports)]
            turn += 1
            try:
                status, _headers, body = call(port, "POST", "/api/v1/estimates", ESTIMATE, auth)
            except (OSError, http.client.HTTPException):
                # The killed replica: refused, reset, or cut off in the middle of an answer (never
                # acknowledged, then); the load balancer would send this to the other.
                continue
            if status == 200:
                with lock:
                    acknowledged.append(body["id"])

    threads = [threading.Thread(target=client, args=((first, second),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    replica_pid = int(subprocess.run(["pgrep", "-f", f"serve --port {first}"], capture_output=True, text=True).stdout.split()[0])
    os.killpg(os.getpgid(replica_pid), signal.SIGKILL)  # the whole replica, master and workers
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join()
    assert acknowledged
    database = Database.connect(POSTGRES)
    with database.sessions() as session:
        stored = set(session.scalars(select(StoredEstimate.id)))
    database.engine.dispose()
    assert set(acknowledged) <= stored  # every acknowledged estimate is there
    assert len(acknowledged) == len(set(acknowledged))
