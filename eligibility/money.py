"""Money: Decimal yuan, exact to the fen, parsed strictly and written as strings.

Amounts enter as integers or decimal strings ("1234.56"); floats, prose, NaN, negative amounts,
more than two decimal places and absurd magnitudes are refused with a message a user can act on.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

__all__ = [
    "FEN",
    "MAX_MONEY",
    "ZERO",
    "MoneyError",
    "format_money",
    "format_money_text",
    "parse_money",
    "split_by_shares",
]

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
#: Amounts at or above 10^16 yuan are refused: far beyond any company, and still exact in 64-bit fen.
MAX_MONEY = Decimal(10) ** 16

_DECIMAL_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")


class MoneyError(ValueError):
    """An amount that cannot be accepted; the message says what to write instead."""


def parse_money(value: object) -> Decimal:
    """Parse a non-negative yuan amount from an int or a decimal string; raise MoneyError."""
    if isinstance(value, bool):
        raise MoneyError("must be an amount in yuan, not true/false.")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("-"):
            raise MoneyError("must not be negative.")
        if not _DECIMAL_TEXT.match(text):
            raise MoneyError(f'must be an amount in yuan written as digits, e.g. "1234.56"; got {_show(value)}.')
        if len(text) > 40:
            raise MoneyError("is absurdly large; amounts must be below 10^16 yuan.")
        amount = Decimal(text)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError("must be a finite amount.")
        amount = value
    else:
        raise MoneyError('must be an integer or a decimal string such as "1234.56" (fractional amounts as strings).')
    if amount < 0:
        raise MoneyError("must not be negative.")
    if amount >= MAX_MONEY:
        raise MoneyError("is absurdly large; amounts must be below 10^16 yuan.")
    try:
        exact = amount.quantize(FEN)
    except InvalidOperation as exc:  # pragma: no cover - guarded by the magnitude check
        raise MoneyError("is not a valid amount.") from exc
    if exact != amount:
        raise MoneyError("has more than two decimal places; amounts are exact to the fen (0.01 yuan).")
    return exact


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def format_money(amount: Decimal) -> str:
    """The JSON form of an amount: a plain decimal string with two places."""
    return str(amount.quantize(FEN))


def format_money_text(amount: Decimal) -> str:
    """An amount for people: thousands separators, two places."""
    # Tiers, caps and awards recur: each is formatted once. The sign is part of the key, since -0
    # equals 0 as a Decimal (and as a key) but is written differently.
    return _money_text(amount, amount.is_signed())


@lru_cache(maxsize=4096)
def _money_text(amount: Decimal, signed: bool) -> str:
    return f"{amount.quantize(FEN):,}"


def split_by_shares(amount: Decimal, shares: list[Fraction]) -> list[Decimal]:
    """Split ``amount`` by ``shares`` (summing to 1) so that the parts sum exactly to it.

    Each part but the last is rounded half up to the fen; the last takes the remainder, so a
    0.01 yuan award split 50/50 pays 0.01 to the first payer and 0.00 to the second. The arithmetic
    is in whole fen, exact for any amount and any fractional share.
    """
    if len(shares) == 1:
        return [amount.quantize(FEN)]
    if not amount:
        return [ZERO] * len(shares)
    fen = int(amount.quantize(FEN).scaleb(2))
    parts: list[Decimal] = []
    left = fen
    for share in shares[:-1]:
        # half up: floor(fen * p / q + 1/2), in integers
        part = (2 * fen * share.numerator + share.denominator) // (2 * share.denominator)
        left -= part
        parts.append(Decimal(part).scaleb(-2))
    parts.append(Decimal(left).scaleb(-2))
    return parts
