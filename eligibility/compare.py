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
from .facts import FACTS, label_of
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
                        "zh": f"提供{'、'.join(label_of(f)[0] for f in facts)}，以确定“{rule.title.zh}”{up_to.zh}。",
                        "en": f"Give the {', '.join(label_of(f)[1] for f in facts)} to settle “{rule.title.en}”{up_to.en}.",
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
                    "text": {"zh": f"{zh}：可获“{rule.title.zh}”{up_to.zh}。", "en": f"{en[:1].upper()}{en[1:]}: unlocks “{rule.title.en}”{up_to.en}."},
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
            errors[f"cities[{index}]"] = [f"Unknown city '{name}'; use one of: {book.known_cities()}."]
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
    estimates = {city: evaluate(parsed, city, as_of, by_city.get(city), rulebook=book) for city in city_list}
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
                "notice": result["notice"],
                "benefits": _benefits(result),
                "unlock": _unlocks(result, book),
                "estimate": result,
            }
        )
    for entry in ranking:
        entry["reason"] = _rank_reason(entry, ranking, book).as_dict()
    first = next(iter(estimates.values()))
    return {"as_of": first["as_of"], "notice": _tie_notice(ranking, book), "rulebook": first["rulebook"], "ranking": ranking}


def _guaranteed(entry: dict[str, Any]) -> Text:
    total = entry["total"]
    low = format_money_text(Decimal(total["min"]))
    if total["max"] == total["min"]:
        return Text(f"保证可得{low}元", f"{low} yuan guaranteed")
    high = Text("上限未定", "no upper bound") if total["max"] is None else Text(f"最多{format_money_text(Decimal(total['max']))}元", f"up to {format_money_text(Decimal(total['max']))} yuan")
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
    head = Text(f"{name.zh}排名第{entry['rank']}/{len(ranking)}：{_guaranteed(entry).zh}", f"{name.en} ranks {entry['rank']} of {len(ranking)}: {_guaranteed(entry).en}")
    tied = [book.cities[other["city"]] for other in ranking if other["rank"] == entry["rank"] and other is not entry]
    parts = [head]
    if tied:
        parts.append(Text(f"与{'、'.join(t.zh for t in tied)}并列（保证与可能金额均相同）", f"tied with {', '.join(t.en for t in tied)} (the same guaranteed and possible amounts)"))
    if Decimal(entry["total"]["min"]) == 0:
        parts.append(_why_nothing(entry))
    return Text("；".join(p.zh for p in parts) + "。", "; ".join(p.en for p in parts) + ".")


def _tie_notice(ranking: list[dict[str, Any]], book: Rulebook) -> dict[str, str] | None:
    """When every city ties at nothing guaranteed, the headline says why for each."""
    if len(ranking) < 2 or any(e["rank"] != 1 or Decimal(e["total"]["min"]) != 0 for e in ranking):
        return None
    reasons = [(book.cities[e["city"]], _why_nothing(e)) for e in ranking]
    return Text(
        "各城市在该日都没有保证可得的资金奖励，并列第1：" + "；".join(f"{n.zh}：{w.zh}" for n, w in reasons) + "。",
        "No city guarantees any monetary award on that day, so all tie first: " + "; ".join(f"{n.en}: {w.en}" for n, w in reasons) + ".",
    ).as_dict()
