"""Helpers for the unit tests: run an estimate and find one rule's outcome in it."""

from __future__ import annotations

from typing import Any

from eligibility import evaluate


def outcome(result: dict[str, Any], rule: str) -> dict[str, Any]:
    """The outcome of one rule in an estimate."""
    return next(o for o in result["outcomes"] if o["rule"] == rule)


def estimate(profile: dict[str, Any], city: str, as_of: str = "2022-06-30", **kwargs: Any) -> dict[str, Any]:
    """An estimate on 30 June 2022 unless another date is given."""
    return evaluate(profile, city, as_of, **kwargs)
