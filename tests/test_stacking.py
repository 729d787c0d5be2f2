"""就高不重复 (highest only, never twice), proved on a fixture rulebook with two awards of one kind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eligibility import Rulebook, evaluate, load_rulebook

from .helpers import outcome

FIXTURE = Path(__file__).parent / "fixtures" / "stacking"


@pytest.fixture(scope="module")
def book() -> Rulebook:
    return load_rulebook(FIXTURE)


def run(book: Rulebook, city: str, **standards: int) -> dict[str, Any]:
    return evaluate({"entity_type": "enterprise", "standards_led": standards}, city, "2021-01-01", rulebook=book)


def test_highest_only_pays_the_higher_of_two_awards_of_one_kind(book: Rulebook) -> None:
    result = run(book, "testcity", national=1, provincial=1)
    paid, skipped = outcome(result, "testcity.national_standard"), outcome(result, "testcity.provincial_standard")
    assert paid["amount"]["min"] == "500000.00" and paid["stacking"]["paid"] is True
    assert skipped["status"] == "eligible" and skipped["amount"] == {"min": "0.00", "max": "0.00"}
    assert skipped["stacking"]["paid_instead"] == "testcity.national_standard"
    assert "就高不重复" in skipped["stacking"]["quote"]
    assert skipped["payers"][0]["amount"]["min"] == "0.00"
    assert result["total"] == {"min": "500000.00", "max": "500000.00"}


def test_a_single_award_of_the_kind_is_paid_in_full(book: Rulebook) -> None:
    result = run(book, "testcity", national=0, provincial=1)
    assert outcome(result, "testcity.provincial_standard")["amount"]["min"] == "300000.00"
    assert "stacking" not in outcome(result, "testcity.provincial_standard")
    assert result["total"]["min"] == "300000.00"


def test_without_highest_only_both_awards_are_paid(book: Rulebook) -> None:
    result = run(book, "othercity", national=1, provincial=1)
    assert result["total"] == {"min": "800000.00", "max": "800000.00"}


def test_an_undetermined_award_of_the_kind_adds_only_its_excess_to_the_maximum(book: Rulebook) -> None:
    result = evaluate({"entity_type": "enterprise", "standards_led": {"provincial": 1}}, "testcity", "2021-01-01", rulebook=book)
    assert outcome(result, "testcity.national_standard")["status"] == "undetermined"
    assert result["total"] == {"min": "300000.00", "max": "500000.00"}
