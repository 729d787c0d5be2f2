"""The relocation planner: each city evaluated year by year along a company's growth path.

Year by year, the profile grows (``growth`` rates, or explicit ``figures`` per year), the rulebook is
evaluated as of the plan's month-day of that year (31 December by default), and what each year pays is
fed into the next year's ``prior_awards``: one-time awards are not paid twice, and tier awards pay only
the difference. Counted events (research projects, key tasks, standards led) belong to the year they
are given for; later years count none unless ``figures`` says so.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from .compare import _benefits, _sort_key, _unlocks, check_request
from .engine import default_rulebook, evaluate
from .errors import InputError
from .model import Document, Rulebook, Text
from .money import FEN, format_money, format_money_text, parse_money
from .profile import parse_profile

__all__ = ["GROWABLE", "Plan", "parse_plan", "plan_cities"]

GROWABLE = ("operating_revenue", "blockchain_revenue", "local_fiscal_contribution")
#: Figures whose value one year is the next year's "last year" figure.
CARRIED = {"operating_revenue": "operating_revenue_prior", "local_fiscal_contribution": "local_fiscal_contribution_prior"}
PER_YEAR_COUNTS = ("municipal_research_projects", "key_tasks_accepted")
FIGURE_FACTS = GROWABLE + tuple(CARRIED.values()) + PER_YEAR_COUNTS + ("standards_led",)
MAX_YEARS = 10


@dataclass(frozen=True)
class Plan:
    """A growth path: first year, number of years, growth rates and per-year figures."""

    start_year: int
    years: int
    growth: dict[str, Decimal] = field(default_factory=dict)
    figures: dict[int, dict[str, Any]] = field(default_factory=dict)
    month_day: tuple[int, int] = (12, 31)

    def as_of(self, year: int) -> date:
        return date(year, *self.month_day)

    @property
    def span(self) -> range:
        return range(self.start_year, self.start_year + self.years)


def _rate(value: object, path: str, errors: dict[str, list[str]]) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        errors[path] = ['Must be a growth rate written as a decimal, e.g. "0.25" for 25 %.']
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        errors[path] = ['Must be a growth rate written as a decimal, e.g. "0.25" for 25 %.']
        return None
    if not rate.is_finite() or not Decimal("-1") <= rate <= Decimal("10"):
        errors[path] = ["Must be between -1 (revenue gone) and 10 (elevenfold) per year."]
        return None
    return rate


def parse_plan(data: Mapping[str, Any]) -> Plan:
    """Read ``start_year``, ``years``, ``growth``, ``figures`` and ``as_of_month_day``; InputError names bad fields."""
    errors: dict[str, list[str]] = {}
    start, years = data.get("start_year"), data.get("years")
    if isinstance(start, bool) or not isinstance(start, int) or not 1990 <= start <= 2100:
        errors["start_year"] = ["Must be a year between 1990 and 2100."]
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        errors["years"] = [f"Must be a whole number of years from 1 to {MAX_YEARS}."]
    growth: dict[str, Decimal] = {}
    raw_growth = data.get("growth") or {}
    if not isinstance(raw_growth, Mapping):
        errors["growth"] = [f"Must map some of {', '.join(GROWABLE)} to yearly growth rates."]
        raw_growth = {}
    for name, value in raw_growth.items():
        if name not in GROWABLE:
            errors[f"growth.{name}"] = [f"Unknown field; growth applies to {', '.join(GROWABLE)}."]
            continue
        rate = _rate(value, f"growth.{name}", errors)
        if rate is not None:
            growth[name] = rate
    figures: dict[int, dict[str, Any]] = {}
    raw_figures = data.get("figures") or []
    if not isinstance(raw_figures, list):
        errors["figures"] = ["Must be a list of {year, ...facts} objects."]
        raw_figures = []
    for index, entry in enumerate(raw_figures):
        path = f"figures[{index}]"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("year"), int) or isinstance(entry.get("year"), bool):
            errors[f"{path}.year"] = ["Each entry needs the year it is for."]
            continue
        if isinstance(start, int) and isinstance(years, int) and not start <= entry["year"] < start + years:
            errors[f"{path}.year"] = ["Must be a year of the plan."]
        facts = {k: v for k, v in entry.items() if k != "year"}
        for name in facts:
            if name not in FIGURE_FACTS:
                errors[f"{path}.{name}"] = [f"Unknown field; figures may give {', '.join(FIGURE_FACTS)}."]
        try:
            parse_profile({k: v for k, v in facts.items() if k in FIGURE_FACTS}, prefix=path)
        except InputError as exc:
            errors.update(exc.errors)
        figures[entry["year"]] = dict(facts)
    month_day = (12, 31)
    raw_md = data.get("as_of_month_day")
    if raw_md is not None:
        try:
            assert isinstance(raw_md, str) and len(raw_md) == 5 and raw_md[2] == "-"
            month_day = (int(raw_md[:2]), int(raw_md[3:]))
            date(2021, *month_day)  # a day that exists every year (so not 02-29)
        except (AssertionError, ValueError):
            errors["as_of_month_day"] = ['Must be a month and day written MM-DD that exists every year, e.g. "06-30".']
    if errors:
        raise InputError(errors)
    assert isinstance(start, int) and isinstance(years, int)
    return Plan(start, years, growth, figures, month_day)


def _grow(profile: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """Next year's profile: revenues and contribution grown, this year's figures as last year's, no new events."""
    grown = copy.deepcopy(profile)
    for name, prior in CARRIED.items():
        if profile.get(name) is not None:
            grown[prior] = profile[name]
        else:  # this year's figure unknown: next year's "last year" is unknown too, not an older figure
            grown.pop(prior, None)
    for name in GROWABLE:
        value = profile.get(name)
        if value is not None and name in plan.growth:
            grown[name] = format_money((parse_money(value) * (1 + plan.growth[name])).quantize(FEN, ROUND_HALF_EVEN).max(Decimal(0)))
    for name in PER_YEAR_COUNTS:
        if name in grown:
            grown[name] = 0
    if "standards_led" in grown:
        grown["standards_led"] = {level: 0 for level in grown["standards_led"]}
    return grown


def _apply_figures(profile: dict[str, Any], figures: Mapping[str, Any]) -> dict[str, Any]:
    updated = copy.deepcopy(profile)
    for name, prior in CARRIED.items():
        if name in figures and name in profile:
            updated.setdefault(prior, profile[name])
    updated.update(copy.deepcopy(dict(figures)))
    return updated


def _jsonable(profile: Mapping[str, Any]) -> dict[str, Any]:
    """Money as decimal strings so grown profiles can be validated and stored alike."""
    result: dict[str, Any] = {}
    for key, value in profile.items():
        result[key] = format_money(value) if isinstance(value, Decimal) else value
    return result


def _ended(documents: tuple[Document, ...], plan: Plan) -> Text:
    """When the city's own documents ended, where that is within or before the plan: their real dates."""
    last_day = plan.as_of(plan.start_year + plan.years - 1)
    zh: list[str] = []
    en: list[str] = []
    for document in documents:
        end = document.surely_to
        if document.national or end is None or end >= last_day:
            continue
        if document.in_force_to is not None and document.in_force_to != end:
            zh.append(f"{document.number}确定有效至{end.isoformat()}，最晚可能至{document.in_force_to.isoformat()}")
            en.append(f"{document.number} is certainly in force until {end.isoformat()} and possibly until {document.in_force_to.isoformat()}")
        else:
            zh.append(f"{document.number}有效期至{end.isoformat()}")
            en.append(f"{document.number} was in force until {end.isoformat()}")
    if not zh:
        return Text("", "")
    return Text(f"；{'；'.join(zh)}", f"; {'; '.join(en)}")


def _reason(book: Rulebook, city: str, rank: int, count: int, entry: dict[str, Any], plan: Plan) -> Text:
    name = book.cities[city]
    span_zh = f"{plan.start_year}—{plan.start_year + plan.years - 1}年"
    span_en = f"{plan.start_year}–{plan.start_year + plan.years - 1}"
    total = entry["cumulative_total"]
    low = Decimal(total["min"])
    by_rule: dict[str, Decimal] = {}
    for year in entry["years"]:
        for outcome in year["outcomes"]:
            if outcome["amount"] is not None and outcome["status"] == "eligible":
                by_rule[outcome["rule"]] = by_rule.get(outcome["rule"], Decimal(0)) + Decimal(outcome["amount"]["min"])
    ended = _ended(book.documents_for(city), plan)
    head = Text(f"{name.zh}排名第{rank}/{count}", f"{name.en} ranks {rank} of {count}")
    if low > 0:
        top_rule, top_amount = max(by_rule.items(), key=lambda item: item[1])
        title = book.rules[top_rule].title
        return Text(
            f"{head.zh}：{span_zh}累计保证可得{format_money_text(low)}元，主要来自“{title.zh}”（{format_money_text(top_amount)}元）{ended.zh}。",
            f"{head.en}: {format_money_text(low)} yuan guaranteed over {span_en}, most of it from “{title.en}” ({format_money_text(top_amount)} yuan){ended.en}.",
        )
    if total["max"] is None or Decimal(total["max"]) > 0:
        potential = "an open amount" if total["max"] is None else f"up to {format_money_text(Decimal(total['max']))} yuan"
        potential_zh = "金额未定" if total["max"] is None else f"最多{format_money_text(Decimal(total['max']))}元"
        return Text(
            f"{head.zh}：{span_zh}没有保证可得的奖励，但补充事实或采取相应步骤后可能获得{potential_zh}{ended.zh}。",
            f"{head.en}: nothing is guaranteed over {span_en}, but {potential} could follow from the facts or steps listed{ended.en}.",
        )
    return Text(
        f"{head.zh}：{span_zh}没有资金奖励，只有{len(entry['benefits'])}项非资金支持{ended.zh}。",
        f"{head.en}: no monetary award over {span_en}, only {len(entry['benefits'])} non-monetary support measures{ended.en}.",
    )


def _city_path(profile: dict[str, Any], city: str, district: str | None, plan: Plan, book: Rulebook) -> dict[str, Any]:
    years: list[dict[str, Any]] = []
    cumulative_low, cumulative_high = Decimal(0), Decimal(0)
    unbounded = False
    payers: dict[str, dict[str, Any]] = {}
    benefits: dict[str, dict[str, Any]] = {}
    unlocks: dict[tuple[str, str], dict[str, Any]] = {}
    current = _apply_figures(profile, plan.figures.get(plan.start_year, {}))
    for index, year in enumerate(plan.span):
        if index:
            current = _apply_figures(_grow(current, plan), plan.figures.get(year, {}))
        result = evaluate(_jsonable(current), city, plan.as_of(year), district, rulebook=book)
        paid = [
            {"rule": o["rule"], "amount": o["amount"]["min"], "year": year}
            for o in result["outcomes"]
            if o["status"] == "eligible" and o["amount"] is not None and Decimal(o["amount"]["min"]) > 0
        ]
        if current.get("prior_awards") is not None:
            current["prior_awards"] = list(current["prior_awards"]) + paid
        cumulative_low += Decimal(result["total"]["min"])
        if result["total"]["max"] is None:
            unbounded = True
        else:
            cumulative_high += Decimal(result["total"]["max"])
        for payer in result["payers"]:
            slot = payers.setdefault(payer["payer"], {"payer": payer["payer"], "name": payer["name"], "low": Decimal(0), "high": Decimal(0), "open": False})
            slot["low"] += Decimal(payer["amount"]["min"])
            if payer["amount"]["max"] is None:
                slot["open"] = True
            else:
                slot["high"] += Decimal(payer["amount"]["max"])
        for benefit in _benefits(result):
            benefits.setdefault(benefit["rule"], benefit)
        for unlock in _unlocks(result, book):
            unlocks.setdefault((unlock["rule"], unlock["kind"]), {**unlock, "year": year})
        years.append(
            {
                "year": year,
                "as_of": result["as_of"],
                "total": result["total"],
                "payers": result["payers"],
                "paid_into_next_year": paid,
                "outcomes": [
                    {"rule": o["rule"], "status": o["status"], "amount": o["amount"], "summary": o["summary"]}
                    for o in result["outcomes"]
                ],
            }
        )
    return {
        "city": city,
        "city_name": book.cities[city].as_dict(),
        "district": district,
        "cumulative_total": {"min": format_money(cumulative_low), "max": None if unbounded else format_money(cumulative_high)},
        "totals_by_payer": [
            {"payer": p["payer"], "name": p["name"], "amount": {"min": format_money(p["low"]), "max": None if p["open"] else format_money(p["high"])}}
            for p in payers.values()
        ],
        "years": years,
        "benefits": list(benefits.values()),
        "unlock": list(unlocks.values()),
    }


def plan_cities(
    profile: Mapping[str, Any],
    cities: object,
    plan: Plan,
    districts: Mapping[str, str] | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """Each city's year-by-year outcomes along ``plan``, ranked by guaranteed cumulative total."""
    book = rulebook or default_rulebook()
    city_list, _, districts = check_request(profile, cities, districts, book)
    base = _jsonable({k: v for k, v in profile.items() if v is not None})
    paths = [_city_path(base, city, districts.get(city), plan, book) for city in city_list]
    paths.sort(key=lambda p: _sort_key(p["cumulative_total"]), reverse=True)
    ranking: list[dict[str, Any]] = []
    for position, path in enumerate(paths, start=1):
        tied = ranking and _sort_key(ranking[-1]["cumulative_total"]) == _sort_key(path["cumulative_total"])
        rank = ranking[-1]["rank"] if tied else position
        ranking.append({"rank": rank, **path})
    for entry in ranking:
        entry["reason"] = _reason(book, entry["city"], entry["rank"], len(ranking), entry, plan).as_dict()
    return {
        "plan": {
            "start_year": plan.start_year,
            "years": plan.years,
            "as_of_month_day": f"{plan.month_day[0]:02d}-{plan.month_day[1]:02d}",
            "growth": {k: str(v) for k, v in plan.growth.items()},
            "figures": [{"year": y, **f} for y, f in sorted(plan.figures.items())],
        },
        "rulebook": {"digest": book.digest},
        "ranking": ranking,
    }
