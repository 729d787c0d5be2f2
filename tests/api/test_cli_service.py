"""`subsidy keys create` and `subsidy serve`: the commands the README gives."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from subsidy.cli import main


def test_keys_create_prints_the_key_alone_on_the_last_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'keys.db'}")
    result = CliRunner().invoke(main, ["keys", "create", "adviser"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("sk_") and " " not in key
    assert key not in (tmp_path / "keys.db").read_bytes().decode("latin-1")  # only its hash is stored


def test_keys_create_refuses_an_empty_name() -> None:
    result = CliRunner().invoke(main, ["keys", "create", " "])
    assert result.exit_code == 2 and "NAME" in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serve_migrates_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}
    command = [sys.executable, "-c", "from subsidy.cli import main; main()", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/api/v1/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert status == 200 and body["database"] is True
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/nowhere")
        assert status == 404 and set(body) == {"code", "status", "message", "errors"}
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.parametrize(("processors", "workers"), [({0}, 2), ({0, 1}, 3), ({0, 1, 2, 3, 4, 5, 6, 7}, 9)])
def test_serve_starts_one_worker_per_processor_and_one_more(monkeypatch: pytest.MonkeyPatch, processors: set[int], workers: int) -> None:
    from api import serving

    monkeypatch.setattr(serving.os, "sched_getaffinity", lambda _pid: processors, raising=False)
    assert serving.default_workers() == workers


def test_serve_refuses_fewer_than_one_worker() -> None:
    result = CliRunner().invoke(main, ["serve", "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.output
    shown = " ".join(CliRunner().invoke(main, ["serve", "--help"]).output.split())
    assert "gunicorn worker processes. [default: one per processor, and one more]" in shown
