"""The batch evaluator: one city's rules compiled into NumPy operations over many companies at once.

It reads the same ``Rulebook`` as ``engine.evaluate`` and gives the same statuses and amounts, to the
fen, for every row, without the explanations. Money is integer fen in 64-bit integers; an unbounded
upper end is ``UNBOUNDED``; additions are checked for overflow; every comparison is exact integer
arithmetic (a growth rate is compared as ``(current - prior) * d`` against ``prior * n`` in 128 bits,
never as a float).

Columns come in as ``FactColumn`` (values plus a ``known`` mask): money in fen, counts as integers,
booleans as booleans, enums as codes into the fact's choices. ``eligibility.screen`` builds them from
Arrow tables, CSV and Parquet.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import numpy as np
import numpy.typing as npt

from .errors import EligibilityError
from .facts import FACTS
from .model import AllOf, AnyOf, Award, Cap, Condition, Document, Leaf, Not, Rule, Rulebook
from .profile import MAX_COUNT

__all__ = [
    "STATUSES",
    "UNBOUNDED",
    "BatchOverflow",
    "BatchResult",
    "CompiledCity",
    "FactColumn",
    "compile_city",
]

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: Status codes, in this order, as stored in ``BatchResult.status``.
STATUSES = ("eligible", "ineligible", "undetermined", "not_in_force")
ELIGIBLE, INELIGIBLE, UNDETERMINED, NOT_IN_FORCE = 0, 1, 2, 3
#: The upper end of an amount with no upper bound. Real amounts stay far below it (< 10^16 yuan).
UNBOUNDED = int(np.iinfo(np.int64).max)
_LOW32 = 0xFFFFFFFF


class BatchOverflow(EligibilityError):
    """A sum of amounts left the 64-bit range; the rows are named rather than a wrong total given."""

    def __init__(self, what: str, rows: list[int]) -> None:
        super().__init__(f"{what} exceeds the 64-bit range of fen in rows {', '.join(str(r) for r in rows)}")
        self.rows = rows


@dataclass(frozen=True)
class FactColumn:
    """One fact for every row: ``values`` where ``known`` is true, anything elsewhere.

    Money is int64 fen, counts int64, booleans bool, enums int8 codes into ``FACTS[name].choices``.
    """

    values: npt.NDArray[np.generic]
    known: Bools


@dataclass
class BatchResult:
    """Per rule a status code and (for monetary rules) a fen range; per row the totals and payer shares."""

    rules: tuple[Rule, ...]
    status: dict[str, npt.NDArray[np.int8]]
    low: dict[str, Ints]
    high: dict[str, Ints]
    total_low: Ints
    total_high: Ints
    payer_low: dict[str, Ints]
    payer_high: dict[str, Ints]

    def __len__(self) -> int:
        return len(self.total_low)


class _Columns:
    """The fact columns of one chunk, with unknown columns for facts the input does not give."""

    def __init__(self, size: int, facts: Mapping[str, FactColumn], prior: Mapping[str, FactColumn]) -> None:
        self.size = size
        self.facts = facts
        self.prior = prior
        self._unknown = FactColumn(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.bool_))

    def get(self, name: str, rule: str) -> FactColumn:
        if name == "paid_before":
            return self.prior.get(rule, self._unknown)
        return self.facts.get(name, self._unknown)


Truth = tuple[Bools, Bools]  # rows where a condition certainly holds, rows where it certainly fails
CompiledCondition = Callable[[_Columns], Truth]
Range = tuple[Ints, Ints]
CompiledAmount = Callable[[_Columns], Range]


# -- exact comparisons ------------------------------------------------------------------------------


def _mul128(x: Ints, k: int) -> tuple[Ints, Ints]:
    """``x * k`` as (high, low) with x*k = high * 2^32 + low and 0 <= low < 2^32; needs |k| < 2^31."""
    x_high = x >> 32
    part = (x & _LOW32) * k
    return x_high * k + (part >> 32), part & _LOW32


def _compare_products(op: str, a: Ints, p: int, b: Ints, q: int) -> Bools:
    """``a * p <op> b * q`` exactly, for int64 arrays a, b and integers p, q."""
    if abs(p) < 2**31 and abs(q) < 2**31:
        a_high, a_low = _mul128(a, p)
        b_high, b_low = _mul128(b, q)
        if op in ("eq", "ne"):
            same: Bools = (a_high == b_high) & (a_low == b_low)
            return same if op == "eq" else ~same
        if op in ("lt", "le"):
            a_high, a_low, b_high, b_low = b_high, b_low, a_high, a_low
        above: Bools = (a_high > b_high) | ((a_high == b_high) & (a_low > b_low))
        if op in ("gt", "lt"):
            return above
        return np.asarray(above | ((a_high == b_high) & (a_low == b_low)), dtype=np.bool_)
    # A rule threshold with a huge numerator or denominator: exact Python integers, row by row.
    left = a.astype(object) * p
    right = b.astype(object) * q
    compare = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal, "eq": np.equal, "ne": np.not_equal}[op]
    return np.asarray(compare(left, right), dtype=np.bool_)


def _compare_integer(op: str, values: Ints, threshold: Fraction) -> Bools:
    """``values <op> threshold`` for integer values and an exact rational threshold."""
    if op == "gt":
        return np.asarray(values > floor(threshold))
    if op == "ge":
        return np.asarray(values >= ceil(threshold))
    if op == "lt":
        return np.asarray(values < ceil(threshold))
    if op == "le":
        return np.asarray(values <= floor(threshold))
    if threshold.denominator != 1:
        return np.full(values.shape, op == "ne")
    return np.asarray(values == int(threshold)) if op == "eq" else np.asarray(values != int(threshold))


def fen(amount: Decimal) -> int:
    """A Decimal yuan amount (exact to the fen) as integer fen."""
    scaled = amount * 100
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(scaled)


def _threshold(kind: str, operand: object) -> Fraction:
    """A leaf's operand as an exact rational: money in fen, counts and ratios as they are."""
    if kind == "money":
        assert isinstance(operand, Decimal)
        return Fraction(fen(operand))
    assert isinstance(operand, (int, Fraction, Decimal)) and not isinstance(operand, bool)
    return Fraction(operand)


# -- conditions ---------------------------------------------------------------------------------


def _leaf(leaf: Leaf, rule: str) -> CompiledCondition:
    fact = FACTS[leaf.fact]
    op = leaf.op
    if leaf.fact == "operating_revenue_growth":
        return _growth_leaf(leaf)

    def compare(values: npt.NDArray[np.generic]) -> Bools:
        if fact.kind == "bool":
            flags = np.asarray(values, dtype=np.bool_)
            same = flags if bool(leaf.operand) else ~flags
            return same if op == "eq" else ~same
        if fact.kind == "enum":
            chosen = leaf.operand if op in ("in", "not_in") else (leaf.operand,)
            assert isinstance(chosen, tuple)
            codes = [fact.choices.index(str(c)) for c in chosen]
            hit = np.zeros(values.shape, dtype=np.bool_)
            for code in codes:
                hit |= values == code
            return hit if op in ("eq", "in") else ~hit
        threshold = _threshold(fact.kind, leaf.operand)
        return _compare_integer(op, values.astype(np.int64, copy=False), threshold)

    def evaluate(columns: _Columns) -> Truth:
        column = columns.get(leaf.fact, rule)
        if op in ("known", "unknown"):
            held = column.known if op == "known" else ~column.known
            return held, ~held
        result = compare(column.values)
        return column.known & result, column.known & ~result

    return evaluate


def _growth_leaf(leaf: Leaf) -> CompiledCondition:
    """Growth (current - prior) / prior against n / d, as (current - prior) * d against prior * n."""
    op = leaf.op
    ratio = _threshold("ratio", leaf.operand) if op not in ("known", "unknown") else Fraction(0)

    def evaluate(columns: _Columns) -> Truth:
        current = columns.get("operating_revenue", "")
        prior = columns.get("operating_revenue_prior", "")
        prior_values = prior.values.astype(np.int64, copy=False)
        known = current.known & prior.known & (prior_values > 0)
        if op in ("known", "unknown"):
            held = known if op == "known" else ~known
            return held, ~held
        change = current.values.astype(np.int64, copy=False) - prior_values  # |change| < 10^18: no overflow
        result = _compare_products(op, change, ratio.denominator, prior_values, ratio.numerator)
        return known & result, known & ~result

    return evaluate


def _condition(condition: Condition, rule: str) -> CompiledCondition:
    if isinstance(condition, Leaf):
        return _leaf(condition, rule)
    if isinstance(condition, Not):
        inner = _condition(condition.item, rule)

        def negate(columns: _Columns) -> Truth:
            holds, fails = inner(columns)
            return fails, holds

        return negate
    parts = [_condition(item, rule) for item in condition.items]
    every = isinstance(condition, AllOf)
    assert every or isinstance(condition, AnyOf)

    def combine(columns: _Columns) -> Truth:
        holds, fails = parts[0](columns)
        for part in parts[1:]:
            more_holds, more_fails = part(columns)
            if every:
                holds, fails = holds & more_holds, fails | more_fails
            else:
                holds, fails = holds | more_holds, fails & more_fails
        return holds, fails

    return combine


# -- awards and caps ----------------------------------------------------------------------------


def _full(columns: _Columns, value: int) -> Ints:
    return np.full(columns.size, value, dtype=np.int64)


def _base(award: Award, rule: str) -> CompiledAmount:
    if award.form == "fixed" and award.by is not None:
        by = award.by
        table = dict(award.amounts)
        by_code = np.array([fen(table.get(choice, Decimal(0))) for choice in FACTS[by].choices], dtype=np.int64)
        top = max(fen(a) for a in table.values())

        def fixed_by(columns: _Columns) -> Range:
            column = columns.get(by, rule)
            codes = np.where(column.known, column.values, 0).astype(np.intp)
            amount = by_code[codes]
            return np.where(column.known, amount, 0), np.where(column.known, amount, top)

        return fixed_by
    if award.form in ("fixed", "capped", "ranged"):
        low = award.amount if award.form == "fixed" else award.up_to if award.form == "capped" else award.minimum
        high = award.amount if award.form == "fixed" else award.up_to if award.form == "capped" else award.maximum
        assert low is not None and high is not None
        low_fen, high_fen = fen(low), fen(high)
        return lambda columns: (_full(columns, low_fen), _full(columns, high_fen))
    if award.form == "per_unit":
        units = [(unit.fact, fen(unit.amount)) for unit in award.units]
        if sum(amount for _, amount in units) * MAX_COUNT >= UNBOUNDED:
            raise EligibilityError(f"{rule}: per-unit amounts times {MAX_COUNT} units exceed 64-bit fen")

        def per_unit(columns: _Columns) -> Range:
            low = _full(columns, 0)
            bounded = np.ones(columns.size, dtype=np.bool_)
            for name, amount in units:
                column = columns.get(name, rule)
                low += np.where(column.known, column.values.astype(np.int64, copy=False) * amount, 0)
                bounded &= column.known
            return low, np.where(bounded, low, UNBOUNDED)

        return per_unit
    assert award.form == "tiered" and award.fact is not None
    tier_fact = award.fact
    thresholds = np.array([fen(t.threshold) for t in award.tiers], dtype=np.int64)
    amounts = np.array([0] + [fen(t.amount) for t in award.tiers], dtype=np.int64)
    side: str = "right" if award.inclusive else "left"  # inclusive counts thresholds <= value, else < value
    top_amount = int(amounts[-1])
    difference = award.pay == "difference"

    def tiered(columns: _Columns) -> Range:
        column = columns.get(tier_fact, rule)
        reached = amounts[np.searchsorted(thresholds, column.values.astype(np.int64, copy=False), side=side)]  # type: ignore[call-overload]
        low = np.where(column.known, reached, 0)
        high = np.where(column.known, reached, top_amount)
        if not difference:
            return low, high
        paid = columns.get("paid_before", rule)
        paid_values = paid.values.astype(np.int64, copy=False)
        low = np.where(paid.known, np.maximum(low - paid_values, 0), 0)
        high = np.where(paid.known, np.maximum(high - paid_values, 0), high)
        return low, high

    return tiered


def _cap(cap: Cap, rule: str) -> CompiledAmount:
    """A cap as a range: the amount is then limited to min(low, cap low), min(high, cap high)."""
    if cap.kind == "limit":
        assert cap.amount is not None
        limit = fen(cap.amount)
        return lambda columns: (_full(columns, limit), _full(columns, limit))
    if cap.kind == "cumulative":
        assert cap.amount is not None
        lifetime = fen(cap.amount)

        def cumulative(columns: _Columns) -> Range:
            paid = columns.get("paid_before", rule)
            left = np.maximum(lifetime - paid.values.astype(np.int64, copy=False), 0)
            return np.where(paid.known, left, 0), np.where(paid.known, left, lifetime)

        return cumulative
    assert cap.fact is not None
    cap_fact = cap.fact

    def by_fact(columns: _Columns) -> Range:
        column = columns.get(cap_fact, rule)
        values = column.values.astype(np.int64, copy=False)
        return np.where(column.known, values, 0), np.where(column.known, values, UNBOUNDED)

    return by_fact


def _amount(rule: Rule) -> CompiledAmount:
    base = _base(rule.award, rule.id)
    caps = [_cap(cap, rule.id) for cap in rule.caps]

    def amount(columns: _Columns) -> Range:
        low, high = base(columns)
        for cap in caps:
            cap_low, cap_high = cap(columns)
            low, high = np.minimum(low, cap_low), np.minimum(high, cap_high)
        return low, high

    return amount


# -- rules, stacking, payers ----------------------------------------------------------------------


@dataclass
class _CompiledRule:
    rule: Rule
    document: Document
    in_force: bool
    condition: CompiledCondition
    amount: CompiledAmount | None
    shares: list[tuple[str, Fraction]] = field(default_factory=list)

    def run(self, columns: _Columns) -> tuple[npt.NDArray[np.int8], Ints | None, Ints | None]:
        size = columns.size
        if not self.in_force:
            status = np.full(size, NOT_IN_FORCE, dtype=np.int8)
            if self.amount is None:
                return status, None, None
            return status, _full(columns, 0), _full(columns, 0)
        holds, fails = self.condition(columns)
        if self.amount is None:
            status = np.where(fails, INELIGIBLE, np.where(holds, ELIGIBLE, UNDETERMINED)).astype(np.int8)
            return status, None, None
        low, high = self.amount(columns)
        nothing = fails | (high == 0)
        paid = holds & ~nothing
        status = np.where(nothing, INELIGIBLE, np.where(paid, ELIGIBLE, UNDETERMINED)).astype(np.int8)
        return status, np.where(paid, low, 0), np.where(nothing, 0, high)


def _checked_sum(parts: list[Ints], what: str, offset: int) -> Ints:
    """Sum fen arrays, keeping UNBOUNDED unbounded and refusing to wrap around."""
    total = parts[0].copy()
    for part in parts[1:]:
        unbounded = (total == UNBOUNDED) | (part == UNBOUNDED)
        summed = total + part
        wrapped = ~unbounded & ((summed < total) | (summed == UNBOUNDED))
        if wrapped.any():
            raise BatchOverflow(what, [offset + int(r) + 1 for r in np.flatnonzero(wrapped)[:5]])
        total = np.where(unbounded, UNBOUNDED, summed)
    return total


def _share(amount: Ints, share: Fraction) -> Ints:
    """``amount * share`` rounded half up to the fen, exactly, as ``split_by_shares`` does."""
    whole, rest = np.divmod(amount, share.denominator)
    part: Ints = whole * share.numerator + (2 * rest * share.numerator + share.denominator) // (2 * share.denominator)
    return part


def _split(amount: Ints, shares: list[tuple[str, Fraction]]) -> list[tuple[str, Ints]]:
    """Each payer's part of ``amount``; all but the last rounded half up, the last the remainder."""
    unbounded = amount == UNBOUNDED
    parts: list[tuple[str, Ints]] = []
    given = np.zeros_like(amount)
    for payer, share in shares[:-1]:
        part = _share(amount, share)
        given += part
        parts.append((payer, np.where(unbounded, UNBOUNDED, part)))
    parts.append((shares[-1][0], np.where(unbounded, UNBOUNDED, amount - given)))
    return parts


@dataclass
class CompiledCity:
    """One city's rules (its own documents, then the national ones) ready to run over columns."""

    city: str
    as_of: date
    rules: tuple[_CompiledRule, ...]
    payers: tuple[str, ...]

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(compiled.rule.id for compiled in self.rules)

    def run(self, size: int, facts: Mapping[str, FactColumn], prior: Mapping[str, FactColumn], offset: int = 0) -> BatchResult:
        """Evaluate every rule for ``size`` rows; ``offset`` numbers the rows in error messages."""
        columns = _Columns(size, facts, prior)
        status: dict[str, npt.NDArray[np.int8]] = {}
        low: dict[str, Ints] = {}
        high: dict[str, Ints] = {}
        for compiled in self.rules:
            rule_status, rule_low, rule_high = compiled.run(columns)
            status[compiled.rule.id] = rule_status
            if rule_low is not None and rule_high is not None:
                low[compiled.rule.id], high[compiled.rule.id] = rule_low, rule_high
        total_low, total_high = self._stack_and_total(status, low, high, offset)
        payer_low: dict[str, list[Ints]] = {payer: [] for payer in self.payers}
        payer_high: dict[str, list[Ints]] = {payer: [] for payer in self.payers}
        for compiled in self.rules:
            if compiled.amount is None:
                continue
            for payer, part in _split(low[compiled.rule.id], compiled.shares):
                payer_low[payer].append(part)
            for payer, part in _split(high[compiled.rule.id], compiled.shares):
                payer_high[payer].append(part)
        return BatchResult(
            rules=tuple(c.rule for c in self.rules),
            status=status,
            low=low,
            high=high,
            total_low=total_low,
            total_high=total_high,
            payer_low={p: _checked_sum(parts, f"the {p} share", offset) for p, parts in payer_low.items()},
            payer_high={p: _checked_sum(parts, f"the {p} share", offset) for p, parts in payer_high.items()},
        )

    def _stack_and_total(self, status: dict[str, npt.NDArray[np.int8]], low: dict[str, Ints], high: dict[str, Ints], offset: int) -> Range:
        """就高不重复 as the engine applies it, then the total: groups of a kind count their highest only."""
        groups: dict[str, list[_CompiledRule]] = {}
        for compiled in self.rules:
            if compiled.amount is not None:
                groups.setdefault(compiled.rule.kind, []).append(compiled)
        lows: list[Ints] = []
        highs: list[Ints] = []
        for members in groups.values():
            ids = [m.rule.id for m in members]
            stacked = [m for m in members if m.document.stacking == "highest_only"]
            if len(members) < 2 or not stacked:
                lows.extend(low[i] for i in ids)
                highs.extend(high[i] for i in ids)
                continue
            payable = [status[i] == ELIGIBLE for i in ids]
            # The winner among payable members: highest (low, high), the first on a tie.
            winner = np.full(len(payable[0]), -1, dtype=np.int64)
            best_low = np.zeros(len(payable[0]), dtype=np.int64)
            best_high = np.zeros(len(payable[0]), dtype=np.int64)
            for index, rule_id in enumerate(ids):
                better = payable[index] & (
                    (winner < 0) | (low[rule_id] > best_low) | ((low[rule_id] == best_low) & (high[rule_id] > best_high))
                )
                winner = np.where(better, index, winner)
                best_low = np.where(better, low[rule_id], best_low)
                best_high = np.where(better, high[rule_id], best_high)
            contested = np.sum(payable, axis=0) >= 2
            for index, rule_id in enumerate(ids):
                loses = contested & payable[index] & (winner != index)
                low[rule_id] = np.where(loses, 0, low[rule_id])
                high[rule_id] = np.where(loses, 0, high[rule_id])
            lows.append(np.max([low[i] for i in ids], axis=0))
            highs.append(np.max([high[i] for i in ids], axis=0))
        if not lows:
            size = len(next(iter(status.values()))) if status else 0
            return np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64)
        return _checked_sum(lows, "the total", offset), _checked_sum(highs, "the total", offset)


def compile_city(rulebook: Rulebook, city: str, as_of: date) -> CompiledCity:
    """Compile ``city``'s documents and the national ones, as ``engine.evaluate`` would apply them on ``as_of``."""
    compiled: list[_CompiledRule] = []
    payers: list[str] = []
    for document in rulebook.documents_for(city):
        for rule in document.rules:
            shares: list[tuple[str, Fraction]] = [(p.payer, p.share) for p in rule.payers]
            for payer, _share_of in shares:
                if payer not in payers:
                    payers.append(payer)
            compiled.append(
                _CompiledRule(
                    rule=rule,
                    document=document,
                    in_force=document.in_force_on(as_of),
                    condition=_condition(rule.conditions, rule.id),
                    amount=_amount(rule) if rule.monetary else None,
                    shares=shares,
                )
            )
    order = ("city", "district")
    return CompiledCity(city, as_of, tuple(compiled), tuple(sorted(payers, key=order.index)))
