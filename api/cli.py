"""The ``subsidy`` command: the engine's commands plus ``serve`` and ``keys``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask
from sqlalchemy.orm import Session

from eligibility import RuleFileError

from eligibility.cli import main

from .app import create_app
from .db import migrate
from .keys import create_key, list_keys, revoke_key

__all__ = ["main"]


def _app() -> Flask:
    """The service, or a one-line error naming the rule file and line that stops it from starting."""
    try:
        return create_app()
    except RuleFileError as exc:
        raise click.ClickException(f"the service cannot start: the rulebook does not load: {exc}") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Migrate the database, then serve the JSON API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    app = _app()
    migrate(app.config["DATABASE_URL"])

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self) -> Any:
            return app

    click.echo(f"Serving on http://{host}:{port}/api/docs (database {app.extensions['database'].engine.url.render_as_string(hide_password=True)})")
    Server().run()


@main.group()
def keys() -> None:
    """Manage API keys."""


@contextmanager
def _key_session() -> Iterator[Session]:
    """A database session for the key commands, on the migrated database DATABASE_URL names."""
    app = _app()
    migrate(app.config["DATABASE_URL"])
    with app.app_context():
        session = app.extensions["database"].sessions()
        try:
            yield session
        finally:
            session.close()


@keys.command("create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Create an API key called NAME; the key is printed once, alone on the last line."""
    if not name.strip() or len(name) > 100:
        click.echo("error: NAME: must be 1 to 100 characters.", err=True)
        raise SystemExit(2)
    with _key_session() as session:
        key = create_key(session, name)
    click.echo(f"Created API key '{name}'. Store it now; it cannot be shown again:")
    click.echo(key)


@keys.command("list")
def keys_list() -> None:
    """List the keys: id, name, when created and when revoked (keys themselves are never stored)."""
    with _key_session() as session:
        for key in list_keys(session):
            revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
            click.echo(f"{key.id}\t{key.name}\tcreated {key.created_at.isoformat()}\t{revoked}")


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke the key with ID (see `subsidy keys list`); it stops working with the next request."""
    with _key_session() as session:
        key = revoke_key(session, key_id)
        name = key.name if key is not None else None
    if key is None:
        click.echo(f"error: ID: no key {key_id}; see `subsidy keys list`.", err=True)
        raise SystemExit(2)
    click.echo(f"Revoked key {key_id} ('{name}').")
