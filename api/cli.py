"""The ``subsidy`` command: the engine's commands plus ``serve`` and ``keys``."""
from __future__ import annotations

from typing import Any

import click

from eligibility.cli import main

from .app import create_app
from .db import migrate
from .keys import create_key

__all__ = ["main"]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Migrate the database, then serve the JSON API with gunicorn."""
    from gunicorn.app.base import BaseApplication

    app = create_app()
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


@keys.command("create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Create an API key called NAME; the key is printed once, alone on the last line."""
    if not name.strip() or len(name) > 100:
        click.echo("error: NAME: must be 1 to 100 characters.", err=True)
        raise SystemExit(2)
    app = create_app()
    migrate(app.config["DATABASE_URL"])
    with app.app_context():
        session = app.extensions["database"].sessions()
        key = create_key(session, name)
        session.close()
    click.echo(f"Created API key '{name}'. Store it now; it cannot be shown again:")
    click.echo(key)
