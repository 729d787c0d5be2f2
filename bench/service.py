"""Helpers for the load and crash runs: a database with a fresh key, the service as production runs it,
and the audit of what the database holds against what the service acknowledged.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, text

from api.db import Database, migrate
from api.keys import create_key, hash_key
from api.models import ApiKey, StoredEstimate
from api.serving import default_workers

SUBSIDY = Path(sys.executable).with_name("subsidy")
#: One loopback address sends everything: the address limit (3000/minute by default) is raised so the
#: limiter still runs on every request but does not refuse this one client.
LIMITS = {"RATE_LIMIT_PER_ADDRESS": "100000000/minute", "RATE_LIMIT_PER_KEY": "100000000/minute"}

#: The body every load and crash request sends: the README's Wuhan company.
ESTIMATE = {
    "city": "wuhan",
    "district": "江汉区",
    "as_of": "2022-06-30",
    "profile": {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "operating_revenue": "36000000",
        "operating_revenue_prior": "28000000",
        "local_fiscal_contribution": "240000",
        "prior_awards": [],
    },
}


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a server started in a process group of its own: SIGTERM, then SIGKILL after 20 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def new_key(url: str, name: str) -> tuple[str, int]:
    """Migrate the database at ``url`` and create an API key there: (key, key id)."""
    migrate(url)
    database = Database.connect(url)
    with database.sessions() as session:
        key = create_key(session, name)
        key_id = session.scalar(select(ApiKey.id).where(ApiKey.key_hash == hash_key(key)))
    database.engine.dispose()
    assert key_id is not None
    return key, key_id


@dataclass
class Service:
    """``subsidy serve`` (gunicorn, as the README runs it) in a child process of its own group."""

    url: str
    port: int
    log: Path
    workers: int = field(default_factory=default_workers)  # as `subsidy serve` starts by default
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    _log_file: IO[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self._log_file = self.log.open("ab")
        env = {**os.environ, "DATABASE_URL": self.url, **self.env}
        self.process = subprocess.Popen(
            [str(SUBSIDY), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # A process group of its own, to be stopped whole, but this session, where wrk runs: Linux
            # schedules each session's processes as one group against the others ("autogroup"; see
            # docs/serving.md, "The client and the servers in one session"), as bench/throughput.py does.
            process_group=0,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the service exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/v1/healthz", timeout=1) as reply:
                    if reply.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the service did not become healthy in {timeout:.0f} s; see {self.log}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the master's children."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def kill_worker(self) -> int:
        """kill -9 one worker; the master starts another. Returns the pid killed."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> None:
        """kill -9 the master and every worker at once, as a power cut or an OOM kill would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process)
        if self._log_file is not None:
            self._log_file.close()


@dataclass
class Audit:
    """What the database holds for one key, against the ids the service acknowledged."""

    opened: bool
    integrity: str
    acknowledged: int
    acknowledged_unique: int
    stored: int
    lost: list[str]
    unacknowledged: int
    incomplete: list[str]

    @property
    def ok(self) -> bool:
        return self.opened and self.integrity == "ok" and self.acknowledged == self.acknowledged_unique and not self.lost and not self.incomplete

    def as_dict(self) -> dict[str, Any]:
        return {
            "database_opened": self.opened,
            "integrity": self.integrity,
            "acknowledged": self.acknowledged,
            "acknowledged_unique": self.acknowledged_unique,
            "stored": self.stored,
            "lost": len(self.lost),
            "stored_but_unacknowledged": self.unacknowledged,
            "incomplete": len(self.incomplete),
            "ok": self.ok,
        }


def audit(url: str, key_id: int, acknowledged: Iterable[str]) -> Audit:
    """Open the database afresh and check every acknowledged estimate is there, whole, exactly once.

    A record is whole when its body parses, carries its own id, and agrees with its columns (city,
    date, rulebook digest). Rows stored for requests whose answer never arrived (the process was
    killed between commit and reply) are counted, not failed: the client can find them in the history.
    """
    acked = list(acknowledged)
    database = Database.connect(url)
    try:
        with database.engine.connect() as connection:
            if database.engine.dialect.name == "sqlite":
                integrity = str(connection.execute(text("PRAGMA integrity_check")).scalar())
            else:
                integrity = "ok" if connection.execute(text("SELECT 1")).scalar() == 1 else "failed"
        with database.sessions() as session:
            rows = list(session.scalars(select(StoredEstimate).where(StoredEstimate.key_id == key_id)))
    except Exception as exc:
        database.engine.dispose()
        return Audit(False, f"{type(exc).__name__}: {exc}", len(acked), len(set(acked)), 0, acked, 0, [])
    database.engine.dispose()
    stored = {row.id: row for row in rows}
    incomplete = []
    for row in rows:
        try:
            body = json.loads(row.body)
            whole = (
                body["id"] == row.id
                and body["city"] == row.city
                and date.fromisoformat(body["as_of"]) == row.as_of
                and body["rulebook"]["digest"] == row.digest
                and body["total"]["min"] is not None
            )
        except (ValueError, KeyError, TypeError):
            whole = False
        if not whole:
            incomplete.append(row.id)
    ids = set(acked)
    return Audit(
        opened=True,
        integrity=integrity,
        acknowledged=len(acked),
        acknowledged_unique=len(ids),
        stored=len(rows),
        lost=sorted(ids - stored.keys()),
        unacknowledged=len(stored.keys() - ids),
        incomplete=incomplete,
    )
