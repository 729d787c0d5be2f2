"""The words of an estimate, written as JSON from per-rule templates (``Estimate.as_json``).

Each outcome is written straight as JSON text from pieces escaped when the rule is compiled, and an
outcome that depends only on few-valued facts a company gives and on what the rule paid is kept and
written once per distinct values. Over random companies, cities, days, districts and languages (hypothesis): the text is the
compact JSON ``dumps_bytes`` writes for the same data; an outcome kept from another company is the one
written afresh; and every outcome says what the outcome objects (``Estimate.outcomes``) say.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility import InputError, dumps_bytes, estimate
from eligibility import engine as engine_module
from eligibility.awards import calculation_reads
from eligibility.conditions import reads_given, reads_kept
from eligibility.engine import default_rulebook

from .test_batch import DATES, _profile, rows

CITIES = ["wuhan", "suzhou", "changsha"]
LANGS = [None, "zh", "en"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _estimate(row: dict[str, Any], city: str, day: date, district: str | None) -> Any:
    return estimate(_profile(row, default_rulebook(), city, day.year), city, day, district)


@pytest.fixture(autouse=True)
def _nothing_kept() -> Any:
    engine_module._KEPT.clear()
    yield
    engine_module._KEPT.clear()


@SETTINGS
@given(
    row=rows(),
    other=rows(),
    city=st.sampled_from(CITIES),
    day=st.sampled_from(DATES),
    district=st.sampled_from([None, "江汉区", "工业园区"]),
    lang=st.sampled_from(LANGS),
)
def test_outcomes_kept_from_other_companies_are_those_written_afresh(
    row: dict[str, Any], other: dict[str, Any], city: str, day: date, district: str | None, lang: str | None
) -> None:
    engine_module._KEPT.clear()
    fresh = _estimate(row, city, day, district).as_json(lang)
    engine_module._KEPT.clear()
    _estimate(other, city, day, district).as_json(lang)  # keeps the other company's outcomes
    _estimate(other, city, day, None if district else "江岸区").as_json(lang)
    assert _estimate(row, city, day, district).as_json(lang) == fresh
    assert _estimate(row, city, day, district).as_json(lang) == fresh  # now from what it kept itself


@SETTINGS
@given(row=rows(), city=st.sampled_from(CITIES), day=st.sampled_from(DATES), district=st.sampled_from([None, "江汉区"]), lang=st.sampled_from(LANGS))
def test_the_text_is_what_dumps_writes_and_says_what_the_outcomes_say(
    row: dict[str, Any], city: str, day: date, district: str | None, lang: str | None
) -> None:
    found = _estimate(row, city, day, district)
    text = found.as_json(lang)
    data = orjson.loads(text)
    assert dumps_bytes(data) == text  # compact, in dumps' own escaping and key order
    assert found.as_dict(lang) == data
    outcomes = found.outcomes(lang)
    brief = found.brief(outcomes, lang)
    assert [o["rule"] for o in data["outcomes"]] == found.rule_ids
    for written, outcome, short in zip(data["outcomes"], outcomes, brief["outcomes"], strict=True):
        assert written["status"] == outcome.status == short["status"]
        assert written["amount"] == short["amount"]
        assert written["summary"] == short["summary"]
        assert written["reasons"] == outcome.reasons
        assert written["calculation"] == outcome.steps
        assert written["missing_facts"] == outcome.missing
    assert data["missing_facts"] == [name for name in data["missing_facts"] if any(name in o["missing_facts"] for o in data["outcomes"])]


def test_a_kept_outcome_names_the_district_it_was_written_for() -> None:
    company = {"entity_type": "enterprise", "main_business_blockchain": True, "key_tasks_accepted": 1}
    written = [estimate(company, "wuhan", "2022-06-30", district).as_dict("zh") for district in ("江汉区", "江岸区", None)]
    key_task = [next(o for o in data["outcomes"] if o["rule"] == "wuhan.key_task") for data in written]
    assert [o["amount"] for o in key_task] == [{"min": "2000000.00", "max": "2000000.00"}] * 3
    assert [[p["name"] for p in o["payers"]] for o in key_task] == [["武汉市", "江汉区"], ["武汉市", "江岸区"], ["武汉市", None]]


def test_a_kept_outcome_follows_the_values_it_was_written_for() -> None:
    for count, amount in ((1, "500000.00"), (3, "1500000.00"), (1, "500000.00"), (0, "0.00")):
        company = {"entity_type": "enterprise", "main_business_blockchain": True, "municipal_research_projects": count}
        outcome = next(o for o in estimate(company, "wuhan", "2022-06-30").as_dict("en")["outcomes"] if o["rule"] == "wuhan.research_project")
        assert outcome["amount"] == {"min": amount, "max": amount}
        assert outcome["status"] == ("eligible" if count else "ineligible")
        if count:
            assert outcome["calculation"][0]["text"].startswith(f"{count} × 500,000.00 yuan per unit")


def test_a_kept_outcome_follows_what_the_rule_paid() -> None:
    rule = "wuhan.top100_first_entry"
    company = {"entity_type": "enterprise", "national_top100_first_entry": True}
    paid_once = [{"rule": rule, "amount": "2000000", "year": 2021}]
    other_rule = [{"rule": "wuhan.key_task", "amount": "2000000", "year": 2021}]
    expected = {
        "none": ("eligible", "2000000.00", []),
        "paid": ("ineligible", "0.00", []),
        "other": ("eligible", "2000000.00", []),
        "unknown": ("undetermined", "0.00", ["prior_awards"]),
    }
    histories: dict[str, Any] = {"none": [], "paid": paid_once, "other": other_rule, "unknown": None}
    for name in ("none", "paid", "none", "unknown", "other", "paid", "unknown", "none"):
        history = histories[name]
        profile = {**company, **({} if history is None else {"prior_awards": history})}
        outcome = next(o for o in estimate(profile, "wuhan", "2022-06-30").as_dict("en")["outcomes"] if o["rule"] == rule)
        status, amount, missing = expected[name]
        assert (outcome["status"], outcome["amount"]["min"], outcome["missing_facts"]) == (status, amount, missing), name
        paid_reason = next(r for r in outcome["reasons"] if r["fact"] == "paid_before")
        assert paid_reason["value"] == {"paid": "2000000.00", "unknown": None}.get(name, "0.00"), name


def test_only_rules_that_read_few_valued_given_facts_are_kept() -> None:
    rules = default_rulebook().rules
    # What the rule paid before (差额补足) and amounts are read by these: never kept.
    assert calculation_reads(rules["suzhou.revenue_milestone"]) is None
    assert reads_given(rules["suzhou.revenue_milestone"].conditions) is None
    assert reads_given(rules["wuhan.key_pool_growth"].conditions) is None
    # Counts, choices and yes-or-no facts only: kept.
    assert calculation_reads(rules["wuhan.research_project"]) == ("municipal_research_projects",)
    assert reads_given(rules["wuhan.research_project"].conditions) == ("entity_type", "municipal_research_projects")
    assert reads_given(rules["suzhou.onchain_showcase"].conditions) == ("entity_type",)
    # What the rule paid before (most often nothing) beside few-valued facts: kept by its value too.
    assert reads_kept(rules["wuhan.top100_first_entry"].conditions) == (("entity_type", "national_top100_first_entry"), ("paid_before",))
    assert reads_kept(rules["wuhan.key_pool_growth"].conditions) is None


def test_a_language_other_than_zh_or_en_is_refused_naming_it() -> None:
    found = estimate({"entity_type": "enterprise"}, "suzhou", "2022-06-30")
    for ask in (found.as_json, found.as_dict, found.outcomes):
        with pytest.raises(InputError) as refused:
            ask("fr")
        assert list(refused.value.errors) == ["lang"]
    assert orjson.loads(found.as_json("en"))["city_name"] == "Suzhou"
    assert found.as_dict("zh")["city_name"] == "苏州市"
    assert found.as_dict(None)["city_name"] == {"zh": "苏州市", "en": "Suzhou"}
