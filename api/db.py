"""The database connection of one app: engine, sessions, and migrations to the newest schema."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "WriteTurns", "migrate"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass
class Database:
    """An engine and its session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)  # no figures in logged errors
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
            database = engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                timeout = engine.url.query.get("timeout", "5")  # SQLite's busy timeout, as the driver reads it
                WriteTurns(database, float(timeout if isinstance(timeout, str) else timeout[-1])).attach(engine)
        return cls(url, engine, sessionmaker(engine, expire_on_commit=False))

    def reachable(self) -> bool:
        """Whether a trivial query succeeds."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def write_problem(self) -> str | None:
        """Why the database cannot take a committed write now (unreachable, full, read-only), or None."""
        from .models import HealthProbe, utcnow

        try:
            with self.engine.begin() as connection:
                changed = connection.execute(update(HealthProbe).where(HealthProbe.id == 1).values(checked_at=utcnow()))
                if changed.rowcount == 0:  # a database made without the migrations
                    connection.execute(insert(HealthProbe).values(id=1, checked_at=utcnow()))
            return None
        except DBAPIError as error:
            said = str(error.orig).lower()
            state = getattr(error.orig, "sqlstate", None) or ""
            if "disk is full" in said or "disk i/o error" in said or state.startswith("53"):  # SQLITE_FULL, SQLITE_IOERR; PostgreSQL: insufficient resources
                return "The database cannot take a write: its disk is full or failing."
            if "readonly" in said or "read-only" in said or state == "25006":
                return "The database cannot take a write: it is read-only."
            if not self.reachable():
                return "The database is not reachable."
            return "The database cannot take a write."


#: A statement that writes: SQLite takes its one write lock at the first of them in a transaction.
_WRITES = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
#: Set in a pooled connection's ``info`` while it holds this process's turn to write.
_HOLDS = "holds_write_turn"


class WriteTurns:
    """SQLite's writers on one machine, one after another, each woken as soon as the one before is done.

    SQLite lets one connection write at a time. The others wait in its busy handler, which sleeps 1,
    2, 5, 10, 15, 20, 25 and then up to 100 ms between tries and never queues anyone: a writer that
    keeps waking a moment too late waits 100 ms and more while writers that came after it go first
    (stored estimates under load: p50 5 ms, p99 183 ms). Here a connection about to write first takes
    a turn, held until it goes back to the pool after its commit or rollback: within a process on a
    lock its threads sleep on until it is free, across processes (the workers, replicas on this
    machine) on a file lock beside the database, ``<database>.write-lock``, that the one thread of
    each process waiting for it tries every millisecond at most. SQLite's own locking is unchanged
    and still decides; the turns only spare it the contention. A writer that has waited ``timeout``
    seconds (SQLite's own busy timeout: 5 s, or the database URL's ``?timeout=``) gets the error SQLite
    would give, "database is locked", which the API answers 503 with Retry-After.
    """

    def __init__(self, database: str, timeout: float = 5.0) -> None:
        self.path = f"{database}.write-lock"
        self.timeout = timeout
        self._threads = threading.Lock()
        self._file: int | None = None
        method = weakref.WeakMethod(self._forked)
        os.register_at_fork(after_in_child=lambda: (forked := method()) is not None and forked())

    def _forked(self) -> None:
        """In a forked child: a state of its own. The parent's descriptor shares the parent's lock, so the
        child opens the file again (its copy of the parent's is closed; the parent's lock is unchanged)."""
        self._threads = threading.Lock()
        if self._file is not None:
            self._closing.detach()
            os.close(self._file)
            self._file = None

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_write)
        event.listen(engine, "checkin", self._returned)

    def _before_write(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not _WRITES.match(statement):
            return
        info = connection.connection.info
        if not info.get(_HOLDS):
            self.take()
            info[_HOLDS] = True

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_HOLDS, False):
            self.give()

    def take(self) -> None:
        """Wait for this process's turn, then for the machine's; raise SQLite's "database is locked" after ``timeout``."""
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            raise _locked(self.timeout)
        try:
            if self._file is None:
                self._file = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
                self._closing = weakref.finalize(self, os.close, self._file)  # closed with the engine that holds these turns
            pause = 0.0001
            while True:
                try:
                    fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _locked(self.timeout) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.001)
        except OSError:
            # No lock file (a read-only or full disk): leave the writers to SQLite's own locking,
            # which will refuse or report the write as it would without turns.
            return
        except BaseException:
            self._threads.release()
            raise

    def give(self) -> None:
        """End the turn taken by :meth:`take`."""
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


def _locked(seconds: float) -> OperationalError:
    return OperationalError("(waiting for a turn to write)", None, sqlite3.OperationalError(f"database is locked (no turn to write within {seconds:g} s)"))


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: The PostgreSQL advisory lock that replicas starting at once take in turn around the migration.
MIGRATION_LOCK = 0x5B51D1E5


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest schema.

    Safe when several replicas start at once: on PostgreSQL they take an advisory lock in turn (the
    first migrates, the others find the schema current); on SQLite a lock on a file beside the
    database does the same for processes on one machine.
    """
    config = alembic_config(url)
    engine = create_engine(url)
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                try:
                    connection.commit()
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    connection.commit()
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
            return
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            with open(f"{database}.migrate-lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                command.upgrade(config, "head")
            return
        command.upgrade(config, "head")
    finally:
        engine.dispose()
