"""The engine's contract: input errors, totals, payers, determinism, and no floats."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from eligibility import InputError, evaluate, load_rulebook, localize
from eligibility import estimate as decide

from .helpers import estimate, outcome


def _errors(*args: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(InputError) as info:
        evaluate(*args, **kwargs)
    return info.value.errors


def test_unknown_city_is_named() -> None:
    errors = _errors({}, "beijing", "2022-01-01")
    assert "beijing" in errors["city"][0] and "wuhan" in errors["city"][0]


@pytest.mark.parametrize("day", ["2022-13-01", "30/06/2022", "2022-6-30", "tomorrow"])
def test_bad_date_is_named(day: str) -> None:
    assert "as_of" in _errors({}, "wuhan", day)


def test_bad_district_is_named() -> None:
    assert "district" in _errors({}, "wuhan", "2022-01-01", "区" * 65)


def test_profile_errors_are_prefixed_with_profile() -> None:
    errors = _errors({"operating_revenue": "-1", "entity_type": "firm"}, "wuhan", "2022-01-01")
    assert set(errors) == {"profile.operating_revenue", "profile.entity_type"}


def test_all_errors_are_reported_at_once() -> None:
    errors = _errors({"colour": "red"}, "paris", "never")
    assert set(errors) == {"city", "as_of", "profile.colour"}


def test_prior_award_under_an_unknown_rule_is_named() -> None:
    errors = _errors({"prior_awards": [{"rule": "suzhou.nope", "amount": 1, "year": 2021}]}, "suzhou", "2022-01-01")
    assert "profile.prior_awards[0].rule" in errors


def test_as_of_defaults_to_today() -> None:
    from datetime import date

    assert evaluate({}, "wuhan")["as_of"] == date.today().isoformat()


def test_empty_profile_is_all_unknown_never_zero() -> None:
    result = estimate({}, "suzhou")
    assert result["total"]["min"] == "0.00"
    assert result["total"]["max"] is None
    assert {o["status"] for o in result["outcomes"]} == {"undetermined"}
    assert result["missing_facts"][0] == "entity_type"


def _walk(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _walk(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _walk(v)]
    return [value]


def test_no_float_or_decimal_reaches_the_result(enterprise: dict[str, Any]) -> None:
    enterprise.update(national_top100_first_entry=True, municipal_research_projects=1)
    for city in ("wuhan", "suzhou", "changsha"):
        leaves = _walk(estimate(enterprise, city))
        assert not [v for v in leaves if isinstance(v, (float, Decimal))]


def test_payer_shares_sum_to_each_award_and_the_total(enterprise: dict[str, Any]) -> None:
    enterprise.update(national_top100_first_entry=True, key_tasks_accepted=1, local_fiscal_contribution_prior="123456.79")
    result = estimate(enterprise, "wuhan", district="江岸区")
    for o in result["outcomes"]:
        if o["monetary"] and o["amount"]["min"] != "0.00":
            assert sum(Decimal(p["amount"]["min"]) for p in o["payers"]) == Decimal(o["amount"]["min"])
    assert sum(Decimal(p["amount"]["min"]) for p in result["payers"]) == Decimal(result["total"]["min"])
    assert result["total"]["min"] == "4123456.79"


def test_total_adds_guaranteed_awards_and_potential_ones(enterprise: dict[str, Any]) -> None:
    enterprise.update(national_top100_first_entry=True)
    del enterprise["key_tasks_accepted"]
    result = estimate(enterprise, "wuhan")
    assert result["total"] == {"min": "2300000.00", "max": None}
    assert result["missing_facts"] == ["key_tasks_accepted"]


def test_same_input_gives_the_same_output(enterprise: dict[str, Any]) -> None:
    assert estimate(enterprise, "suzhou") == estimate(dict(enterprise), "suzhou")
    assert estimate(enterprise, "suzhou")["rulebook"]["digest"] == load_rulebook().digest


def test_every_outcome_cites_its_clause(enterprise: dict[str, Any]) -> None:
    for o in estimate(enterprise, "wuhan")["outcomes"]:
        assert o["citation"]["quote"] and o["citation"]["number"] and o["citation"]["clause"]
        assert o["summary"]["zh"] and o["summary"]["en"]


def test_reasons_show_value_threshold_and_verdict(enterprise: dict[str, Any]) -> None:
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    growth = next(r for r in o["reasons"] if r["fact"] == "operating_revenue_growth")
    assert growth["threshold"] == "0.2"
    assert growth["value"] == "0.285714285714"
    assert growth["held"] is True
    assert "≈28.571429 %" in growth["text"]["en"] and "more than 20.00 %" in growth["text"]["en"]
    assert "超过20.00 %" in growth["text"]["zh"]


# -- award forms and caps the shipped rules do not all use, on a rulebook of their own ---------

SOURCE = "第一条 奖励条款。\n"


def _book(tmp_path: Path, award: dict[str, Any], caps: list[dict[str, Any]] | None = None, conditions: Any = None) -> Any:
    rule: dict[str, Any] = {
        "id": "demo.rule",
        "clause": "一",
        "title": {"zh": "示例", "en": "Demo"},
        "quote": "奖励条款。",
        "applies_to": ["enterprise"],
        "kind": "demo",
        "award": award,
        "payers": [{"payer": "city", "share": 1}],
    }
    if caps:
        rule["caps"] = caps
    if conditions:
        rule["conditions"] = conditions
    doc = {
        "id": "demo-doc",
        "city": "demo",
        "city_name": {"zh": "示例市", "en": "Demo"},
        "number": "示例1号",
        "issuer": {"zh": "示例", "en": "Demo"},
        "title": {"zh": "示例", "en": "Demo"},
        "source": {"file": "demo.txt", "language": "zh", "sha256": hashlib.sha256(SOURCE.encode()).hexdigest()},
        "status": "final",
        "in_force": {"from": "2020-01-01", "to": None},
        "rules": [rule],
        "inventory": [{"clause": "一", "summary": {"zh": "示例", "en": "Demo"}, "rules": ["demo.rule"]}],
    }
    root = tmp_path / "rules"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "demo.txt").write_text(SOURCE, encoding="utf-8")
    (root / "demo").mkdir()
    (root / "demo" / "demo-doc.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_rulebook(root)


def _demo(book: Any, profile: dict[str, Any]) -> dict[str, Any]:
    return outcome(evaluate(profile, "demo", "2022-01-01", rulebook=book), "demo.rule")


def test_ranged_award_is_guaranteed_its_minimum(tmp_path: Path) -> None:
    book = _book(tmp_path, {"form": "ranged", "min": 100000, "max": 300000})
    o = _demo(book, {"entity_type": "enterprise"})
    assert (o["status"], o["amount"]) == ("eligible", {"min": "100000.00", "max": "300000.00"})
    assert "as the authority decides" in o["summary"]["en"] or "authority" in o["summary"]["en"]


@pytest.mark.parametrize(("paid", "amount"), [("0", "500000.00"), ("2800000", "200000.00")])
def test_cumulative_cap_binds_on_what_the_rule_already_paid(tmp_path: Path, paid: str, amount: str) -> None:
    book = _book(tmp_path, {"form": "fixed", "amount": 500000}, caps=[{"cumulative": 3000000}])
    o = _demo(book, {"entity_type": "enterprise", "prior_awards": [{"rule": "demo.rule", "amount": paid, "year": 2021}]})
    assert o["amount"]["min"] == amount


def test_cumulative_cap_with_unknown_history_is_a_range(tmp_path: Path) -> None:
    book = _book(tmp_path, {"form": "fixed", "amount": 500000}, caps=[{"cumulative": 3000000}])
    o = _demo(book, {"entity_type": "enterprise"})
    assert o["amount"] == {"min": "0.00", "max": "500000.00"}
    assert o["missing_facts"] == ["prior_awards"]


@pytest.mark.parametrize(("limit", "amount"), [(400000, "400000.00"), (600000, "500000.00")])
def test_fixed_limit_cap_binding_and_not(tmp_path: Path, limit: int, amount: str) -> None:
    book = _book(tmp_path, {"form": "fixed", "amount": 500000}, caps=[{"limit": limit}])
    assert _demo(book, {"entity_type": "enterprise"})["amount"]["min"] == amount


def test_tiered_inclusive_reaches_a_tier_at_equality(tmp_path: Path) -> None:
    award = {"form": "tiered", "fact": "operating_revenue", "above": "inclusive", "pay": "highest", "tiers": [{"threshold": 100, "amount": 10}]}
    book = _book(tmp_path, award)
    assert _demo(book, {"entity_type": "enterprise", "operating_revenue": 100})["amount"]["min"] == "10.00"
    assert _demo(book, {"entity_type": "enterprise", "operating_revenue": "99.99"})["status"] == "ineligible"


@pytest.mark.parametrize(
    ("conditions", "profile", "status"),
    [
        ({"not": {"fact": "high_growth", "eq": True}}, {"high_growth": False}, "eligible"),
        ({"not": {"fact": "high_growth", "eq": True}}, {"high_growth": True}, "ineligible"),
        ({"not": {"fact": "high_growth", "eq": True}}, {}, "undetermined"),
        ({"any": [{"fact": "high_growth", "eq": True}, {"fact": "in_key_enterprise_pool", "eq": True}]}, {"in_key_enterprise_pool": True}, "eligible"),
        ({"any": [{"fact": "high_growth", "eq": True}, {"fact": "in_key_enterprise_pool", "eq": True}]}, {"high_growth": False}, "undetermined"),
        (
            {"any": [{"fact": "high_growth", "eq": True}, {"fact": "in_key_enterprise_pool", "eq": True}]},
            {"high_growth": False, "in_key_enterprise_pool": False},
            "ineligible",
        ),
        ({"fact": "local_fiscal_contribution", "known": True}, {"local_fiscal_contribution": 0}, "eligible"),
        ({"fact": "local_fiscal_contribution", "known": True}, {}, "ineligible"),
        ({"fact": "local_fiscal_contribution", "unknown": True}, {}, "eligible"),
        ({"fact": "park_designation", "not_in": ["none"]}, {"park_designation": "none"}, "ineligible"),
        ({"fact": "operating_revenue", "le": 100}, {"operating_revenue": 100}, "eligible"),
        ({"fact": "operating_revenue", "lt": 100}, {"operating_revenue": 100}, "ineligible"),
        ({"fact": "operating_revenue", "ge": 100}, {"operating_revenue": "99.99"}, "ineligible"),
        ({"fact": "entity_type", "ne": "park"}, {}, "eligible"),
    ],
)
def test_condition_operators_are_three_valued(tmp_path: Path, conditions: Any, profile: dict[str, Any], status: str) -> None:
    book = _book(tmp_path, {"form": "fixed", "amount": 1}, conditions=conditions)
    assert _demo(book, {"entity_type": "enterprise", **profile})["status"] == status


def test_extreme_growth_is_explained_exactly_not_refused() -> None:
    # From 0.01 yuan to just under 10^16 yuan: growth of about 10^20 %, beyond Decimal's default 28 digits.
    profile = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "operating_revenue": "9999999999999999.99",
        "operating_revenue_prior": "0.01",
        "local_fiscal_contribution_prior": "5",
        "prior_awards": [],
    }
    result = evaluate(profile, "wuhan", "2022-06-30")
    growth = next(o for o in result["outcomes"] if o["rule"] == "wuhan.key_pool_growth")
    assert growth["status"] == "eligible" and growth["amount"] == {"min": "5.00", "max": "5.00"}
    reason = next(r for r in growth["reasons"] if r.get("fact") == "operating_revenue_growth")
    assert reason["value"] == "999999999999999998"
    assert "99999999999999999800.00 %" in reason["text"]["en"]


def test_an_estimate_holds_its_figures_before_its_words_are_written() -> None:
    from eligibility import estimate as decide

    profile = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "blockchain_revenue": "60000000",
        "local_fiscal_contribution": "800000",
        "prior_awards": [],
    }
    made = decide(profile, "suzhou", "2022-06-30", "工业园区")
    written = made.as_dict()
    assert written == evaluate(profile, "suzhou", "2022-06-30", "工业园区")

    def money(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    assert (made.total.low, made.total.high) == (money(written["total"]["min"]), money(written["total"]["max"]))
    assert made.statuses == {o["rule"]: o["status"] for o in written["outcomes"]}
    assert made.statuses["suzhou.revenue_milestone"] == "eligible"
    assert made.amounts["suzhou.revenue_milestone"] == (Decimal("800000.00"), Decimal("800000.00"))
    assert {p: (a.low, a.high) for p, a in made.payers.items()} == {
        p["payer"]: (money(p["amount"]["min"]), money(p["amount"]["max"])) for p in written["payers"]
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("day", ["2019-06-30", "2020-06-30", "2022-06-30", "2023-06-30", "2024-06-30"])
@pytest.mark.parametrize("example", ["wuhan", "suzhou", "changsha", "unknown", "park"])
def test_an_estimate_written_in_one_language_is_the_bilingual_one_localised(example: str, day: str, lang: str) -> None:
    """Writing only the asked language gives exactly what picking that language out of both would."""
    path = Path(__file__).resolve().parent.parent / "examples" / f"{example}.json"
    profiles = {
        "unknown": {},
        "park": {"entity_type": "park", "park_designation": "national_blockchain_pilot_zone", "prior_awards": []},
    }
    profile = profiles[example] if example in profiles else json.loads(path.read_text(encoding="utf-8"))
    for city in ("wuhan", "suzhou", "changsha"):
        found = decide(profile, city, day)
        assert found.as_dict(lang) == localize(found.as_dict(), lang), (example, city, day)
