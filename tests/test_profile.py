"""Profile validation: absent is unknown, and every bad field is named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from eligibility import InputError, parse_profile


def errors_of(data: object) -> dict[str, list[str]]:
    with pytest.raises(InputError) as info:
        parse_profile(data)
    return info.value.errors


def test_profile_absent_and_null_facts_are_unknown() -> None:
    profile = parse_profile({"entity_type": "enterprise", "operating_revenue": None})
    assert profile.get("operating_revenue") is None
    assert profile.get("main_business_blockchain") is None
    assert profile.prior_awards is None


def test_profile_reads_money_counts_and_nested_standards() -> None:
    profile = parse_profile({"operating_revenue": "12.30", "standards_led": {"national": 2}, "prior_awards": []})
    assert profile.get("operating_revenue") == Decimal("12.30")
    assert profile.get("standards_led.national") == 2
    assert profile.get("standards_led.provincial") is None
    assert profile.prior_awards == ()


def test_profile_growth_is_exact_and_unknown_when_prior_is_not_positive() -> None:
    growth, reason = parse_profile({"operating_revenue": 12000000, "operating_revenue_prior": 10000000}).growth()
    assert growth is not None and growth * 5 == 1 and reason is None
    growth, reason = parse_profile({"operating_revenue": 1, "operating_revenue_prior": 0}).growth()
    assert growth is None and reason == "prior_revenue_not_positive"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"revenue": 1}, "revenue", "Unknown field"),
        ({"entity_type": "company"}, "entity_type", "Must be one of"),
        ({"operating_revenue": -5}, "operating_revenue", "negative"),
        ({"operating_revenue": "lots"}, "operating_revenue", "digits"),
        ({"operating_revenue": Decimal("1E+400")}, "operating_revenue", "absurdly large"),
        ({"municipal_research_projects": Decimal("1.5")}, "municipal_research_projects", "fractional"),
        ({"key_tasks_accepted": "2"}, "key_tasks_accepted", "whole number"),
        ({"key_tasks_accepted": -1}, "key_tasks_accepted", "negative"),
        ({"high_growth": "yes"}, "high_growth", "true or false"),
        ({"high_growth": 1}, "high_growth", "true or false"),
        ({"standards_led": {"national": 1, "city": 1}}, "standards_led.city", "Unknown field"),
        ({"park_designation": "zone"}, "park_designation", "Must be one of"),
        ({"prior_awards": [{"rule": "x", "amount": 1}]}, "prior_awards[0].year", "required"),
        ({"prior_awards": [{"rule": "x", "amount": "1.001", "year": 2021}]}, "prior_awards[0].amount", "fen"),
        ({"prior_awards": [{"rule": "x", "amount": 1, "year": 1800}]}, "prior_awards[0].year", "between 1990 and 2100"),
    ],
)
def test_profile_bad_field_is_named(data: dict[str, object], field: str, message: str) -> None:
    errors = errors_of(data)
    assert field in errors, errors
    assert any(message in m for m in errors[field]), errors[field]


def test_profile_must_be_an_object() -> None:
    assert "profile" in errors_of(["not", "an", "object"])
