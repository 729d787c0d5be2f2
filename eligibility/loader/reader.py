"""Reading one rule file: where it is, and the primitives every part of it is read with (strings,
texts, money, dates, quotes checked verbatim against the source text); errors name file, line and key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, NoReturn

from ..errors import RuleFileError
from ..model import (
    Text,
)
from ..money import MoneyError, parse_money

__all__ = ["AWARD_FORMS", "COMPARISONS", "DOCUMENT_KEYS", "DOCUMENT_STATUSES", "OPERATORS", "RULE_KEYS", "VARIANT_ID", "Reader", "display", "join"]

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
OPERATORS = (*COMPARISONS, "in", "not_in", "known", "unknown")
AWARD_FORMS = ("fixed", "per_unit", "tiered", "capped", "ranged", "non_monetary")
DOCUMENT_STATUSES = ("final", "draft", "superseded", "repealed")
RULE_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
DOC_ID = re.compile(r"^[a-z0-9-]+$")
VARIANT_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

DOCUMENT_KEYS = {
    "id",
    "city",
    "city_name",
    "city_aliases",
    "number",
    "issuer",
    "title",
    "source",
    "status",
    "in_force",
    "stacking",
    "outside_facts",
    "rules",
    "inventory",
    "not_support",
}
RULE_KEYS = {
    "id",
    "clause",
    "title",
    "quote",
    "interpretation",
    "applies_to",
    "kind",
    "conditions",
    "award",
    "caps",
    "payers",
    "stacking",
    "variants",
}


class Reader:
    """Reads one rule file, remembering where it is so errors can say so."""

    def __init__(self, path: Path, text: str, sources: Path) -> None:
        self.path = path
        self.content = text
        self.sources = sources
        self.rule_id: str | None = None
        self._source_cache: dict[str, str] = {}

    # -- errors --------------------------------------------------------------------------------

    def fail(self, key: str | None, message: str, fix: str | None = None) -> NoReturn:
        raise RuleFileError(str(self.path), message, rule=self.rule_id, key=key, fix=fix, line=self._line())

    def _line(self) -> int | None:
        if not self.rule_id:
            return None
        for number, line in enumerate(self.content.splitlines(), start=1):
            if re.match(rf"^\s*-?\s*id:\s*['\"]?{re.escape(self.rule_id)}['\"]?\s*$", line):
                return number
        return None

    # -- primitives ----------------------------------------------------------------------------

    def mapping(self, value: object, key: str, allowed: set[str], required: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(key or None, "must be a mapping of keys to values.")
        unknown = sorted(set(map(str, value)) - allowed)
        if unknown:
            self.fail(join(key, unknown[0]), f"unknown key '{unknown[0]}'.", f"use only: {', '.join(sorted(allowed))}.")
        for name in sorted(required):
            if name not in value:
                self.fail(join(key, name), f"'{name}' is required.")
        return value

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be a non-empty string.")
        return value

    def text(self, value: object, key: str) -> Text:
        data = self.mapping(value, key, {"zh", "en"}, {"zh", "en"})
        return Text(self.string(data["zh"], f"{key}.zh"), self.string(data["en"], f"{key}.en"))

    def clause(self, value: object, key: str) -> Text:
        """A clause label: one string where the source's own label serves both languages
        (``二(三) 培育区块链重点企业``), or ``{zh, en}`` where it has two renderings (``I.(1)`` / ``一(一)``)."""
        if isinstance(value, Mapping):
            return self.text(value, key)
        label = self.string(value, key)
        return Text(label, label)

    def money(self, value: object, key: str) -> Decimal:
        if isinstance(value, float):
            self.fail(key, "amounts must not be floats.", 'write them as integers or quoted decimals, e.g. "0.5".')
        try:
            return parse_money(value)
        except MoneyError as exc:
            self.fail(key, f"amount {exc}")

    def day(self, value: object, key: str) -> date:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(key, "must be a date written YYYY-MM-DD.")

    def edge(self, value: object, key: str) -> tuple[date, date]:
        """A window's edge: a date, or {earliest, latest} when the text leaves it uncertain.

        Returns the outermost possible day and the innermost (the day from or until which the
        document is certainly in force): for a start, (earliest, latest); for an end, (latest, earliest).
        """
        if not isinstance(value, Mapping):
            day = self.day(value, key)
            return day, day
        data = self.mapping(value, key, {"earliest", "latest"}, {"earliest", "latest"})
        earliest, latest = self.day(data["earliest"], join(key, "earliest")), self.day(data["latest"], join(key, "latest"))
        if latest <= earliest:
            self.fail(join(key, "latest"), "the latest possible date must come after the earliest.")
        return (earliest, latest) if key.endswith("from") else (latest, earliest)

    def ratio(self, value: object, key: str) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail(key, 'must be an integer or a quoted decimal such as "0.5".')
        try:
            return Fraction(Decimal(str(value)))
        except (ArithmeticError, ValueError):
            self.fail(key, 'must be an integer or a quoted decimal such as "0.5".')

    def source_text(self, name: str, key: str) -> str:
        if name not in self._source_cache:
            path = self.sources / name
            if not path.is_file():
                self.fail(key, f"source file '{name}' not found in {self.sources}.", "copy the seed text there byte for byte.")
            self._source_cache[name] = path.read_text(encoding="utf-8")
        return self._source_cache[name]

    def quote(self, value: object, key: str, source: str) -> str:
        quote = self.string(value, key)
        if quote not in self.source_text(source, key):
            self.fail(key, f"quote not found verbatim in {source}.", "copy the clause's words exactly from the source text, punctuation included.")
        return quote


def display(file: Path, root: Path) -> Path:
    """The file as a reader would name it: relative to the rulebook's parent folder."""
    try:
        return file.relative_to(root.resolve().parent) if file.is_absolute() else file
    except ValueError:
        return file


def join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name
