"""API test fixtures: a fresh database per test, on SQLite and (when DATABASE_URL names one) PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from api import create_app
from api.db import migrate
from api.keys import create_key
from api.models import Base

POSTGRES = os.environ.get("DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES.startswith("postgresql") else [])


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'subsidy.db'}"
    _fresh_postgres(POSTGRES)
    return POSTGRES


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    migrate(database_url)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True})
    yield app
    app.extensions["database"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _key(app: Flask, name: str) -> dict[str, str]:
    session = app.extensions["database"].sessions()
    try:
        return {"Authorization": f"Bearer {create_key(session, name)}"}
    finally:
        session.close()


@pytest.fixture
def alice(app: Flask) -> dict[str, str]:
    """Headers carrying one tenant's API key."""
    return _key(app, "alice")


@pytest.fixture
def bob(app: Flask) -> dict[str, str]:
    """Headers carrying another tenant's API key."""
    return _key(app, "bob")


def count(app: Flask, table: str) -> int:
    with app.extensions["database"].engine.connect() as connection:
        return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
