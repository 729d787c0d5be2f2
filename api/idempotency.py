"""Idempotency keys: a storing POST retried with the same ``Idempotency-Key`` stores nothing new.

A client that lost the answer to a POST (a dropped connection, a timeout) sends it again with the
same key and body and gets the first answer, byte for byte, with ``Idempotent-Replayed: true``; the
same key with another method, path or body is refused (422). The key and the answer are written in
the same transaction as what the request stored, so either both are there or neither is: a request
that failed stored nothing and may be sent again. Two copies racing each other cannot both store:
the database's unique constraint refuses the second, which then answers as a replay. Keys are
remembered per API key for ``IDEMPOTENCY_HOURS`` (24 by default), in the database, so they hold
across workers and replicas.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import flask
from flask import Response, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eligibility import InputError

from .models import ApiKey, IdempotentRequest, utcnow
from .web import abort, db_session

__all__ = ["HEADER", "PARAMETER", "claim", "commit_with_answer"]

HEADER = "Idempotency-Key"
#: The header as the OpenAPI document describes it, on every POST that stores.
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "With an API key: a retry with the same key and body stores nothing new and gets the first answer (Idempotent-Replayed: true); "
    "the same key with another request is refused (422). Remembered for 24 hours.",
    "schema": {"type": "string", "pattern": "^[!-~]{1,255}$", "example": "7f3c0a52-2b5e-4c55-9a0e-4f3b9c1d2e10"},
}
_TOKEN = re.compile(r"[\x21-\x7e]{1,255}")


def _digest() -> str:
    text = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.get_data(cache=True)):
        text.update(len(part).to_bytes(8, "big") + part)
    return text.hexdigest()


def _replay(stored: IdempotentRequest) -> Response:
    response = Response(stored.body, status=stored.status, mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    if stored.location:
        response.headers["Location"] = stored.location
    return response


def _answer(session: Session, key: ApiKey, token: str, digest: str) -> Response | None:
    stored = session.scalar(select(IdempotentRequest).where(IdempotentRequest.key_id == key.id, IdempotentRequest.token == token))
    if stored is None:
        return None
    if stored.digest != digest:
        raise InputError.single(HEADER, "This Idempotency-Key was used with another request; use a new key for a new request.")
    return _replay(stored)


def claim(key: ApiKey | None) -> None:
    """Before a storing request does its work: answer at once (by raising) when its Idempotency-Key
    has been seen with this request, refuse it when seen with another; otherwise remember the key
    for :func:`commit_with_answer`. Without the header, or without an API key, nothing happens."""
    g.idempotency = None
    token = request.headers.get(HEADER)
    if token is None or key is None:
        return
    if not _TOKEN.fullmatch(token):
        raise InputError.single(HEADER, "Must be 1 to 255 visible ASCII characters, such as a UUID.")
    hours = int(current_app.config.get("IDEMPOTENCY_HOURS", 24))
    session = db_session()
    session.execute(delete(IdempotentRequest).where(IdempotentRequest.key_id == key.id, IdempotentRequest.created_at < utcnow() - timedelta(hours=hours)))
    digest = _digest()
    replay = _answer(session, key, token, digest)
    if replay is not None:
        session.rollback()
        flask.abort(replay)
    g.idempotency = (key, token, digest)


def commit_with_answer(session: Session, body: str, status: int, location: str | None = None) -> None:
    """Commit what the request stored, together with its answer when it came with an Idempotency-Key."""
    claimed = g.get("idempotency")
    if claimed is None:
        session.commit()
        return
    key, token, digest = claimed
    session.add(IdempotentRequest(key_id=key.id, token=token, digest=digest, status=status, location=location, body=body))
    try:
        session.commit()
    except IntegrityError:
        # The same key committed first from another request: nothing of this one is stored.
        session.rollback()
        replay = _answer(session, key, token, digest)
        if replay is None:  # pragma: no cover - the unique constraint names only this key
            abort(409, message="Another request with this Idempotency-Key is under way; send it again shortly.")
        flask.abort(replay)
