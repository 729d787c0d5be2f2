"""API keys: created once and shown once, kept only as SHA-256, checked on each request."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiKey, utcnow
from .web import abort, db_session

__all__ = ["create_key", "hash_key", "list_keys", "request_key", "revoke_key"]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, name: str) -> str:
    """Store a new key named ``name`` and return it; it cannot be shown again."""
    key = "sk_" + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, key_hash=hash_key(key)))
    session.commit()
    return key


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first (their hashes only)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke key ``key_id`` at once (every request checks); None when there is no such key."""
    key = session.get(ApiKey, key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key


def request_key(*, required: bool) -> ApiKey | None:
    """The request's API key, None when anonymous (if allowed); 401 for a bad or revoked key.

    Only a request that sends a key opens a database session to check it."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            abort(401, message="This needs an API key: send Authorization: Bearer <key> (create one with `subsidy keys create NAME`).")
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        abort(401, message="Send the API key as Authorization: Bearer <key>.")
    digest = hash_key(token)
    key = db_session().scalar(select(ApiKey).where(ApiKey.key_hash == digest))
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, digest):
        abort(401, message="Unknown or revoked API key.")
    return key
