"""Shared steps for the rule scenarios, in English and Chinese, and the rule-coverage recorder.

Every scenario runs inside a coverage recording; each Then step that passes notes the rules it names
as checked. When the session ends the branches each scenario exercised and the rules it checked are
written to build/rule-coverage.json, which `subsidy coverage` reads: a branch counts only for a
scenario that checks its rule.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pytest_bdd import given, parsers, then, when

from api import create_app
from api.db import migrate
from api.keys import create_key
from eligibility import default_rulebook, evaluate
from eligibility.coverage import check, recording, rules_named
from eligibility.facts import FACTS

ROOT = Path(__file__).resolve().parent.parent
RUNS = Path(os.environ.get("RULE_COVERAGE_RUNS") or ROOT / "build" / "rule-coverage.json")
_runs: dict[str, dict[str, Any]] = {}


def _scenario_name(item: pytest.Item) -> str:
    """``features/….feature: Feature: Scenario [column=value, …]``, as a reader would name it."""
    function = getattr(item, "function", None)
    name = (function.__doc__ or item.name) if function else item.name
    name = name.replace(f"{ROOT}/", "")
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return name
    example = callspec.params.get("_pytest_bdd_example")
    row = ", ".join(f"{column}={value}" for column, value in example.items()) if example else callspec.id
    return f"{name} [{row}]"


@pytest.fixture(autouse=True)
def _record_rule_coverage(request: pytest.FixtureRequest) -> Iterator[None]:
    with recording(_scenario_name(request.node)) as recorder:
        yield
    _runs[recorder.scenario] = recorder.as_run()


def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any, step_func: Any, step_func_args: Any) -> None:
    """A Then step (or an And after one) that passed checks every rule it names."""
    if step.type == "then":
        for rule in rules_named(step.name, default_rulebook()):
            check(rule)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _runs:
        RUNS.parent.mkdir(exist_ok=True)
        RUNS.write_text(json.dumps(_runs, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")


# -- the company -------------------------------------------------------------------------------

ENTITY = {"企业": "enterprise", "园区": "park", "高校": "university", "科研机构": "research_institute"}
YES = {"yes": True, "true": True, "是": True, "no": False, "false": False, "否": False}


def _value(fact: str, text: str) -> Any:
    kind = FACTS[fact].kind
    if kind == "bool":
        return YES[text]
    if kind == "count":
        return int(text)
    if kind == "enum":
        return ENTITY.get(text, text)
    return text.replace(",", "")


def _set(profile: dict[str, Any], fact: str, text: str) -> None:
    if fact == "prior_awards":
        assert text in ("unknown", "未知")
        profile.pop("prior_awards", None)
        return
    assert fact in FACTS and not FACTS[fact].derived, f"unknown fact {fact}"
    if fact.startswith("standards_led."):
        level = fact.split(".")[1]
        led = profile.setdefault("standards_led", {})
        if text in ("unknown", "未知"):
            led.pop(level, None)
        else:
            led[level] = _value(fact, text)
        return
    if text in ("unknown", "未知"):
        profile.pop(fact, None)
    else:
        profile[fact] = _value(fact, text)


@given("an enterprise whose main business is blockchain", target_fixture="profile")
@given("一家以区块链为主营业务的企业", target_fixture="profile")
def blockchain_enterprise() -> dict[str, Any]:
    return {"entity_type": "enterprise", "main_business_blockchain": True, "prior_awards": []}


@given(parsers.parse("a {entity_type} with no award history"), target_fixture="profile")
@given(parsers.parse("一个没有奖励记录的{entity_type}"), target_fixture="profile")
def other_entity(entity_type: str) -> dict[str, Any]:
    return {"entity_type": ENTITY.get(entity_type, entity_type.replace(" ", "_")), "prior_awards": []}


@given("a company about which nothing is known", target_fixture="profile")
@given("一家情况完全未知的主体", target_fixture="profile")
def nothing_known() -> dict[str, Any]:
    return {}


@given(parsers.parse("its {fact} is {value}"))
@given(parsers.parse("其{fact}为{value}"))
def fact_is(profile: dict[str, Any], fact: str, value: str) -> None:
    _set(profile, fact, value)


@given(parsers.parse("it was paid {amount} yuan under {rule} in {year:d}"))
def paid_before(profile: dict[str, Any], amount: str, rule: str, year: int) -> None:
    profile.setdefault("prior_awards", []).append({"rule": rule, "amount": amount.replace(",", ""), "year": year})


# -- the estimate ------------------------------------------------------------------------------


@when(parsers.re(r"it asks for an estimate in (?P<city>[a-z]+) on (?P<day>\S+)"), target_fixture="estimate")
@when(parsers.re(r"它在(?P<city>[a-z]+)于(?P<day>\S+)申请估算"), target_fixture="estimate")
def ask(profile: dict[str, Any], city: str, day: str) -> dict[str, Any]:
    return evaluate(profile, city, day)


@when(parsers.parse("it asks for an estimate in {city} district {district} on {day}"), target_fixture="estimate")
def ask_in_district(profile: dict[str, Any], city: str, district: str, day: str) -> dict[str, Any]:
    return evaluate(profile, city, day, district)


def _outcome(estimate: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(o for o in estimate["outcomes"] if o["rule"] == rule)


STATUS = {"符合条件": "eligible", "不符合条件": "ineligible", "尚待确定": "undetermined", "不在有效期内": "not_in_force"}


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) is (?P<status>eligible|ineligible|undetermined|not in force)"))
@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+)的结果为(?P<status>.+)"))
def status_is(estimate: dict[str, Any], rule: str, status: str) -> None:
    outcome = _outcome(estimate, rule)
    assert outcome["status"] == STATUS.get(status, status).replace(" ", "_"), outcome["summary"]


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) pays (?P<amount>[\d,]+\.\d\d) yuan"))
def pays(estimate: dict[str, Any], rule: str, amount: str) -> None:
    expected = amount.replace(",", "")
    assert _outcome(estimate, rule)["amount"] == {"min": expected, "max": expected}


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) pays nothing"))
def pays_nothing(estimate: dict[str, Any], rule: str) -> None:
    assert _outcome(estimate, rule)["amount"] == {"min": "0.00", "max": "0.00"}


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) pays between (?P<low>[\d,]+\.\d\d) and (?P<high>[\d,]+\.\d\d|no limit) yuan"))
def pays_between(estimate: dict[str, Any], rule: str, low: str, high: str) -> None:
    expected = {"min": low.replace(",", ""), "max": None if high == "no limit" else high.replace(",", "")}
    assert _outcome(estimate, rule)["amount"] == expected


@then(parsers.re(r"the city pays (?P<city_amount>[\d,]+\.\d\d) yuan of (?P<rule>[a-z]+\.[a-z0-9_]+) and the district (?P<district_amount>[\d,]+\.\d\d) yuan"))
def split(estimate: dict[str, Any], rule: str, city_amount: str, district_amount: str) -> None:
    shares = {p["payer"]: p["amount"]["min"] for p in _outcome(estimate, rule)["payers"]}
    assert shares == {"city": city_amount.replace(",", ""), "district": district_amount.replace(",", "")}


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) needs (?P<facts>.+)"))
@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+)需要(?P<facts>.+)"))
def needs(estimate: dict[str, Any], rule: str, facts: str) -> None:
    assert _outcome(estimate, rule)["missing_facts"] == [f.strip() for f in facts.replace("、", ",").split(",")]


@then(parsers.re(r"(?P<rule>[a-z]+\.[a-z0-9_]+) names no district to pay its half"))
def no_district(estimate: dict[str, Any], rule: str) -> None:
    district = next(p for p in _outcome(estimate, rule)["payers"] if p["payer"] == "district")
    assert district["name"] is None


@then(parsers.parse("the superseded draft of {rule} is not applied"))
def draft_not_applied(estimate: dict[str, Any], rule: str) -> None:
    variants = default_rulebook().rules[rule].variants
    assert variants and all(v.status == "superseded" for v in variants)
    thresholds = {str(r.get("threshold")) for r in _outcome(estimate, rule)["reasons"]}
    assert "0.3" not in thresholds and "0.2" in thresholds


@then(parsers.parse("the superseded variant of {rule} is recorded but not applied"))
def variant_not_applied(estimate: dict[str, Any], rule: str) -> None:
    variants = default_rulebook().rules[rule].variants
    assert variants and all(v.status == "superseded" for v in variants)
    outcome = _outcome(estimate, rule)
    assert all(r.get("threshold") != "0.3" for r in outcome["reasons"])


@then(parsers.parse("the summary of {rule} says {words}"))
def summary_says(estimate: dict[str, Any], rule: str, words: str) -> None:
    summary = _outcome(estimate, rule)["summary"]
    assert words in summary["zh"] or words in summary["en"], summary


@then(parsers.parse("{rule} is paid by responsible units with no stated split, among them {units}"))
def unstated_payer(estimate: dict[str, Any], rule: str, units: str) -> None:
    (payer,) = _outcome(estimate, rule)["payers"]
    assert payer["payer"] == "unstated" and payer["share"] == "1", payer
    assert units in payer["name"]["zh"] or units in payer["name"]["en"], payer


@then(parsers.re(r"the responsible units with no stated split pay (?P<amount>[\d,]+\.\d\d) yuan in all"))
def unstated_total(estimate: dict[str, Any], amount: str) -> None:
    line = next(p for p in estimate["payers"] if p["payer"] == "unstated")
    assert line["amount"]["min"] == amount.replace(",", ""), line


@then(parsers.parse("the notice names {number}"))
def notice_names(estimate: dict[str, Any], number: str) -> None:
    assert estimate["notice"] is not None and any(d["number"] == number for d in estimate["notice"]["documents"]), estimate["notice"]


@then(parsers.parse("there is no notice"))
def no_notice(estimate: dict[str, Any]) -> None:
    assert estimate["notice"] is None and estimate["retrospective"] is None


@then(parsers.re(r"the retrospective as of (?P<day>\S+) pays (?P<amount>[\d,]+\.\d\d) yuan under (?P<rule>[a-z]+\.[a-z0-9_]+)"))
def retrospective_pays(estimate: dict[str, Any], day: str, amount: str, rule: str) -> None:
    past = estimate["retrospective"]
    assert past is not None and past["as_of"] == day
    outcome = next(o for o in past["outcomes"] if o["rule"] == rule)
    assert outcome["status"] == "eligible" and outcome["amount"]["min"] == amount.replace(",", ""), outcome["summary"]


@then(parsers.parse("the benefit of {rule} mentions {words}"))
def benefit_mentions(estimate: dict[str, Any], rule: str, words: str) -> None:
    benefit = _outcome(estimate, rule)["benefit"]
    assert words in benefit["en"] or words in benefit["zh"]


# -- the service -------------------------------------------------------------------------------


@pytest.fixture
def service(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'features.db'}"
    migrate(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    session = app.extensions["database"].sessions()
    key = create_key(session, "scenario")
    session.close()
    yield {"client": app.test_client(), "headers": {"Authorization": f"Bearer {key}"}, "responses": []}
    app.extensions["database"].engine.dispose()


def _client(service: dict[str, Any]) -> FlaskClient:
    client: FlaskClient = service["client"]
    return client


@when(parsers.parse("it posts the profile to /api/v1/estimates for {city} on {day}"), target_fixture="estimate")
def post_estimate(service: dict[str, Any], profile: dict[str, Any], city: str, day: str) -> dict[str, Any]:
    response = _client(service).post("/api/v1/estimates", json={"city": city, "as_of": day, "profile": profile})
    assert response.status_code == 200, response.json
    data: dict[str, Any] = response.json
    return data


@when(parsers.parse("it posts the profile to /api/v1/comparisons for {cities} on {day}"), target_fixture="comparison")
def post_comparison(service: dict[str, Any], profile: dict[str, Any], cities: str, day: str) -> dict[str, Any]:
    body = {"cities": [c.strip() for c in cities.split(",")], "as_of": day, "profile": profile}
    response = _client(service).post("/api/v1/comparisons", json=body)
    assert response.status_code == 200, response.json
    data: dict[str, Any] = response.json
    return data


@then(parsers.parse("the ranking is {cities}"))
def ranking_is(comparison: dict[str, Any], cities: str) -> None:
    assert [r["city"] for r in comparison["ranking"]] == [c.strip() for c in cities.split(",")]


@then(parsers.parse("{city} guarantees {amount} yuan"))
def guarantees(comparison: dict[str, Any], city: str, amount: str) -> None:
    entry = next(r for r in comparison["ranking"] if r["city"] == city)
    assert entry["total"]["min"] == amount.replace(",", "")


@then(parsers.parse("{city} says how to unlock {rule}"))
def says_unlock(comparison: dict[str, Any], city: str, rule: str) -> None:
    entry = next(r for r in comparison["ranking"] if r["city"] == city)
    assert any(u["rule"] == rule for u in entry["unlock"]), entry["unlock"]


@when(parsers.parse("it saves the profile as a company in {city} with an API key"), target_fixture="company")
def save_company(service: dict[str, Any], profile: dict[str, Any], city: str) -> dict[str, Any]:
    response = _client(service).post("/api/v1/companies", json={"name": "链科技", "city": city, "profile": profile}, headers=service["headers"])
    assert response.status_code == 201, response.json
    data: dict[str, Any] = response.json
    return data


@when(parsers.parse("it asks for the saved company's estimate on {day}"), target_fixture="estimate")
def company_estimate(service: dict[str, Any], company: dict[str, Any], day: str) -> dict[str, Any]:
    response = _client(service).post(f"/api/v1/companies/{company['id']}/estimates", json={"as_of": day}, headers=service["headers"])
    assert response.status_code == 200, response.json
    data: dict[str, Any] = response.json
    return data


@when(parsers.parse("it updates the saved company: {fact} is {value}, and {amount} yuan was paid under {rule} in {year:d}"))
def update_company(service: dict[str, Any], company: dict[str, Any], profile: dict[str, Any], fact: str, value: str, amount: str, rule: str, year: int) -> None:
    _set(profile, fact, value)
    profile.setdefault("prior_awards", []).append({"rule": rule, "amount": amount.replace(",", ""), "year": year})
    path = f"/api/v1/companies/{company['id']}"
    etag = _client(service).get(path, headers=service["headers"]).headers["ETag"]
    response = _client(service).put(
        path, json={"name": company["name"], "city": company["city"], "profile": profile}, headers={**service["headers"], "If-Match": etag}
    )
    assert response.status_code == 200, response.json


@then(parsers.parse("the saved company's history lists estimates on {days}"))
def history(service: dict[str, Any], company: dict[str, Any], days: str) -> None:
    response = _client(service).get(f"/api/v1/companies/{company['id']}/estimates", headers=service["headers"])
    assert [h["as_of"] for h in response.json] == [d.strip() for d in days.split(",")]


# -- the relocation plan -----------------------------------------------------------------------


@given(parsers.parse("a plan of {years:d} years from {start:d}"), target_fixture="plan")
def a_plan(years: int, start: int) -> dict[str, Any]:
    return {"start_year": start, "years": years}


@given(parsers.parse("its {fact} grows by {rate} a year"))
def grows(plan: dict[str, Any], fact: str, rate: str) -> None:
    plan.setdefault("growth", {})[fact] = rate


@given(parsers.parse("in {year:d} its {fact} is {value}"))
def figure(plan: dict[str, Any], year: int, fact: str, value: str) -> None:
    entries = plan.setdefault("figures", [])
    entry = next((e for e in entries if e["year"] == year), None)
    if entry is None:
        entry = {"year": year}
        entries.append(entry)
    entry[fact] = _value(fact, value)


@when(parsers.parse("it posts the plan to /api/v1/comparisons for {cities}"), target_fixture="comparison")
def post_plan(service: dict[str, Any], profile: dict[str, Any], plan: dict[str, Any], cities: str) -> dict[str, Any]:
    body = {"cities": [c.strip() for c in cities.split(",")], "profile": profile, **plan}
    response = _client(service).post("/api/v1/comparisons", json=body)
    assert response.status_code == 200, response.json
    data: dict[str, Any] = response.json
    return data


def _year(comparison: dict[str, Any], city: str, year: int) -> dict[str, Any]:
    entry = next(r for r in comparison["ranking"] if r["city"] == city)
    found: dict[str, Any] = next(y for y in entry["years"] if y["year"] == year)
    return found


@then(parsers.re(r"in (?P<year>\d{4}) (?P<city>[a-z]+) pays (?P<amount>[\d,]+\.\d\d) yuan under (?P<rule>[a-z]+\.[a-z0-9_]+)"))
def pays_in_year(comparison: dict[str, Any], year: str, city: str, amount: str, rule: str) -> None:
    outcome = next(o for o in _year(comparison, city, int(year))["outcomes"] if o["rule"] == rule)
    paid = outcome["amount"]["min"] if outcome["status"] == "eligible" else "0.00"
    assert paid == amount.replace(",", ""), outcome["summary"]


@then(parsers.re(r"in (?P<year>\d{4}) (?P<rule>[a-z]+\.[a-z0-9_]+) is (?P<status>eligible|ineligible|undetermined|not in force) in (?P<city>[a-z]+)"))
def status_in_year(comparison: dict[str, Any], year: str, rule: str, status: str, city: str) -> None:
    outcome = next(o for o in _year(comparison, city, int(year))["outcomes"] if o["rule"] == rule)
    assert outcome["status"] == status.replace(" ", "_")


@then(parsers.re(r"(?P<city>[a-z]+)'s cumulative guaranteed total is (?P<amount>[\d,]+\.\d\d) yuan"))
def cumulative(comparison: dict[str, Any], city: str, amount: str) -> None:
    entry = next(r for r in comparison["ranking"] if r["city"] == city)
    assert entry["cumulative_total"]["min"] == amount.replace(",", "")


@then(parsers.parse("its chart has one series per city"))
def chart(service: dict[str, Any], profile: dict[str, Any], plan: dict[str, Any], comparison: dict[str, Any]) -> None:
    cities = [r["city"] for r in comparison["ranking"]]
    response = _client(service).post("/api/v1/comparisons/chart.svg", json={"cities": cities, "profile": profile, **plan})
    svg = response.get_data(as_text=True)
    assert response.status_code == 200 and svg.count('id="guaranteed-') == len(cities)
