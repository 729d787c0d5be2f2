"""The app factory: configuration, database, blueprints, OpenAPI document and offline docs page."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, send_from_directory
from swagger_ui_bundle import swagger_ui_path

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from eligibility import default_rulebook, load_rulebook

from .db import Database
from .errors import ServiceApi, register_error_handlers
from .limits import init_limits
from .openapi import document_fields
from .pages import blp as pages
from .resources import catalogue, companies, comparisons, coverage, estimates, health
from .web import start_budget

__all__ = ["create_app"]

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    # Every page, Swagger UI included, loads only what the service itself serves; no inline script.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
}


#: The same names in lower case, to see which a response has set already.
_SECURITY = {name.lower(): (name, value) for name, value in SECURITY_HEADERS.items()}


class Service(Flask):
    """The service's Flask application: Flask, remembering which of its functions are plain ``def``s.

    Flask and flask-smorest ask ``ensure_sync`` of every hook, decorator layer and view on every
    request (ten times an estimate), and each answer inspects the function's code afresh: about 3 %
    of an estimate request. A function's answer never changes, so it is kept, by the function itself
    (a method by its function, since a view's bound methods are new on every request), for as many
    functions as an application has; an ``async def`` is still run as Flask runs it.
    """

    #: At most this many functions are remembered (an application has a few dozen).
    REMEMBERED = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plain: dict[Any, bool] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        key = getattr(func, "__func__", func)
        plain = self._plain.get(key)
        if plain is None:
            plain = not iscoroutinefunction(func)
            if len(self._plain) < self.REMEMBERED:
                self._plain[key] = plain
        return func if plain else self.async_to_sync(func)


class ServiceHeaders:
    """The headers every answer has: the security headers a view did not set itself, and
    ``Retry-After`` only on a refusal (429, 503), where it says when to come back.

    Added to the status line and header list as they pass to the server: a few microseconds, where
    Werkzeug's header methods on each response took about thirty.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {name.lower() for name, _ in headers}
            if "retry-after" in present and not status.startswith(("429", "503")):
                headers = [(name, value) for name, value in headers if name.lower() != "retry-after"]
            headers.extend(pair for name, pair in _SECURITY.items() if name not in present)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


class ChunkedBodyLimit:
    """Gives a chunked body (one sent without Content-Length) the limit a body with one has.

    The server hands such a body over as a stream of unknown length, which Werkzeug reads without a
    limit. This reads it first, at most one byte past ``limit``, and hands it on with its length, so
    that a body over the limit is refused with 413 like any other, and never cut silently.
    """

    def __init__(self, app: WSGIApplication, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            stream, body = environ["wsgi.input"], bytearray()
            while len(body) <= self.limit:
                piece = stream.read(min(64 * 1024, self.limit + 1 - len(body)))
                if not piece:
                    break
                body += piece
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(bytes(body)), str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]  # the body is now of known length
        return self.app(environ, start_response)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the service. ``DATABASE_URL`` picks the database (default: SQLite in the instance folder)."""
    app = Service(__name__, instance_relative_config=True)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese names stay readable
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{os.path.join(app.instance_path, 'subsidy.db')}",
        MAX_CONTENT_LENGTH=1024 * 1024,
        RATE_LIMIT_PER_KEY=os.environ.get("RATE_LIMIT_PER_KEY", "1200/minute"),
        RATE_LIMIT_PER_ADDRESS=os.environ.get("RATE_LIMIT_PER_ADDRESS", "3000/minute"),
        # What one API key may keep: saved companies and stored estimates (403 past either).
        QUOTA_COMPANIES=int(os.environ.get("QUOTA_COMPANIES", "1000")),
        QUOTA_ESTIMATES=int(os.environ.get("QUOTA_ESTIMATES", "100000")),
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Seconds of work a request may take before the next stage of it is refused (503, Retry-After).
        REQUEST_TIME_BUDGET=float(os.environ.get("REQUEST_TIME_BUDGET", "10")),
        # Charts drawn at once by one worker process (matplotlib is not thread-safe, and a chart is
        # the heaviest work there is); others wait for one within the time budget.
        CHART_CONCURRENCY=int(os.environ.get("CHART_CONCURRENCY", "1")),
        RULES_DIR=os.environ.get("RULES_DIR") or None,
        FEATURES_DIR=os.environ.get("FEATURES_DIR") or None,
        API_TITLE="Subsidy eligibility calculator",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Blockchain-industry subsidy policies of Wuhan, Suzhou and Changsha, and the national guidance, as rules: estimates, comparisons, the rulebook and saved companies."
            },
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        },
    )
    if test_config is not None:
        app.config.from_mapping(test_config)
    # Loaded once, here: a broken rule file refuses the start (RuleFileError naming file and line),
    # and the files are never read again while the service runs, so editing them cannot break it.
    rules_dir = app.config["RULES_DIR"]
    app.extensions["rulebook"] = load_rulebook(rules_dir) if rules_dir else default_rulebook()
    app.extensions["database"] = Database.connect(app.config["DATABASE_URL"])
    app.extensions["charts"] = threading.BoundedSemaphore(app.config["CHART_CONCURRENCY"])
    app.before_request(start_budget)
    limits = init_limits(app)
    api = ServiceApi(app)
    app.extensions["service_api"] = api
    document_fields(api.spec, app.extensions["rulebook"])
    limits.exempt(health.blp)  # monitoring must see the service even while a client is throttled
    for module in (estimates, comparisons, catalogue, coverage, companies, health):
        api.register_blueprint(module.blp)
    register_error_handlers(app)
    app.wsgi_app = ServiceHeaders(ChunkedBodyLimit(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"]))  # type: ignore[method-assign]
    app.register_blueprint(pages)
    limits.exempt(pages)  # pages answer people; the API's limits count the API

    @app.get("/api/docs/assets/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(str(swagger_ui_path), filename)

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return app
