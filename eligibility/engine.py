"""``estimate`` and ``evaluate``: a company profile, a city and a date in; every applicable rule's outcome out.

Each city's rules are compiled once (their conditions into straight-line Python, see
``conditions.compile_condition``); an estimate then decides every rule, records which test held and
which calculation step applied, and sums the totals and each payer's share, exact to the fen.
``Estimate.as_json`` writes that record out as JSON text, and ``Estimate.as_dict`` (and ``evaluate``,
which returns it) as plain data: money as decimal strings, text in Chinese and English (or the one
asked for), and for every rule the reasons, the calculation, who pays and which facts would settle
what is still open.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, NamedTuple

import orjson

from .awards import NOTHING, Amount, Calculation, calculate, calculation_reads
from .conditions import FEW_VALUED, Compiled, Explanation, compile_condition, explain, explain_json, leaves, reads_derived, reads_kept, say
from .coverage import record
from .coverage import recording_active as recording
from .errors import InputError
from .facts import FACTS, label_of
from .jsonio import dumps_bytes
from .loader import load_rulebook
from .model import PAYERS, Document, Rule, Rulebook, Text
from .money import ZERO, format_money, format_money_text, split_by_shares
from .profile import FactContext, Profile, collect_profile
from .text import localize

__all__ = ["Estimate", "Outcome", "default_rulebook", "estimate", "evaluate", "money_range", "parse_as_of", "payer_name"]

_FACT_ORDER = [name for name, fact in FACTS.items() if not fact.derived] + ["prior_awards"]


@lru_cache(maxsize=1)
def default_rulebook() -> Rulebook:
    """The shipped rulebook, loaded and validated once per process."""
    return load_rulebook()


#: The days an estimate may be asked for: wide around the policies' windows, and never a year 1 or 9999.
EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2100, 12, 31)


def parse_as_of(value: object, field_name: str = "as_of") -> date:
    """A date from a date or a YYYY-MM-DD string, from 1990 to 2100; InputError naming the field otherwise."""
    day: date | None = value if isinstance(value, date) else None
    if isinstance(value, str) and len(value) == 10:
        with contextlib.suppress(ValueError):
            day = date.fromisoformat(value)
    if day is None:
        raise InputError.single(field_name, "Must be a date written YYYY-MM-DD, e.g. 2022-06-30.")
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InputError.single(field_name, "Must be a date from 1990-01-01 to 2100-12-31.")
    return day


#: What an estimate decides for one rule, and the record that explains it: (status, amount, whether
#: the conditions held, whether each test held, the calculation). A plain tuple: estimates make many.
_Decision = tuple[str, Amount | None, bool | None, tuple[bool | None, ...] | None, Calculation | None]
_STATUS: Final = 0
_AMOUNT: Final = 1

_OFF_MONEY: _Decision = ("not_in_force", NOTHING, None, None, None)
_OFF_OTHER: _Decision = ("not_in_force", None, None, None, None)


class Outcome:
    """One rule's decision in an estimate: status, amount and the record behind them.

    ``reasons``, ``steps`` and ``missing`` put the record into words when they are read.
    """

    __slots__ = (
        "_doubtful",
        "_explained",
        "_memo",
        "_missing",
        "amount",
        "as_of",
        "calc",
        "document",
        "held",
        "lang",
        "profile",
        "rule",
        "stacking",
        "status",
        "trace",
    )

    def __init__(
        self,
        rule: Rule,
        document: Document,
        decision: _Decision,
        stacking: dict[str, object] | None,
        profile: Profile,
        as_of: date,
        memo: dict[str, Any] | None = None,
        lang: str | None = None,
        doubtful: bool | None = None,
    ) -> None:
        self.rule = rule
        self._doubtful = doubtful  # whether the document may or may not be in force (None: not yet worked out)
        self.lang = lang  # the language the words are written in: zh, en, or both (None)
        self._missing: list[str] | None = None
        self.document = document
        self.status, self.amount, self.held, self.trace, self.calc = decision
        self.stacking = stacking
        self.profile = profile
        self.as_of = as_of
        self._explained: Explanation | None = None
        self._memo = {} if memo is None else memo  # shared by an estimate's outcomes: see conditions.explain

    def _explanation(self) -> Explanation:
        if self._explained is None:
            assert self.trace is not None
            facts = FactContext(self.profile, self.rule.id, self.as_of.year)
            self._explained = explain(self.rule.conditions, facts, self.trace, self._memo, self.lang)
        return self._explained

    @property
    def reasons(self) -> list[dict[str, object]]:
        """Every test of the rule's conditions: value, threshold, verdict, in the outcome's language(s)."""
        if self.status == "not_in_force":
            return [_window_reason(self.document, self.as_of, False, self.lang)]
        if self.doubtful:
            return [_window_reason(self.document, self.as_of, None, self.lang), *self._explanation().reasons]
        return self._explanation().reasons

    @property
    def doubtful(self) -> bool:
        """Whether the day falls where the document may or may not be in force."""
        if self._doubtful is None:
            self._doubtful = self.document.in_force_on(self.as_of) is None
        return self._doubtful

    @property
    def unsettled(self) -> list[Text]:
        """Why the outcome stays open where no fact the company could give would settle it."""
        if self.status != "undetermined":
            return []
        found = [_doubt_text(self.document, self.as_of)] if self.doubtful else []
        return found + (self._explanation().unsettled if self.held is None else [])

    @property
    def missing(self) -> list[str]:
        """The facts that would settle the status or narrow the amount."""
        if self._missing is None:
            self._missing = self._settling()
        return self._missing

    def _settling(self) -> list[str]:
        if self.status == "not_in_force" or self.held is False:
            return []
        return _settling(self.status, self.held, self.calc, self._explanation().missing)

    @property
    def steps(self) -> list[dict[str, object]]:
        """How the amount was reached, step by step."""
        return [] if self.calc is None else self.calc.explained(self.lang)


def _settling(status: str, held: bool | None, calc: Calculation | None, unknown: Iterable[str]) -> list[str]:
    """The facts that would settle a rule's status or narrow its amount (the document in force or
    possibly so, the conditions not certainly failed): ``unknown``, the facts the conditions lack,
    and those the calculation lacks."""
    if calc is None:
        return list(unknown)
    if status == "ineligible" or (held and calc.amount.exact):
        return []
    missing = list(unknown)
    return missing + [m for m in calc.missing if m not in missing]


def _branches(rule: Rule, document: Document, decision: _Decision, as_of: date) -> Iterator[str]:
    """The rule's branches a decision took, for rule coverage."""
    status, amount, _held, trace, calc = decision
    if status == "not_in_force":
        yield "window=before" if as_of < document.in_force_from else "window=after"
        return
    if document.in_force_on(as_of) is None:
        yield "window=uncertain"
    for index, _variant in enumerate(rule.variants):
        yield f"variants[{index}]=not_applied"  # superseded wording: recorded, never evaluated
    assert trace is not None
    for leaf, held in zip(leaves(rule.conditions), trace, strict=False):
        yield f"{leaf.path}={'unknown' if held is None else 'met' if held else 'not_met'}"
    if calc is not None:
        yield from (step.branch for step in calc.steps if step.branch is not None)
    yield f"status={status}"
    if amount is not None and amount.low > 0 and len(rule.payers) > 1:
        yield "payers=split"


def _window_text(document: Document) -> Text:
    """The document's in-force window in words; an uncertain one says what is certain and what possible."""
    start, end = document.surely_from.isoformat(), document.surely_to.isoformat() if document.surely_to else None
    if not document.uncertain_window:
        if end:
            return Text(f"{start}至{end}", f"from {start} to {end}")
        return Text(f"自{start}起", f"from {start}, with no end date")
    earliest, latest = document.in_force_from.isoformat(), document.in_force_to.isoformat() if document.in_force_to else None
    certain = Text(f"{start}至{end}", f"from {start} to {end}") if end else Text(f"自{start}起", f"from {start}")
    possibly_zh = "、".join(p for p in (f"最早可能自{earliest}起" if earliest != start else "", f"最晚可能至{latest}" if latest and latest != end else "") if p)
    possibly_en = " and ".join(p for p in (f"from {earliest}" if earliest != start else "", f"until {latest}" if latest and latest != end else "") if p)
    return Text(f"{certain.zh}（确定有效；{possibly_zh}）", f"{certain.en} for certain (possibly {possibly_en})")


def _doubt_text(document: Document, as_of: date) -> Text:
    """Why a day near an uncertain edge of the window cannot be settled, in a few words."""
    window = _window_text(document)
    return Text(
        f"{document.number}在{as_of.isoformat()}是否有效无法确定（{window.zh}）",
        f"whether {document.number} is in force on {as_of.isoformat()} is uncertain (in force {window.en})",
    )


def _window_data(document: Document) -> dict[str, str | None]:
    """The window as data: the days certainly in force, and the outermost possible ones."""
    return {
        "from": document.surely_from.isoformat(),
        "to": document.surely_to.isoformat() if document.surely_to else None,
        "possibly_from": document.in_force_from.isoformat(),
        "possibly_to": document.in_force_to.isoformat() if document.in_force_to else None,
    }


def _window_reason(document: Document, as_of: date, held: bool | None, lang: str | None) -> dict[str, object]:
    if held is None:
        text, doubt = _doubt_text(document, as_of), document.window_doubt or Text("", "")
        text = Text(f"{text.zh}：{doubt.zh.rstrip('。')}。尚无法判断。", f"{text.en[:1].upper()}{text.en[1:]}: {doubt.en.rstrip('.')}. Cannot be settled yet.")
    else:
        window = _window_text(document)
        text = Text(
            f"{document.number}的有效期为{window.zh}，{as_of.isoformat()}不在有效期内。",
            f"{document.number} is in force {window.en}; {as_of.isoformat()} is outside that window.",
        )
    return {
        "condition": "in_force",
        "operator": "in_force",
        "threshold": _window_data(document),
        "value": as_of.isoformat(),
        "held": held,
        "text": say(text, lang),
    }


# -- a city's rules, compiled once ------------------------------------------------------------------


class _Entry(NamedTuple):
    rule: Rule
    document: int  # index into _Plan.documents
    settle: Compiled
    monetary: bool
    derives: bool  # reads a derived fact (growth, what the rule paid before)
    payers: tuple[str, ...]
    shares: tuple[Fraction, ...]


class _Plan(NamedTuple):
    """A city's rules in order, each with its document and its compiled conditions.

    ``summed`` are the monetary rules whose amounts simply add up; each of ``stacked`` is a kind of
    award whose documents say 就高不重复 (highest only, never twice), with the document that says it.
    """

    book: Rulebook
    documents: tuple[Document, ...]
    entries: tuple[_Entry, ...]
    summed: tuple[int, ...]
    stacked: tuple[tuple[tuple[int, ...], Document], ...]
    payers: tuple[str, ...]
    #: Each entry's ``_Frame`` by language, made the first time a language is written.
    frames: dict[str | None, tuple[_Frame, ...]]


_PLANS: dict[tuple[int, str], _Plan] = {}


def _compile_plan(book: Rulebook, city: str) -> _Plan:
    documents = book.documents_for(city)
    entries = tuple(
        _Entry(
            rule,
            index,
            compile_condition(rule.conditions),
            rule.monetary,
            reads_derived(rule.conditions),
            tuple(p.payer for p in rule.payers),
            tuple(p.share for p in rule.payers),
        )
        for index, document in enumerate(documents)
        for rule in document.rules
    )
    kinds: dict[str, list[int]] = {}
    for position, entry in enumerate(entries):
        if entry.monetary:
            kinds.setdefault(entry.rule.kind, []).append(position)
    summed: list[int] = []
    stacked: list[tuple[tuple[int, ...], Document]] = []
    for members in kinds.values():
        basis = [documents[entries[m].document] for m in members if documents[entries[m].document].stacking == "highest_only"]
        if len(members) < 2 or not basis:
            summed.extend(members)
        else:
            stacked.append((tuple(members), basis[0]))
    payers = sorted({p for e in entries if e.monetary for p in e.payers}, key=PAYERS.index)
    return _Plan(book, documents, entries, tuple(sorted(summed)), tuple(stacked), tuple(payers), {})


def _plan(book: Rulebook, city: str) -> _Plan:
    plan = _PLANS.get((id(book), city))
    if plan is not None and plan.book is book:
        return plan
    plan = _compile_plan(book, city)
    if len(_PLANS) > 1_000:  # rulebooks loaded again and again (tests): forget the old ones
        _PLANS.clear()
    _PLANS[(id(book), city)] = plan
    return plan


def _decide(plan: _Plan, profile: Profile, day: date) -> list[_Decision]:
    """Every rule's decision; the hot path of an estimate, kept to plain tuples and local names."""
    in_force = [d.in_force_on(day) for d in plan.documents]
    get, year = profile.facts.get, day.year
    decisions: list[_Decision] = []
    append = decisions.append
    for rule, document, settle, monetary, derives, _payers, _shares in plan.entries:
        window = in_force[document]
        if window is False:
            append(_OFF_MONEY if monetary else _OFF_OTHER)
            continue
        if window is None:
            append(_doubtful(_decide_rule(rule, settle, monetary, derives, profile, get, year)))
            continue
        append(_decide_rule(rule, settle, monetary, derives, profile, get, year))
    return decisions


def _decide_rule(rule: Rule, settle: Compiled, monetary: bool, derives: bool, profile: Profile, get: Any, year: int) -> _Decision:
    """One rule's decision inside its window."""
    facts = FactContext(profile, rule.id, year) if derives else None
    held, trace = settle(get, facts.value if facts is not None else _no_derived)
    if held is False:
        return ("ineligible", NOTHING if monetary else None, False, trace, None)
    status = "eligible" if held else "undetermined"
    if not monetary:
        return (status, None, held, trace, None)
    calc = calculate(rule, facts or FactContext(profile, rule.id, year))
    if calc.amount.high == ZERO:
        # Every condition that is known holds, yet nothing can be paid (e.g. the tier is already paid).
        return ("ineligible", NOTHING, held, trace, calc)
    return (status, calc.amount if held else Amount(ZERO, calc.amount.high), held, trace, calc)


def _doubtful(decision: _Decision) -> _Decision:
    """A decision on a day the document may or may not be in force: like an unknown condition, it
    leaves what is ineligible ineligible and makes the rest undetermined, from nothing upwards."""
    status, amount, held, trace, calc = decision
    if status == "ineligible":
        return decision
    return ("undetermined", None if amount is None else Amount(ZERO, amount.high), held, trace, calc)


def _no_derived(name: str) -> object:
    raise AssertionError(f"{name} is derived, but the plan says this rule reads no derived fact")


def _stack(
    members: tuple[int, ...], basis: Document, entries: tuple[_Entry, ...], decisions: list[_Decision], stacking: dict[int, dict[str, object]]
) -> Amount:
    """Where a document says 就高不重复, pay only the highest of a kind; the group's total range."""
    payable = [m for m in members if decisions[m][_STATUS] == "eligible"]
    if len(payable) >= 2:

        def size(m: int) -> tuple[Decimal, bool, Decimal]:
            amount = decisions[m][_AMOUNT]
            assert amount is not None
            return (amount.low, amount.high is None, amount.high or ZERO)

        winner = max(payable, key=size)
        won = entries[winner].rule.id
        title = entries[winner].rule.title
        for member in payable:
            if member == winner:
                stacking[member] = {"rule": basis.stacking, "paid": True, "instead_of": [entries[m].rule.id for m in payable if m != winner]}
                continue
            stacking[member] = {
                "rule": basis.stacking,
                "paid": False,
                "paid_instead": won,
                "quote": basis.stacking_quote,
                "text": Text(
                    f"按就高不重复原则，同类奖励只享受较高的“{title.zh}”，本项不重复支付。",
                    f"Highest only, never twice (就高不重复): the higher award of the same kind, “{title.en}”, is paid instead of this one.",
                ).as_dict(),
            }
            status, _amount, held, trace, calc = decisions[member]
            decisions[member] = (status, NOTHING, held, trace, calc)
    amounts = [a for a in (decisions[m][_AMOUNT] for m in members) if a is not None]
    high = None if any(a.high is None for a in amounts) else max(a.high for a in amounts if a.high is not None)
    return Amount(max(a.low for a in amounts), high)


def _parts(amount: Amount, shares: tuple[Fraction, ...]) -> list[tuple[Decimal, Decimal | None]]:
    """Each payer's (min, max) share of an amount, exact to the fen."""
    if len(shares) == 1:
        return [(amount.low, amount.high)]
    lows = split_by_shares(amount.low, list(shares))
    highs: list[Decimal | None] = list(split_by_shares(amount.high, list(shares))) if amount.high is not None else [None] * len(shares)
    return list(zip(lows, highs, strict=False))


def money_range(amount: Amount) -> dict[str, str | None]:
    """An amount range as JSON data: ``{"min": "300000.00", "max": null}`` (null: unbounded)."""
    return {"min": format_money(amount.low), "max": None if amount.high is None else format_money(amount.high)}


#: The name of the payer line that sums the awards whose texts state no split between their
#: responsible units; each outcome names its own units.
UNSTATED = Text("未规定分担比例的责任单位", "responsible units, split not stated")


def payer_name(payer: str, city_name: Text, district: str | None, units: Text | None = None, lang: str | None = None) -> str | dict[str, str] | None:
    """A payer line's name, in ``lang`` (both when None): the city's, the district's (None when not
    given), or the responsible units'."""
    if payer == "city":
        return say(city_name, lang)
    if payer == "unstated":
        return say(units or UNSTATED, lang)
    return None if district is None else say(Text(district, district), lang)


def _share_text(share: Fraction) -> str:
    """A payer's share as a decimal string, e.g. "0.5"; thirds are given to six places."""
    return _share_words(share.numerator, share.denominator)  # two ints hash faster than a Fraction


@lru_cache(maxsize=256)
def _share_words(numerator: int, denominator: int) -> str:
    exact = Decimal(numerator) / Decimal(denominator)
    return str(exact.quantize(Decimal("0.000001")).normalize()) if exact != 1 else "1"


def _split(rule: Rule, lang: str | None, parts: list[tuple[Decimal, Decimal | None]], city_name: Text, district: str | None) -> list[dict[str, Any]]:
    if not rule.payers:  # non-monetary support: nobody pays
        return []
    return [
        {
            "payer": p.payer,
            "name": payer_name(p.payer, city_name, district, p.units, lang),
            "share": _share_text(p.share),
            "amount": {"min": format_money(lo), "max": None if hi is None else format_money(hi)},
        }
        for p, (lo, hi) in zip(rule.payers, parts, strict=False)
    ]


def _needs(missing: list[str], unsettled: Iterable[Text]) -> Text:
    """What would settle an open outcome, in words: the facts to give, or why none would."""
    labels = [label_of(name) for name in missing]
    zh = [f"需提供{'、'.join(zh for zh, _ in labels)}"] if labels else []
    en = [f"needs {', '.join(en for _, en in labels)}"] if labels else []
    for reason in unsettled:
        zh.append(reason.zh)
        en.append(reason.en)
    return Text("；".join(zh), "; ".join(en))


#: The summaries of non-monetary support, which no company changes: written once per rule and status.
_SUPPORT_SUMMARIES: dict[tuple[int, bool], tuple[Rule, Text]] = {}


def _support_summary(rule: Rule, eligible: bool) -> Text:
    key = (id(rule), eligible)
    found = _SUPPORT_SUMMARIES.get(key)
    if found is not None and found[0] is rule:
        return found[1]
    benefit = rule.award.support
    assert benefit is not None
    if eligible:
        text = Text(f"符合条件（非资金支持）：{benefit.zh}", f"Eligible (non-monetary): {benefit.en}")
    else:
        text = Text(f"尚待确定（非资金支持）：{benefit.zh}", f"Undetermined (non-monetary): {benefit.en}")
    if len(_SUPPORT_SUMMARIES) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _SUPPORT_SUMMARIES.clear()
    _SUPPORT_SUMMARIES[key] = (rule, text)
    return text


def _summary(outcome: Outcome, as_of: date) -> Text:
    status = outcome.status
    return _summary_of(
        outcome.rule,
        outcome.document,
        status,
        outcome.amount,
        outcome.stacking,
        as_of,
        _failed_text(outcome.reasons) if status == "ineligible" else None,
        outcome.missing,
        outcome.unsettled,
    )


def _failed_text(reasons: list[dict[str, object]]) -> object:
    """The text of the first test that failed, or None."""
    return next((r["text"] for r in reasons if r.get("held") is False and "fact" in r), None)


def _summary_of(
    rule: Rule,
    document: Document,
    status: str,
    amount: Amount | None,
    stacking: dict[str, object] | None,
    as_of: date,
    failed: object,
    missing: list[str],
    unsettled: Iterable[Text],
) -> Text:
    """One rule's outcome in a sentence; ``failed`` is the text of the first test that failed (None
    when none did), read only when the outcome is ineligible."""
    if status == "not_in_force":
        window = _window_text(document)
        return Text(f"{as_of.isoformat()}不在有效期内（{window.zh}）。", f"Not in force on {as_of.isoformat()} (in force {window.en}).")
    if status == "ineligible":
        if failed is not None:
            if isinstance(failed, str):  # written in one language: the other is never read
                return Text(f"不符合条件：{failed}", f"Not eligible: {failed}")
            assert isinstance(failed, dict)
            return Text(f"不符合条件：{failed['zh']}", f"Not eligible: {failed['en']}")
        return Text("不符合条件：按本条款已无可支付金额。", "Not eligible: nothing remains payable under this clause.")
    if not rule.monetary:
        return _support_summary(rule, status == "eligible")
    assert amount is not None
    if stacking and stacking.get("paid") is False:
        return Text("符合条件，但按就高不重复原则不重复支付。", "Eligible, but not paid twice: only the higher award of the same kind is paid.")
    low = format_money_text(amount.low)
    if status == "eligible" and amount.exact:
        return Text(f"符合条件：奖励{low}元。", f"Eligible: {low} yuan.")
    high = "no upper bound" if amount.high is None else f"{format_money_text(amount.high)} yuan"
    high_zh = "上限未定" if amount.high is None else f"{format_money_text(amount.high)}元"
    if status == "eligible":
        labels = [label_of(name) for name in missing]
        on_zh = "、".join(zh for zh, _ in labels) or "主管部门核定"
        on_en = ", ".join(en for _, en in labels) or "the authority"
        return Text(f"符合条件：奖励{low}元至{high_zh}，取决于{on_zh}。", f"Eligible: {low} yuan to {high}, depending on {on_en}.")
    needs = _needs(missing, unsettled)
    if amount.high is None:
        return Text(f"尚待确定：金额上限未定；{needs.zh}。", f"Undetermined: no upper bound yet; {needs.en}.")
    return Text(f"尚待确定：最多{high_zh}；{needs.zh}。", f"Undetermined: up to {high}; {needs.en}.")


#: The words of a rule that no company changes, written once per rule and language:
#: title, clause, interpretation and benefit.
_STATIC: dict[tuple[int, str | None], tuple[Rule, tuple[object, object, object, object]]] = {}


def _static(rule: Rule, lang: str | None) -> tuple[object, object, object, object]:
    key = (id(rule), lang)
    found = _STATIC.get(key)
    if found is not None and found[0] is rule:
        return found[1]
    support = rule.award.support
    words = (
        say(rule.title, lang),
        say(rule.clause, lang),
        say(rule.interpretation, lang) if rule.interpretation else None,
        say(support, lang) if support else None,
    )
    if len(_STATIC) > 100_000:  # rulebooks loaded again and again (tests): forget the old ones
        _STATIC.clear()
    _STATIC[key] = (rule, words)
    return words


def _copy(words: object) -> object:
    """A fresh copy of cached words, so that no caller can change the cache through a result."""
    return dict(words) if isinstance(words, dict) else words


def _outcome_data(outcome: Outcome, payers: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    summary = say(_summary(outcome, as_of), outcome.lang)
    return _outcome_words(
        outcome.rule,
        outcome.document,
        outcome.lang,
        outcome.status,
        outcome.amount,
        payers,
        summary,
        outcome.reasons,
        outcome.steps,
        outcome.missing,
        outcome.stacking,
    )


def _outcome_words(
    rule: Rule,
    document: Document,
    lang: str | None,
    status: str,
    amount: Amount | None,
    payers: list[dict[str, Any]],
    summary: object,
    reasons: list[dict[str, object]],
    steps: list[dict[str, object]],
    missing: list[str],
    stacking: dict[str, object] | None,
) -> dict[str, Any]:
    title, clause, interpretation, benefit = _static(rule, lang)
    if lang is None:  # both languages: dicts, copied so that no caller can change the cache
        title, clause, interpretation, benefit = _copy(title), _copy(clause), _copy(interpretation), _copy(benefit)
    data: dict[str, Any] = {
        "rule": rule.id,
        "document": document.id,
        "title": title,
        "kind": rule.kind,
        "status": status,
        "monetary": rule.monetary,
        "amount": None if amount is None else {"min": format_money(amount.low), "max": None if amount.high is None else format_money(amount.high)},
        "payers": payers,
        "summary": summary,
        "reasons": reasons,
        "calculation": steps,
        "missing_facts": missing,
        "citation": {"number": document.number, "clause": clause, "quote": rule.quote, "source": document.source},
        "interpretation": interpretation,
        "benefit": benefit,
    }
    if stacking is not None:
        data["stacking"] = stacking if lang is None else localize(stacking, lang)
    return data


class _Frame:
    """A rule's outcome as JSON around what an estimate writes, escaped once per city, rule and
    language: the opening by status (up to the amount), the closing (citation, interpretation,
    benefit) and, for non-monetary support, what follows the amount by status (payers and summary).

    A rule whose conditions and calculation read only facts the company gives that take few values
    (``given``) and what the rule paid (``paid``: before, or in the estimate's year; for most companies
    nothing, and never read by the calculation) writes the same outcome for every company with the same
    values: those are kept (``_KEPT``), by what they depend on.
    """

    __slots__ = ("closing", "document", "given", "opening", "paid", "rule", "support")

    def __init__(self, rule: Rule, document: Document, lang: str | None) -> None:
        self.rule, self.document = rule, document
        title, clause, interpretation, benefit = _static(rule, lang)
        head = b'{"rule":%s,"document":%s,"title":%s,"kind":%s,"status":' % tuple(dumps_bytes(v) for v in (rule.id, document.id, title, rule.kind))
        monetary = b',"monetary":%s,"amount":' % dumps_bytes(rule.monetary)
        self.opening = {status: head + dumps_bytes(status) + monetary for status in ("eligible", "ineligible", "undetermined", "not_in_force")}
        citation = {"number": document.number, "clause": clause, "quote": rule.quote, "source": document.source}
        self.closing = b',"citation":%s,"interpretation":%s,"benefit":%s}' % tuple(dumps_bytes(v) for v in (citation, interpretation, benefit))
        self.support: dict[str, bytes] = {}
        if not rule.monetary:
            for status in ("eligible", "undetermined"):
                summary = dumps_bytes(say(_support_summary(rule, status == "eligible"), lang))
                self.support[status] = b'null,"payers":[],"summary":' + summary
        read = reads_kept(rule.conditions)
        given, paid = (None, ()) if read is None else read
        if given is not None and rule.monetary:
            counted = calculation_reads(rule)
            given = tuple(dict.fromkeys(given + counted)) if counted is not None and FEW_VALUED.issuperset(counted) else None
        self.given, self.paid = given, paid


def _frames(plan: _Plan, lang: str | None) -> tuple[_Frame, ...]:
    """Each of the plan's rules' frame in ``lang``."""
    found = plan.frames.get(lang)
    if found is None:
        found = plan.frames[lang] = tuple(_Frame(entry.rule, plan.documents[entry.document], lang) for entry in plan.entries)
    return found


#: Outcomes written (up to the closing), with the facts that would settle them, by frame (a city's
#: rule in a language), district, status, amount, the record and the values of the facts read: see
#: ``_Frame``. At most ``_KEEP`` are kept (about 15 MB of text); then they are forgotten and kept
#: again as they come.
_KEPT: dict[tuple[object, ...], tuple[bytes, tuple[str, ...]]] = {}
_KEEP = 10_000


#: Who pays an award, as JSON, by rule, city, language, district and amount: the same for every
#: company awarded the same amount (most often nothing).
_PAYERS: dict[tuple[int, int, str | None, str | None, Amount], tuple[Rule, Text, bytes]] = {}


def _payers_json(rule: Rule, lang: str | None, amount: Amount, parts: list[tuple[Decimal, Decimal | None]], city_name: Text, district: str | None) -> bytes:
    key = (id(rule), id(city_name), lang, district, amount)
    found = _PAYERS.get(key)
    if found is not None and found[0] is rule and found[1] is city_name:
        return found[2]
    written = dumps_bytes(_split(rule, lang, parts, city_name, district))
    if len(_PAYERS) > 10_000:  # amounts differ from company to company: forget the old ones
        _PAYERS.clear()
    _PAYERS[key] = (rule, city_name, written)
    return written


def _amount_json(amount: Amount | None) -> bytes:
    if amount is None:
        return b"null"
    high = b"null" if amount.high is None else b'"%s"' % format_money(amount.high).encode()
    return b'{"min":"%s","max":%s}' % (format_money(amount.low).encode(), high)


def _written(
    frame: _Frame,
    decision: _Decision,
    parts: list[tuple[Decimal, Decimal | None]],
    profile: Profile,
    as_of: date,
    memo: dict[str, Any],
    lang: str | None,
    city_name: Text,
    district: str | None,
) -> tuple[bytes, Sequence[str]]:
    """One rule's outcome as JSON text, and the facts that would settle it, when its document is
    certainly in force on the day and no 就高不重复 group touches it: what ``Outcome`` writes, without
    an object per rule and with every word that no company changes written when the rule is compiled."""
    rule, document = frame.rule, frame.document
    status, amount, held, trace, calc = decision
    assert trace is not None
    key = None
    if frame.given is not None:
        key = (frame, district, status, amount, held, trace, *map(profile.facts.get, frame.given))
        if frame.paid:
            facts = FactContext(profile, rule.id, as_of.year)
            key += tuple(map(facts.value, frame.paid))
        found = _KEPT.get(key)
        if found is not None:
            return found[0] + frame.closing, found[1]
    reasons, unknown, unsettled, failed = explain_json(rule.conditions, lambda: FactContext(profile, rule.id, as_of.year), trace, memo, lang)
    missing = [] if held is False else _settling(status, held, calc, unknown)
    if status != "undetermined" or held is not None:
        unsettled = ()
    middle = frame.support.get(status)
    if middle is None:
        summary = _summary_of(rule, document, status, amount, None, as_of, failed, missing, unsettled)
        payers = b"[]" if amount is None or not rule.payers else _payers_json(rule, lang, amount, parts, city_name, district)
        middle = b'%s,"payers":%s,"summary":%s' % (_amount_json(amount), payers, dumps_bytes(say(summary, lang)))
    written = b"".join(
        (
            frame.opening[status],
            middle,
            b',"reasons":',
            reasons,
            b',"calculation":',
            b"[]" if calc is None else dumps_bytes(calc.explained(lang)),
            b',"missing_facts":',
            dumps_bytes(missing) if missing else b"[]",
        )
    )
    if key is not None:
        if len(_KEPT) >= _KEEP:
            _KEPT.clear()
        _KEPT[key] = (written, tuple(missing))
    return written + frame.closing, missing


def _check_language(lang: str | None) -> None:
    if lang not in (None, "zh", "en"):
        raise InputError.single("lang", f"Must be zh, en, or none for both; got {lang!r}.")


def _check_prior_rules(profile: Profile, rulebook: Rulebook) -> None:
    errors: dict[str, list[str]] = {}
    for index, award in enumerate(profile.prior_awards or ()):
        if award.rule not in rulebook.rules:
            errors[f"profile.prior_awards[{index}].rule"] = [
                f"Unknown rule '{award.rule}'; use a rule id such as suzhou.revenue_milestone (see `subsidy rules`)."
            ]
    if errors:
        raise InputError(errors)


class Estimate:
    """One company's estimate in one city on one day: every rule's decision, the totals, who pays.

    The figures are worked out when the estimate is made, together with the record of which test
    held and which calculation step applied; the words that explain them (reasons, calculation
    steps, summaries, in Chinese and English) are written from that record by ``as_dict``.
    """

    __slots__ = ("as_of", "city", "decisions", "district", "parts", "payers", "plan", "profile", "stacking", "total")

    def __init__(
        self,
        plan: _Plan,
        city: str,
        district: str | None,
        as_of: date,
        profile: Profile,
        decisions: list[_Decision],
        stacking: dict[int, dict[str, object]],
        parts: list[list[tuple[Decimal, Decimal | None]]],
        total: Amount,
        payers: dict[str, Amount],
    ) -> None:
        self.plan = plan
        self.city = city
        self.district = district
        self.as_of = as_of
        self.profile = profile
        self.decisions = decisions
        self.stacking = stacking
        self.parts = parts
        self.total = total
        self.payers = payers

    @property
    def statuses(self) -> dict[str, str]:
        """Each rule's status, by rule id."""
        return {e.rule.id: d[_STATUS] for e, d in zip(self.plan.entries, self.decisions, strict=False)}

    @property
    def amounts(self) -> dict[str, Amount | None]:
        """Each rule's amount range (None for non-monetary support), by rule id."""
        return {e.rule.id: d[_AMOUNT] for e, d in zip(self.plan.entries, self.decisions, strict=False)}

    @property
    def rule_ids(self) -> list[str]:
        """The rules decided, in the estimate's order."""
        return [entry.rule.id for entry in self.plan.entries]

    @property
    def status_list(self) -> list[str]:
        """Each rule's status, in the order of ``rule_ids``."""
        return [decision[_STATUS] for decision in self.decisions]

    @property
    def amount_list(self) -> list[Amount | None]:
        """Each rule's amount range (None for non-monetary support), in the order of ``rule_ids``."""
        return [decision[_AMOUNT] for decision in self.decisions]

    def brief(self, outcomes: list[Outcome] | None = None, lang: str | None = None) -> dict[str, Any]:
        """The estimate in short: day, totals, payers and each rule's status, amount and summary."""
        book = self.plan.book
        city_name = book.cities[self.city]
        return {
            "as_of": self.as_of.isoformat(),
            "total": money_range(self.total),
            "payers": [
                {"payer": payer, "name": payer_name(payer, city_name, self.district, lang=lang), "amount": money_range(amount)}
                for payer, amount in self.payers.items()
            ],
            "outcomes": [
                {
                    "rule": o.rule.id,
                    "status": o.status,
                    "amount": None if o.amount is None else money_range(o.amount),
                    "summary": say(_summary(o, self.as_of), lang),
                }
                for o in (self.outcomes(lang) if outcomes is None else outcomes)
            ],
        }

    def outcomes(self, lang: str | None = None) -> list[Outcome]:
        """Every rule's outcome, ready to be put into words in ``lang`` (both languages when None)."""
        _check_language(lang)
        documents = self.plan.documents
        doubtful = [document.in_force_on(self.as_of) is None for document in documents]
        memo: dict[str, Any] = {}
        return [
            Outcome(entry.rule, documents[entry.document], decision, self.stacking.get(index), self.profile, self.as_of, memo, lang, doubtful[entry.document])
            for index, (entry, decision) in enumerate(zip(self.plan.entries, self.decisions, strict=False))
        ]

    @property
    def last_certain_day(self) -> date | None:
        """The last day all of the city's own documents were certainly in force (None: no end)."""
        ends = [d.surely_to for d in self.plan.documents if not d.national]
        return None if not ends or any(end is None for end in ends) else max(end for end in ends if end is not None)

    def retrospective(self) -> Estimate | None:
        """The same estimate as of the last day the city's rules were certainly in force, when the
        estimate's day is after it: what the policy paid, and until when."""
        last = self.last_certain_day
        if last is None or self.as_of <= last:
            return None
        return estimate(self.profile, self.city, last, self.district, rulebook=self.plan.book)

    def notice(self, retrospective: Estimate | None, lang: str | None = None) -> dict[str, Any] | None:
        """The headline when a document is not, or not certainly, in force on the day; else None."""
        day = self.as_of.isoformat()
        documents, zh, en = [], [], []
        for document in self.plan.documents:
            state = document.in_force_on(self.as_of)
            if state is True:
                continue
            documents.append(
                {"id": document.id, "number": document.number, "state": "not_in_force" if state is False else "uncertain", **_window_data(document)}
            )
            window = _window_text(document)
            if state is None:
                zh.append(f"{document.number}在{day}是否有效无法确定（{window.zh}）")
                en.append(f"whether {document.number} is in force on {day} is uncertain (in force {window.en})")
            elif self.as_of < document.in_force_from:
                zh.append(f"{document.number}自{document.surely_from.isoformat()}起施行，{day}尚未生效")
                en.append(f"{document.number} takes effect on {document.surely_from.isoformat()}, after {day}")
            else:
                assert document.in_force_to is not None
                zh.append(f"{document.number}的有效期为{window.zh}，{day}已过有效期")
                en.append(f"{document.number} was in force {window.en}; {day} is after it")
        if not documents:
            return None
        text = Text("；".join(zh) + "。", "; ".join(en)[:1].upper() + "; ".join(en)[1:] + ".")
        if retrospective is not None:
            last = retrospective.as_of.isoformat()
            text = Text(
                f"{text.zh}下方“追溯估算”按本市政策确定有效的最后一天{last}计算，显示政策有效时可得的奖励。",
                f"{text.en} The retrospective below is the same estimate as of {last}, the last day the city's policies were certainly in force.",
            )
        words = text.as_dict() if lang is None else {lang: text.zh if lang == "zh" else text.en}
        return {**words, "documents": documents}

    def as_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The estimate as JSON-ready data: money as decimal strings, every text in ``lang`` (``zh`` or
        ``en``) or, when it is None, in both as ``{"zh", "en"}``. Only the asked language is written.

        ``notice`` (or None) comes first when a document is not certainly in force on the day, and
        ``retrospective`` (or None) gives the estimate as of the last day the city's rules certainly were.
        It is ``as_json`` read back.
        """
        data: dict[str, Any] = orjson.loads(self.as_json(lang))
        return data

    def as_json(self, lang: str | None = None) -> bytes:
        """The estimate as compact JSON text (UTF-8), exactly ``dumps_bytes(self.as_dict(lang))``.

        Each rule's outcome is written as JSON straight from its record: the words no company changes
        are escaped once per rule and language, and only the asked language is written.
        """
        _check_language(lang)
        retrospective = self.retrospective()
        data = self._data(lang)
        past = None
        if retrospective is not None:
            whole = retrospective._data(lang)
            past = {key: whole[key] for key in ("as_of", "total", "payers", "missing_facts", "outcomes")}
        head = ("city", "city_name", "district", "as_of")
        document = {
            **{key: data[key] for key in head},
            "notice": self.notice(retrospective, lang),
            **{key: value for key, value in data.items() if key not in head},
            "retrospective": past,
        }
        return orjson.dumps(document)  # no number here: the outcomes, written already, hold them all

    def _data(self, lang: str | None) -> dict[str, Any]:
        plan = self.plan
        book = plan.book
        city_name, district, day = book.cities[self.city], self.district, self.as_of
        documents = plan.documents
        certain = [document.in_force_on(day) is True for document in documents]
        memo: dict[str, Any] = {}  # each fact in words, once per estimate
        outcomes = []
        missing: set[str] = set()
        stacking, profile = self.stacking, self.profile
        for index, (entry, frame, decision, parts) in enumerate(zip(plan.entries, _frames(plan, lang), self.decisions, self.parts, strict=False)):
            if certain[entry.document] and index not in stacking:
                text, needs = _written(frame, decision, parts, profile, day, memo, lang, city_name, district)
            else:
                document = documents[entry.document]
                outcome = Outcome(entry.rule, document, decision, stacking.get(index), profile, day, memo, lang)
                data = _outcome_data(outcome, _split(entry.rule, lang, parts, city_name, district), day)
                text, needs = dumps_bytes(data), data["missing_facts"]
            outcomes.append(text)
            missing.update(needs)
        return {
            "city": self.city,
            "city_name": say(city_name, lang),
            "district": district,
            "as_of": day.isoformat(),
            "rulebook": {"digest": book.digest},
            "total": money_range(self.total),
            "payers": [
                {"payer": payer, "name": payer_name(payer, city_name, district, lang=lang), "amount": money_range(amount)}
                for payer, amount in self.payers.items()
            ],
            "missing_facts": [name for name in _FACT_ORDER if name in missing],
            "outcomes": orjson.Fragment(b"[" + b",".join(outcomes) + b"]"),
        }


def estimate(
    profile: Mapping[str, Any] | Profile,
    city: str,
    as_of: date | str | None = None,
    district: str | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> Estimate:
    """Decide every rule of ``city``'s documents and the national ones for ``profile`` on ``as_of``.

    Raises InputError naming the field for an unknown city, a bad date or an invalid profile.
    """
    book = rulebook or default_rulebook()
    errors: dict[str, list[str]] = {}
    found = book.resolve_city(city)
    if found is None:
        errors["city"] = [book.unknown_city(city)]
    day = date.today() if as_of is None else None
    if as_of is not None:
        try:
            day = parse_as_of(as_of)
        except InputError as exc:
            errors.update(exc.errors)
    if district is not None and (not isinstance(district, str) or not district.strip() or len(district) > 64):
        errors["district"] = ["Must be a district name of 1 to 64 characters, e.g. 江汉区."]
    parsed = collect_profile(profile, errors)
    if errors:
        raise InputError(errors)
    assert day is not None and found is not None
    city = found
    if parsed.prior_awards:
        _check_prior_rules(parsed, book)
    plan = _plan(book, city)
    entries = plan.entries
    decisions = _decide(plan, parsed, day)
    if recording():
        documents = plan.documents
        for entry, decision in zip(entries, decisions, strict=False):
            for branch in _branches(entry.rule, documents[entry.document], decision, day):
                record(entry.rule.id, branch)
    stacking: dict[int, dict[str, object]] = {}
    total = NOTHING
    for members, basis in plan.stacked:
        total = total + _stack(members, basis, entries, decisions, stacking)
    low, high = total
    for index in plan.summed:
        amount = decisions[index][_AMOUNT]
        if amount is not NOTHING:
            assert amount is not None
            low += amount.low
            high = None if high is None or amount.high is None else high + amount.high
    payers = {payer: NOTHING for payer in plan.payers}
    parts: list[list[tuple[Decimal, Decimal | None]]] = []
    for entry, decision in zip(entries, decisions, strict=False):
        amount = decision[_AMOUNT]
        if amount is None:
            parts.append([])
            continue
        shares = _parts(amount, entry.shares)
        parts.append(shares)
        if amount is not NOTHING:
            for payer, (part_low, part_high) in zip(entry.payers, shares, strict=False):
                before = payers[payer]
                payers[payer] = Amount(before.low + part_low, None if part_high is None or before.high is None else before.high + part_high)
    return Estimate(plan, city, district, day, parsed, decisions, stacking, parts, Amount(low, high), payers)


def evaluate(
    profile: Mapping[str, Any] | Profile,
    city: str,
    as_of: date | str | None = None,
    district: str | None = None,
    *,
    rulebook: Rulebook | None = None,
) -> dict[str, Any]:
    """``estimate(...).as_dict()``: the estimate with every reason, step and summary written out.

    Raises InputError naming the field for an unknown city, a bad date or an invalid profile.
    """
    return estimate(profile, city, as_of, district, rulebook=rulebook).as_dict()
