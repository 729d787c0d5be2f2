"""Award forms and caps as interval arithmetic over yuan, with every step explained on demand.

Every award is computed as a range [low, high] (high None when unbounded) so that unknown facts
widen it honestly: an unknown count of projects is "0 upwards", an unknown cap fact may bind at
anything. Each step records what it did and with which figures; ``Calculation.explained`` says it in
both languages, so every yuan of a result is explained, and the words cost nothing until read.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from .model import DIFFERENCE_BRANCHES as _DIFFERENCE
from .model import (
    Award,
    Cap,
    CappedAward,
    FixedAward,
    NonMonetaryAward,
    PerUnitAward,
    RangedAward,
    Rule,
    TableAward,
    Text,
    TieredAward,
    cap_branch,
)
from .money import ZERO, format_money, format_money_text
from .profile import FactContext
from .text import fact_label, value_text

__all__ = ["Amount", "Calculation", "Step", "calculate", "calculation_reads"]


class Amount(NamedTuple):
    """A range of yuan; ``high`` None means no upper bound."""

    low: Decimal
    high: Decimal | None

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def cap(self, other: Amount) -> Amount:
        high = other.high if self.high is None else (self.high if other.high is None else min(self.high, other.high))
        return Amount(min(self.low, other.low), high)

    def __add__(self, other: object) -> Amount:
        assert isinstance(other, Amount)
        high = None if self.high is None or other.high is None else self.high + other.high
        return Amount(self.low + other.low, high)


NOTHING = Amount(ZERO, ZERO)
NOTHING_PAID, DEDUCTED, UNKNOWN_PAID = _DIFFERENCE


class Step(NamedTuple):
    """One step of a calculation: its kind, the branch it took, and how to say it."""

    kind: str
    branch: str | None
    words: Callable[..., Text]
    figures: tuple[Any, ...]
    amount: Amount | None


class Calculation:
    """An award's range, the steps that produced it, and the facts that would narrow it."""

    __slots__ = ("amount", "missing", "steps")

    def __init__(self) -> None:
        self.amount = NOTHING
        self.steps: list[Step] = []
        self.missing: list[str] = []

    def need(self, names: tuple[str, ...]) -> None:
        self.missing.extend(n for n in names if n not in self.missing)

    def explained(self, lang: str | None = None) -> list[dict[str, object]]:
        """Every step in ``lang`` (both languages when None), with the range it left."""
        out: list[dict[str, object]] = []
        for step in self.steps:
            text = step.words(*step.figures)
            en = text.en[:1].upper() + text.en[1:]
            said: object = {"zh": text.zh, "en": en} if lang is None else text.zh if lang == "zh" else en
            entry: dict[str, object] = {"step": step.kind, "text": said}
            if step.amount is not None:
                high = step.amount.high
                entry["amount"] = {"min": format_money(step.amount.low), "max": None if high is None else format_money(high)}
            out.append(entry)
        return out


def _yuan(amount: Decimal) -> Text:
    return _yuan_words(format_money_text(amount))


@lru_cache(maxsize=4096)
def _yuan_words(shown: str) -> Text:
    return Text(f"{shown}元", f"{shown} yuan")


# -- the words of each step, given its figures ------------------------------------------------------


def _fixed_words(amount: Decimal) -> Text:
    return Text(f"固定奖励{_yuan(amount).zh}。", f"Fixed award of {_yuan(amount).en}.")


def _up_to_words(amount: Decimal) -> Text:
    up = _yuan(amount)
    return Text(f"最高{up.zh}。", f"Up to {up.en}.")


def _ranged_words(minimum: Decimal, maximum: Decimal) -> Text:
    low, high = _yuan(minimum), _yuan(maximum)
    return Text(f"奖励在{low.zh}至{high.zh}之间，由主管部门核定。", f"Between {low.en} and {high.en}, as the authority decides.")


def _fixed_by_words(by: str, value: object, amount: Decimal) -> Text:
    label = fact_label(by)
    if value is None:
        return Text(f"{label.zh}未知：奖励在0至{_yuan(amount).zh}之间。", f"{label.en} unknown: between 0 and {_yuan(amount).en}.")
    shown = value_text(by, value)
    return Text(f"{label.zh}为{shown.zh}：固定奖励{_yuan(amount).zh}。", f"{label.en} is {shown.en}: fixed award of {_yuan(amount).en}.")


def _per_unit_words(fact: str, each: Decimal, count: int | None, value: Decimal | None) -> Text:
    label, unit = fact_label(fact), _yuan(each)
    if count is None or value is None:
        return Text(f"{label.zh}未知：每项{unit.zh}，上限未定。", f"{label.en} unknown: {unit.en} each, no upper bound.")
    return Text(f"{label.zh}{count}项 × 每项{unit.zh} = {_yuan(value).zh}。", f"{count} × {unit.en} per unit ({label.en}) = {_yuan(value).en}.")


def _tier_words(award: TieredAward, value: Decimal | None, best: int | None) -> Text:
    label = fact_label(award.fact)
    if value is None:
        top = award.tiers[-1].amount
        return Text(f"{label.zh}未知：档位在0至{_yuan(top).zh}之间。", f"{label.en} unknown: the tier reached is between 0 and {_yuan(top).en}.")
    shown = value_text(award.fact, value)
    if best is None:
        return Text(f"{label.zh}{shown.zh}，未达任何档位。", f"{label.en} {shown.en} reaches no tier.")
    tier = award.tiers[best]
    word = Text("达到", "at least") if award.inclusive else Text("超过", "more than")
    return Text(
        f"{label.zh}{shown.zh}，{word.zh}{_yuan(tier.threshold).zh}：所达最高档奖励{_yuan(tier.amount).zh}。",
        f"{label.en} {shown.en} is {word.en} {_yuan(tier.threshold).en}: highest tier reached pays {_yuan(tier.amount).en}.",
    )


def _difference_words(paid: Decimal | None, result: Amount) -> Text:
    if paid is None:
        return Text(
            "本条款已支付金额未知（需提供以往奖励记录）：差额补足后可能为0。",
            "Amount already paid under this clause unknown (give the award history): after deducting it the award may be 0.",
        )
    if result.exact:
        return Text(
            f"本条款已支付{_yuan(paid).zh}，差额补足：{_yuan(result.low).zh}。",
            f"Already paid {_yuan(paid).en} under this clause; the difference is {_yuan(result.low).en}.",
        )
    return Text(f"本条款已支付{_yuan(paid).zh}，按差额补足。", f"Already paid {_yuan(paid).en} under this clause; only the difference is paid.")


_STATES = {"not_binding": Text("未触及", "not binding"), "binding": Text("触及上限", "binding"), "unknown": Text("可能触及", "may bind")}


def _cap_label(cap: Cap, value: Decimal | None) -> Text:
    if cap.kind == "limit":
        assert cap.amount is not None
        return Text(f"上限{_yuan(cap.amount).zh}", f"the limit of {_yuan(cap.amount).en}")
    if cap.kind == "cumulative":
        assert cap.amount is not None
        label = Text(f"本条款累计上限{_yuan(cap.amount).zh}", f"the lifetime limit of {_yuan(cap.amount).en} under this clause")
        if value is None:
            return label
        left = max(ZERO, cap.amount - value)
        return Text(f"{label.zh}（已支付{_yuan(value).zh}，余{_yuan(left).zh}）", f"{label.en} ({_yuan(value).en} already paid, {_yuan(left).en} left)")
    assert cap.fact is not None
    name = fact_label(cap.fact)
    if value is None:
        return Text(f"{name.zh}（未知）", f"the {name.en} (unknown)")
    return Text(f"{name.zh}{_yuan(value).zh}", f"the {name.en} of {_yuan(value).en}")


def _cap_words(cap: Cap, value: Decimal | None, state: str, capped: Amount) -> Text:
    label, said, result = _cap_label(cap, value), _STATES[state], _range_text(capped)
    return Text(f"受{label.zh}限制：{said.zh}，奖励为{result.zh}。", f"Capped by {label.en}: {said.en}, the award is {result.en}.")


def _range_text(amount: Amount) -> Text:
    if amount.exact:
        return _yuan(amount.low)
    if amount.high is None:
        return Text(f"{_yuan(amount.low).zh}以上", f"{_yuan(amount.low).en} or more")
    return Text(f"{_yuan(amount.low).zh}至{_yuan(amount.high).zh}", f"{_yuan(amount.low).en} to {_yuan(amount.high).en}")


# -- the arithmetic ---------------------------------------------------------------------------------


def _base(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    amount = _gross(award, facts, calc)
    return _difference(amount, facts, calc) if award.pay == "difference" else amount


def _gross(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    match award:
        case FixedAward(amount=amount):
            calc.steps.append(Step("fixed", FixedAward.BRANCH, _fixed_words, (amount,), None))
            return Amount(amount, amount)
        case TableAward():
            return _table(award, facts, calc)
        case CappedAward(up_to=up_to):
            calc.steps.append(Step("up_to", CappedAward.BRANCH, _up_to_words, (up_to,), None))
            return Amount(up_to, up_to)
        case RangedAward(minimum=minimum, maximum=maximum):
            calc.steps.append(Step("ranged", RangedAward.BRANCH, _ranged_words, (minimum, maximum), None))
            return Amount(minimum, maximum)
        case PerUnitAward():
            return _per_unit(award, facts, calc)
        case TieredAward():
            return _tiered(award, facts, calc)
        case NonMonetaryAward():
            raise AssertionError("a non-monetary award has no amount")


def _table(award: TableAward, facts: FactContext, calc: Calculation) -> Amount:
    value = facts.value(award.by)
    table = dict(award.amounts)
    if value is None:
        calc.need(facts.get(award.by).missing)
        top = award.ceiling
        amount = Amount(ZERO, top)
        calc.steps.append(Step("fixed", award.branch(None), _fixed_by_words, (award.by, None, top), amount))
        return amount
    paid = table.get(str(value), ZERO)
    amount = Amount(paid, paid)
    calc.steps.append(Step("fixed", award.branch(value), _fixed_by_words, (award.by, value, paid), amount))
    return amount


def _per_unit(award: PerUnitAward, facts: FactContext, calc: Calculation) -> Amount:
    total = NOTHING
    for unit in award.units:
        count = facts.value(unit.fact)
        if count is None:
            calc.need(facts.get(unit.fact).missing)
            part = Amount(ZERO, None)
            calc.steps.append(Step("per_unit", award.branch(unit.fact, False), _per_unit_words, (unit.fact, unit.amount, None, None), part))
        else:
            assert isinstance(count, int)
            value = unit.amount * count
            part = Amount(value, value)
            calc.steps.append(Step("per_unit", award.branch(unit.fact, True), _per_unit_words, (unit.fact, unit.amount, count, value), part))
        total = total + part
    return total


def _tiered(award: TieredAward, facts: FactContext, calc: Calculation) -> Amount:
    value = facts.value(award.fact)
    if value is None:
        calc.need(facts.get(award.fact).missing)
        tier = Amount(ZERO, award.ceiling)
        calc.steps.append(Step("tier", award.branch(None), _tier_words, (award, None, None), tier))
    else:
        assert isinstance(value, Decimal)
        reached, best = 0, -1
        for index, t in enumerate(award.tiers):
            if value >= t.threshold if award.inclusive else value > t.threshold:
                reached, best = reached + 1, index
        if reached:
            paid_at = award.tiers[best].amount
            tier = Amount(paid_at, paid_at)
            calc.steps.append(Step("tier", award.branch(reached), _tier_words, (award, value, best), tier))
        else:
            tier = NOTHING
            calc.steps.append(Step("tier", None, _tier_words, (award, value, None), tier))
    return tier


def _difference(gross: Amount, facts: FactContext, calc: Calculation) -> Amount:
    """The award minus what the rule already paid (差额补足), never below zero."""
    paid = facts.value("paid_before")
    if paid is None:
        calc.need(("prior_awards",))
        result = Amount(ZERO, gross.high)
        calc.steps.append(Step("difference", UNKNOWN_PAID, _difference_words, (None, result), result))
        return result
    assert isinstance(paid, Decimal)
    high = None if gross.high is None else max(ZERO, gross.high - paid)
    result = Amount(max(ZERO, gross.low - paid), high)
    branch = DEDUCTED if paid > 0 else NOTHING_PAID
    calc.steps.append(Step("difference", branch, _difference_words, (paid, result), result))
    return result


def _limit(cap: Cap, facts: FactContext, calc: Calculation) -> tuple[Amount, Decimal | None]:
    """The range a cap allows, and the fact value (or amount paid) it was worked out from."""
    if cap.kind == "limit":
        assert cap.amount is not None
        return Amount(cap.amount, cap.amount), None
    if cap.kind == "cumulative":
        assert cap.amount is not None
        paid = facts.value("paid_before")
        if paid is None:
            calc.need(("prior_awards",))
            return Amount(ZERO, cap.amount), None
        assert isinstance(paid, Decimal)
        left = max(ZERO, cap.amount - paid)
        return Amount(left, left), paid
    assert cap.fact is not None
    value = facts.value(cap.fact)
    if value is None:
        calc.need(facts.get(cap.fact).missing)
        return Amount(ZERO, None), None
    assert isinstance(value, Decimal)
    return Amount(value, value), value


def calculate(rule: Rule, facts: FactContext) -> Calculation:
    """The range a monetary rule pays given the facts, with every step recorded."""
    calc = Calculation()
    amount = _base(rule.award, facts, calc)
    for index, cap in enumerate(rule.caps):
        limit, value = _limit(cap, facts, calc)
        capped = amount.cap(limit)
        if amount.high is not None and limit.low >= amount.high:
            state = "not_binding"
        elif limit.high is not None and limit.high < amount.low:
            state = "binding"
        else:
            state = "unknown"
        calc.steps.append(Step("cap", cap_branch(index, state), _cap_words, (cap, value, state, capped), capped))
        amount = capped
    calc.amount = amount
    return calc


def calculation_reads(rule: Rule) -> tuple[str, ...] | None:
    """The facts ``calculate`` reads for ``rule``, or None when it reads what the rule paid before
    (差额补足, a lifetime limit): the calculation is the same for every company with the same values."""
    award = rule.award
    if award.pay == "difference" or any(cap.kind == "cumulative" for cap in rule.caps):
        return None
    match award:
        case TableAward(by=by):
            names: tuple[str, ...] = (by,)
        case PerUnitAward(units=units):
            names = tuple(unit.fact for unit in units)
        case TieredAward(fact=fact):
            names = (fact,)
        case _:
            names = ()
    return names + tuple(cap.fact for cap in rule.caps if cap.fact is not None)
