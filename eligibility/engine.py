"""``evaluate``: a company profile, a city and a date in; every applicable rule's outcome out.

The result is plain data (dicts, lists, strings, booleans): money as decimal strings exact to the
fen, text in Chinese and English, and for every rule the reasons, the calculation, who pays and
which facts would settle what is still open.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from .awards import Amount, calculate
from .conditions import FactContext, check
from .coverage import record
from .errors import InputError
from .facts import FACTS
from .loader import load_rulebook
from .model import Document, Rule, Rulebook, Text
from .money import ZERO, format_money, format_money_text, split_by_shares
from .profile import Profile, collect_profile

__all__ = ["default_rulebook", "evaluate", "parse_as_of"]

STATUSES = ("eligible", "ineligible", "undetermined", "not_in_force")
_FACT_ORDER = [name for name, fact in FACTS.items() if not fact.derived] + ["prior_awards"]


@lru_cache(maxsize=1)
def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded and validated once per process."""
    return load_rulebook()


def parse_as_of(value: object, field_name: str = "as_of") -> date:
    """A date from a date or a YYYY-MM-DD string; InputError naming the field otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError.single(field_name, "Must be a date written YYYY-MM-DD, e.g. 2022-06-30.")


@dataclass
class _Outcome:
    rule: Rule
    document: Document
    status: str
    amount: Amount | None
    reasons: list[dict[str, object]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    steps: list[dict[str, object]] = field(default_factory=list)
    stacking: dict[str, object] | None = None


def _window_text(document: Document) -> Text:
    end = document.in_force_to.isoformat() if document.in_force_to else None
    if end:
        return Text(f"{document.in_force_from.isoformat()}至{end}", f"from {document.in_force_from.isoformat()} to {end}")
    return Text(f"自{document.in_force_from.isoformat()}起", f"from {document.in_force_from.isoformat()}, with no end date")


def _evaluate_rule(rule: Rule, document: Document, profile: Profile, as_of: date) -> _Outcome:
    if not document.in_force_on(as_of):
        record(rule.id, "window=before" if as_of < document.in_force_from else "window=after")
        window = _window_text(document)
        reason = {
            "condition": "in_force",
            "operator": "in_force",
            "threshold": {"from": document.in_force_from.isoformat(), "to": document.in_force_to.isoformat() if document.in_force_to else None},
            "value": as_of.isoformat(),
            "held": False,
            "text": Text(
                f"{document.number}的有效期为{window.zh}，{as_of.isoformat()}不在有效期内。",
                f"{document.number} is in force {window.en}; {as_of.isoformat()} is outside that window.",
            ).as_dict(),
        }
        return _Outcome(rule, document, "not_in_force", Amount(ZERO, ZERO) if rule.monetary else None, [reason])
    facts = FactContext(profile, rule.id, as_of.year)
    for index, _variant in enumerate(rule.variants):
        record(rule.id, f"variants[{index}]=not_applied")  # superseded wording: recorded, never evaluated
    result = check(rule.conditions, facts)
    outcome = _decide(rule, document, facts, result)
    record(rule.id, f"status={outcome.status}")
    if outcome.amount is not None and outcome.amount.low > 0 and len(rule.payers) > 1:
        record(rule.id, "payers=split")
    return outcome


def _decide(rule: Rule, document: Document, facts: FactContext, result: Any) -> _Outcome:
    if result.held is False:
        return _Outcome(rule, document, "ineligible", Amount(ZERO, ZERO) if rule.monetary else None, result.reasons)
    status = "eligible" if result.held else "undetermined"
    if not rule.monetary:
        return _Outcome(rule, document, status, None, result.reasons, result.missing)
    calc = calculate(rule, facts)
    missing = list(result.missing) + [m for m in calc.missing if m not in result.missing]
    amount = calc.amount if result.held else Amount(ZERO, calc.amount.high)
    if calc.amount.high == ZERO:
        # Every condition that is known holds, yet nothing can be paid (e.g. the tier is already paid).
        return _Outcome(rule, document, "ineligible", Amount(ZERO, ZERO), result.reasons, [], calc.steps)
    if result.held and calc.amount.exact:
        missing = []
    return _Outcome(rule, document, status, amount, result.reasons, missing, calc.steps)


def _apply_stacking(outcomes: list[_Outcome]) -> list[list[_Outcome]]:
    """Group outcomes for totals; where a document says 就高不重复, pay only the highest of a kind."""
    groups: dict[str, list[_Outcome]] = {}
    for outcome in outcomes:
        if outcome.amount is not None:
            groups.setdefault(outcome.rule.kind, []).append(outcome)
    result: list[list[_Outcome]] = []
    for members in groups.values():
        stacked = [m for m in members if m.document.stacking == "highest_only"]
        if len(members) < 2 or not stacked:
            result.extend([m] for m in members)
            continue
        basis = stacked[0].document
        payable = [m for m in members if m.status == "eligible"]
        if len(payable) >= 2:
            winner = max(payable, key=lambda m: (m.amount.low, m.amount.high is None, m.amount.high or ZERO) if m.amount else (ZERO, False, ZERO))
            for member in payable:
                if member is winner:
                    member.stacking = {"rule": basis.stacking, "paid": True, "instead_of": [m.rule.id for m in payable if m is not winner]}
                    continue
                member.stacking = {
                    "rule": basis.stacking,
                    "paid": False,
                    "paid_instead": winner.rule.id,
                    "quote": basis.stacking_quote,
                    "text": Text(
                        f"按就高不重复原则，同类奖励只享受较高的{winner.rule.id}，本项不重复支付。",
                        f"Highest only, never twice (就高不重复): the higher award of the same kind, {winner.rule.id}, is paid instead of this one.",
                    ).as_dict(),
                }
                member.amount = Amount(ZERO, ZERO)
        result.append(members)
    return result


def _group_total(group: list[_Outcome], highest_only: bool) -> Amount:
    amounts = [m.amount for m in group if m.amount is not None]
    if not highest_only:
        total = Amount(ZERO, ZERO)
        for amount in amounts:
            total = total + amount
        return total
    high = None if any(a.high is None for a in amounts) else max(a.high for a in amounts if a.high is not None)
    return Amount(max(a.low for a in amounts), high)


def _money_range(amount: Amount) -> dict[str, str | None]:
    return {"min": format_money(amount.low), "max": None if amount.high is None else format_money(amount.high)}


def _payer_name(payer: str, city_name: Text, district: str | None) -> dict[str, str] | None:
    if payer == "city":
        return city_name.as_dict()
    return None if district is None else {"zh": district, "en": district}


def _share_text(share: Fraction) -> str:
    """A payer's share as a decimal string, e.g. "0.5"; thirds are given to six places."""
    exact = Decimal(share.numerator) / Decimal(share.denominator)
    return str(exact.quantize(Decimal("0.000001")).normalize()) if exact != 1 else "1"


def _split(outcome: _Outcome, city_name: Text, district: str | None) -> list[dict[str, Any]]:
    if outcome.amount is None:
        return []
    shares = [p.share for p in outcome.rule.payers]
    lows = split_by_shares(outcome.amount.low, shares)
    highs = split_by_shares(outcome.amount.high, shares) if outcome.amount.high is not None else [None] * len(shares)
    return [
        {
            "payer": p.payer,
            "name": _payer_name(p.payer, city_name, district),
            "share": _share_text(p.share),
            "amount": {"min": format_money(lo), "max": None if hi is None else format_money(hi)},
        }
        for p, lo, hi in zip(outcome.rule.payers, lows, highs)
    ]


def _summary(outcome: _Outcome, as_of: date) -> Text:
    rule = outcome.rule
    if outcome.status == "not_in_force":
        window = _window_text(outcome.document)
        return Text(f"{as_of.isoformat()}不在有效期内（{window.zh}）。", f"Not in force on {as_of.isoformat()} (in force {window.en}).")
    if outcome.status == "ineligible":
        failed = next((r for r in outcome.reasons if r.get("held") is False and "fact" in r), None)
        if failed is not None:
            text = failed["text"]
            assert isinstance(text, dict)
            return Text(f"不符合条件：{text['zh']}", f"Not eligible: {text['en']}")
        return Text("不符合条件：按本条款已无可支付金额。", "Not eligible: nothing remains payable under this clause.")
    if not rule.monetary:
        assert rule.award.benefit is not None
        if outcome.status == "eligible":
            return Text(f"符合条件（非资金支持）：{rule.award.benefit.zh}", f"Eligible (non-monetary): {rule.award.benefit.en}")
        return Text(f"尚待确定（非资金支持）：{rule.award.benefit.zh}", f"Undetermined (non-monetary): {rule.award.benefit.en}")
    assert outcome.amount is not None
    if outcome.stacking and outcome.stacking.get("paid") is False:
        return Text("符合条件，但按就高不重复原则不重复支付。", "Eligible, but not paid twice: only the higher award of the same kind is paid.")
    low = format_money_text(outcome.amount.low)
    high = "no upper bound" if outcome.amount.high is None else f"{format_money_text(outcome.amount.high)} yuan"
    high_zh = "上限未定" if outcome.amount.high is None else f"{format_money_text(outcome.amount.high)}元"
    needs = ", ".join(outcome.missing)
    if outcome.status == "eligible" and outcome.amount.exact:
        return Text(f"符合条件：奖励{low}元。", f"Eligible: {low} yuan.")
    if outcome.status == "eligible":
        return Text(f"符合条件：奖励{low}元至{high_zh}，取决于{needs or '主管部门核定'}。", f"Eligible: {low} yuan to {high}, depending on {needs or 'the authority'}.")
    if outcome.amount.high is None:
        return Text(f"尚待确定：金额上限未定，需提供{needs}。", f"Undetermined: no upper bound yet; needs {needs}.")
    return Text(f"尚待确定：最多{high_zh}，需提供{needs}。", f"Undetermined: up to {high}; needs {needs}.")


def _outcome_data(outcome: _Outcome, payers: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    rule, document = outcome.rule, outcome.document
    data: dict[str, Any] = {
        "rule": rule.id,
        "document": document.id,
        "title": rule.title.as_dict(),
        "kind": rule.kind,
        "status": outcome.status,
        "monetary": rule.monetary,
        "amount": _money_range(outcome.amount) if outcome.amount is not None else None,
        "payers": payers,
        "summary": _summary(outcome, as_of).as_dict(),
        "reasons": outcome.reasons,
        "calculation": outcome.steps,
        "missing_facts": outcome.missing,
        "citation": {"number": document.number, "clause": rule.clause, "quote": rule.quote, "source": document.source},
        "interpretation": rule.interpretation.as_dict() if rule.interpretation else None,
        "benefit": rule.award.benefit.as_dict() if rule.award.benefit else None,
    }
    if outcome.stacking is not None:
        data["stacking"] = outcome.stacking
    return data


def _check_prior_rules(profile: Profile, rulebook: Rulebook) -> None:
    errors: dict[str, list[str]] = {}
    for index, award in enumerate(profile.prior_awards or ()):
        if award.rule not in rulebook.rules:
            errors[f"profile.prior_awards[{index}].rule"] = [f"Unknown rule '{award.rule}'; use a rule id such as suzhou.revenue_milestone (see `subsidy rules`)."]
    if errors:
        raise InputError(errors)


def evaluate(
    profile: Mapping[str, Any] | Profile,
    city: str,
    as_of: date | str | None = None,
    district: str | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """Evaluate every rule of ``city``'s documents and the national ones for ``profile`` on ``as_of``.

    Raises InputError naming the field for an unknown city, a bad date or an invalid profile.
    """
    book = rulebook or default_rulebook()
    errors: dict[str, list[str]] = {}
    if city not in book.cities:
        errors["city"] = [f"Unknown city '{city}'; use one of: {', '.join(sorted(book.cities))}."]
    day = date.today() if as_of is None else None
    try:
        if as_of is not None:
            day = parse_as_of(as_of)
    except InputError as exc:
        errors.update(exc.errors)
    if district is not None and (not isinstance(district, str) or not district.strip() or len(district) > 64):
        errors["district"] = ["Must be a district name of 1 to 64 characters, e.g. 江汉区."]
    parsed = collect_profile(profile, errors)
    if errors:
        raise InputError(errors)
    assert day is not None
    _check_prior_rules(parsed, book)
    city_name = book.cities[city]
    outcomes = [
        _evaluate_rule(rule, document, parsed, day)
        for document in book.documents_for(city)
        for rule in document.rules
    ]
    groups = _apply_stacking(outcomes)
    total = Amount(ZERO, ZERO)
    payers: dict[str, Amount] = {}
    for group in groups:
        highest_only = len(group) > 1
        total = total + _group_total(group, highest_only)
    splits = [_split(outcome, city_name, district) for outcome in outcomes]
    for split in splits:
        for entry in split:
            low, high = entry["amount"]["min"], entry["amount"]["max"]
            part = Amount(Decimal(low), None if high is None else Decimal(high))
            payers[entry["payer"]] = payers.get(entry["payer"], Amount(ZERO, ZERO)) + part
    missing = {m for o in outcomes for m in o.missing}
    return {
        "city": city,
        "city_name": city_name.as_dict(),
        "district": district,
        "as_of": day.isoformat(),
        "rulebook": {"digest": book.digest},
        "total": _money_range(total),
        "payers": [
            {"payer": payer, "name": _payer_name(payer, city_name, district), "amount": _money_range(amount)}
            for payer, amount in sorted(payers.items(), key=lambda item: ("city", "district").index(item[0]))
        ],
        "missing_facts": [name for name in _FACT_ORDER if name in missing],
        "outcomes": [_outcome_data(o, split, day) for o, split in zip(outcomes, splits)],
    }
