"""Request plumbing shared by the resources: strict JSON bodies, sessions, language, JSON replies."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import flask
from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from flask_smorest import abort as _abort
from sqlalchemy.orm import Session
from webargs.flaskparser import FlaskParser, is_json_request

from eligibility import InputError, Rulebook, RuleFileError, dumps_bytes, loads, localize

__all__ = [
    "ServiceBlueprint",
    "abort",
    "db_session",
    "json_reply",
    "language",
    "over_budget",
    "remaining_budget",
    "render",
    "rulebook",
    "start_budget",
    "under_reform",
    "within_budget",
]

_T = TypeVar("_T")
log = logging.getLogger(__name__)


def abort(code: int, **kwargs: Any) -> NoReturn:
    """flask-smorest's abort, typed as what it is: it raises the HTTP error and never returns."""
    _abort(code, **kwargs)
    raise AssertionError("flask_smorest.abort returned")  # pragma: no cover


class StrictParser(FlaskParser):
    """Reads bodies with the engine's strict JSON reader: decimals stay exact, NaN and duplicate keys are refused."""

    def _raw_load_json(self, req: flask.Request) -> Any:
        if not req.get_data(cache=True):
            abort(400, message="The request needs a JSON body.", errors={"body": ["Missing JSON body."]})
        if not is_json_request(req):
            abort(415)
        try:
            return loads(req.get_data(cache=True), field="body")
        except InputError as exc:
            if "body" not in exc.errors:  # well-formed JSON holding a string that is not text: name its field
                raise
            abort(400, message=exc.errors["body"][0], errors=exc.errors)


class ServiceBlueprint(Blueprint):  # type: ignore[misc]
    """A flask-smorest Blueprint using the strict body parser."""

    ARGUMENTS_PARSER = StrictParser()


def start_budget() -> None:
    """Start the request's clock (before anything reads its body)."""
    g.started = time.monotonic()


def remaining_budget() -> float:
    """Seconds left of the request's time budget."""
    started: float = g.get("started", time.monotonic())
    return float(current_app.config["REQUEST_TIME_BUDGET"]) - (time.monotonic() - started)


def within_budget(stage: str) -> None:
    """Refuse (503, with Retry-After) a request that has already used its time budget
    (``REQUEST_TIME_BUDGET`` seconds) before its next ``stage`` of work. The limits on each part of a
    request (body size, prior awards, cities, years) keep its work far below the budget on a service
    that is not overloaded, so running out of time means the service is busy: the same request later
    will do."""
    if remaining_budget() < 0:
        over_budget(stage)


def over_budget(stage: str) -> NoReturn:
    """The 503 of a request whose time budget ran out before ``stage``."""
    budget = float(current_app.config["REQUEST_TIME_BUDGET"])
    log.warning("time budget of %gs spent before %s", budget, stage)
    abort(
        503,
        message=f"The service is too busy to finish this request within {budget:g} seconds; nothing was stored. Retry after the seconds given in Retry-After.",
        headers={"Retry-After": "2"},
    )


def under_reform(run: Callable[[], _T]) -> _T:
    """Run an estimate under a reform; a reform that does not fit the rulebook is a 422 naming it."""
    try:
        return run()
    except RuleFileError as exc:
        raise InputError.single(f"reform.{exc.key}" if exc.key else "reform", exc.message + (f" {exc.fix}" if exc.fix else "")) from None


def rulebook() -> Rulebook:
    """The rulebook this service loaded when it started (it never changes while the service runs)."""
    book: Rulebook = current_app.extensions["rulebook"]
    return book


def db_session() -> Session:
    """The request's database session, closed when the request ends."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["database"].sessions()
    session: Session = g.db_session
    return session


def language() -> str | None:
    """zh or en when the request asks for one with Accept-Language; None for both."""
    if not request.headers.get("Accept-Language"):
        return None
    best = request.accept_languages.best_match(["zh", "en"])
    return best if best in ("zh", "en") else None


def render(data: Any) -> bytes:
    """Compact JSON of ``data`` in the request's language, as the answer's bytes."""
    lang = language()
    return dumps_bytes(localize(data, lang) if lang else data)


def json_reply(text: str | bytes, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="application/json")
