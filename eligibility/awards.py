"""Award forms and caps as interval arithmetic over yuan.

Every award is computed as a range [low, high] (high None when unbounded) so that unknown facts
widen it honestly: an unknown count of projects is "0 upwards", an unknown cap fact may bind at
anything. Each step says in both languages what it did, so every yuan of a result is explained.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .conditions import FactContext
from .coverage import record
from .model import Award, Cap, Rule, Text
from .money import ZERO, format_money, format_money_text
from .text import fact_label, value_text

__all__ = ["Amount", "Calculation", "calculate"]


@dataclass(frozen=True)
class Amount:
    """A range of yuan; ``high`` None means no upper bound."""

    low: Decimal
    high: Decimal | None

    @property
    def exact(self) -> bool:
        return self.high == self.low

    def cap(self, other: Amount) -> Amount:
        high = other.high if self.high is None else (self.high if other.high is None else min(self.high, other.high))
        return Amount(min(self.low, other.low), high)

    def __add__(self, other: Amount) -> Amount:
        high = None if self.high is None or other.high is None else self.high + other.high
        return Amount(self.low + other.low, high)


@dataclass
class Calculation:
    """An award's range, the steps that produced it, and the facts that would narrow it."""

    amount: Amount
    steps: list[dict[str, object]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def step(self, kind: str, text: Text, amount: Amount | None = None) -> None:
        entry: dict[str, object] = {"step": kind, "text": {"zh": text.zh, "en": text.en[:1].upper() + text.en[1:]}}
        if amount is not None:
            entry["amount"] = {"min": format_money(amount.low), "max": None if amount.high is None else format_money(amount.high)}
        self.steps.append(entry)

    def need(self, names: tuple[str, ...]) -> None:
        self.missing.extend(n for n in names if n not in self.missing)


def _yuan(amount: Decimal) -> Text:
    return Text(f"{format_money_text(amount)}元", f"{format_money_text(amount)} yuan")


def _base(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    if award.form == "fixed" and award.by is not None:
        return _fixed_by(award, facts, calc)
    if award.form in ("fixed", "capped", "ranged"):
        record(facts.rule, f"award={award.form}")
    if award.form == "fixed":
        assert award.amount is not None
        calc.step("fixed", Text(f"固定奖励{_yuan(award.amount).zh}。", f"Fixed award of {_yuan(award.amount).en}."))
        return Amount(award.amount, award.amount)
    if award.form == "capped":
        assert award.up_to is not None
        up = _yuan(award.up_to)
        calc.step("up_to", Text(f"最高{up.zh}。", f"Up to {up.en}."))
        return Amount(award.up_to, award.up_to)
    if award.form == "ranged":
        assert award.minimum is not None and award.maximum is not None
        low, high = _yuan(award.minimum), _yuan(award.maximum)
        calc.step("ranged", Text(f"奖励在{low.zh}至{high.zh}之间，由主管部门核定。", f"Between {low.en} and {high.en}, as the authority decides."))
        return Amount(award.minimum, award.maximum)
    if award.form == "per_unit":
        return _per_unit(award, facts, calc)
    return _tiered(award, facts, calc)


def _fixed_by(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    assert award.by is not None
    known = facts.get(award.by)
    label = fact_label(award.by)
    table = dict(award.amounts)
    record(facts.rule, f"award={'unknown' if known.value is None else known.value}")
    if known.value is None:
        calc.need(known.missing)
        top = max(table.values())
        amount = Amount(ZERO, top)
        calc.step("fixed", Text(f"{label.zh}未知：奖励在0至{_yuan(top).zh}之间。", f"{label.en} unknown: between 0 and {_yuan(top).en}."), amount)
        return amount
    value = table.get(str(known.value), ZERO)
    shown = value_text(award.by, known.value)
    calc.step("fixed", Text(f"{label.zh}为{shown.zh}：固定奖励{_yuan(value).zh}。", f"{label.en} is {shown.en}: fixed award of {_yuan(value).en}."), Amount(value, value))
    return Amount(value, value)


def _per_unit(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    total = Amount(ZERO, ZERO)
    for unit in award.units:
        known = facts.get(unit.fact)
        record(facts.rule, f"unit[{unit.fact}]={'unknown' if known.value is None else 'counted'}")
        label, each = fact_label(unit.fact), _yuan(unit.amount)
        if known.value is None:
            calc.need(known.missing)
            part = Amount(ZERO, None)
            calc.step("per_unit", Text(f"{label.zh}未知：每项{each.zh}，上限未定。", f"{label.en} unknown: {each.en} each, no upper bound."), part)
        else:
            assert isinstance(known.value, int)
            value = unit.amount * known.value
            part = Amount(value, value)
            calc.step(
                "per_unit",
                Text(f"{label.zh}{known.value}项 × 每项{each.zh} = {_yuan(value).zh}。", f"{known.value} × {each.en} per unit ({label.en}) = {_yuan(value).en}."),
                part,
            )
        total = total + part
    return total


def _tiered(award: Award, facts: FactContext, calc: Calculation) -> Amount:
    assert award.fact is not None
    known = facts.get(award.fact)
    label = fact_label(award.fact)
    top = award.tiers[-1].amount
    if known.value is None:
        record(facts.rule, "tier=unknown")
        calc.need(known.missing)
        tier = Amount(ZERO, top)
        calc.step("tier", Text(f"{label.zh}未知：档位在0至{_yuan(top).zh}之间。", f"{label.en} unknown: the tier reached is between 0 and {_yuan(top).en}."), tier)
    else:
        assert isinstance(known.value, Decimal)
        value = known.value
        reached = [t for t in award.tiers if (value >= t.threshold if award.inclusive else value > t.threshold)]
        shown = value_text(award.fact, value)
        if reached:
            record(facts.rule, f"tier={len(reached)}")
            best = reached[-1]
            word = Text("达到", "at least") if award.inclusive else Text("超过", "more than")
            tier = Amount(best.amount, best.amount)
            calc.step(
                "tier",
                Text(
                    f"{label.zh}{shown.zh}，{word.zh}{_yuan(best.threshold).zh}：所达最高档奖励{_yuan(best.amount).zh}。",
                    f"{label.en} {shown.en} is {word.en} {_yuan(best.threshold).en}: highest tier reached pays {_yuan(best.amount).en}.",
                ),
                tier,
            )
        else:
            tier = Amount(ZERO, ZERO)
            calc.step("tier", Text(f"{label.zh}{shown.zh}，未达任何档位。", f"{label.en} {shown.en} reaches no tier."), tier)
    if award.pay != "difference":
        return tier
    paid = facts.get("paid_before")
    if paid.value is None:
        record(facts.rule, "difference=unknown")
        calc.need(paid.missing)
        result = Amount(ZERO, tier.high)
        calc.step(
            "difference",
            Text("本条款已支付金额未知（需提供以往奖励记录）：差额补足后可能为0。", "Amount already paid under this clause unknown (give prior_awards): after deducting it the award may be 0."),
            result,
        )
        return result
    assert isinstance(paid.value, Decimal)
    record(facts.rule, "difference=deducted" if paid.value > 0 else "difference=nothing_paid_before")
    high = None if tier.high is None else max(ZERO, tier.high - paid.value)
    result = Amount(max(ZERO, tier.low - paid.value), high)
    calc.step(
        "difference",
        Text(
            f"本条款已支付{_yuan(paid.value).zh}，差额补足：{_yuan(result.low).zh}。" if result.exact else f"本条款已支付{_yuan(paid.value).zh}，按差额补足。",
            f"Already paid {_yuan(paid.value).en} under this clause; the difference is {_yuan(result.low).en}." if result.exact else f"Already paid {_yuan(paid.value).en} under this clause; only the difference is paid.",
        ),
        result,
    )
    return result


def _cap(cap: Cap, facts: FactContext, calc: Calculation) -> tuple[Amount, Text]:
    if cap.kind == "limit":
        assert cap.amount is not None
        return Amount(cap.amount, cap.amount), Text(f"上限{_yuan(cap.amount).zh}", f"the limit of {_yuan(cap.amount).en}")
    if cap.kind == "cumulative":
        assert cap.amount is not None
        paid = facts.get("paid_before")
        label = Text(f"本条款累计上限{_yuan(cap.amount).zh}", f"the lifetime limit of {_yuan(cap.amount).en} under this clause")
        if paid.value is None:
            calc.need(paid.missing)
            return Amount(ZERO, cap.amount), label
        assert isinstance(paid.value, Decimal)
        left = max(ZERO, cap.amount - paid.value)
        return Amount(left, left), Text(f"{label.zh}（已支付{_yuan(paid.value).zh}，余{_yuan(left).zh}）", f"{label.en} ({_yuan(paid.value).en} already paid, {_yuan(left).en} left)")
    assert cap.fact is not None
    known = facts.get(cap.fact)
    label = fact_label(cap.fact)
    if known.value is None:
        calc.need(known.missing)
        return Amount(ZERO, None), Text(f"{label.zh}（未知）", f"the {label.en} (unknown)")
    assert isinstance(known.value, Decimal)
    return Amount(known.value, known.value), Text(f"{label.zh}{_yuan(known.value).zh}", f"the {label.en} of {_yuan(known.value).en}")


def calculate(rule: Rule, facts: FactContext, award: Award | None = None, caps: tuple[Cap, ...] | None = None) -> Calculation:
    """The range a monetary rule pays given the facts, with every step explained."""
    award = award or rule.award
    calc = Calculation(Amount(ZERO, ZERO))
    amount = _base(award, facts, calc)
    for index, cap in enumerate(rule.caps if caps is None else caps):
        limit, label = _cap(cap, facts, calc)
        capped = amount.cap(limit)
        if amount.high is not None and limit.low >= amount.high:
            state, branch = Text("未触及", "not binding"), "not_binding"
        elif limit.high is not None and limit.high < amount.low:
            state, branch = Text("触及上限", "binding"), "binding"
        else:
            state, branch = Text("可能触及", "may bind"), "unknown"
        if caps is None:
            record(facts.rule, f"caps[{index}]={branch}")
        calc.step(
            "cap",
            Text(
                f"受{label.zh}限制：{state.zh}，奖励为{_range_text(capped).zh}。",
                f"Capped by {label.en}: {state.en}, the award is {_range_text(capped).en}.",
            ),
            capped,
        )
        amount = capped
    calc.amount = amount
    return calc


def _range_text(amount: Amount) -> Text:
    if amount.exact:
        return _yuan(amount.low)
    if amount.high is None:
        return Text(f"{_yuan(amount.low).zh}以上", f"{_yuan(amount.low).en} or more")
    return Text(f"{_yuan(amount.low).zh}至{_yuan(amount.high).zh}", f"{_yuan(amount.low).en} to {_yuan(amount.high).en}")
