"""SQLite's writers take turns: one waiting to write is woken as soon as the one before it is done,
reads never wait, a turn ends with the rollback as with the commit, and a writer that waits past the
timeout gets SQLite's "database is locked" (503 from the API), storing nothing."""

from __future__ import annotations

import fcntl
import gc
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from api import create_app
from api.db import Database, migrate
from api.keys import create_key

from .conftest import count
from .test_idempotency import ESTIMATE

HOLD = 0.135  # seconds a writer keeps its transaction open; SQLite's busy handler would retry at 128 and 178 ms


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    found = Database.connect(f"sqlite:///{tmp_path / 'turns.db'}?timeout=2")
    with found.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    yield found
    found.engine.dispose()


def _hold_a_write(database: Database, started: object, released: object) -> None:
    """In a process of its own: write, keep the transaction open for HOLD seconds, commit, say when."""
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('child')"))
        started.set()  # type: ignore[attr-defined]
        time.sleep(HOLD)
    released.value = time.monotonic()  # type: ignore[attr-defined]  # committed and back in the pool


def test_a_waiting_writer_in_another_process_writes_as_soon_as_the_turn_is_free(database: Database) -> None:
    # The parent has written once, so its lock file is open before the fork: the child must not share it.
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('parent')"))
    context = multiprocessing.get_context("fork")
    late = []
    for _ in range(3):
        started, released = context.Event(), context.Value("d", 0.0)
        child = context.Process(target=_hold_a_write, args=(database, started, released))
        child.start()
        assert started.wait(10)
        began = time.monotonic()
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO t (who) VALUES ('parent')"))
            wrote = time.monotonic()
        child.join(10)
        assert child.exitcode == 0
        assert wrote - began >= HOLD * 0.8, "the second writer did not wait for the first"
        late.append(wrote - released.value)
    # SQLite's busy handler alone wakes the waiter at 178 ms, some 40 ms after the turn was free.
    assert max(late) < 0.02, late
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM t")) == 7


def test_a_waiting_writer_in_the_same_process_writes_as_soon_as_the_turn_is_free(database: Database) -> None:
    started, released = threading.Event(), [0.0]

    def hold() -> None:
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO t (who) VALUES ('first')"))
            started.set()
            time.sleep(HOLD)
        released[0] = time.monotonic()

    first = threading.Thread(target=hold)
    first.start()
    assert started.wait(10)
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('second')"))
        wrote = time.monotonic()
    first.join()
    assert 0 <= wrote - released[0] < 0.02


def _held_elsewhere(database: Database) -> int:
    """The machine's turn to write, taken as another process would take it."""
    handle = os.open(f"{database.engine.url.database}.write-lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def test_reads_never_wait_for_a_turn(database: Database) -> None:
    handle = _held_elsewhere(database)
    try:
        began = time.monotonic()
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM t")) == 0
        assert time.monotonic() - began < 0.5
    finally:
        os.close(handle)


def test_a_rollback_ends_the_turn(database: Database) -> None:
    with database.sessions() as session:
        session.execute(text("INSERT INTO t (who) VALUES ('undone')"))
        handle = os.open(f"{database.engine.url.database}.write-lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):  # held while the transaction is open
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            session.rollback()
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free at once after the rollback
        finally:
            os.close(handle)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM t")) == 0


def test_a_writer_that_waits_past_the_timeout_gets_database_is_locked(tmp_path: Path) -> None:
    database = Database.connect(f"sqlite:///{tmp_path / 'turns.db'}?timeout=0.3")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    handle = _held_elsewhere(database)
    try:
        began = time.monotonic()
        with pytest.raises(Exception, match="database is locked") as raised, database.engine.begin() as connection:
            connection.execute(text("INSERT INTO t (who) VALUES ('late')"))
        assert type(raised.value).__name__ == "OperationalError"
        assert 0.3 <= time.monotonic() - began < 2
    finally:
        os.close(handle)
    # The turn was given back: the next writer goes straight in.
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('next')"))
        assert connection.scalar(text("SELECT who FROM t")) == "next"
    database.engine.dispose()


def test_the_api_answers_503_and_stores_nothing_when_no_turn_comes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'subsidy.db'}?timeout=0.3"
    migrate(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    database = app.extensions["database"]
    with database.sessions() as session:
        headers = {"Authorization": f"Bearer {create_key(session, 'turns')}"}
    client = app.test_client()
    handle = _held_elsewhere(database)
    try:
        refused = client.post("/api/v1/estimates", json=ESTIMATE, headers=headers)
    finally:
        os.close(handle)
    assert refused.status_code == 503, refused.data
    assert refused.json["code"] == 503 and refused.headers["Retry-After"].isdigit()
    assert count(app, "estimates") == 0
    stored = client.post("/api/v1/estimates", json=ESTIMATE, headers=headers)
    assert stored.status_code == 200 and count(app, "estimates") == 1
    database.engine.dispose()


def test_the_lock_file_is_closed_with_its_engine(tmp_path: Path) -> None:
    opened = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        database = Database.connect(f"sqlite:///{tmp_path / 'turns.db'}")
        with database.engine.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, who TEXT)"))
            connection.execute(text("INSERT INTO t (who) VALUES ('one')"))
        database.engine.dispose()
        del database, connection
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= opened


def _write_and_hang(database: Database, started: object) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('killed')"))
        started.set()  # type: ignore[attr-defined]
        time.sleep(60)


def test_a_worker_killed_during_its_turn_gives_it_back(database: Database) -> None:
    context = multiprocessing.get_context("fork")
    started = context.Event()
    child = context.Process(target=_write_and_hang, args=(database, started))
    child.start()
    assert started.wait(10)
    os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
    child.join(10)
    began = time.monotonic()
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (who) VALUES ('next')"))
    assert time.monotonic() - began < 1
    with database.engine.connect() as connection:
        assert connection.scalars(text("SELECT who FROM t")).all() == ["next"]  # the killed write never committed
