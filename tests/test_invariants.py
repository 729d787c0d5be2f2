"""Invariants of the engine over random profiles (hypothesis), whatever the rules and facts.

Payer shares sum to the award; an award never exceeds its caps; min <= max; more revenue never lowers
a tier award; giving an unknown fact never widens a range; the same input gives the same output and
digest; no float reaches a money field (or any field).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility import evaluate
from eligibility.engine import default_rulebook
from eligibility.facts import FACTS
from eligibility.jsonio import dumps

from .test_batch import IN_FORCE, _profile, rows

CITIES = ["wuhan", "suzhou", "changsha"]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GIVEN = [n for n, f in FACTS.items() if not f.derived]


def estimate(row: dict[str, Any], city: str, day: date) -> dict[str, Any]:
    return evaluate(_profile(row, default_rulebook(), city, day.year), city, day)


def high(value: str | None) -> Decimal:
    return Decimal("Infinity") if value is None else Decimal(value)


def ranges(result: dict[str, Any]) -> list[tuple[str, dict[str, str | None]]]:
    found = [("total", result["total"])] + [(o["rule"], o["amount"]) for o in result["outcomes"] if o["amount"] is not None]
    return found + [(f"{o['rule']}:{p['payer']}", p["amount"]) for o in result["outcomes"] for p in o["payers"]]


def walk(value: Any) -> Any:
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
    else:
        yield value


@SETTINGS
@given(row=rows(), city=st.sampled_from(CITIES), day=st.sampled_from(IN_FORCE))
def test_shares_sum_to_the_award_and_every_range_is_ordered(row: dict[str, Any], city: str, day: date) -> None:
    result = estimate(row, city, day)
    for name, amount in ranges(result):
        assert isinstance(amount["min"], str), name
        assert Decimal(amount["min"]) <= high(amount["max"]), name
    for outcome in result["outcomes"]:
        if outcome["payers"]:
            assert sum(Decimal(p["amount"]["min"]) for p in outcome["payers"]) == Decimal(outcome["amount"]["min"])
            highs = [p["amount"]["max"] for p in outcome["payers"]]
            assert (None in highs) == (outcome["amount"]["max"] is None)
            if None not in highs:
                assert sum(Decimal(h) for h in highs) == Decimal(outcome["amount"]["max"])


@SETTINGS
@given(row=rows(), city=st.sampled_from(CITIES), day=st.sampled_from(IN_FORCE))
def test_no_award_exceeds_its_caps(row: dict[str, Any], city: str, day: date) -> None:
    result = estimate(row, city, day)
    book = default_rulebook()
    for outcome in result["outcomes"]:
        rule = book.rules[outcome["rule"]]
        for cap in rule.caps:
            if cap.kind == "limit":
                assert high(outcome["amount"]["max"]) <= cap.amount
            elif cap.kind == "fact" and row.get(cap.fact) is not None:
                assert high(outcome["amount"]["max"]) <= Decimal(row[cap.fact]) / 100
        if rule.award.form == "tiered":
            assert high(outcome["amount"]["max"]) <= rule.award.tiers[-1].amount


@SETTINGS
@given(row=rows(), day=st.sampled_from(IN_FORCE), more=st.integers(1, 10**17))
def test_more_revenue_never_lowers_a_tier_award(row: dict[str, Any], day: date, more: int) -> None:
    row = {**row, "blockchain_revenue": row["blockchain_revenue"] or 0}
    richer = {**row, "blockchain_revenue": min(10**18 - 1, row["blockchain_revenue"] + more)}
    before = next(o for o in estimate(row, "suzhou", day)["outcomes"] if o["rule"] == "suzhou.revenue_milestone")
    after = next(o for o in estimate(richer, "suzhou", day)["outcomes"] if o["rule"] == "suzhou.revenue_milestone")
    assert Decimal(after["amount"]["min"]) >= Decimal(before["amount"]["min"])
    assert high(after["amount"]["max"]) >= high(before["amount"]["max"])


@SETTINGS
@given(row=rows(), city=st.sampled_from(CITIES), day=st.sampled_from(IN_FORCE), fact=st.sampled_from([*GIVEN, "prior"]))
def test_giving_an_unknown_fact_never_widens_a_range(row: dict[str, Any], city: str, day: date, fact: str) -> None:
    names = [n for n in row if n.startswith("prior:")] if fact == "prior" else [fact]
    if all(row[n] is None for n in names):
        return
    unknown = {**row, **{n: None for n in names}}
    known_result, unknown_result = estimate(row, city, day), estimate(unknown, city, day)
    wide = dict(ranges(unknown_result))
    for name, narrow in ranges(known_result):
        if name not in wide:  # a payer split that only appears once an amount is known
            continue
        assert Decimal(narrow["min"]) >= Decimal(wide[name]["min"]), (name, fact)
        assert high(narrow["max"]) <= high(wide[name]["max"]), (name, fact)


@SETTINGS
@given(row=rows(), city=st.sampled_from(CITIES), day=st.sampled_from(IN_FORCE))
def test_the_same_input_gives_the_same_output_and_no_float_anywhere(row: dict[str, Any], city: str, day: date) -> None:
    first, second = estimate(row, city, day), estimate(row, city, day)
    assert dumps(first) == dumps(second)
    assert first["rulebook"]["digest"] == default_rulebook().digest
    assert not any(isinstance(value, float) for value in walk(first))
