"""Rate limits: per API key and per client address, answered with a 429 in the service's error shape.

Limits come from the configuration (``RATE_LIMIT_PER_KEY``, ``RATE_LIMIT_PER_ADDRESS``, in
Flask-Limiter's notation such as ``"600/minute"``; ``"off"`` disables one) and are counted across
all routes. Counters live in ``RATELIMIT_STORAGE_URI``: the default ``memory://`` counts per worker
process, so with N gunicorn workers a client may reach N times the limit; point it at Redis
(``redis://...``, with the ``redis`` package installed) to count across workers and machines.
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limit, Limiter
from flask_limiter.util import get_remote_address

__all__ = ["init_limits", "limiter"]


def _key_bucket() -> str:
    """The bearer token's digest: a key's requests share one counter, and no key is kept in the counters."""
    token = request.headers.get("Authorization", "").partition(" ")[2].strip()
    return "key:" + hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _anonymous() -> bool:
    return not request.headers.get("Authorization", "").strip()


def _limit(setting: str) -> str:
    value = str(current_app.config[setting])
    return "1000000000/second" if value.lower() in ("off", "0", "") else value


limiter = Limiter(
    key_func=get_remote_address,
    default_limits=[
        Limit(lambda: _limit("RATE_LIMIT_PER_ADDRESS"), key_function=get_remote_address, scope="address", shared=True),
        Limit(lambda: _limit("RATE_LIMIT_PER_KEY"), key_function=_key_bucket, scope="key", shared=True, exempt_when=_anonymous),
    ],
    headers_enabled=True,
)


def init_limits(app: Flask) -> None:
    limiter.init_app(app)
