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

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from math import ceil, floor

import numpy as np
import numpy.typing as npt

from .errors import EligibilityError
from .facts import FACTS
from .model import (
    PAYERS,
    STATUSES,
    AllOf,
    AnyOf,
    Award,
    Cap,
    CappedAward,
    Condition,
    Document,
    FixedAward,
    Leaf,
    NonMonetaryAward,
    Not,
    PerUnitAward,
    RangedAward,
    Rule,
    Rulebook,
    TableAward,
    TieredAward,
)
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
ELIGIBLE, INELIGIBLE, UNDETERMINED, NOT_IN_FORCE = 0, 1, 2, 3
#: The upper end of an amount with no upper bound. Real amounts stay far below it (< 10^16 yuan).
UNBOUNDED = int(np.iinfo(np.int64).max)
#: Money facts are below 10^16 yuan: 10^18 fen (the profile refuses more).
MAX_FEN = 10**18 - 1
#: Rows evaluated at a time inside ``CompiledCity.run``: intermediate arrays of 512 KiB stay in cache.
SLICE_ROWS = 1 << 16
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
    Where a value is unknown it must be zero (false, the first choice): the evaluator relies on it.
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
    """The fact columns of one chunk, with unknown columns for facts the input does not give.

    ``truths`` remembers each distinct test (fact, operator, operand) once evaluated, since many
    rules share them (entity type, main business).
    """

    def __init__(self, size: int, facts: Mapping[str, FactColumn], prior: Mapping[str, FactColumn], start: int | None = None) -> None:
        self.size = size
        self.facts = facts
        self.prior = prior
        #: Rows ``start`` to ``start + size`` of longer columns, cut out when a rule first reads them
        #: (None: the columns are the chunk's own).
        self.start = start
        self.cut: dict[str, FactColumn] = {}
        self.zeros = np.zeros(size, dtype=np.int64)
        self._unknown = FactColumn(self.zeros, np.zeros(size, dtype=np.bool_))
        self.truths: dict[int, Truth] = {}
        self.statuses: dict[int, tuple[Bools, npt.NDArray[np.int8]]] = {}

    def get(self, name: str, rule: str) -> FactColumn:
        if name in _PER_RULE:
            # A register's prior:<rule> column is what the rule paid: for an annual award (which
            # tests paid_this_year) what it paid in the screening's year, else what it paid before.
            found, key = self.prior.get(rule), "prior:" + rule
        else:
            found, key = self.facts.get(name), name
        if found is None:
            return self._unknown
        if self.start is None:
            return found
        cut = self.cut.get(key)
        if cut is None:
            start, stop = self.start, self.start + self.size
            cut = self.cut[key] = FactColumn(found.values[start:stop], found.known[start:stop])
        return cut


_PER_RULE = frozenset(("paid_before", "paid_this_year"))
Truth = tuple[Bools, Bools]  # rows where a condition certainly holds, rows where it certainly fails
CompiledCondition = Callable[[_Columns], Truth]
Range = tuple[Ints, Ints]
_Totals = tuple[Ints, Ints, dict[str, Ints], dict[str, Ints]]
CompiledAmount = Callable[[_Columns], Range]


# -- exact comparisons ------------------------------------------------------------------------------


def _mul128(x: Ints, k: int) -> tuple[Ints, Ints]:
    """``x * k`` as (high, low) with x*k = high * 2^32 + low and 0 <= low < 2^32; needs |k| < 2^31."""
    x_high = x >> 32
    part = (x & _LOW32) * k
    return x_high * k + (part >> 32), part & _LOW32


def _compare_products(op: str, a: Ints, p: int, b: Ints, q: int) -> Bools:
    """``a * p <op> b * q`` exactly, for int64 arrays a, b (|a|, |b| <= MAX_FEN) and integers p, q."""
    if MAX_FEN * max(abs(p), abs(q)) <= UNBOUNDED:
        # Small factors (a 20 % threshold is 1/5): the products fit in 64 bits as they are.
        left = a if p == 1 else a * np.int64(p)
        right = b if q == 1 else b * np.int64(q)
        compare = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal, "eq": np.equal, "ne": np.not_equal}[op]
        return np.asarray(compare(left, right), dtype=np.bool_)
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


def _comparison(leaf: Leaf) -> Callable[[npt.NDArray[np.generic]], Bools]:
    """The test of one leaf on a column's values, with everything that is not the values worked out once."""
    fact = FACTS[leaf.fact]
    op = leaf.op
    if fact.kind == "bool":
        same = bool(leaf.operand) == (op == "eq")

        def flag(values: npt.NDArray[np.generic]) -> Bools:
            flags: Bools = np.asarray(values, dtype=np.bool_)  # no copy: the column is bool already
            return flags if same else ~flags

        return flag
    if fact.kind == "enum":
        chosen = leaf.operand if op in ("in", "not_in") else (leaf.operand,)
        assert isinstance(chosen, tuple)
        codes = [np.int8(fact.choices.index(str(c))) for c in chosen]
        positive = op in ("eq", "in")

        def choice(values: npt.NDArray[np.generic]) -> Bools:
            hit: Bools = values == codes[0]
            for code in codes[1:]:
                hit |= values == code
            return hit if positive else ~hit

        return choice
    threshold = _threshold(fact.kind, leaf.operand)
    bounds = {"gt": floor(threshold), "ge": ceil(threshold), "lt": ceil(threshold), "le": floor(threshold)}
    if op in bounds and -UNBOUNDED <= bounds[op] <= UNBOUNDED:
        bound = np.int64(bounds[op])
        ufunc = {"gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal}[op]

        def against(values: npt.NDArray[np.generic]) -> Bools:
            return np.asarray(ufunc(values.astype(np.int64, copy=False), bound))

        return against
    if op in ("eq", "ne") and threshold.denominator == 1 and abs(threshold) <= UNBOUNDED:
        target = np.int64(int(threshold))
        equal = op == "eq"

        def exactly(values: npt.NDArray[np.generic]) -> Bools:
            same: Bools = values.astype(np.int64, copy=False) == target
            return same if equal else ~same

        return exactly
    return lambda values: _compare_integer(op, values.astype(np.int64, copy=False), threshold)


def _leaf(leaf: Leaf, rule: str) -> CompiledCondition:
    op = leaf.op
    if leaf.fact == "operating_revenue_growth":
        return _growth_leaf(leaf)
    compare = _comparison(leaf) if op not in ("known", "unknown") else None
    key = _test_number(_shape(leaf, rule))
    fact_name = leaf.fact

    def evaluate(columns: _Columns) -> Truth:
        truth = columns.truths.get(key)
        if truth is not None:
            return truth
        column = columns.get(fact_name, rule)
        if compare is None:
            held = column.known if op == "known" else ~column.known
            truth = held, ~held
        else:
            result = compare(column.values)
            truth = column.known & result, column.known & ~result
        columns.truths[key] = truth
        return truth

    return evaluate


def _growth_leaf(leaf: Leaf) -> CompiledCondition:
    """Growth (current - prior) / prior against n / d, as (current - prior) * d against prior * n."""
    op = leaf.op
    ratio = _threshold("ratio", leaf.operand) if op not in ("known", "unknown") else Fraction(0)

    def evaluate(columns: _Columns) -> Truth:
        current = columns.get("operating_revenue", "")
        prior = columns.get("operating_revenue_prior", "")
        prior_values = prior.values.astype(np.int64, copy=False)
        known = current.known & prior.known & (prior_values > _NONE)
        if op in ("known", "unknown"):
            held = known if op == "known" else ~known
            return held, ~held
        change = current.values.astype(np.int64, copy=False) - prior_values  # |change| < 10^18: no overflow
        result = _compare_products(op, change, ratio.denominator, prior_values, ratio.numerator)
        return known & result, known & ~result

    return evaluate


def _shape(condition: Condition, rule: str) -> tuple[object, ...]:
    """What a condition tests, without its paths: rules testing the same thing share one key (a
    test of what the rule itself paid is the rule's own)."""
    if isinstance(condition, Leaf):
        return (condition.fact, condition.op, repr(condition.operand), rule if condition.fact in _PER_RULE else None)
    if isinstance(condition, Not):
        return ("not", _shape(condition.item, rule))
    return ("all" if isinstance(condition, AllOf) else "any", *(_shape(item, rule) for item in condition.items))


#: Each distinct test's number: a chunk's truths are looked up by a small int rather than by
#: hashing a nested tuple on every lookup.
_TESTS: dict[tuple[object, ...], int] = {}


def _test_number(shape: tuple[object, ...]) -> int:
    return _TESTS.setdefault(shape, len(_TESTS))


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
    key = _test_number(_shape(condition, rule))

    def combine(columns: _Columns) -> Truth:
        truth = columns.truths.get(key)  # many rules test the same (an enterprise whose main business is blockchain)
        if truth is not None:
            return truth
        holds, fails = parts[0](columns)
        for part in parts[1:]:
            more_holds, more_fails = part(columns)
            if every:
                holds, fails = holds & more_holds, fails | more_fails
            else:
                holds, fails = holds | more_holds, fails & more_fails
        columns.truths[key] = (holds, fails)
        return holds, fails

    return combine


# -- awards and caps ----------------------------------------------------------------------------


_SATURATE = np.int64(1 << 58)  # saturating sums: a sum reaching this is unbounded
_NONE = np.int64(0)  # NumPy scalars: a Python int operand costs a slow conversion path
_MAX = np.int64(UNBOUNDED)
_ONE, _SIGN = np.int64(1), np.int64(63)

# Selections by arithmetic on masks rather than np.where, which is several times slower on
# unpredictable masks; a mask is first widened to int64 (0 or 1), since int64-by-bool arithmetic
# casts through a buffer and costs more than the widening and a plain int64 operation together.
# Every amount here is a non-negative int64 below 2^62, so none can overflow.


def _keep(values: Ints | np.int64, mask: Bools) -> Ints:
    """``values`` where ``mask``, 0 elsewhere."""
    kept: Ints = mask.astype(np.int64)
    kept *= values
    return kept


def _choose(mask: Bools, values: Ints, other: Ints | np.int64) -> Ints:
    """``values`` where ``mask``, ``other`` elsewhere (both non-negative and below 2^62)."""
    chosen: Ints = values - other
    chosen *= mask.astype(np.int64)
    chosen += other
    return chosen


def _unbounded_unless(values: Ints, bounded: Bools) -> Ints:
    """``values`` where ``bounded``, UNBOUNDED elsewhere (``values`` non-negative: OR with 2^63 - 1)."""
    result: Ints = (~bounded).astype(np.int64)
    result *= _MAX
    result |= values
    return result


def _saturated(values: Ints, out: Ints | None = None) -> Ints:
    """2^63 - 1 where a sum reached 2^58, 0 elsewhere: a mask to OR into it (written into ``out``
    when given, a scratch array of the same length).

    In int64 arithmetic alone: (2^58 - 1 - v) >> 63 is all ones where v reached 2^58 and 0 elsewhere.
    """
    mask: Ints = np.subtract(_SATURATE - _ONE, values, out=out)
    mask >>= _SIGN
    mask &= _MAX
    return mask


def _unbounded_from_saturation(values: Ints) -> Ints:
    """``values``, with every sum that reached 2^58 made UNBOUNDED (OR with 2^63 - 1)."""
    result = _saturated(values)
    result |= values
    return result


def _base(award: Award, rule: str) -> CompiledAmount:
    gross = _gross(award, rule)
    if award.pay != "difference" or isinstance(award, TieredAward):  # a tiered award deducts in place
        return gross

    def difference(columns: _Columns) -> Range:
        low, high = gross(columns)
        paid = columns.get("paid_before", rule)
        paid_values = paid.values.astype(np.int64, copy=False)  # unknown is 0
        return _keep(np.maximum(low - paid_values, _NONE), paid.known), np.maximum(high - paid_values, _NONE)

    return difference


def _gross(award: Award, rule: str) -> CompiledAmount:
    match award:
        case TableAward():
            return _table(award, rule)
        case FixedAward(amount=amount):
            return _constant(amount, amount)
        case CappedAward(up_to=up_to):
            return _constant(up_to, up_to)
        case RangedAward(minimum=minimum, maximum=maximum):
            return _constant(minimum, maximum)
        case PerUnitAward():
            return _per_unit(award, rule)
        case TieredAward():
            return _tiered(award, rule)
        case NonMonetaryAward():
            raise AssertionError("a non-monetary award has no amount")


def _constant(low: Decimal, high: Decimal) -> CompiledAmount:
    low_fen = np.int64(fen(low))
    high_fen = low_fen if high == low else np.int64(fen(high))  # one object: a cap then works out one minimum
    return lambda columns: (low_fen, high_fen)  # type: ignore[return-value]  # broadcast by the caller


def _table(award: TableAward, rule: str) -> CompiledAmount:
    by = award.by
    table = dict(award.amounts)
    by_code = np.array([fen(table.get(choice, Decimal(0))) for choice in FACTS[by].choices], dtype=np.int64)
    top = np.int64(fen(award.ceiling))

    def fixed_by(columns: _Columns) -> Range:
        column = columns.get(by, rule)
        amount = by_code[column.values.astype(np.intp)]  # unknown codes are 0
        return _keep(amount, column.known), _choose(column.known, amount, top)

    return fixed_by


def _per_unit(award: PerUnitAward, rule: str) -> CompiledAmount:
    units = [(unit.fact, fen(unit.amount)) for unit in award.units]
    if sum(amount for _, amount in units) * MAX_COUNT >= UNBOUNDED:
        raise EligibilityError(f"{rule}: per-unit amounts times {MAX_COUNT} units exceed 64-bit fen")

    def per_unit(columns: _Columns) -> Range:
        low: Ints | None = None
        bounded: Bools | None = None
        for name, amount in units:
            column = columns.get(name, rule)
            part = column.values.astype(np.int64, copy=False) * np.int64(amount)  # unknown counts are 0
            low = part if low is None else low + part
            bounded = column.known if bounded is None else bounded & column.known
        assert low is not None and bounded is not None
        return low, _unbounded_unless(low, bounded)

    return per_unit


def _tiered(award: TieredAward, rule: str) -> CompiledAmount:
    tier_fact = award.fact
    thresholds = [np.int64(fen(t.threshold)) for t in award.tiers]
    amounts = np.array([0] + [fen(t.amount) for t in award.tiers], dtype=np.int64)
    inclusive = award.inclusive
    top_amount = amounts[-1]
    difference = award.pay == "difference"

    def tiered(columns: _Columns) -> Range:
        column = columns.get(tier_fact, rule)
        values = column.values.astype(np.int64, copy=False)
        # The number of thresholds reached (tiers are in increasing order), then that tier's amount.
        count = np.zeros(columns.size, dtype=np.int8)
        for threshold in thresholds:
            count += (values >= threshold if inclusive else values > threshold).view(np.int8)
        reached = amounts[count.astype(np.intp)]
        high = _choose(column.known, reached, top_amount)
        if not difference:
            return _keep(reached, column.known), high
        paid = columns.get("paid_before", rule)
        paid_values = paid.values.astype(np.int64, copy=False)  # unknown is 0
        low = _keep(np.maximum(reached - paid_values, _NONE), column.known & paid.known)
        high = np.maximum(high - paid_values, _NONE)
        return low, high

    return tiered


#: A cap applied to a range: (columns, low, high) -> the range limited by the cap.
CompiledCap = Callable[[_Columns, Ints, Ints], Range]


def _cap(cap: Cap, rule: str) -> CompiledCap:
    """A cap applied to a range: the amount is limited to min(low, cap low), min(high, cap high)."""
    if cap.kind == "limit":
        assert cap.amount is not None
        limit = np.int64(fen(cap.amount))
        return lambda columns, low, high: (np.minimum(low, limit), np.minimum(high, limit))
    if cap.kind == "cumulative":
        assert cap.amount is not None
        lifetime = np.int64(fen(cap.amount))

        def cumulative(columns: _Columns, low: Ints, high: Ints) -> Range:
            paid = columns.get("paid_before", rule)
            left = np.maximum(lifetime - paid.values.astype(np.int64, copy=False), _NONE)
            return np.minimum(low, _keep(left, paid.known)), np.minimum(high, _choose(paid.known, left, lifetime))

        return cumulative
    assert cap.fact is not None
    cap_fact = cap.fact

    def by_fact(columns: _Columns, low: Ints, high: Ints) -> Range:
        column = columns.get(cap_fact, rule)
        values = column.values.astype(np.int64, copy=False)  # unknown is 0
        # An unknown cap leaves the upper end as it is: min(high, v) where known, high elsewhere. As v
        # is 0 where unknown, that is max(min(high, v), high where unknown) (high is never negative).
        capped_low = np.minimum(low, values)
        capped_high = capped_low if high is low else np.minimum(high, values)
        unknown: Ints = (~column.known).astype(np.int64)
        unknown *= high
        np.maximum(unknown, capped_high, out=unknown)
        return capped_low, unknown

    return by_fact


def _amount(rule: Rule) -> CompiledAmount:
    base = _base(rule.award, rule.id)
    caps = [_cap(cap, rule.id) for cap in rule.caps]

    def amount(columns: _Columns) -> Range:
        low, high = base(columns)
        for cap in caps:
            low, high = cap(columns, low, high)
        return low, high

    return amount


# -- rules, stacking, payers ----------------------------------------------------------------------


@dataclass
class _CompiledRule:
    rule: Rule
    document: Document
    in_force: bool | None  # None: the day may or may not be inside the document's window
    condition: CompiledCondition
    amount: CompiledAmount | None
    shares: list[tuple[str, Fraction]] = field(default_factory=list)
    #: Whether the rule's upper end can be UNBOUNDED (an unknown count of units, no fixed limit).
    unbounded: bool = False
    #: Where sums saturate: the value an UNBOUNDED upper end is clamped to, large enough that every
    #: payer's part of it still reaches 2^58 (None for a rule that is always finite).
    clamp: np.int64 | None = None
    #: Two payers, half each (the usual city/district split).
    halves: bool = False

    def run(self, columns: _Columns) -> tuple[npt.NDArray[np.int8], Ints | None, Ints | None]:
        size = columns.size
        if self.in_force is False:
            status = np.full(size, NOT_IN_FORCE, dtype=np.int8)
            if self.amount is None:
                return status, None, None
            return status, columns.zeros, columns.zeros
        holds, fails = self.condition(columns)
        if self.in_force is None:  # like an unknown condition: nothing is certainly eligible
            holds = np.zeros(size, dtype=np.bool_)
        if self.amount is None:
            statuses = columns.statuses.get(id(holds))  # rules with the same condition share its statuses
            if statuses is None or statuses[0] is not holds:
                statuses = (holds, _status(holds, fails))
                columns.statuses[id(holds)] = statuses
            return statuses[1], None, None
        low, high = self.amount(columns)
        nothing = _nothing(fails, high)
        something = ~nothing
        paid = holds & something
        return _status(paid, nothing), _keep(low, paid), _keep(high, something)


def _nothing(fails: Bools, high: Ints) -> Bools:
    """Rows where nothing is payable: the conditions fail or the upper end is 0."""
    if np.ndim(high) == 0:  # a fixed amount: a bool array OR a NumPy scalar takes a slow path
        return fails if high != _NONE else np.ones(fails.shape, dtype=np.bool_)
    nothing: Bools = fails | (high == _NONE)
    return nothing


def _status(eligible: Bools, ineligible: Bools) -> npt.NDArray[np.int8]:
    """Status codes from two disjoint masks; rows in neither are undetermined (2 - 2e - i)."""
    doubled = eligible.view(np.int8)
    codes: npt.NDArray[np.int8] = doubled + doubled  # int8 additions: shifts of int8 are several times slower
    codes += ineligible.view(np.int8)
    return np.subtract(_UNDETERMINED, codes, out=codes)


_UNDETERMINED = np.int8(UNDETERMINED)


def _checked_sum(parts: list[Ints], what: str, offset: int) -> Ints:
    """Sum non-negative fen arrays, keeping UNBOUNDED unbounded and refusing to wrap around."""
    total = parts[0]
    for part in parts[1:]:
        summed = total + part
        # Non-negative addends wrap to a negative sum; a sum reaching UNBOUNDED is refused as well.
        unbounded = (total == _MAX) | (part == _MAX)
        wrapped = (summed < total) | (summed == _MAX)
        if unbounded.any():
            wrapped &= ~unbounded
            summed = np.where(unbounded, _MAX, summed)
        if wrapped.any():
            raise BatchOverflow(what, [offset + int(r) + 1 for r in np.flatnonzero(wrapped)[:5]])
        total = summed
    return total


def _share(amount: Ints, share: Fraction) -> Ints:
    """``amount * share`` rounded half up to the fen, exactly, as ``split_by_shares`` does."""
    bits = share.denominator.bit_length() - 1
    if share.denominator == 1 << bits:  # halves, quarters: shifts instead of division
        whole, rest = amount >> bits, amount & np.int64(share.denominator - 1)
        halves: Ints = whole * np.int64(share.numerator) + ((rest * np.int64(2 * share.numerator) + np.int64(share.denominator)) >> (bits + 1))
        return halves
    whole, rest = np.divmod(amount, share.denominator)
    part: Ints = whole * share.numerator + (2 * rest * share.numerator + share.denominator) // (2 * share.denominator)
    return part


def _split(amount: Ints, shares: list[tuple[str, Fraction]], may_be_unbounded: bool) -> list[tuple[str, Ints]]:
    """Each payer's part of ``amount``; all but the last rounded half up, the last the remainder.

    ``may_be_unbounded``: whether ``amount`` can hold UNBOUNDED, which every part then keeps.
    """
    if len(shares) == 1:
        return [(shares[0][0], amount)]
    if len(shares) == 2 and shares[0][1] == Fraction(1, 2) and not may_be_unbounded:
        # Half each, the usual city/district split: the second half is rounded down, the first takes the rest.
        second = amount >> _ONE
        return [(shares[0][0], amount - second), (shares[1][0], second)]
    unbounded = amount == _MAX if may_be_unbounded else None
    parts: list[tuple[str, Ints]] = []
    given: Ints | None = None
    for payer, share in shares[:-1]:
        part = _share(amount, share)
        given = part if given is None else given + part
        parts.append((payer, part if unbounded is None else np.where(unbounded, _MAX, part)))
    assert given is not None
    rest = amount - given
    parts.append((shares[-1][0], rest if unbounded is None else np.where(unbounded, _MAX, rest)))
    return parts


def _sum(parts: list[Ints], combine: np.ufunc = np.add) -> Ints:
    """The sum of non-negative fen arrays known not to overflow (or their ``combine``): a new
    array, or the only part."""
    if len(parts) == 1:
        return parts[0]
    total: Ints = combine(parts[0], parts[1])
    for part in parts[2:]:
        combine(total, part, out=total)
    return total


class _Sums:
    """Running sums of fen arrays by key, added in place once a sum owns its array.

    A part is owned when nothing else holds it (a clamped upper end, a shifted half); a rule's own
    range is borrowed and never written to.
    """

    def __init__(self) -> None:
        self.sums: dict[object, Ints] = {}
        self.owned: set[object] = set()

    def add(self, key: object, values: Ints, owned: bool) -> None:
        found = self.sums.get(key)
        if found is None:
            self.sums[key] = values
        elif key in self.owned:
            np.add(found, values, out=found)
            return
        elif owned:
            np.add(values, found, out=values)
            self.sums[key] = values
        else:
            self.sums[key] = found + values
            owned = True
        if owned:
            self.owned.add(key)
        else:
            self.owned.discard(key)


def _clamped(compiled: _CompiledRule, high: Ints) -> tuple[Ints, bool]:
    """A rule's upper end with UNBOUNDED clamped to its ``clamp``, and whether that is a new array."""
    if compiled.clamp is None:
        return high, False
    return np.minimum(high, compiled.clamp), True


class _PayerSums:
    """Each payer's running total of finite amounts, split as ``_split`` splits them.

    Half-and-half splits are summed by pair: the second payer gets the sum of each amount's half
    rounded down, the first the sum of the amounts less that, which is the sum of its rounded-up halves.
    """

    def __init__(self) -> None:
        self.sums = _Sums()
        self.pairs: list[tuple[str, str]] = []

    def add(self, compiled: _CompiledRule, amount: Ints, owned: bool) -> None:
        """Add one rule's amount (``owned``: nothing else holds the array, so it may be written to)."""
        shares, sums = compiled.shares, self.sums
        if len(shares) == 1:
            sums.add(shares[0][0], amount, owned)
        elif compiled.halves:
            pair = (shares[0][0], shares[1][0])
            if pair not in self.pairs:
                self.pairs.append(pair)
            sums.add(("second", pair), amount >> _ONE, True)
            sums.add(("whole", pair), amount, owned)
        else:
            for payer, part in _split(amount, shares, False):
                sums.add(payer, part, part is not amount or owned)

    def totals(self, writable: frozenset[str] = frozenset()) -> dict[str, Ints]:
        """Each payer's total; those of the payers in ``writable`` are arrays of their own (a rule's
        range is copied rather than lent), which the caller may write to."""
        sums = self.sums
        for pair in self.pairs:
            whole, second = sums.sums.pop(("whole", pair)), sums.sums.pop(("second", pair))
            first = np.subtract(whole, second, out=whole) if ("whole", pair) in sums.owned else whole - second
            sums.add(pair[0], first, True)
            sums.add(pair[1], second, True)
        self.pairs = []
        return {key: value.copy() if key in writable and key not in sums.owned else value for key, value in sums.sums.items() if isinstance(key, str)}


@dataclass
class CompiledCity:
    """One city's rules (its own documents, then the national ones) ready to run over columns."""

    city: str
    as_of: date
    rules: tuple[_CompiledRule, ...]
    payers: tuple[str, ...]
    #: Every finite amount any rule can pay sums to below 2^58 fen, and with UNBOUNDED upper ends
    #: clamped every sum stays below 2^62: totals are plain additions (else each one is checked).
    bounded: bool = False
    #: Some rule's amount can be unbounded (an unknown count of units).
    unbounded_parts: bool = True
    #: The payers whose share of some rule can be unbounded.
    unbounded_payers: frozenset[str] = frozenset(PAYERS)
    #: The rules of each kind that 就高不重复 (highest only, never twice) groups.
    stacked: tuple[list[_CompiledRule], ...] = ()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(compiled.rule.id for compiled in self.rules)

    def slices(self, size: int, facts: Mapping[str, FactColumn], prior: Mapping[str, FactColumn], offset: int = 0) -> Iterator[tuple[int, BatchResult]]:
        """Evaluate ``size`` rows ``SLICE_ROWS`` at a time, yielding (first row, result) per slice.

        Slices keep every intermediate array in the processor's cache; this is how long inputs run.
        """
        if size <= SLICE_ROWS:
            yield 0, self.run(size, facts, prior, offset)
            return
        for start in range(0, size, SLICE_ROWS):
            stop = min(size, start + SLICE_ROWS)
            yield start, self._run(_Columns(stop - start, facts, prior, start), offset + start)

    def run(self, size: int, facts: Mapping[str, FactColumn], prior: Mapping[str, FactColumn], offset: int = 0) -> BatchResult:
        """Evaluate every rule for ``size`` rows in one pass; ``offset`` numbers rows in error messages."""
        return self._run(_Columns(size, facts, prior), offset)

    def _run(self, columns: _Columns, offset: int) -> BatchResult:
        size = columns.size
        status: dict[str, npt.NDArray[np.int8]] = {}
        low: dict[str, Ints] = {}
        high: dict[str, Ints] = {}
        # Without 就高不重复 groups, each rule's range is added to the payers' totals at once, while
        # its arrays are still in the processor's cache.
        running = (_PayerSums(), _PayerSums()) if self.bounded and not self.stacked else None
        for compiled in self.rules:
            rule_status, rule_low, rule_high = compiled.run(columns)
            status[compiled.rule.id] = rule_status
            if rule_low is not None and rule_high is not None:
                low[compiled.rule.id], high[compiled.rule.id] = rule_low, rule_high
                if running is not None:
                    running[0].add(compiled, rule_low, False)
                    running[1].add(compiled, *_clamped(compiled, rule_high))
        if running is not None:
            totals = self._saturating_totals(size, low, high, None, (running[0].totals(), running[1].totals(self.unbounded_payers)))
        else:
            groups = self._stack(status, low, high) if self.stacked else None
            totals = self._saturating_totals(size, low, high, groups) if self.bounded else self._checked_totals(size, low, high, groups, offset)
        total_low, total_high, payer_low, payer_high = totals
        return BatchResult(
            rules=tuple(c.rule for c in self.rules),
            status=status,
            low=low,
            high=high,
            total_low=total_low,
            total_high=total_high,
            payer_low=payer_low,
            payer_high=payer_high,
        )

    def _saturating_totals(
        self,
        size: int,
        low: dict[str, Ints],
        high: dict[str, Ints],
        groups: list[tuple[list[_CompiledRule], Ints, Ints]] | None,
        payers: tuple[dict[str, Ints], dict[str, Ints]] | None = None,
    ) -> _Totals:
        """Totals when the rules' own bounds rule out overflow (``bounded``): plain additions.

        Every finite amount any rule pays sums to below 2^58 fen. An upper end that can be UNBOUNDED
        is first clamped to the rule's ``clamp`` (at least 2^59, so each payer's part of it still
        reaches 2^58); the clamps are small enough that no sum can wrap, and any sum reaching 2^58 is
        unbounded. Each rule's payer parts add up to its amount, so without 就高不重复 groups the
        total is the sum of the payers' totals.
        """
        monetary = [compiled for compiled in self.rules if compiled.amount is not None]
        if not monetary:
            return np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.int64), {}, {}
        if payers is None:
            clamped = {c.rule.id: _clamped(c, high[c.rule.id]) for c in monetary}
            running_low, running_high = _PayerSums(), _PayerSums()
            for c in monetary:
                running_low.add(c, low[c.rule.id], False)
                running_high.add(c, *clamped[c.rule.id])
            payer_low, payer_high = running_low.totals(), running_high.totals(self.unbounded_payers)
        else:
            payer_low, payer_high = payers
        if groups is None:
            total_low, total_high = _sum(list(payer_low.values())), _sum(list(payer_high.values()))
        else:
            grouped = {m.rule.id for members, _, _ in groups for m in members}
            ungrouped = [c.rule.id for c in monetary if c.rule.id not in grouped]
            total_low = _sum([g_low for _, g_low, _ in groups] + [low[k] for k in ungrouped])
            total_high = _sum([np.minimum(g_high, _SATURATE) for _, _, g_high in groups] + [clamped[k][0] for k in ungrouped])
        if self.unbounded_parts:
            unbounded = [payer for payer in payer_high if payer in self.unbounded_payers]
            if groups is None and unbounded:
                # A total is unbounded exactly where one of its payers' parts is: each payer's part of
                # an unbounded amount reaches 2^58, and the finite amounts together stay below it.
                # Each payer's mask is written into one scratch array and ORed into the payer's total
                # (its own array: see _PayerSums.totals) and into the sum of all, which the payers'
                # totals were added into (a new array, unless there is one payer: then the same).
                scratch = None
                for payer in unbounded:
                    scratch = _saturated(payer_high[payer], scratch)
                    if total_high is not payer_high[payer]:
                        total_high |= scratch
                    payer_high[payer] |= scratch
            else:
                total_high = _unbounded_from_saturation(total_high)
                for payer in unbounded:
                    payer_high[payer] |= _saturated(payer_high[payer])
        return total_low, total_high, {p: payer_low[p] for p in self.payers}, {p: payer_high[p] for p in self.payers}

    def _checked_totals(
        self, size: int, low: dict[str, Ints], high: dict[str, Ints], groups: list[tuple[list[_CompiledRule], Ints, Ints]] | None, offset: int
    ) -> _Totals:
        """Totals with every addition checked for overflow, UNBOUNDED kept exactly."""
        payer_low: dict[str, list[Ints]] = {payer: [] for payer in self.payers}
        payer_high: dict[str, list[Ints]] = {payer: [] for payer in self.payers}
        for compiled in self.rules:
            if compiled.amount is None:
                continue
            for payer, part in _split(low[compiled.rule.id], compiled.shares, False):
                payer_low[payer].append(part)
            for payer, part in _split(high[compiled.rule.id], compiled.shares, compiled.unbounded):
                payer_high[payer].append(part)
        grouped = {m.rule.id for members, _, _ in groups or () for m in members}
        lows = [g_low for _, g_low, _ in groups or ()] + [low[k] for k in low if k not in grouped]
        highs = [g_high for _, _, g_high in groups or ()] + [high[k] for k in high if k not in grouped]
        if not lows:
            zeros = np.zeros(size, dtype=np.int64)
            total_low, total_high = zeros, zeros.copy()
        else:
            total_low, total_high = _checked_sum(lows, "the total", offset), _checked_sum(highs, "the total", offset)
        return (
            total_low,
            total_high,
            {p: _checked_sum(parts, f"the {p} share", offset) for p, parts in payer_low.items() if parts},
            {p: _checked_sum(parts, f"the {p} share", offset) for p, parts in payer_high.items() if parts},
        )

    def _stack(self, status: dict[str, npt.NDArray[np.int8]], low: dict[str, Ints], high: dict[str, Ints]) -> list[tuple[list[_CompiledRule], Ints, Ints]]:
        """就高不重复 as the engine applies it: where two or more rules of a kind are payable, only the
        highest is paid (the others' amounts become 0); each group then counts its highest range once.
        """
        groups: list[tuple[list[_CompiledRule], Ints, Ints]] = []
        for members in self.stacked:
            ids = [m.rule.id for m in members]
            payable = [status[i] == ELIGIBLE for i in ids]
            # The winner among payable members: highest (low, high), the first on a tie.
            winner = np.full(len(payable[0]), -1, dtype=np.int64)
            best_low = np.zeros(len(payable[0]), dtype=np.int64)
            best_high = np.zeros(len(payable[0]), dtype=np.int64)
            for index, rule_id in enumerate(ids):
                better = payable[index] & ((winner < 0) | (low[rule_id] > best_low) | ((low[rule_id] == best_low) & (high[rule_id] > best_high)))
                winner = np.where(better, index, winner)
                best_low = np.where(better, low[rule_id], best_low)
                best_high = np.where(better, high[rule_id], best_high)
            contested = np.sum(payable, axis=0) >= 2
            for index, rule_id in enumerate(ids):
                loses = contested & payable[index] & (winner != index)
                low[rule_id] = np.where(loses, 0, low[rule_id])
                high[rule_id] = np.where(loses, 0, high[rule_id])
            groups.append((members, np.max([low[i] for i in ids], axis=0), np.max([high[i] for i in ids], axis=0)))
        return groups


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
                    unbounded=isinstance(rule.award, PerUnitAward) and not any(cap.kind in ("limit", "cumulative") for cap in rule.caps),
                    halves=len(shares) == 2 and shares[0][1] == Fraction(1, 2),
                )
            )
    order = PAYERS
    monetary = [c for c in compiled if c.amount is not None]
    for each in monetary:
        if each.unbounded:
            smallest = min(share for _, share in each.shares)
            each.clamp = np.int64(2 * int(_SATURATE) * ceil(1 / smallest))
    ceiling = sum(_ceiling(c.rule.award) for c in monetary)
    largest = sum(int(c.clamp) if c.clamp is not None else _ceiling(c.rule.award) for c in monetary)
    kinds: dict[str, list[_CompiledRule]] = {}
    for each in monetary:
        kinds.setdefault(each.rule.kind, []).append(each)
    stacked = tuple(members for members in kinds.values() if len(members) > 1 and any(m.document.stacking == "highest_only" for m in members))
    return CompiledCity(
        city,
        as_of,
        tuple(compiled),
        tuple(sorted(payers, key=order.index)),
        bounded=ceiling < int(_SATURATE) and largest < 1 << 62,
        unbounded_parts=any(c.unbounded for c in monetary),
        unbounded_payers=frozenset(payer for c in monetary if c.unbounded for payer, _ in c.shares),
        stacked=stacked,
    )


def _ceiling(award: Award) -> int:
    """The most a rule can pay when its amount is bounded, in fen: caps only ever lower it."""
    if isinstance(award, PerUnitAward):
        return sum(fen(unit.amount) for unit in award.units) * MAX_COUNT
    ceiling = award.ceiling
    assert ceiling is not None
    return fen(ceiling)
