"""The JSON API: the engine behind HTTP, with saved companies, stored estimates and API keys.

This package translates HTTP and storage to and from the engine's plain data; it holds no rules.
"""
from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
