"""One rulebook, two evaluators: the batch evaluator agrees with the per-company engine on every row.

Random registers (unknowns, thresholds to the fen, growth exactly at 20 %, revenues above 2^31 and
2^53 yuan, the 10^16 limit) are screened in one go and every row is also estimated by
``engine.evaluate``; statuses, per-rule ranges, totals and payer shares must agree to the fen.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eligibility import Rulebook, evaluate, load_rulebook
from eligibility import batch as batch_module
from eligibility import screen as screen_module
from eligibility.batch import UNBOUNDED, BatchOverflow, _checked_sum, _compare_integer, _compare_products, _split
from eligibility.engine import default_rulebook
from eligibility.facts import FACTS
from eligibility.model import PAYERS
from eligibility.money import split_by_shares
from eligibility.screen import screen

STACKING = Path(__file__).parent / "fixtures" / "stacking"
MAX_FEN = 10**18 - 1
MONEY_FACTS = [n for n, f in FACTS.items() if f.kind == "money" and not f.derived]
COUNT_FACTS = [n for n, f in FACTS.items() if f.kind == "count"]
BOOL_FACTS = [n for n, f in FACTS.items() if f.kind == "bool"]
ENUM_FACTS = [n for n, f in FACTS.items() if f.kind == "enum"]
IN_FORCE = [date(2021, 6, 25), date(2022, 6, 30), date(2022, 12, 31)]  # every city's window
DATES = (
    IN_FORCE
    + IN_FORCE
    + [
        date(2019, 12, 31),
        date(2020, 1, 1),
        date(2020, 5, 17),
        date(2020, 5, 18),
        date(2021, 5, 26),
        date(2021, 5, 27),
        date(2021, 6, 24),
        date(2021, 6, 25),
        date(2022, 6, 30),
        date(2022, 12, 31),
        date(2023, 1, 1),
        date(2023, 12, 31),
        date(2024, 1, 1),
    ]
)


def _thresholds(book: Rulebook) -> list[int]:
    """Every money amount in the rulebook, in fen, and one fen either side of it."""
    amounts: set[int] = set()
    for rule in book.rules.values():
        award = rule.award
        tiers, units = getattr(award, "tiers", ()), getattr(award, "units", ())
        found = [t.threshold for t in tiers] + [t.amount for t in tiers] + [u.amount for u in units]
        found += [getattr(award, name) for name in ("amount", "up_to", "minimum", "maximum") if hasattr(award, name)]
        found += [a for _, a in getattr(award, "amounts", ())] + [c.amount for c in rule.caps if c.amount is not None]
        amounts.update(int(a * 100) for a in found)
    return sorted({max(0, min(MAX_FEN, a + d)) for a in amounts for d in (-1, 0, 1)})


BOOK_POINTS = _thresholds(default_rulebook()) + _thresholds(load_rulebook(STACKING))
SPECIAL = [0, 1, 2**31 * 100, 2**31 * 100 + 1, 2**53 * 100 - 1, 2**53 * 100, 2**53 * 100 + 1, 2**63 // 1000, MAX_FEN]
# Mostly the rulebook's own amounts and one fen either side, so that every boundary is met often.
fen_values = st.one_of(st.sampled_from(BOOK_POINTS), st.sampled_from(BOOK_POINTS), st.sampled_from(SPECIAL), st.integers(0, 10**10), st.integers(0, MAX_FEN))
maybe_fen = st.one_of(st.none(), fen_values, fen_values)


@st.composite
def revenues(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """(current, prior) in fen: often growth exactly at a rule's percentage, or one fen either side."""
    prior = draw(st.one_of(st.none(), st.just(0), st.integers(1, 8 * 10**17)))
    if prior is None or draw(st.booleans()):
        return draw(maybe_fen), prior
    percent = draw(st.sampled_from([20, 30, 0, 100]))
    return min(MAX_FEN, max(0, prior * (100 + percent) // 100 + draw(st.sampled_from([-1, 0, 1])))), prior


PRIOR_RULES = (
    "suzhou.revenue_milestone",
    "suzhou.park_designation",
    "wuhan.top100_first_entry",
    "wuhan.key_pool_growth",
    "testcity.national_standard",
    "othercity.national_standard",
)


@st.composite
def rows(draw: st.DrawFn) -> dict[str, Any]:
    row: dict[str, Any] = {name: draw(maybe_fen) for name in MONEY_FACTS}
    row["operating_revenue"], row["operating_revenue_prior"] = draw(revenues())
    for name in COUNT_FACTS:
        row[name] = draw(st.one_of(st.none(), st.sampled_from([0, 1, 2, 10_000]), st.integers(0, 10_000)))
    for name in BOOL_FACTS:
        row[name] = draw(st.one_of(st.none(), st.booleans()))
    for name in ENUM_FACTS:
        row[name] = draw(st.one_of(st.none(), st.sampled_from(FACTS[name].choices)))
    if draw(st.integers(0, 3)):
        row["entity_type"] = "enterprise"  # the entity most rules apply to
    # The engine knows a company's award history as a whole or not at all: a row's prior cells are all
    # given or all empty, so that both evaluators see the same history.
    history = draw(st.booleans())
    for rule in PRIOR_RULES:
        paid = st.one_of(st.sampled_from([0, 1, 30_000_000, 50_000_000, 100_000_000, 200_000_000, 300_000_000]), fen_values)
        row[f"prior:{rule}"] = draw(paid) if history else None
    return row


def _yuan(value: int | None) -> str | None:
    return None if value is None else f"{Decimal(value) / 100:.2f}"


def _table(register: list[dict[str, Any]], money_as: str) -> pa.Table:
    """The register as Arrow columns: money as text or as decimal128, as a user's file would hold it."""
    columns: dict[str, pa.Array] = {}
    for name in register[0]:
        values = [r[name] for r in register]
        if name in MONEY_FACTS or name.startswith("prior:") or name.startswith("operating_revenue"):
            texts = [_yuan(v) for v in values]
            columns[name] = pa.array(texts) if money_as == "text" else pa.array([None if t is None else Decimal(t) for t in texts], pa.decimal128(18, 2))
        else:
            columns[name] = pa.array(values)
    return pa.table(columns)


def _profile(row: dict[str, Any], book: Rulebook, city: str, year: int) -> dict[str, Any]:
    """The same company as the engine's JSON profile; a prior cell is one award paid this year."""
    profile: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or name.startswith("prior:") or name.startswith("standards_led."):
            continue
        profile[name] = _yuan(value) if FACTS[name].kind == "money" else value
    standards = {k.split(".")[1]: v for k, v in row.items() if k.startswith("standards_led.") and v is not None}
    if standards:
        profile["standards_led"] = standards
    city_rules = {r.id for d in book.documents_for(city) for r in d.rules}
    prior = [
        {"rule": name[len("prior:") :], "amount": _yuan(v), "year": year}
        for name, v in row.items()
        if name.startswith("prior:") and v is not None and name[len("prior:") :] in city_rules
    ]
    if prior:
        profile["prior_awards"] = prior
    return profile


def _range(low: Decimal | None, high: Decimal | None) -> dict[str, str | None]:
    return {"min": None if low is None else f"{low:.2f}", "max": None if high is None else f"{high:.2f}"}


@contextmanager
def _checked_sums(checked: bool) -> Iterator[None]:
    """With ``checked``, screen as if the rules' bounds did not rule out overflow: every sum checked."""
    if not checked:
        yield
        return
    compile_city = screen_module.compile_city
    with mock.patch.object(screen_module, "compile_city", lambda *args: dataclasses.replace(compile_city(*args), bounded=False)):
        yield


def assert_agree(book: Rulebook, city: str, day: date, register: list[dict[str, Any]], money_as: str, checked: bool = False) -> None:
    register = [{k: v for k, v in row.items() if not k.startswith("prior:") or k[len("prior:") :] in book.rules} for row in register]
    with _checked_sums(checked):
        screened = screen(_table(register, money_as), city, day, rulebook=book).to_pylist()
    assert len(screened) == len(register)
    for row, batch in zip(register, screened, strict=False):
        expected = evaluate(_profile(row, book, city, day.year), city, day, rulebook=book)
        for outcome in expected["outcomes"]:
            rule = outcome["rule"]
            assert batch[f"{rule}:status"] == outcome["status"], (rule, row)
            if outcome["monetary"]:
                assert _range(batch[f"{rule}:min"], batch[f"{rule}:max"]) == outcome["amount"], (rule, row)
            else:
                assert f"{rule}:min" not in batch
        assert _range(batch["total_min"], batch["total_max"]) == expected["total"], row
        payers = {p["payer"]: p["amount"] for p in expected["payers"]}
        for payer in PAYERS:
            assert _range(batch[f"{payer}_min"], batch[f"{payer}_max"]) == payers.get(payer, {"min": "0.00", "max": "0.00"}), (payer, row)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    register=st.lists(rows(), min_size=1, max_size=12),
    city=st.sampled_from(["wuhan", "suzhou", "changsha"]),
    day=st.sampled_from(DATES),
    money_as=st.sampled_from(["text", "decimal"]),
    checked=st.booleans(),
)
def test_batch_agrees_with_the_engine_on_the_shipped_rulebook(register: list[dict[str, Any]], city: str, day: date, money_as: str, checked: bool) -> None:
    assert_agree(default_rulebook(), city, day, register, money_as, checked)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    register=st.lists(rows(), min_size=1, max_size=12),
    city=st.sampled_from(["wuhan", "suzhou", "changsha"]),
    day=st.sampled_from(DATES),
    slice_rows=st.integers(1, 5),
    checked=st.booleans(),
)
def test_batch_cut_into_slices_agrees_with_the_engine(register: list[dict[str, Any]], city: str, day: date, slice_rows: int, checked: bool) -> None:
    """Long inputs run a slice at a time, each slice's columns cut out as rules read them."""
    with mock.patch.object(batch_module, "SLICE_ROWS", slice_rows):
        assert_agree(default_rulebook(), city, day, register, "text", checked)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(register=st.lists(rows(), min_size=1, max_size=12), city=st.sampled_from(["testcity", "othercity"]), checked=st.booleans())
def test_batch_agrees_with_the_engine_on_highest_only_stacking(register: list[dict[str, Any]], city: str, checked: bool) -> None:
    assert_agree(load_rulebook(STACKING), city, date(2021, 1, 1), register, "text", checked)


@given(
    a=st.integers(-(10**18), 10**18),
    b=st.integers(0, 10**18),
    p=st.one_of(st.integers(-(2**31) + 1, 2**31 - 1), st.integers(2**31, 2**40)),
    q=st.one_of(st.integers(-(2**31) + 1, 2**31 - 1), st.integers(2**31, 2**40)),
    op=st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]),
)
def test_products_compare_exactly_as_python_integers(a: int, b: int, p: int, q: int, op: str) -> None:
    expected = {"gt": a * p > b * q, "ge": a * p >= b * q, "lt": a * p < b * q, "le": a * p <= b * q, "eq": a * p == b * q, "ne": a * p != b * q}[op]
    assert _compare_products(op, np.array([a], dtype=np.int64), p, np.array([b], dtype=np.int64), q)[0] == expected


@given(
    values=st.lists(st.integers(0, 10**18), min_size=1, max_size=20),
    op=st.sampled_from(["gt", "ge", "lt", "le", "eq", "ne"]),
    threshold=st.fractions(min_value=-5, max_value=10**18, max_denominator=1000),
)
def test_integers_compare_exactly_with_a_rational_threshold(values: list[int], op: str, threshold: Fraction) -> None:
    compare = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le, "eq": operator.eq, "ne": operator.ne}[op]
    assert _compare_integer(op, np.array(values, dtype=np.int64), threshold).tolist() == [compare(v, threshold) for v in values]


@example(amounts=[0, 1, 2, 3, 10**18], cut=Fraction(1, 2), unbounded=False)
@example(amounts=[1, 3, 10**18], cut=Fraction(1, 2), unbounded=True)
@given(
    amounts=st.lists(st.integers(0, 10**18), min_size=1, max_size=20), cut=st.fractions(min_value=0, max_value=1, max_denominator=7), unbounded=st.booleans()
)
def test_payer_shares_round_half_up_as_the_engine_does(amounts: list[int], cut: Fraction, unbounded: bool) -> None:
    shares = [("city", cut), ("district", 1 - cut)] if 0 < cut < 1 else [("city", Fraction(1))]
    given = [*amounts, UNBOUNDED] if unbounded else amounts
    parts = _split(np.array(given, dtype=np.int64), shares, unbounded)
    for index, amount in enumerate(amounts):
        expected = split_by_shares(Decimal(amount) / 100, [s for _, s in shares])
        assert [Decimal(int(part[index])) / 100 for _, part in parts] == expected
    if unbounded:
        assert [int(part[-1]) for _, part in parts] == [UNBOUNDED] * len(shares)


def test_growth_of_exactly_twenty_percent_does_not_qualify_and_one_fen_more_does() -> None:
    base = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "local_fiscal_contribution": "1000000",
        "local_fiscal_contribution_prior": "1000000",
    }
    table = pa.table(
        {
            **{k: [v, v] for k, v in base.items()},
            "operating_revenue_prior": ["10000000", "10000000"],
            "operating_revenue": ["12000000", "12000000.01"],
            "prior:wuhan.key_pool_growth": ["0", "0"],
        }
    )
    result = screen(table, "wuhan", "2022-06-30").to_pylist()
    assert [r["wuhan.key_pool_growth:status"] for r in result] == ["ineligible", "eligible"]
    assert result[1]["wuhan.key_pool_growth:min"] == Decimal("300000.00")
    assert result[1]["unstated_min"] == Decimal("300000.00") and result[1]["city_min"] == Decimal("0.00")


def test_the_growth_award_paid_in_the_screenings_year_is_not_paid_again_and_an_absent_column_is_unknown() -> None:
    base = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "local_fiscal_contribution_prior": "1000000",
        "operating_revenue_prior": "10000000",
        "operating_revenue": "15000000",
    }
    paid = pa.table({**{k: [v, v] for k, v in base.items()}, "prior:wuhan.key_pool_growth": ["300000", "0.01"]})
    assert [r["wuhan.key_pool_growth:status"] for r in screen(paid, "wuhan", "2022-06-30").to_pylist()] == ["ineligible", "ineligible"]
    unknown = screen(pa.table({k: [v] for k, v in base.items()}), "wuhan", "2022-06-30").to_pylist()[0]
    assert unknown["wuhan.key_pool_growth:status"] == "undetermined"
    assert (unknown["wuhan.key_pool_growth:min"], unknown["wuhan.key_pool_growth:max"]) == (Decimal("0.00"), Decimal("300000.00"))


def test_growth_is_compared_exactly_beyond_the_float_range() -> None:
    # prior * 1.2 = current, with values where float64 would round both sides alike.
    prior = 7_000_000_000_000_000_05  # fen, above 2^53
    current = prior * 6 // 5
    assert current * 5 == prior * 6
    for delta, expected in ((0, False), (1, True), (-1, False)):
        change = np.array([current + delta - prior], dtype=np.int64)
        assert _compare_products("gt", change, 5, np.array([prior], dtype=np.int64), 1)[0] == expected


def test_a_sum_beyond_64_bits_is_refused_naming_the_row() -> None:
    big = np.array([0, 6 * 10**18], dtype=np.int64)
    with pytest.raises(BatchOverflow) as raised:
        _checked_sum([big, big], "the total", 100)
    assert raised.value.rows == [102]
    unbounded = np.array([UNBOUNDED, 1], dtype=np.int64)
    assert _checked_sum([unbounded, big], "the total", 0).tolist() == [UNBOUNDED, 6 * 10**18 + 1]


_SANDBOX = {
    "id": "sandbox",
    "title": {"zh": "沙盘", "en": "Sandbox"},
    "changes": [
        {"rule": "wuhan.key_pool_growth", "use_variant": "draft-2021-06-01"},
        {"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].amount": 600000}},
        {"rule": "wuhan.top100_first_entry", "set": {"payers[0].share": "0.6", "payers[1].share": "0.4"}},
        {"remove": "changsha.little_giant"},
    ],
}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    register=st.lists(rows(), min_size=1, max_size=12), city=st.sampled_from(["wuhan", "suzhou", "changsha"]), day=st.sampled_from(DATES), checked=st.booleans()
)
def test_batch_agrees_with_the_engine_on_a_reformed_rulebook(register: list[dict[str, Any]], city: str, day: date, checked: bool) -> None:
    from eligibility import apply_reform, read_reform

    assert_agree(apply_reform(default_rulebook(), read_reform(_SANDBOX)), city, day, register, "text", checked)
