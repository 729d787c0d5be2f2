"""The database connection of one app: engine, sessions, and migrations to the newest schema."""

from __future__ import annotations

import fcntl
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["Database", "migrate"]

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
