"""Comparing cities for one company: an estimate per city, ranked, with what would unlock more.

Cities rank by guaranteed total (``total.min``), ties broken by the potential total (``max``, where
unbounded ranks highest); cities equal on both share a rank.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from .engine import default_rulebook, evaluate
from .errors import InputError
from .facts import FACTS
from .model import Award, Rule, Rulebook, Text
from .money import format_money, format_money_text
from .profile import Profile, collect_profile

__all__ = ["award_ceiling", "check_request", "compare"]


def award_ceiling(award: Award) -> Decimal | None:
    """The most one application of an award can pay, or None when it grows per unit."""
    if award.form == "fixed":
        return award.amount if award.by is None else max(amount for _, amount in award.amounts)
    if award.form == "capped":
        return award.up_to
    if award.form == "ranged":
        return award.maximum
    if award.form == "tiered":
        return award.tiers[-1].amount
    return None


def _up_to(rule: Rule, amount: dict[str, Any] | None) -> Text:
    high = amount.get("max") if amount else None
    ceiling = Decimal(high) if high is not None else award_ceiling(rule.award)
    if ceiling is None and rule.award.form == "per_unit":
        each = "、".join(f"{format_money_text(u.amount)}元/项" for u in rule.award.units)
        each_en = ", ".join(f"{format_money_text(u.amount)} yuan each" for u in rule.award.units)
        return Text(f"（{each}）", f" ({each_en})")
    if ceiling is None:
        return Text("", "")
    return Text(f"，最多{format_money_text(ceiling)}元", f", up to {format_money_text(ceiling)} yuan")


def _unlocks(result: dict[str, Any], book: Rulebook) -> list[dict[str, Any]]:
    unlocks: list[dict[str, Any]] = []
    for outcome in result["outcomes"]:
        rule = book.rules[outcome["rule"]]
        if outcome["missing_facts"]:
            facts = outcome["missing_facts"]
            up_to = _up_to(rule, outcome["amount"]) if rule.monetary else Text("", "")
            unlocks.append(
                {
                    "rule": rule.id,
                    "kind": "give_facts",
                    "facts": facts,
                    "amount": outcome["amount"],
                    "text": {
                        "zh": f"提供{'、'.join(FACTS[f].zh if f in FACTS else '以往奖励记录' for f in facts)}，以确定{rule.title.zh}{up_to.zh}。",
                        "en": f"Give {', '.join(facts)} to settle {rule.id}{up_to.en}.",
                    },
                }
            )
            continue
        if outcome["status"] != "ineligible" or not rule.monetary:
            continue
        failed = [r for r in outcome["reasons"] if r.get("held") is False and "fact" in r]
        steps = [FACTS[r["fact"]].step for r in failed if r["fact"] in FACTS]
        if failed and all(steps) and len(steps) == len(failed):
            up_to = _up_to(rule, None)
            zh = "；".join(s[0] for s in steps if s)
            en = "; ".join(s[1] for s in steps if s)
            unlocks.append(
                {
                    "rule": rule.id,
                    "kind": "step",
                    "facts": [r["fact"] for r in failed],
                    "amount": {"min": "0.00", "max": None if award_ceiling(rule.award) is None else format_money(award_ceiling(rule.award) or Decimal(0))},
                    "text": {"zh": f"{zh}：可获{rule.title.zh}{up_to.zh}。", "en": f"{en[:1].upper()}{en[1:]}: unlocks {rule.id}{up_to.en}."},
                }
            )
    return unlocks


def _benefits(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"rule": o["rule"], "status": o["status"], "title": o["title"], "benefit": o["benefit"]}
        for o in result["outcomes"]
        if not o["monetary"] and o["status"] in ("eligible", "undetermined")
    ]


def _sort_key(total: dict[str, str | None]) -> tuple[Decimal, int, Decimal]:
    high = total["max"]
    assert total["min"] is not None
    return (Decimal(total["min"]), 1 if high is None else 0, Decimal(high) if high is not None else Decimal(0))


def check_request(
    profile: Mapping[str, Any] | Profile, cities: object, districts: Mapping[str, str] | None, book: Rulebook
) -> tuple[list[str], Profile]:
    """Validate the cities, districts and profile of a comparison; InputError names every bad field."""
    errors: dict[str, list[str]] = {}
    city_list: list[str] = []
    if not isinstance(cities, list) or not cities:
        errors["cities"] = [f"Must be a non-empty list of cities: {', '.join(sorted(book.cities))}."]
    else:
        city_list = cities
    for index, city in enumerate(city_list):
        if city not in book.cities:
            errors[f"cities[{index}]"] = [f"Unknown city '{city}'; use one of: {', '.join(sorted(book.cities))}."]
        elif city_list.index(city) != index:
            errors[f"cities[{index}]"] = [f"'{city}' is listed twice."]
    for city in districts or {}:
        if city not in city_list:
            errors[f"districts.{city}"] = ["Names a city that is not in cities."]
    parsed = collect_profile(profile, errors)
    if errors:
        raise InputError(errors)
    return city_list, parsed


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
    city_list, parsed = check_request(profile, cities, districts, book)
    estimates = {city: evaluate(parsed, city, as_of, (districts or {}).get(city), rulebook=book) for city in city_list}
    order = sorted(city_list, key=lambda c: _sort_key(estimates[c]["total"]), reverse=True)
    ranking: list[dict[str, Any]] = []
    for position, city in enumerate(order, start=1):
        result = estimates[city]
        tied = ranking and _sort_key(ranking[-1]["total"]) == _sort_key(result["total"])
        ranking.append(
            {
                "city": city,
                "rank": ranking[-1]["rank"] if tied else position,
                "total": result["total"],
                "benefits": _benefits(result),
                "unlock": _unlocks(result, book),
                "estimate": result,
            }
        )
    first = next(iter(estimates.values()))
    return {"as_of": first["as_of"], "rulebook": first["rulebook"], "ranking": ranking}
