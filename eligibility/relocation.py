"""Relocation: one company in several cities, on one day (``compare``) or year by year (``plan_cities``).

Both work on the engine's ``Estimate`` and ``Outcome`` objects (amounts as ``Amount`` ranges of
``Decimal`` yuan, statuses, failed tests, missing facts) and write dicts only for their result.

Cities rank by guaranteed total (the range's ``low``), ties broken by the potential total (``high``,
where unbounded ranks highest); cities equal on both share a rank.

The plan: year by year the profile grows (``growth`` rates, or explicit ``figures`` per year), the
rulebook is evaluated as of the plan's month-day of that year (31 December by default), and what each
year pays is fed into the next year's ``prior_awards``: one-time awards are not paid twice, and tier
awards pay only the difference. Counted events (research projects, key tasks, standards led) belong to
the year they are given for; later years count none unless ``figures`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, TypeVar

from .awards import NOTHING, Amount
from .conditions import leaves
from .engine import Estimate, Outcome, default_rulebook, estimate, money_range, payer_name
from .errors import InputError
from .facts import FACTS, label_of
from .model import Document, PerUnitAward, Rule, Rulebook, Text
from .money import FEN, ZERO, format_money, format_money_text
from .profile import PriorAward, Profile, collect_profile, parse_profile

__all__ = ["GROWABLE", "Plan", "check_request", "compare", "parse_plan", "plan_cities", "rank_key"]

GROWABLE = ("operating_revenue", "blockchain_revenue", "local_fiscal_contribution")
#: Figures whose value one year is the next year's "last year" figure.
CARRIED = {"operating_revenue": "operating_revenue_prior", "local_fiscal_contribution": "local_fiscal_contribution_prior"}
PER_YEAR_COUNTS = ("municipal_research_projects", "key_tasks_accepted")
FIGURE_FACTS = GROWABLE + tuple(CARRIED.values()) + PER_YEAR_COUNTS + ("standards_led",)
MAX_YEARS = 10
_STANDARDS = "standards_led."


# -- ranking ----------------------------------------------------------------------------------------


def rank_key(total: Amount) -> tuple[Decimal, int, Decimal]:
    """Guaranteed first, then unbounded above bounded, then the potential total."""
    return (total.low, 1 if total.high is None else 0, ZERO if total.high is None else total.high)


_T = TypeVar("_T")


def _ranked(items: Iterable[_T], total: Callable[[_T], Amount]) -> list[tuple[int, _T]]:
    """``items`` best first, each with its rank; items equal on both totals share a rank."""
    order = sorted(items, key=lambda item: rank_key(total(item)), reverse=True)
    ranked: list[tuple[int, _T]] = []
    for position, item in enumerate(order, start=1):
        tied = ranked and rank_key(total(ranked[-1][1])) == rank_key(total(item))
        ranked.append((ranked[-1][0] if tied else position, item))
    return ranked


# -- what an estimate offers beyond its total ---------------------------------------------------------


def _up_to(rule: Rule, amount: Amount | None) -> Text:
    award = rule.award
    ceiling = amount.high if amount is not None and amount.high is not None else award.ceiling
    if ceiling is None and isinstance(award, PerUnitAward):
        each = "、".join(f"{format_money_text(u.amount)}元/项" for u in award.units)
        each_en = ", ".join(f"{format_money_text(u.amount)} yuan each" for u in award.units)
        return Text(f"（{each}）", f" ({each_en})")
    if ceiling is None:
        return Text("", "")
    return Text(f"，最多{format_money_text(ceiling)}元", f", up to {format_money_text(ceiling)} yuan")


def _failed_facts(outcome: Outcome) -> list[str]:
    """The facts of the tests that failed, in the rule's order."""
    if outcome.trace is None:
        return []
    return [leaf.fact for leaf, held in zip(leaves(outcome.rule.conditions), outcome.trace, strict=False) if held is False]


def _unlocks(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """What would unlock more: facts to give for open outcomes, steps to take for failed awards."""
    unlocks: list[dict[str, Any]] = []
    for outcome in outcomes:
        rule = outcome.rule
        missing = outcome.missing
        if missing:
            up_to = _up_to(rule, outcome.amount) if rule.monetary else Text("", "")
            unlocks.append(
                {
                    "rule": rule.id,
                    "kind": "give_facts",
                    "facts": missing,
                    "amount": None if outcome.amount is None else money_range(outcome.amount),
                    "text": {
                        "zh": f"提供{'、'.join(label_of(f)[0] for f in missing)}，以确定“{rule.title.zh}”{up_to.zh}。",
                        "en": f"Give the {', '.join(label_of(f)[1] for f in missing)} to settle “{rule.title.en}”{up_to.en}.",
                    },
                }
            )
            continue
        if outcome.status != "ineligible" or not rule.monetary:
            continue
        failed = _failed_facts(outcome)
        steps = [FACTS[name].step if name in FACTS else None for name in failed]
        if failed and all(steps):
            up_to = _up_to(rule, None)
            zh = "；".join(s[0] for s in steps if s)
            en = "; ".join(s[1] for s in steps if s)
            ceiling = rule.award.ceiling
            unlocks.append(
                {
                    "rule": rule.id,
                    "kind": "step",
                    "facts": failed,
                    "amount": money_range(Amount(ZERO, ceiling)),
                    "text": {"zh": f"{zh}：可获“{rule.title.zh}”{up_to.zh}。", "en": f"{en[:1].upper()}{en[1:]}: unlocks “{rule.title.en}”{up_to.en}."},
                }
            )
    return unlocks


def _benefits(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    found = []
    for outcome in outcomes:
        benefit = outcome.rule.award.support
        if benefit is not None and outcome.status in ("eligible", "undetermined"):
            found.append({"rule": outcome.rule.id, "status": outcome.status, "title": outcome.rule.title.as_dict(), "benefit": benefit.as_dict()})
    return found


# -- one day ----------------------------------------------------------------------------------------


def check_request(
    profile: Mapping[str, Any] | Profile, cities: object, districts: Mapping[str, str] | None, book: Rulebook
) -> tuple[list[str], Profile, dict[str, str]]:
    """Validate the cities (any of their names), districts and profile of a comparison; InputError
    names every bad field. Returns the city ids, the profile and the districts by city id."""
    errors: dict[str, list[str]] = {}
    city_list: list[str] = []
    if not isinstance(cities, list) or not cities:
        errors["cities"] = [f"Must be a non-empty list of cities: {book.known_cities()}."]
        cities = []
    for index, name in enumerate(cities):
        city = book.resolve_city(name)
        if city is None:
            errors[f"cities[{index}]"] = [book.unknown_city(name)]
        elif city in city_list:
            errors[f"cities[{index}]"] = [f"'{name}' is listed twice."]
        else:
            city_list.append(city)
    by_city: dict[str, str] = {}
    for name, district in (districts or {}).items():
        city = book.resolve_city(name)
        if city is None or city not in city_list:
            errors[f"districts.{name}"] = ["Names a city that is not in cities."]
        else:
            by_city[city] = district
    parsed = collect_profile(profile, errors)
    if errors:
        raise InputError(errors)
    return city_list, parsed, by_city


def compare(
    profile: Mapping[str, Any] | Profile,
    cities: object,
    as_of: date | str | None = None,
    districts: Mapping[str, str] | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """Estimate ``profile`` in each city and rank the cities; InputError names any bad field."""
    book = rulebook or default_rulebook()
    city_list, parsed, by_city = check_request(profile, cities, districts, book)
    estimates = [estimate(parsed, city, as_of, by_city.get(city), rulebook=book) for city in city_list]
    ranking: list[dict[str, Any]] = []
    for rank, found in _ranked(estimates, lambda e: e.total):
        data = found.as_dict()
        outcomes = found.outcomes()
        ranking.append(
            {
                "city": found.city,
                "rank": rank,
                "total": data["total"],
                "notice": data["notice"],
                "benefits": _benefits(outcomes),
                "unlock": _unlocks(outcomes),
                "estimate": data,
                "_total": found.total,
            }
        )
    for entry in ranking:
        entry["reason"] = _rank_reason(entry, ranking, book).as_dict()
    notice = _tie_notice(ranking, book)
    for entry in ranking:
        del entry["_total"]
    first = estimates[0]
    return {"as_of": first.as_of.isoformat(), "notice": notice, "rulebook": {"digest": book.digest}, "ranking": ranking}


def _guaranteed(total: Amount) -> Text:
    low = format_money_text(total.low)
    if total.exact:
        return Text(f"保证可得{low}元", f"{low} yuan guaranteed")
    high = (
        Text("上限未定", "no upper bound")
        if total.high is None
        else Text(f"最多{format_money_text(total.high)}元", f"up to {format_money_text(total.high)} yuan")
    )
    return Text(f"保证可得{low}元，{high.zh}", f"{low} yuan guaranteed, {high.en}")


def _why_nothing(entry: dict[str, Any]) -> Text:
    """Why a city guarantees nothing: its policies are not in force on the day, or nothing is met yet."""
    notice = entry["notice"]
    if notice is not None:
        return Text(notice["zh"].split("。")[0], notice["en"].split(". ")[0].rstrip("."))
    return Text("该主体在该日尚不满足任何资金奖励的条件", "the company meets no monetary award's conditions yet on that day")


def _rank_reason(entry: dict[str, Any], ranking: list[dict[str, Any]], book: Rulebook) -> Text:
    """Why a city ranks where it does, and with whom it ties."""
    name = book.cities[entry["city"]]
    total: Amount = entry["_total"]
    head = Text(
        f"{name.zh}排名第{entry['rank']}/{len(ranking)}：{_guaranteed(total).zh}", f"{name.en} ranks {entry['rank']} of {len(ranking)}: {_guaranteed(total).en}"
    )
    tied = [book.cities[other["city"]] for other in ranking if other["rank"] == entry["rank"] and other is not entry]
    parts = [head]
    if tied:
        parts.append(
            Text(
                f"与{'、'.join(t.zh for t in tied)}并列（保证与可能金额均相同）",
                f"tied with {', '.join(t.en for t in tied)} (the same guaranteed and possible amounts)",
            )
        )
    if total.low == 0:
        parts.append(_why_nothing(entry))
    return Text("；".join(p.zh for p in parts) + "。", "; ".join(p.en for p in parts) + ".")


def _tie_notice(ranking: list[dict[str, Any]], book: Rulebook) -> dict[str, str] | None:
    """When every city ties at nothing guaranteed, the headline says why for each."""
    if len(ranking) < 2 or any(e["rank"] != 1 or e["_total"].low != 0 for e in ranking):
        return None
    reasons = [(book.cities[e["city"]], _why_nothing(e)) for e in ranking]
    return Text(
        "各城市在该日都没有保证可得的资金奖励，并列第1：" + "；".join(f"{n.zh}：{w.zh}" for n, w in reasons) + "。",
        "No city guarantees any monetary award on that day, so all tie first: " + "; ".join(f"{n.en}: {w.en}" for n, w in reasons) + ".",
    ).as_dict()


# -- year by year -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A growth path: first year, number of years, growth rates and per-year figures.

    ``figures`` holds each year's figures as given (for the result), ``facts`` the same parsed.
    """

    start_year: int
    years: int
    growth: dict[str, Decimal] = field(default_factory=dict)
    figures: dict[int, dict[str, Any]] = field(default_factory=dict)
    month_day: tuple[int, int] = (12, 31)
    facts: dict[int, Mapping[str, object]] = field(default_factory=dict)

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
    facts: dict[int, Mapping[str, object]] = {}
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
        elif entry["year"] in figures:
            errors[f"{path}.year"] = ["Give each year's figures once."]
        given = {k: v for k, v in entry.items() if k != "year"}
        for name in given:
            if name not in FIGURE_FACTS:
                errors[f"{path}.{name}"] = [f"Unknown field; figures may give {', '.join(FIGURE_FACTS)}."]
        try:
            facts[entry["year"]] = parse_profile({k: v for k, v in given.items() if k in FIGURE_FACTS}, prefix=path).facts
        except InputError as exc:
            errors.update(exc.errors)
        figures[entry["year"]] = dict(given)
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
    return Plan(start, years, growth, figures, month_day, facts)


def _grow(profile: Profile, plan: Plan) -> Profile:
    """Next year's profile: revenues and contribution grown, this year's figures as last year's, no new events."""
    facts = dict(profile.facts)
    for name, prior in CARRIED.items():
        if name in profile.facts:
            facts[prior] = profile.facts[name]
        else:  # this year's figure unknown: next year's "last year" is unknown too, not an older figure
            facts.pop(prior, None)
    for name in GROWABLE:
        value = profile.facts.get(name)
        if isinstance(value, Decimal) and name in plan.growth:
            facts[name] = max((value * (1 + plan.growth[name])).quantize(FEN, ROUND_HALF_EVEN), ZERO)
    for name in facts:
        if name in PER_YEAR_COUNTS or name.startswith(_STANDARDS):
            facts[name] = 0
    return Profile(facts, profile.prior_awards)


def _apply_figures(profile: Profile, figures: Mapping[str, object]) -> Profile:
    """This year's figures over the profile; a revenue or contribution given makes the old one last year's."""
    if not figures:
        return profile
    facts = dict(profile.facts)
    for name, prior in CARRIED.items():
        if name in figures and name in profile.facts:
            facts.setdefault(prior, profile.facts[name])
    if any(name.startswith(_STANDARDS) for name in figures):  # the levels given replace the old ones
        facts = {name: value for name, value in facts.items() if not name.startswith(_STANDARDS)}
    facts.update(figures)
    return Profile(facts, profile.prior_awards)


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


@dataclass
class _Path:
    """One city along the plan: each year's estimate, and what accumulates."""

    city: str
    district: str | None
    estimates: list[Estimate] = field(default_factory=list)
    paid: list[list[PriorAward]] = field(default_factory=list)
    total: Amount = NOTHING
    guaranteed_by_rule: dict[str, Decimal] = field(default_factory=dict)


def _city_path(profile: Profile, city: str, district: str | None, plan: Plan, book: Rulebook) -> _Path:
    path = _Path(city, district)
    current = _apply_figures(profile, plan.facts.get(plan.start_year, {}))
    for index, year in enumerate(plan.span):
        if index:
            current = _apply_figures(_grow(current, plan), plan.facts.get(year, {}))
        found = estimate(current, city, plan.as_of(year), district, rulebook=book)
        paid = []
        for rule, status, amount in zip(found.rule_ids, found.status_list, found.amount_list, strict=False):
            if status == "eligible" and amount is not None and amount.low > 0:
                paid.append(PriorAward(rule, amount.low, year))
                path.guaranteed_by_rule[rule] = path.guaranteed_by_rule.get(rule, ZERO) + amount.low
        if current.prior_awards is not None:
            current = Profile(current.facts, current.prior_awards + tuple(paid))
        path.estimates.append(found)
        path.paid.append(paid)
        path.total = path.total + found.total
    return path


def _path_data(path: _Path, book: Rulebook) -> dict[str, Any]:
    city_name = book.cities[path.city]
    payers: dict[str, Amount] = {}
    benefits: dict[str, dict[str, Any]] = {}
    unlocks: dict[tuple[str, str], dict[str, Any]] = {}
    years = []
    for found, paid in zip(path.estimates, path.paid, strict=False):
        for payer, amount in found.payers.items():
            payers[payer] = payers.get(payer, NOTHING) + amount
        outcomes = found.outcomes()
        for benefit in _benefits(outcomes):
            benefits.setdefault(benefit["rule"], benefit)
        year = found.as_of.year
        for unlock in _unlocks(outcomes):
            unlocks.setdefault((unlock["rule"], unlock["kind"]), {**unlock, "year": year})
        brief = found.brief(outcomes)
        years.append(
            {
                "year": year,
                "as_of": brief["as_of"],
                "total": brief["total"],
                "payers": brief["payers"],
                "paid_into_next_year": [{"rule": a.rule, "amount": format_money(a.amount), "year": a.year} for a in paid],
                "outcomes": brief["outcomes"],
            }
        )
    return {
        "city": path.city,
        "city_name": city_name.as_dict(),
        "district": path.district,
        "cumulative_total": money_range(path.total),
        "totals_by_payer": [
            {"payer": payer, "name": payer_name(payer, city_name, path.district), "amount": money_range(amount)} for payer, amount in payers.items()
        ],
        "years": years,
        "benefits": list(benefits.values()),
        "unlock": list(unlocks.values()),
    }


def _reason(book: Rulebook, path: _Path, rank: int, count: int, benefits: int, plan: Plan) -> Text:
    name = book.cities[path.city]
    span_zh = f"{plan.start_year}—{plan.start_year + plan.years - 1}年"
    span_en = f"{plan.start_year}–{plan.start_year + plan.years - 1}"
    total = path.total
    ended = _ended(book.documents_for(path.city), plan)
    head = Text(f"{name.zh}排名第{rank}/{count}", f"{name.en} ranks {rank} of {count}")
    if total.low > 0:
        top_rule, top_amount = max(path.guaranteed_by_rule.items(), key=lambda item: item[1])
        title = book.rules[top_rule].title
        low = format_money_text(total.low)
        return Text(
            f"{head.zh}：{span_zh}累计保证可得{low}元，主要来自“{title.zh}”（{format_money_text(top_amount)}元）{ended.zh}。",
            f"{head.en}: {low} yuan guaranteed over {span_en}, most of it from “{title.en}” ({format_money_text(top_amount)} yuan){ended.en}.",
        )
    if total.high is None or total.high > 0:
        potential = "an open amount" if total.high is None else f"up to {format_money_text(total.high)} yuan"
        potential_zh = "金额未定" if total.high is None else f"最多{format_money_text(total.high)}元"
        return Text(
            f"{head.zh}：{span_zh}没有保证可得的奖励，但补充事实或采取相应步骤后可能获得{potential_zh}{ended.zh}。",
            f"{head.en}: nothing is guaranteed over {span_en}, but {potential} could follow from the facts or steps listed{ended.en}.",
        )
    return Text(
        f"{head.zh}：{span_zh}没有资金奖励，只有{benefits}项非资金支持{ended.zh}。",
        f"{head.en}: no monetary award over {span_en}, only {benefits} non-monetary support measures{ended.en}.",
    )


def plan_cities(
    profile: Mapping[str, Any] | Profile,
    cities: object,
    plan: Plan,
    districts: Mapping[str, str] | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """Each city's year-by-year outcomes along ``plan``, ranked by guaranteed cumulative total."""
    book = rulebook or default_rulebook()
    city_list, parsed, by_city = check_request(profile, cities, districts, book)
    paths = [_city_path(parsed, city, by_city.get(city), plan, book) for city in city_list]
    ranking: list[dict[str, Any]] = []
    ranked = _ranked(paths, lambda p: p.total)
    for rank, path in ranked:
        data = _path_data(path, book)
        reason = _reason(book, path, rank, len(ranked), len(data["benefits"]), plan)
        ranking.append({"rank": rank, **data, "reason": reason.as_dict()})
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
