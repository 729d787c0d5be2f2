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
from typing import Any

from .facts import FACTS
from .model import AllOf, AnyOf, Condition, Leaf, Not, Text
from .profile import PER_RULE, FactContext
from .text import fact_label, json_value, requirement, value_text, verdict

__all__ = ["Compiled", "Explanation", "compile_condition", "explain", "explain_for", "leaves", "reads_derived", "say"]


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


class _Words:
    """A leaf's explanation, written once per leaf: everything but the fact's value and the verdict.

    A reason's text is ``prefix + value + suffix[held]`` in each language.
    """

    __slots__ = ("fact", "operator", "path", "prefix", "suffix", "threshold")

    def __init__(self, leaf: Leaf) -> None:
        label = leaf.label or fact_label(leaf.fact)
        need = requirement(leaf.fact, leaf.op, leaf.operand)
        self.path, self.fact, self.operator = leaf.path, leaf.fact, leaf.op
        self.threshold = json_value(leaf.fact, leaf.operand) if leaf.op not in ("known", "unknown") else None
        self.prefix = (f"{label.zh}：", f"{label.en[0].upper()}{label.en[1:]}: ")
        self.suffix = {held: (f"；要求{need.zh}。{said.zh}。", f"; required: {need.en}. {said.en}.") for held, said in _VERDICTS.items()}


_WORDS: dict[int, tuple[Leaf, _Words]] = {}
_UNKNOWN = Text("未知", "unknown")
_VERDICTS = {value: Text(v.zh, f"{v.en[0].upper()}{v.en[1:]}") for value, v in ((True, verdict(True)), (False, verdict(False)), (None, verdict(None)))}
_NOT_NOTE = Text("以下条件须不成立", "the following must not hold")
_ANY_NOTE = Text("以下条件至少一项成立", "at least one of the following must hold")


def _words(leaf: Leaf) -> _Words:
    entry = _WORDS.get(id(leaf))
    if entry is not None and entry[0] is leaf:
        return entry[1]
    words = _Words(leaf)
    if len(_WORDS) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _WORDS.clear()
    _WORDS[id(leaf)] = (leaf, words)
    return words


def say(text: Text, lang: str | None) -> str | dict[str, str]:
    """``text`` in ``lang`` (``zh`` or ``en``), or in both as ``{"zh", "en"}`` when no language is asked for."""
    if lang is None:
        return {"zh": text.zh, "en": text.en}
    return text.zh if lang == "zh" else text.en


@dataclass(slots=True)
class Explanation:
    """What a condition's trace says: whether it held, why, and which facts would settle it."""

    held: bool | None
    reasons: list[dict[str, object]]
    missing: list[str]
    #: Why a test cannot be settled when no fact the company could give would settle it (e.g. growth
    #: from a prior revenue of zero), in words.
    unsettled: list[Text] = field(default_factory=list)


#: A fact's value in words (zh, en) and as JSON data, the facts that would settle it and why it is
#: unknown when none would: the same in every rule of an estimate (except what a rule paid), so
#: worked out once.
_Shown = tuple[tuple[str, str], object, tuple[str, ...], Text | None]


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
    found = ((shown.zh, shown.en), json_value(fact, value), known.missing, known.why_unknown)
    if fact not in PER_RULE:  # what a rule paid differs from rule to rule
        memo[fact] = found
    return found


class _ExplainerSource:
    """Python source writing one condition tree's reasons in one language (or both), straight-line."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.lines: list[str] = []
        self.items: list[str] = []  # the reasons, in order, as expressions
        self.constants: dict[str, object] = {}
        self.leaves = 0

    def constant(self, value: object) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def text(self, prefix: tuple[str, str], value: str, suffix: tuple[str, str] | None = None) -> str:
        """An expression for ``prefix + value + suffix`` in the language(s) asked for."""
        parts = []
        for index, language in enumerate(("zh", "en")):
            if self.lang not in (None, language):
                continue
            terms = [self.constant(prefix[index])]
            if value:
                terms.append(f"{value}[0][{index}]")
            if suffix is not None:
                terms.append(f"{self.constant(suffix[index])}")
            expression = " + ".join(terms)
            parts.append(f"{language!r}: {expression}" if self.lang is None else expression)
        return "{" + ", ".join(parts) + "}" if self.lang is None else parts[0]

    def emit(self, condition: Condition) -> tuple[str, str, str]:
        """Lines explaining ``condition``; returns the variables of its verdict, missing facts and unsettled reasons."""
        if isinstance(condition, Leaf):
            index = self.leaves
            self.leaves += 1
            words = _words(condition)
            held, shown = f"h{index}", f"s{index}"
            self.lines.append(f"{held} = trace[{index}]")
            # A fact already put into words for this estimate is looked up directly; the rest (and what
            # the rule itself paid, which differs from rule to rule) are worked out by ``shown``.
            self.lines.append(f"{shown} = known({condition.fact!r}) or shown({condition.fact!r})")
            suffixes = self.constant({value: text for value, text in words.suffix.items()})
            threshold = words.threshold
            text_parts = []
            for position, language in enumerate(("zh", "en")):
                if self.lang in (None, language):
                    expression = f"{self.constant(words.prefix[position])} + {shown}[0][{position}] + {suffixes}[{held}][{position}]"
                    text_parts.append(f"{language!r}: {expression}" if self.lang is None else expression)
            text = "{" + ", ".join(text_parts) + "}" if self.lang is None else text_parts[0]
            threshold_code = f"list({self.constant(threshold)})" if isinstance(threshold, list) else self.constant(threshold)
            self.items.append(
                f"{{'condition': {words.path!r}, 'fact': {words.fact!r}, 'operator': {words.operator!r}, 'threshold': {threshold_code}, "
                f"'value': {shown}[1] if {shown}[1].__class__ is not list else list({shown}[1]), 'held': {held}, 'text': {text}}}"
            )
            self.lines.append(f"m{index} = {shown}[2] if {held} is None else ()")
            self.lines.append(f"u{index} = ({shown}[3],) if {held} is None and {shown}[3] is not None else ()")
            return held, f"m{index}", f"u{index}"
        if isinstance(condition, Not):
            slot = len(self.items)
            self.items.append("")
            inner, missing, unsettled = self.emit(condition.item)
            held = f"n{slot}"
            self.lines.append(f"{held} = None if {inner} is None else not {inner}")
            self.items[slot] = f"{{'condition': {condition.path!r}, 'operator': 'not', 'held': {held}, 'text': {self.text(_NOT_NOTE_PAIR, '')}}}"
            return held, missing, unsettled
        note = len(self.items) if isinstance(condition, AnyOf) else None
        if note is not None:
            self.items.append("")
        parts = [self.emit(item) for item in condition.items]
        group = f"g{len(self.lines)}"
        decisive, other = ("True", "False") if note is not None else ("False", "True")
        heads = [held for held, _, _ in parts]
        self.lines.append(
            f"{group} = {decisive} if {' or '.join(f'{h} is {decisive}' for h in heads)} else None if {' or '.join(f'{h} is None' for h in heads)} else {other}"
        )
        missing, unsettled = f"{group}m", f"{group}u"
        self.lines.append(f"{missing} = merge(({', '.join(f'({h}, {m})' for h, m, _ in parts)},)) if {group} is None else ()")
        self.lines.append(f"{unsettled} = merge(({', '.join(f'({h}, {u})' for h, _, u in parts)},)) if {group} is None else ()")
        if note is not None:
            self.items[note] = f"{{'condition': {condition.path!r}, 'operator': 'any', 'held': {group}, 'text': {self.text(_ANY_NOTE_PAIR, '')}}}"
        return group, missing, unsettled


_NOT_NOTE_PAIR = (_NOT_NOTE.zh, _NOT_NOTE.en)
_ANY_NOTE_PAIR = (_ANY_NOTE.zh, _ANY_NOTE.en)


def _merge(parts: tuple[tuple[bool | None, tuple[Any, ...]], ...]) -> tuple[Any, ...]:
    """The items of the parts that are unknown, each once, in order."""
    found: list[Any] = []
    for held, items in parts:
        if held is None:
            found.extend(item for item in items if item not in found)
    return tuple(found)


#: A compiled explanation: given the trace, ``shown(fact)`` and the estimate's facts already shown
#: (``known(fact)``, None when not yet), the reasons in order, whether the condition held, and (when
#: unknown) the facts and reasons that leave it so.
Explainer = Callable[
    [tuple[bool | None, ...], Callable[[str], "_Shown"], Callable[[str], "_Shown | None"]],
    tuple[list[dict[str, object]], bool | None, tuple[str, ...], tuple[Text, ...]],
]
_EXPLAINERS: dict[tuple[int, str | None], tuple[Condition, Explainer]] = {}


def compile_explainer(condition: Condition, lang: str | None) -> Explainer:
    """A function writing ``condition``'s reasons along a trace, generated once per rule and language.

    Every word that does not depend on the company (labels, requirements, verdicts, thresholds) is
    written when the rule is compiled; what is left is joining each fact's value in words.
    """
    key = (id(condition), lang)
    found = _EXPLAINERS.get(key)
    if found is not None and found[0] is condition:
        return found[1]
    source = _ExplainerSource(lang)
    held, missing, unsettled = source.emit(condition)
    body = "\n    ".join(source.lines)
    code = f"def explain(trace, shown, known):\n    {body}\n    return [{', '.join(source.items)}], {held}, {missing}, {unsettled}\n"
    namespace: dict[str, object] = {**source.constants, "merge": _merge}
    exec(compile(code, f"<explanation of {getattr(condition, 'path', '?')}>", "exec"), namespace)
    explainer = namespace["explain"]
    assert callable(explainer)
    if len(_EXPLAINERS) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _EXPLAINERS.clear()
    _EXPLAINERS[key] = (condition, explainer)
    return explainer


def explain(
    condition: Condition, facts: FactContext, trace: tuple[bool | None, ...], memo: dict[str, _Shown] | None = None, lang: str | None = None
) -> Explanation:
    """The reasons and settling facts recorded in ``trace`` by ``compile_condition(condition)``.

    Reasons are written in ``lang`` (``zh`` or ``en``), or in both when it is None. ``memo`` may be
    shared by the rules of one estimate: each fact's value is then put into words once.
    """
    known = {} if memo is None else memo
    reasons, held, missing, unsettled = compile_explainer(condition, lang)(trace, lambda fact: _shown(fact, facts, known), known.get)
    return Explanation(held, reasons, list(missing), list(unsettled))


def explain_for(
    condition: Condition, facts: Callable[[], FactContext], trace: tuple[bool | None, ...], memo: dict[str, _Shown], lang: str | None
) -> tuple[list[dict[str, object]], tuple[str, ...], tuple[Text, ...]]:
    """``explain`` as an estimate writes many: the reasons, the facts that would settle the condition
    and the reasons none would, with the facts' context made by ``facts`` only when a fact's value
    is not yet in ``memo``."""
    reasons, _held, missing, unsettled = compile_explainer(condition, lang)(trace, lambda fact: _shown(fact, facts(), memo), memo.get)
    return reasons, missing, unsettled
