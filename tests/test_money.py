"""Money parsing and splitting: exact to the fen, strict about what it accepts."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.money import MoneyError, format_money, parse_money, split_by_shares
from eligibility.text import _decimal, _percent


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


@given(
    st.fractions(min_value=Fraction(-(10**20)), max_value=Fraction(10**20), max_denominator=10**18)
    | st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.sampled_from([2, 6, 12]),
    st.sampled_from([0, 2]),
)
def test_a_ratio_is_rounded_once_half_to_even_and_said_to_be_exact_only_when_it_is(value: Fraction | Decimal, places: int, power: int) -> None:
    exact = Fraction(value) * 10 ** (places + power)
    with localcontext(prec=80):
        expected = Decimal(round(exact)).scaleb(-places)  # round() of a Fraction is exact, half to even
    shown, is_exact = _decimal(value, places, power)
    assert (shown, shown.as_tuple().exponent, is_exact) == (expected, -places, exact.denominator == 1)


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (Fraction(2, 7), "≈28.571429 %"),
        (Fraction(1, 4), "25.00 %"),
        (Fraction(1, 8), "12.50 %"),
        (Fraction(1, 800), "0.125 %"),
        (Fraction(-1, 3), "≈-33.333333 %"),
        (Decimal("0.2"), "20.00 %"),
    ],
)
def test_a_ratio_in_words_shows_two_places_or_more_when_rounding_would_hide_it(ratio: Fraction | Decimal, words: str) -> None:
    assert _percent(ratio) == words


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(1, 8), "0.12"),
        (Fraction(3, 8), "0.38"),
        (Fraction(-1, 8), "-0.12"),
        (Fraction(-1, 1000), "-0.00"),
        (Fraction(5, 1000), "0.00"),
        (Fraction(15, 1000), "0.02"),
    ],
)
def test_a_tie_is_rounded_to_the_even_digit(value: Fraction, shown: str) -> None:
    assert str(_decimal(value, 2)[0]) == shown
