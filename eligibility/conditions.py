"""Three-valued evaluation of conditions, compiled once per rule, explained on demand.

A condition is True, False or None (cannot be settled: a fact it needs is unknown). ``all`` is False
as soon as one item is False, even when others are unknown; ``any`` is True as soon as one is True.

``compile_condition`` turns a condition tree into a function that settles it and records, in order,
whether each of its tests held: that record is the explanation. ``explain`` turns the record back
into reasons (both languages, the value, the threshold, the verdict) and the facts that would settle
what is still open; it runs only when the explanation is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .facts import FACTS
from .model import AllOf, AnyOf, Condition, Leaf, Not, Text
from .profile import PER_RULE, FactContext
from .text import fact_label, json_value, requirement, value_text, verdict

__all__ = ["Compiled", "Explanation", "compile_condition", "explain", "leaves", "reads_derived"]


#: A compiled condition: given facts by ``get``, derived ones by ``derive``; gives whether the
#: condition held and, in ``leaves`` order, whether each test held.
Compiled = Callable[[Callable[[str], object], Callable[[str], object]], tuple[bool | None, tuple[bool | None, ...]]]

_DERIVED = frozenset(name for name, fact in FACTS.items() if fact.derived)


def reads_derived(condition: Condition) -> bool:
    """Whether any test of ``condition`` reads a derived fact (growth, what the rule paid before)."""
    return any(leaf.fact in _DERIVED for leaf in leaves(condition))


# Decimal, int and Fraction compare exactly with one another (Decimal converts a Fraction exactly).
_INFIX = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "in": "in", "not_in": "not in"}


class _Source:
    """Python source for one condition tree: a line per test, one expression per group."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.tests: list[str] = []

    def constant(self, value: object) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = frozenset(value) if isinstance(value, tuple) else value
        return name

    def emit(self, condition: Condition) -> str:
        """Lines settling ``condition``; returns the variable holding its verdict."""
        if isinstance(condition, Leaf):
            held = f"h{len(self.tests)}"
            self.tests.append(held)
            reader = "derive" if condition.fact in _DERIVED else "get"
            self.lines.append(f"v = {reader}({condition.fact!r})")
            if condition.op in ("known", "unknown"):
                self.lines.append(f"{held} = v is {'not ' if condition.op == 'known' else ''}None")
            else:
                operand = condition.operand
                assert condition.op in ("eq", "ne", "in", "not_in") or (isinstance(operand, (Decimal, Fraction, int)) and not isinstance(operand, bool))
                self.lines.append(f"{held} = None if v is None else v {_INFIX[condition.op]} {self.constant(operand)}")
            return held
        if isinstance(condition, Not):
            inner = self.emit(condition.item)
            return f"(None if {inner} is None else not {inner})"
        parts = [self.emit(item) for item in condition.items]
        held = f"g{len(self.lines)}"
        decisive, other = ("True", "False") if isinstance(condition, AnyOf) else ("False", "True")
        self.lines.append(
            f"{held} = {decisive} if {' or '.join(f'{p} is {decisive}' for p in parts)} else None if {' or '.join(f'{p} is None' for p in parts)} else {other}"
        )
        return held


def compile_condition(condition: Condition) -> Compiled:
    """A function settling ``condition``, generated once per rule as straight-line Python.

    Every test is evaluated (none is skipped once the outcome is known), so every test has a verdict
    to explain. The tests are exactly those of the rule file: comparisons with its operands, three-valued.
    """
    source = _Source()
    result = source.emit(condition)
    body = "\n    ".join(source.lines)
    code = f"def settle(get, derive):\n    {body}\n    return {result}, ({', '.join(source.tests)},)\n"
    namespace: dict[str, object] = dict(source.constants)
    exec(compile(code, f"<conditions of {getattr(condition, 'path', '?')}>", "exec"), namespace)
    settle = namespace["settle"]
    assert callable(settle)
    return settle


def leaves(condition: Condition) -> Iterator[Leaf]:
    """The condition's tests in the order a compiled condition records them."""
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, Not):
        yield from leaves(condition.item)
    else:
        assert isinstance(condition, (AllOf, AnyOf))
        for item in condition.items:
            yield from leaves(item)


def _all(held: list[bool | None]) -> bool | None:
    return False if False in held else (None if None in held else True)


def _any(held: list[bool | None]) -> bool | None:
    return True if True in held else (None if None in held else False)


# -- explanations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """The parts of a leaf's explanation that depend on the leaf alone, worked out once."""

    label: Text
    need: Text
    threshold: object


_WORDS: dict[int, tuple[Leaf, _Words]] = {}
_UNKNOWN = Text("未知", "unknown")
_VERDICTS = {value: Text(v.zh, f"{v.en[0].upper()}{v.en[1:]}") for value, v in ((True, verdict(True)), (False, verdict(False)), (None, verdict(None)))}
_NOT_NOTE = Text("以下条件须不成立", "the following must not hold")
_ANY_NOTE = Text("以下条件至少一项成立", "at least one of the following must hold")


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


@dataclass
class Explanation:
    """What a condition's trace says: whether it held, why, and which facts would settle it."""

    held: bool | None
    reasons: list[dict[str, object]]
    missing: list[str]
    #: Why a test cannot be settled when no fact the company could give would settle it (e.g. growth
    #: from a prior revenue of zero), in words.
    unsettled: list[Text] = field(default_factory=list)


#: A fact's value in words and as JSON data, the facts that would settle it and why it is unknown when
#: none would: the same in every rule of an estimate (except what a rule paid), so worked out once.
_Shown = tuple[Text, object, tuple[str, ...], Text | None]


def _shown(fact: str, facts: FactContext, memo: dict[str, _Shown]) -> _Shown:
    found = memo.get(fact)
    if found is not None:
        return found
    known = facts.get(fact)
    value = known.value
    if value is not None:
        shown = value_text(fact, value)
    elif known.why_unknown is not None:
        shown = Text(f"未知（{known.why_unknown.zh}）", f"unknown ({known.why_unknown.en})")
    else:
        shown = _UNKNOWN
    found = (shown, json_value(fact, value), known.missing, known.why_unknown)
    if fact not in PER_RULE:  # what a rule paid differs from rule to rule
        memo[fact] = found
    return found


def _explain_leaf(leaf: Leaf, facts: FactContext, held: bool | None, memo: dict[str, _Shown]) -> Explanation:
    shown, value, missing, why = _shown(leaf.fact, facts, memo)
    words = _words(leaf)
    said = _VERDICTS[held]
    reason: dict[str, object] = {
        "condition": leaf.path,
        "fact": leaf.fact,
        "operator": leaf.op,
        "threshold": list(words.threshold) if isinstance(words.threshold, list) else words.threshold,
        "value": list(value) if isinstance(value, list) else value,
        "held": held,
        "text": {
            "zh": f"{words.label.zh}：{shown.zh}；要求{words.need.zh}。{said.zh}。",
            "en": f"{words.label.en}: {shown.en}; required: {words.need.en}. {said.en}.",
        },
    }
    unknown = held is None
    return Explanation(held, [reason], list(missing) if unknown else [], [why] if unknown and why is not None else [])


def _explain(condition: Condition, facts: FactContext, trace: Iterator[bool | None], memo: dict[str, _Shown]) -> Explanation:
    if isinstance(condition, Leaf):
        return _explain_leaf(condition, facts, next(trace), memo)
    if isinstance(condition, Not):
        inner = _explain(condition.item, facts, trace, memo)
        held = None if inner.held is None else not inner.held
        note: dict[str, object] = {"condition": condition.path, "operator": "not", "held": held, "text": _NOT_NOTE.as_dict()}
        return Explanation(held, [note, *inner.reasons], inner.missing, inner.unsettled)
    parts = [_explain(item, facts, trace, memo) for item in condition.items]
    values = [p.held for p in parts]
    reasons = [r for p in parts for r in p.reasons]
    if isinstance(condition, AnyOf):
        held = _any(values)
        any_note: dict[str, object] = {"condition": condition.path, "operator": "any", "held": held, "text": _ANY_NOTE.as_dict()}
        reasons = [any_note, *reasons]
    else:
        held = _all(values)
    missing: list[str] = []
    unsettled: list[Text] = []
    if held is None:
        for part in parts:
            if part.held is None:
                missing.extend(m for m in part.missing if m not in missing)
                unsettled.extend(u for u in part.unsettled if u not in unsettled)
    return Explanation(held, reasons, missing, unsettled)


def explain(condition: Condition, facts: FactContext, trace: tuple[bool | None, ...], memo: dict[str, _Shown] | None = None) -> Explanation:
    """The reasons and settling facts recorded in ``trace`` by ``compile_condition(condition)``.

    ``memo`` may be shared by the rules of one estimate: each fact's value is then put into words once.
    """
    return _explain(condition, facts, iter(trace), {} if memo is None else memo)
