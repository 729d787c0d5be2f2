"""Money parsing and splitting: exact to the fen, strict about what it accepts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from eligibility.money import MoneyError, format_money, parse_money, split_by_shares


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0, "0.00"), (2000000, "2000000.00"), ("1234.5", "1234.50"), ("0.01", "0.01"), (" 42 ", "42.00"), ("9999999999999999.99", "9999999999999999.99")],
)
def test_parse_money_accepts_integers_and_decimal_strings(raw: object, expected: str) -> None:
    assert format_money(parse_money(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (-1, "negative"),
        ("-0.01", "negative"),
        ("two million", "digits"),
        ("1e400", "digits"),
        ("1,000", "digits"),
        ("", "digits"),
        (1.5, "decimal string"),
        (True, "true/false"),
        ("0.001", "two decimal places"),
        (Decimal("1E+400"), "absurdly large"),
        (10**16, "absurdly large"),
        ("1" + "0" * 50, "absurdly large"),
        (Decimal("NaN"), "finite"),
        (None, "integer or a decimal string"),
    ],
)
def test_parse_money_refuses_with_a_message(raw: object, message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_money(raw)


def test_split_by_shares_sums_exactly_to_the_amount() -> None:
    parts = split_by_shares(Decimal("0.01"), [Fraction(1, 2), Fraction(1, 2)])
    assert parts == [Decimal("0.01"), Decimal("0.00")]
    parts = split_by_shares(Decimal("100.00"), [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)])
    assert parts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert sum(parts) == Decimal("100.00")


def test_split_by_shares_half_and_half_of_an_even_amount() -> None:
    assert split_by_shares(Decimal("2000000.00"), [Fraction(1, 2), Fraction(1, 2)]) == [Decimal("1000000.00")] * 2
