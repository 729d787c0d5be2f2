"""Serving the application with gunicorn, the production WSGI server."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

__all__ = ["serve_forever"]


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


def serve_forever(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve ``app`` on ``host:port`` with ``workers`` gunicorn worker processes, logging each request."""
    _Server(app, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-"}).run()
