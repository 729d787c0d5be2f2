"""When the database fails: 503 in the error shape with Retry-After on every route, readiness that
tells the truth, nothing half-stored, and no figures in the log."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from api import create_app
from api.db import migrate
from api.keys import create_key

from .conftest import POSTGRES, _fresh_postgres, count
from .test_idempotency import ESTIMATE

KEY = {"Authorization": "Bearer sk_not-checked-because-the-database-is-down"}


def _refusing(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path / 'no-such-folder' / 'subsidy.db'}"]
    if POSTGRES.startswith("postgresql"):
        urls.append("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")  # nothing listens on port 1
    return urls


def _is_down(response: object) -> None:
    assert response.status_code == 503, response.data  # type: ignore[attr-defined]
    assert response.json["code"] == 503 and response.json["status"] == "Service Unavailable"  # type: ignore[attr-defined]
    assert response.headers["Retry-After"].isdigit()  # type: ignore[attr-defined]


def test_an_unreachable_database_answers_503_on_every_route(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    for url in _refusing(tmp_path):
        client = create_app({"DATABASE_URL": url, "TESTING": True}).test_client()
        health = client.get("/api/v1/healthz")
        _is_down(health)
        assert health.json["errors"] == {"database": ["The database is not reachable."]}
        _is_down(client.post("/api/v1/estimates", json=ESTIMATE, headers=KEY))
        _is_down(client.get("/api/v1/companies", headers=KEY))
        _is_down(client.get("/api/v1/estimates/" + "0" * 32, headers=KEY))
        _is_down(client.post("/api/v1/companies", json={"name": "x", "city": "wuhan", "profile": {}}, headers=KEY))
        zh = client.get("/api/v1/companies", headers={**KEY, "Accept-Language": "zh"})
        assert zh.status_code == 503 and "数据库" in zh.json["message"]
        # What needs no database still works: an anonymous estimate.
        assert client.post("/api/v1/estimates", json=ESTIMATE).status_code == 200
    assert "36000000" not in caplog.text


def _fresh_postgres_app(key_name: str) -> tuple[Flask, dict[str, str]]:
    """The service on an empty, migrated PostgreSQL database, and headers with a new key."""
    _fresh_postgres(POSTGRES)
    migrate(POSTGRES)
    app = create_app({"DATABASE_URL": POSTGRES, "TESTING": True})
    with app.extensions["database"].sessions() as session:
        return app, {"Authorization": f"Bearer {create_key(session, key_name)}"}


@pytest.mark.skipif(not POSTGRES.startswith("postgresql"), reason="needs the PostgreSQL server (DATABASE_URL)")
def test_terminated_postgresql_backends_cost_no_request() -> None:
    app, headers = _fresh_postgres_app("outage")
    client = app.test_client()
    assert client.post("/api/v1/estimates", json=ESTIMATE, headers=headers).status_code == 200
    admin = create_engine(POSTGRES)
    with admin.begin() as connection:  # the pool's connections are cut, as by a failover or a restart
        killed = connection.execute(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        ).scalar_one()
    admin.dispose()
    assert killed >= 1
    for _ in range(3):  # each pooled connection is checked before use and replaced
        assert client.post("/api/v1/estimates", json=ESTIMATE, headers=headers).status_code == 200
    assert count(app, "estimates") == 4
    app.extensions["database"].engine.dispose()


@pytest.mark.skipif(not POSTGRES.startswith("postgresql"), reason="needs the PostgreSQL server (DATABASE_URL)")
def test_a_read_only_postgresql_fails_readiness_and_refuses_writes_with_503() -> None:
    writable, headers = _fresh_postgres_app("read-only")
    read_only = POSTGRES + ("&" if "?" in POSTGRES else "?") + "options=-c%20default_transaction_read_only%3Don"
    app = create_app({"DATABASE_URL": read_only, "TESTING": True})
    client = app.test_client()
    health = client.get("/api/v1/healthz")
    _is_down(health)
    assert health.json["errors"] == {"database": ["The database cannot take a write: it is read-only."]}
    _is_down(client.post("/api/v1/estimates", json=ESTIMATE, headers=headers))
    assert client.get("/api/v1/companies", headers=headers).status_code == 200  # reading still works
    app.extensions["database"].engine.dispose()
    assert count(writable, "estimates") == 0
    writable.extensions["database"].engine.dispose()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs: a disk that can fill up."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(descriptor, b"\0" * 4096):
            pass
    except OSError:  # no space left on device: full
        pass
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_fails_readiness_and_refuses_writes_with_503(small_disk: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{small_disk / 'subsidy.db'}"
    migrate(url)
    app: Flask = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.extensions["database"].sessions() as session:
        headers = {"Authorization": f"Bearer {create_key(session, 'full-disk')}"}
    client: FlaskClient = app.test_client()
    assert client.get("/api/v1/healthz").status_code == 200
    app.extensions["database"].engine.dispose()  # the WAL is checkpointed and removed: the next write needs new space
    filler = _fill(small_disk)
    with caplog.at_level(logging.ERROR):
        health = client.get("/api/v1/healthz")
        _is_down(health)
        assert health.json["errors"] == {"database": ["The database cannot take a write: its disk is full or failing."]}
        big = {**ESTIMATE, "profile": {**ESTIMATE["profile"], "prior_awards": [{"rule": "wuhan.key_pool_growth", "year": 2019, "amount": "1"}] * 400}}
        _is_down(client.post("/api/v1/estimates", json=big, headers=headers))
    assert "36000000" not in caplog.text and "Traceback" not in caplog.text
    filler.unlink()  # space again: the service recovers by itself
    assert client.get("/api/v1/healthz").status_code == 200
    assert client.post("/api/v1/estimates", json=ESTIMATE, headers=headers).status_code == 200
    assert count(app, "estimates") == 1
    app.extensions["database"].engine.dispose()
