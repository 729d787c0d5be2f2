"""Three-valued evaluation of conditions, with a reason for every test.

A condition is True, False or None (cannot be settled: a fact it needs is unknown). ``all`` is False
as soon as one item is False, even when others are unknown; ``any`` is True as soon as one is True.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .coverage import record
from .facts import FACTS
from .model import AllOf, AnyOf, Condition, Leaf, Not, Text
from .profile import Profile
from .text import fact_label, json_value, requirement, value_text, verdict

__all__ = ["Check", "FactContext", "check"]


@dataclass(frozen=True)
class Known:
    """A fact's value, or why it is unknown."""

    value: object | None
    missing: tuple[str, ...] = ()
    why_unknown: Text | None = None


_NOT_POSITIVE = Text(
    "上年营业收入为零或负数，无法计算增速",
    "last year's operating revenue is zero or less, so growth cannot be computed",
)


@dataclass(frozen=True)
class FactContext:
    """Resolves given and derived facts for one rule of one estimate."""

    profile: Profile
    rule: str
    year: int

    def get(self, name: str) -> Known:
        if name == "operating_revenue_growth":
            growth, reason = self.profile.growth()
            if growth is not None:
                return Known(growth)
            if reason is not None:
                return Known(None, why_unknown=_NOT_POSITIVE)
            missing = tuple(n for n in FACTS[name].derived_from if self.profile.get(n) is None)
            return Known(None, missing)
        if name == "paid_before":
            paid = self.profile.paid_before(self.rule, self.year)
            return Known(paid) if paid is not None else Known(None, ("prior_awards",))
        value = self.profile.get(name)
        return Known(value) if value is not None else Known(None, (name,))


@dataclass
class Check:
    """The result of a condition: whether it held, why, and which facts would settle it."""

    held: bool | None
    reasons: list[dict[str, object]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _compare(op: str, value: object, operand: object) -> bool:
    if op == "in":
        assert isinstance(operand, tuple)
        return value in operand
    if op == "not_in":
        assert isinstance(operand, tuple)
        return value not in operand
    if op == "eq":
        return value == operand
    if op == "ne":
        return value != operand
    left, right = _number(value), _number(operand)
    if op == "gt":
        return left > right
    if op == "ge":
        return left >= right
    if op == "lt":
        return left < right
    return left <= right


def _number(value: object) -> Fraction:
    """Exact rational for comparisons: Decimal, int and Fraction compare without rounding."""
    if isinstance(value, (Fraction, int)):
        return Fraction(value)
    assert isinstance(value, Decimal)
    return Fraction(value)


def _leaf(leaf: Leaf, facts: FactContext) -> Check:
    known = facts.get(leaf.fact)
    label = leaf.label or fact_label(leaf.fact)
    need = requirement(leaf.fact, leaf.op, leaf.operand)
    if leaf.op in ("known", "unknown"):
        held: bool | None = (known.value is not None) == (leaf.op == "known")
    elif known.value is None:
        held = None
    else:
        held = _compare(leaf.op, known.value, leaf.operand)
    if known.value is not None:
        shown = value_text(leaf.fact, known.value)
    elif known.why_unknown is not None:
        shown = Text(f"未知（{known.why_unknown.zh}）", f"unknown ({known.why_unknown.en})")
    else:
        shown = Text("未知", "unknown")
    said = verdict(held)
    text = Text(
        f"{label.zh}：{shown.zh}；要求{need.zh}。{said.zh}。",
        f"{label.en[0].upper()}{label.en[1:]}: {shown.en}; required: {need.en}. {said.en[0].upper()}{said.en[1:]}.",
    )
    reason: dict[str, object] = {
        "condition": leaf.path,
        "fact": leaf.fact,
        "operator": leaf.op,
        "threshold": json_value(leaf.fact, leaf.operand) if leaf.op not in ("known", "unknown") else None,
        "value": json_value(leaf.fact, known.value),
        "held": held,
        "text": text.as_dict(),
    }
    missing = list(known.missing) if held is None else []
    record(facts.rule, f"{leaf.path}={'unknown' if held is None else 'met' if held else 'not_met'}")
    return Check(held, [reason], missing)


def check(condition: Condition, facts: FactContext) -> Check:
    """Evaluate a condition tree three-valuedly, collecting reasons and settling facts."""
    if isinstance(condition, Leaf):
        return _leaf(condition, facts)
    if isinstance(condition, Not):
        inner = check(condition.item, facts)
        held = None if inner.held is None else not inner.held
        note: dict[str, object] = {
            "condition": condition.path,
            "operator": "not",
            "held": held,
            "text": Text("以下条件须不成立", "the following must not hold").as_dict(),
        }
        return Check(held, [note, *inner.reasons], inner.missing)
    parts = [check(item, facts) for item in condition.items]
    values = [p.held for p in parts]
    reasons = [r for p in parts for r in p.reasons]
    if isinstance(condition, AnyOf):
        held = True if True in values else (None if None in values else False)
        any_note: dict[str, object] = {
            "condition": condition.path,
            "operator": "any",
            "held": held,
            "text": Text("以下条件至少一项成立", "at least one of the following must hold").as_dict(),
        }
        reasons = [any_note, *reasons]
    else:
        assert isinstance(condition, AllOf)
        held = False if False in values else (None if None in values else True)
    missing: list[str] = []
    if held is None:
        for part in parts:
            if part.held is None:
                missing.extend(m for m in part.missing if m not in missing)
    return Check(held, reasons, missing)
