"""Request plumbing shared by the resources: strict JSON bodies, sessions, language, JSON replies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import flask
from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from flask_smorest import abort as _abort
from sqlalchemy.orm import Session
from webargs.flaskparser import FlaskParser, is_json_request

from eligibility import InputError, Rulebook, RuleFileError, dumps, loads, localize

__all__ = ["ServiceBlueprint", "abort", "db_session", "json_reply", "language", "render", "rulebook", "under_reform"]

_T = TypeVar("_T")


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


def render(data: Any) -> str:
    """Compact JSON text of ``data`` in the request's language."""
    lang = language()
    return dumps(localize(data, lang) if lang else data, compact=True)


def json_reply(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="application/json")
