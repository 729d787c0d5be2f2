"""One error shape for every failure: ``{code, status, message, errors: {field: [messages]}}``.

Field paths are dotted from the request body (``profile.operating_revenue``); no stack trace or
exception text from inside the service ever reaches a client.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, has_request_context, jsonify
from flask_smorest import Api
from marshmallow import Schema, fields
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import ClientDisconnected, HTTPException, InternalServerError

from eligibility import InputError, flatten_errors, translate, translate_errors

from .web import language

__all__ = ["ErrorSchema", "ServiceApi", "error_response", "register_error_handlers"]

log = logging.getLogger(__name__)

_MESSAGES = {
    400: "The request could not be read.",
    401: "This needs a valid API key.",
    404: "Nothing here: check the address and the id.",
    405: "This address does not accept that method.",
    408: "The request body stopped arriving; send it again in one go.",
    413: "The request body is larger than 1 MiB.",
    415: "Send the body as JSON with Content-Type: application/json.",
    422: "Some fields are invalid; see errors.",
    429: "Too many requests; slow down.",
    500: "Something went wrong on our side; nothing was stored.",
    503: "The database cannot take this request now; nothing was stored. Retry after the seconds given in Retry-After.",
}

#: Seconds a client is asked to wait when the database is down (Retry-After on a 503).
DATABASE_RETRY_AFTER = 5


class ErrorSchema(Schema):
    """The body of every error response."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


def error_response(code: int, status: str, message: str, errors: dict[str, list[str]] | None = None) -> Response:
    """The error shape, its messages in the language the request asked for (field paths unchanged)."""
    lang = language() if has_request_context() else None
    body = {"code": code, "status": status, "message": translate(message, lang), "errors": translate_errors(errors or {}, lang)}
    response = jsonify(body)
    response.status_code = code
    return response


def _field_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    messages = data.get("errors") or data.get("messages") or {}
    if isinstance(messages, dict) and set(messages) <= {"json", "query", "view_args", "headers", "path"}:
        flat: dict[str, list[str]] = {}
        for location, value in messages.items():
            flat.update(flatten_errors(value, "" if location == "json" else location))
        return flat
    return flatten_errors(messages)


class ServiceApi(Api):  # type: ignore[misc]
    """flask-smorest's Api with this service's error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        if isinstance(error, ClientDisconnected):
            # The body stopped short: the client went away, or a read waited past the worker's body
            # timeout (api.serving). Either way the connection cannot carry another request.
            slow = isinstance(error.__context__, TimeoutError)
            response = error_response(408, "Request Timeout", _MESSAGES[408]) if slow else error_response(400, error.name, _MESSAGES[400])
            response.headers["Connection"] = "close"
            return response
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = _field_errors(data) if data else {}
        message = data.get("message") or _MESSAGES.get(code) or error.description or error.name
        if code == 400 and "json" in errors:
            message = errors.pop("json")[0]
            errors = {"body": [message]}
        response = error_response(code, error.name, message, errors)
        for name, value in error.get_headers():  # e.g. Allow on a 405, as RFC 9110 requires
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if code == 413:  # the rest of the body is not read: the connection cannot carry another request
            response.headers["Connection"] = "close"
        return response


def register_error_handlers(app: Flask) -> None:
    """Engine input errors become 422s; anything unexpected a 500 without details."""

    @app.errorhandler(InputError)
    def _input_error(error: InputError) -> Response:
        return error_response(422, "Unprocessable Entity", _MESSAGES[422], error.errors)

    @app.errorhandler(DBAPIError)
    def _database_down(error: DBAPIError) -> Response:
        # Refused connections, terminated backends, a full disk, a read-only database: the database,
        # not the request, is at fault, and the same request may succeed later. The driver's message
        # may quote the company's figures, so only its class is logged.
        read_only = getattr(error.orig, "sqlstate", None) == "25006"  # PostgreSQL: read_only_sql_transaction
        if not isinstance(error, OperationalError | InterfaceError) and not read_only:
            return _unexpected(error)
        log.error("database unavailable: %s", type(error.orig or error).__name__)
        response = error_response(503, "Service Unavailable", _MESSAGES[503])
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return app.extensions["service_api"].handle_http_exception(error)  # type: ignore[no-any-return]
        log.exception("unhandled error")
        return error_response(500, InternalServerError().name, _MESSAGES[500])
