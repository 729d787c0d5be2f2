"""The JSON API: the engine behind HTTP, with saved companies, stored estimates and API keys.

This package translates HTTP and storage to and from the engine's plain data; it holds no rules and
imports only the names the ``eligibility`` package exports.
"""

from __future__ import annotations

from .app import create_app
from .db import migrate
from .keys import create_key, list_keys, revoke_key
from .serving import serve_forever

__all__ = ["create_app", "create_key", "list_keys", "migrate", "revoke_key", "serve_forever"]
