"""Three-valued evaluation of conditions, with a reason for every test.

A condition is True, False or None (cannot be settled: a fact it needs is unknown). ``all`` is False
as soon as one item is False, even when others are unknown; ``any`` is True as soon as one is True.
"""
from __future__ import annotations

import operator
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


_ORDER = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


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
    # Decimal, int and Fraction compare exactly with one another (Decimal converts a Fraction exactly).
    assert isinstance(value, (Decimal, Fraction, int)) and isinstance(operand, (Decimal, Fraction, int))
    return bool(_ORDER[op](value, operand))


@dataclass(frozen=True)
class _Words:
    """The parts of a leaf's explanation that depend on the leaf alone, worked out once."""

    label: Text
    need: Text
    threshold: object


_WORDS: dict[int, tuple[Leaf, _Words]] = {}
_UNKNOWN = Text("未知", "unknown")
_VERDICTS = {value: Text(v.zh, f"{v.en[0].upper()}{v.en[1:]}") for value, v in ((True, verdict(True)), (False, verdict(False)), (None, verdict(None)))}


def _words(leaf: Leaf) -> _Words:
    entry = _WORDS.get(id(leaf))
    if entry is not None and entry[0] is leaf:
        return entry[1]
    label = leaf.label or fact_label(leaf.fact)
    words = _Words(
        label=Text(label.zh, f"{label.en[0].upper()}{label.en[1:]}"),
        need=requirement(leaf.fact, leaf.op, leaf.operand),
        threshold=json_value(leaf.fact, leaf.operand) if leaf.op not in ("known", "unknown") else None,
    )
    if len(_WORDS) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _WORDS.clear()
    _WORDS[id(leaf)] = (leaf, words)
    return words


def _leaf(leaf: Leaf, facts: FactContext) -> Check:
    known = facts.get(leaf.fact)
    words = _words(leaf)
    value = known.value
    if leaf.op in ("known", "unknown"):
        held: bool | None = (value is not None) == (leaf.op == "known")
    elif value is None:
        held = None
    else:
        held = _compare(leaf.op, value, leaf.operand)
    if value is not None:
        shown = value_text(leaf.fact, value)
    elif known.why_unknown is not None:
        shown = Text(f"未知（{known.why_unknown.zh}）", f"unknown ({known.why_unknown.en})")
    else:
        shown = _UNKNOWN
    said = _VERDICTS[held]
    reason: dict[str, object] = {
        "condition": leaf.path,
        "fact": leaf.fact,
        "operator": leaf.op,
        "threshold": list(words.threshold) if isinstance(words.threshold, list) else words.threshold,
        "value": json_value(leaf.fact, value),
        "held": held,
        "text": {
            "zh": f"{words.label.zh}：{shown.zh}；要求{words.need.zh}。{said.zh}。",
            "en": f"{words.label.en}: {shown.en}; required: {words.need.en}. {said.en}.",
        },
    }
    record(facts.rule, f"{leaf.path}={'unknown' if held is None else 'met' if held else 'not_met'}")
    return Check(held, [reason], list(known.missing) if held is None else [])


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
