"""Serving the application with gunicorn, the production WSGI server, in threaded workers.

Why threads: a client that sends its headers and then dribbles its body holds whatever reads that
body. With synchronous workers that is a whole process (two slow sockets stalled the service);
with gunicorn's ``gthread`` workers it is one thread of many, while a poller holds idle kept-alive
connections without any thread at all. Each read from a client waits at most ``body_timeout``
seconds, after which the request is answered 408 and the connection closed, so a slow client costs a
thread for seconds, not for ever. Kept-alive connections also spare every request a TCP handshake;
each is closed after ``ServiceWorker.requests_per_connection`` requests, so that the workers share
the connections. A thread that has answered a kept-alive connection serves its next request too when
it comes within ``ServiceWorker.next_request_wait_ms`` and no other connection is waiting for a thread.

Errors that gunicorn answers itself, before the application sees the request (a malformed request
line, a line over 8190 bytes, too many or too large headers, an unknown transfer coding), come in the
service's error shape with its security headers, not as gunicorn's HTML page.

When the master dies (``kill -9``), its workers notice within a second (their parent changed) and
exit, freeing the port; ``subsidy serve`` started again meanwhile retries the bind for a few seconds.

Each request is logged in gunicorn's default access-log format (Apache's combined format). gunicorn
gathers every header and environment variable of a request for the line, which names nine of them;
``ServiceLogger`` gathers those nine.
"""

from __future__ import annotations

import json
import os
import select
import socket
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

__all__ = ["ServiceLogger", "ServiceWorker", "default_workers", "serve_forever"]

#: What gunicorn's own refusals say, by status, in the error shape (English: no request was read).
_REFUSALS = {
    400: "The request could not be read: the request line or a header is malformed.",
    403: "Forbidden.",
    414: "The request line is longer than 8190 bytes; send the data in the body.",
    417: "The Expect header names an expectation this service does not meet.",
    431: "The request's headers are too many or too large.",
    500: "Something went wrong on our side; nothing was stored.",
    501: "The request's transfer coding is not supported; send the body with Content-Length or chunked.",
}


class _Captured:
    """Stands in for the client socket while gunicorn writes its HTML error, to learn the status."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def setblocking(self, _flag: bool) -> None:
        pass

    def sendall(self, data: bytes) -> None:
        self.data += data

    def send(self, data: bytes) -> int:
        self.data += data
        return len(data)


def refusal(status_line: bytes) -> bytes:
    """The whole HTTP response for a refusal that gunicorn decided (``HTTP/1.1 431 Request Header ...``)."""
    from .app import SECURITY_HEADERS

    parts = status_line.decode("latin-1").split(" ", 2)
    code = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 400
    reason = parts[2].strip() if len(parts) > 2 else "Bad Request"
    message = _REFUSALS.get(code, _REFUSALS[400])
    body = json.dumps({"code": code, "status": reason, "message": message, "errors": {}}).encode()
    headers = {
        "Connection": "close",
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **SECURITY_HEADERS,
    }
    head = f"HTTP/1.1 {code} {reason}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    return head.encode("latin-1") + body


class ServiceWorker(ThreadWorker):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn's threaded worker, with a deadline on every read from a client and errors in the service's shape."""

    body_timeout = 10.0
    #: Requests answered on one kept-alive connection before it is closed. Every worker listens on
    #: the same socket and whichever wakes first accepts, so a burst of connections can all land in
    #: one worker while the other idles (eight connections all in one worker served half the
    #: requests). A connection closed after this many requests is opened again by its client, and
    #: the idlest worker, which has the interpreter free, is the first to accept it. nginx closes its
    #: kept-alive connections the same way (``keepalive_requests``).
    requests_per_connection = 100
    #: How long a thread that has answered a kept-alive connection waits for that connection's next
    #: request before handing it back to the event loop (see ``handle``).
    next_request_wait_ms = 2
    wsgi: Any  # the application, as gunicorn loaded it

    def handle_request(self, req: Any, conn: Any) -> Any:
        if req.req_number >= self.requests_per_connection:
            req.must_close = True  # answered with "Connection: close"; the client connects afresh
        conn.sock.settimeout(self.body_timeout)  # each read of the body waits at most this long
        if conn.sock.family in (socket.AF_INET, socket.AF_INET6):
            # gunicorn writes the headers and the body separately: without this, Nagle's algorithm holds
            # the body back until the client acknowledges the headers (up to 40 ms of delayed ACK).
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle_request(req, conn)

    def handle(self, conn: Any) -> Any:
        # gunicorn hands a kept-alive connection back to the worker's event loop after every answer,
        # and the loop hands its next request to a thread again: two passes between threads, each a
        # turn at the interpreter lock, and the poller's bookkeeping, for every request. A client
        # that sends its next request at once (a proxy's pool, a batch) is served on by this thread.
        keep = super().handle(conn)
        while keep is True and self.alive and not conn.is_http2 and self._next_request_here(conn):
            keep = super().handle(conn)
        return keep

    def _next_request_here(self, conn: Any) -> bool:
        """Whether ``conn``'s next request has come, or comes within ``next_request_wait_ms``, while
        no other connection waits for a thread (then this one goes back to the poller, as gunicorn
        does, and takes its turn)."""
        if self.tpool._work_queue.qsize():
            return False
        if conn.parser.unreader.buf.getvalue():  # sent already, read with the last one
            return True
        poll = select.poll()
        poll.register(conn.sock.fileno(), select.POLLIN)
        return bool(poll.poll(self.next_request_wait_ms))

    def finish_request(self, conn: Any, fs: Any) -> None:
        # gunicorn closes a finished connection "gracefully", lingering up to 2 s for the client's
        # FIN, and does so on the event loop's thread: eight slow clients closed one after another
        # would stop this worker from accepting anything for 16 s. Linger in the pool instead.
        close = conn.close

        def close_off_the_loop(graceful: bool = False) -> None:
            if not graceful:
                close()
                return
            try:
                self.tpool.submit(close, True)
            except RuntimeError:  # the pool is shutting down
                close()

        conn.close = close_off_the_loop
        super().finish_request(conn, fs)

    def load_wsgi(self) -> None:
        super().load_wsgi()
        app: Any = self.wsgi

        def closing(environ: dict[str, Any], start_response: Any) -> Any:
            # gunicorn drops the application's Connection header (it is hop-by-hop) and decides for
            # itself; an answer that says "Connection: close" (a body not read to its end) must close.
            def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                if any(name.lower() == "connection" and value.lower() == "close" for name, value in headers):
                    owner = getattr(start_response, "__self__", None)
                    if owner is not None and hasattr(owner, "force_close"):
                        owner.force_close()
                return start_response(status, headers, exc_info)

            return app(environ, start)

        self.wsgi = closing

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        captured = _Captured()
        super().handle_error(req, captured, addr, exc)  # gunicorn's choice of status, and its log lines
        if not captured.data:
            return
        try:
            client.sendall(refusal(captured.data.split(b"\r\n", 1)[0]))
        except OSError:
            self.log.debug("Failed to send error message.")


class ServiceLogger(Logger):  # type: ignore[misc]  # gunicorn ships no type information
    """gunicorn's logger; for its default access-log format, the line's atoms are gathered alone."""

    _second: tuple[int, str] = (0, "")

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        if self.cfg.access_log_format != AccessLogFormat.default:
            return dict(super().atoms(resp, req, environ, request_time))
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        return {
            "h": environ.get("REMOTE_ADDR", "-"),
            "l": "-",
            "u": self._get_user(environ) or "-",
            "t": self.now(),
            "r": f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}",
            "s": status,
            "b": "-" if sent is None else str(sent),
            "f": environ.get("HTTP_REFERER", "-"),
            "a": environ.get("HTTP_USER_AGENT", "-"),
        }

    def now(self) -> str:
        """The time in Apache's format, written once a second."""
        second = int(time.time())
        written = self._second
        if written[0] != second:
            written = self._second = (second, time.strftime("[%d/%b/%Y:%H:%M:%S %z]", time.localtime(second)))
        return written[1]


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type information
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def default_workers() -> int:
    """One worker process per processor this process may run on, and one more.

    A worker runs Python one thread at a time; while its threads all wait on their sockets its
    processor would idle, and the extra worker takes it (with one worker per processor, 12 % of two
    processors idled under load; with one more, 1-2 %: see docs/serving.md)."""
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        processors = os.cpu_count() or 1
    return processors + 1


def serve_forever(app: Flask, host: str, port: int, workers: int | None = None, threads: int = 16, body_timeout: float = 10.0) -> None:
    """Serve ``app`` on ``host:port``: ``workers`` gunicorn processes (``default_workers()`` unless
    given) of ``threads`` threads, logging each request; a client read that waits longer than
    ``body_timeout`` seconds ends its request (408)."""
    if workers is None:
        workers = default_workers()
    ServiceWorker.body_timeout = body_timeout  # the workers are forked from this process
    _Server(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "api.serving.ServiceWorker",
            "keepalive": 5,
            "accesslog": "-",
            "logger_class": "api.serving.ServiceLogger",
        },
    ).run()
