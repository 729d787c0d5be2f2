"""Three-valued evaluation of conditions, compiled once per rule, explained on demand.

A condition is True, False or None (cannot be settled: a fact it needs is unknown). ``all`` is False
as soon as one item is False, even when others are unknown; ``any`` is True as soon as one is True.

``compile_condition`` turns a condition tree into a function that settles it and records, in order,
whether each of its tests held: that record is the explanation. ``explain_json`` turns the record
back into reasons (in the language asked for or both, the value, the threshold, the verdict), written
straight as JSON text by a function generated once per rule and language, and the facts that would
settle what is still open; ``explain`` gives the same as data. They run only when the explanation is read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import orjson

from .facts import FACTS
from .jsonio import dumps_bytes
from .model import AllOf, AnyOf, Condition, Leaf, Not, Text
from .profile import PER_RULE, FactContext
from .text import fact_label, json_value, requirement, value_text, verdict

__all__ = [
    "FEW_VALUED",
    "Compiled",
    "Explanation",
    "compile_condition",
    "explain",
    "explain_json",
    "leaves",
    "reads_derived",
    "reads_given",
    "reads_kept",
    "say",
]


#: A compiled condition: given facts by ``get``, derived ones by ``derive``; gives whether the
#: condition held and, in ``leaves`` order, whether each test held.
Compiled = Callable[[Callable[[str], object], Callable[[str], object]], tuple[bool | None, tuple[bool | None, ...]]]

_DERIVED = frozenset(name for name, fact in FACTS.items() if fact.derived)
#: The facts a company gives (neither derived nor what a rule paid): shown the same for every company
#: that gives the same value.
_GIVEN = frozenset(name for name in FACTS if name not in _DERIVED and name not in PER_RULE)


#: The facts a company gives that take few values (yes or no, a choice, a small count), unlike amounts.
FEW_VALUED = frozenset(name for name in _GIVEN if FACTS[name].kind in ("bool", "enum", "count"))


def reads_given(condition: Condition) -> tuple[str, ...] | None:
    """The facts ``condition`` reads, each once, when all are given by the company (none derived,
    none what a rule paid) and take few values (no amount, no ratio); otherwise None."""
    read = reads_kept(condition)
    return read[0] if read is not None and not read[1] else None


def reads_kept(condition: Condition) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The facts ``condition`` reads, each once, when all are few-valued facts the company gives or
    what the rule paid (before, or in the estimate's year: for most companies, nothing), as
    (given facts, what the rule paid); otherwise None. An outcome is the same for every company with
    the same values of these."""
    names = tuple(dict.fromkeys(leaf.fact for leaf in leaves(condition)))
    given = tuple(name for name in names if name not in PER_RULE)
    if not FEW_VALUED.issuperset(given):
        return None
    return given, tuple(name for name in names if name in PER_RULE)


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
#: unknown when none would.
_Shown = tuple[tuple[str, str], object, tuple[str, ...], Text | None]


def _shown_of(fact: str, facts: FactContext) -> _Shown:
    known = facts.get(fact)
    value = known.value
    if value is not None:
        shown = value_text(fact, value)
    elif known.why_unknown is not None:
        shown = Text(f"未知（{known.why_unknown.zh}）", f"unknown ({known.why_unknown.en})")
    else:
        shown = _UNKNOWN
    return ((shown.zh, shown.en), json_value(fact, value), known.missing, known.why_unknown)


_NOT_NOTE_PAIR = (_NOT_NOTE.zh, _NOT_NOTE.en)
_ANY_NOTE_PAIR = (_ANY_NOTE.zh, _ANY_NOTE.en)


def _merge(parts: tuple[tuple[bool | None, tuple[Any, ...]], ...]) -> tuple[Any, ...]:
    """The items of the parts that are unknown, each once, in order."""
    found: list[Any] = []
    for held, items in parts:
        if held is None:
            found.extend(item for item in items if item not in found)
    return tuple(found)


# -- explanations written straight as JSON text ------------------------------------------------------


def _escaped(text: str) -> bytes:
    """``text`` inside a JSON string, without the quotes: pieces so escaped join into one string."""
    return dumps_bytes(text)[1:-1]


#: A fact's value as a JSON explanation writes it: in words (zh, en), the same escaped for a JSON
#: string (only in the language asked for; None in the other), its JSON data, the facts that would
#: settle it and why it is unknown when none would.
_ShownJson = tuple[str, str, bytes | None, bytes | None, bytes, tuple[str, ...], Text | None]


#: A few-valued fact's value shown, by (fact, value, language): the same for every company that gives
#: it (amounts differ from company to company, and are shown for each).
_SHOWN_GIVEN: dict[tuple[str, object, str | None], _ShownJson] = {}


def _shown_json(fact: str, facts: FactContext, memo: dict[str, _ShownJson], lang: str | None) -> _ShownJson:
    if fact in FEW_VALUED:
        key = (fact, facts.profile.get(fact), lang)
        found = _SHOWN_GIVEN.get(key)
        if found is None:
            found = _shown_json_of(fact, facts, lang)
            if len(_SHOWN_GIVEN) > 10_000:  # counts up to 10,000 per fact: forget the old ones
                _SHOWN_GIVEN.clear()
            _SHOWN_GIVEN[key] = found
        memo[fact] = found
        return found
    found = _shown_json_of(fact, facts, lang)
    if fact not in PER_RULE:  # what a rule paid differs from rule to rule
        memo[fact] = found
    return found


def _shown_json_of(fact: str, facts: FactContext, lang: str | None) -> _ShownJson:
    (zh, en), value, missing, why = _shown_of(fact, facts)
    return (zh, en, _escaped(zh) if lang != "en" else None, _escaped(en) if lang != "zh" else None, dumps_bytes(value), missing, why)


_HELD = (True, False, None)


class _ExplainerSource:
    """Python source writing one condition tree's reasons as JSON text in one language (or both),
    straight-line, from pieces written once.

    A reason's JSON is constant bytes around the fact's value (as data and in words) and its verdict;
    every constant piece is escaped when the rule is compiled.
    """

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.leaves = 0
        self.pieces: list[list[str]] = []  # per reason, in order: expressions of bytes
        self.failed: list[str] = []  # per test: the reason's text when the test failed

    def constant(self, value: object) -> str:
        name = f"k{len(self.constants)}"
        self.constants[name] = value
        return name

    def languages(self) -> list[int]:
        return [index for index, language in enumerate(("zh", "en")) if self.lang in (None, language)]

    def text_data(self, pair: tuple[str, str]) -> object:
        return {"zh": pair[0], "en": pair[1]} if self.lang is None else pair[0 if self.lang == "zh" else 1]

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
            head = self.constant(
                b'{"condition":'
                + dumps_bytes(words.path)
                + b',"fact":'
                + dumps_bytes(words.fact)
                + b',"operator":'
                + dumps_bytes(words.operator)
                + b',"threshold":'
                + dumps_bytes(words.threshold)
                + b',"value":'
            )
            languages = self.languages()
            pieces = [head, f"{shown}[4]"]
            for order, position in enumerate(languages):
                opening = b',"held":%s,"text":' if order == 0 else b'","en":"'
                if order == 0:
                    opening += b'{"zh":"' if self.lang is None else b'"'
                before = {h: (opening % dumps_bytes(h) if order == 0 else opening) + _escaped(words.prefix[position]) for h in _HELD}
                pieces += [f"{self.constant(before)}[{held}]" if order == 0 else self.constant(before[True]), f"{shown}[{2 + position}]"]
                closing = b'"}}' if self.lang is None else b'"}'
                after = {h: _escaped(words.suffix[h][position]) + (closing if order == len(languages) - 1 else b"") for h in _HELD}
                pieces.append(f"{self.constant(after)}[{held}]")
            self.pieces.append(pieces)
            failed = [f"{self.constant(words.prefix[p])} + {shown}[{p}] + {self.constant(words.suffix[False][p])}" for p in languages]
            said = f"{{'zh': {failed[0]}, 'en': {failed[1]}}}" if self.lang is None else failed[0]
            self.failed.append(f"({said}) if {held} is False")
            self.lines.append(f"m{index} = {shown}[5] if {held} is None else ()")
            self.lines.append(f"u{index} = ({shown}[6],) if {held} is None and {shown}[6] is not None else ()")
            return held, f"m{index}", f"u{index}"
        if isinstance(condition, Not):
            slot = len(self.pieces)
            self.pieces.append([])
            inner, missing, unsettled = self.emit(condition.item)
            held = f"n{slot}"
            self.lines.append(f"{held} = None if {inner} is None else not {inner}")
            self.pieces[slot] = [f"{self._note(condition.path, 'not', _NOT_NOTE_PAIR)}[{held}]"]
            return held, missing, unsettled
        note = len(self.pieces) if isinstance(condition, AnyOf) else None
        if note is not None:
            self.pieces.append([])
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
            self.pieces[note] = [f"{self._note(condition.path, 'any', _ANY_NOTE_PAIR)}[{group}]"]
        return group, missing, unsettled

    def _note(self, path: str, operator: str, pair: tuple[str, str]) -> str:
        """A constant: a group's note as JSON, by its verdict."""
        text = self.text_data(pair)
        return self.constant({h: dumps_bytes({"condition": path, "operator": operator, "held": h, "text": text}) for h in _HELD})

    def joined(self) -> str:
        """One expression joining every reason into a JSON array."""
        comma = self.constant(b",")
        pieces: list[str] = [self.constant(b"[")]
        for order, reason in enumerate(self.pieces):
            if order:
                pieces.append(comma)
            pieces += reason
        pieces.append(self.constant(b"]"))
        return f"b''.join(({', '.join(pieces)},))"


#: A compiled JSON explanation: given the trace, ``shown(fact)`` and the estimate's facts already
#: shown (``known(fact)``, None when not yet), the reasons as a JSON array, whether the condition
#: held, the facts and reasons that leave it unknown, and the text of the first test that failed
#: (None when none did).
Explainer = Callable[
    [tuple[bool | None, ...], Callable[[str], "_ShownJson"], Callable[[str], "_ShownJson | None"]],
    tuple[bytes, bool | None, tuple[str, ...], tuple[Text, ...], object],
]
_EXPLAINERS: dict[tuple[int, str | None], tuple[Condition, Explainer]] = {}


def compile_explainer(condition: Condition, lang: str | None) -> Explainer:
    """A function writing ``condition``'s reasons as JSON text along a trace, generated once per rule
    and language, exactly as ``dumps_bytes`` would write them.

    Every word that does not depend on the company (labels, requirements, verdicts, thresholds) is
    written and escaped when the rule is compiled; what is left is joining each fact's value.
    """
    key = (id(condition), lang)
    found = _EXPLAINERS.get(key)
    if found is not None and found[0] is condition:
        return found[1]
    source = _ExplainerSource(lang)
    held, missing, unsettled = source.emit(condition)
    body = "\n    ".join(source.lines)
    failed = " else ".join([*source.failed, "None"])
    code = f"def explain(trace, shown, known):\n    {body}\n    return {source.joined()}, {held}, {missing}, {unsettled}, {failed}\n"
    namespace: dict[str, object] = {**source.constants, "merge": _merge}
    exec(compile(code, f"<JSON explanation of {getattr(condition, 'path', '?')}>", "exec"), namespace)
    explainer = namespace["explain"]
    assert callable(explainer)
    if len(_EXPLAINERS) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _EXPLAINERS.clear()
    _EXPLAINERS[key] = (condition, explainer)
    return explainer


def explain_json(
    condition: Condition, facts: Callable[[], FactContext], trace: tuple[bool | None, ...], memo: dict[str, _ShownJson], lang: str | None
) -> tuple[bytes, tuple[str, ...], tuple[Text, ...], object]:
    """The reasons recorded in ``trace`` as an estimate writes them: as a JSON array, with the facts
    that would settle the condition, the reasons none would, and the text of the first test that
    failed (or None). ``facts`` makes the facts' context, only when a fact is not yet in ``memo``
    (the facts already shown in this estimate, in ``lang``)."""
    reasons, _held, missing, unsettled, failed = compile_explainer(condition, lang)(trace, lambda fact: _shown_json(fact, facts(), memo, lang), memo.get)
    return reasons, missing, unsettled, failed


def explain(
    condition: Condition, facts: FactContext, trace: tuple[bool | None, ...], memo: dict[str, _ShownJson] | None = None, lang: str | None = None
) -> Explanation:
    """The reasons and settling facts recorded in ``trace`` by ``compile_condition(condition)``.

    Reasons are written in ``lang`` (``zh`` or ``en``), or in both when it is None, and read back
    from the JSON ``explain_json`` writes. ``memo`` may be shared by the rules of one estimate in one
    language: each fact's value is then put into words once.
    """
    known = {} if memo is None else memo
    reasons, held, missing, unsettled, _failed = compile_explainer(condition, lang)(trace, lambda fact: _shown_json(fact, facts, known, lang), known.get)
    return Explanation(held, orjson.loads(reasons), list(missing), list(unsettled))
