"""Load and validate rule files: YAML in, a ``Rulebook`` out, or a ``RuleFileError`` saying what to fix.

Layout of a rulebook folder::

    rules/
      sources/<seed file>          the policy texts, byte for byte, that quotes are checked against
      <city>/<document id>.yaml    one file per document (national documents under national/)

Every key is checked: unknown keys, facts and operators, tiers out of order, payer shares not summing
to 100 %, and quotes that are not found verbatim in the document's source text are all refused.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NoReturn

from .errors import RuleFileError
from .facts import ENTITY_TYPES, FACTS
from .model import (
    PAYERS,
    AllOf,
    AnyOf,
    Award,
    Cap,
    CappedAward,
    Condition,
    Document,
    FixedAward,
    InventoryEntry,
    Leaf,
    NonMonetaryAward,
    Not,
    NotSupport,
    OutsideFact,
    Payer,
    PerUnitAward,
    RangedAward,
    Rule,
    Rulebook,
    TableAward,
    Text,
    Tier,
    TieredAward,
    Unit,
    Variant,
)
from .money import MoneyError, parse_money

__all__ = ["DEFAULT_RULES_DIR", "load_rulebook"]

#: The shipped rulebook: the repository's rules/ folder, installed as the package ``eligibility.rules``.
DEFAULT_RULES_DIR = Path(str(resources.files("eligibility.rules")))

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
OPERATORS = (*COMPARISONS, "in", "not_in", "known", "unknown")
AWARD_FORMS = ("fixed", "per_unit", "tiered", "capped", "ranged", "non_monetary")
DOCUMENT_STATUSES = ("final", "draft", "superseded", "repealed")
_RULE_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")
_DOC_ID = re.compile(r"^[a-z0-9-]+$")

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


class _Reader:
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
            self.fail(_join(key, unknown[0]), f"unknown key '{unknown[0]}'.", f"use only: {', '.join(sorted(allowed))}.")
        for name in sorted(required):
            if name not in value:
                self.fail(_join(key, name), f"'{name}' is required.")
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
        earliest, latest = self.day(data["earliest"], _join(key, "earliest")), self.day(data["latest"], _join(key, "latest"))
        if latest <= earliest:
            self.fail(_join(key, "latest"), "the latest possible date must come after the earliest.")
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

    # -- conditions ----------------------------------------------------------------------------

    def condition(self, value: object, key: str) -> Condition:
        if not isinstance(value, Mapping):
            self.fail(key, "a condition must be a mapping.", "use all / any / not, or {fact: NAME, OPERATOR: VALUE}.")
        if "all" in value or "any" in value:
            op = "all" if "all" in value else "any"
            self.mapping(value, key, {op}, {op})
            items = value[op]
            if not isinstance(items, list) or not items:
                self.fail(_join(key, op), "must be a non-empty list of conditions.")
            parsed = tuple(self.condition(item, f"{_join(key, op)}[{i}]") for i, item in enumerate(items))
            return AllOf(key, parsed) if op == "all" else AnyOf(key, parsed)
        if "not" in value:
            self.mapping(value, key, {"not"}, {"not"})
            return Not(key, self.condition(value["not"], _join(key, "not")))
        if "fact" not in value:
            keys = ", ".join(map(str, value))
            self.fail(key, f"unknown operator in {{{keys}}}.", f"use all, any, not, or fact with one of: {', '.join(OPERATORS)}.")
        ops = [k for k in value if k not in ("fact", "label")]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            shown = ", ".join(map(str, ops)) or "none"
            self.fail(key, f"unknown operator ({shown}).", f"give exactly one of: {', '.join(OPERATORS)}.")
        op = ops[0]
        name = self.fact(value["fact"], _join(key, "fact"))
        label = self.text(value["label"], _join(key, "label")) if "label" in value else None
        operand = self.operand(name, op, value[op], _join(key, op))
        return Leaf(key, name, op, operand, label)

    def fact(self, value: object, key: str, kinds: tuple[str, ...] | None = None) -> str:
        if not isinstance(value, str) or value not in FACTS:
            self.fail(key, f"unknown fact '{value}'.", f"use one of: {', '.join(FACTS)}.")
        if kinds and FACTS[value].kind not in kinds:
            self.fail(key, f"fact '{value}' is a {FACTS[value].kind}; this needs a {' or '.join(kinds)} fact.")
        return value

    def operand(self, name: str, op: str, value: object, key: str) -> object:
        fact = FACTS[name]
        if op in ("known", "unknown"):
            if value is not True:
                self.fail(key, f"'{op}' takes the value true.")
            return True
        if op in ("in", "not_in"):
            if fact.kind != "enum":
                self.fail(key, f"'{op}' needs an enum fact; '{name}' is a {fact.kind}.")
            if not isinstance(value, list) or not value:
                self.fail(key, "must be a non-empty list of values.")
            for i, item in enumerate(value):
                if item not in fact.choices:
                    self.fail(f"{key}[{i}]", f"'{item}' is not a value of {name}.", f"use one of: {', '.join(fact.choices)}.")
            return tuple(value)
        if fact.kind in ("bool", "enum") and op not in ("eq", "ne"):
            self.fail(key, f"'{op}' does not apply to {fact.kind} fact '{name}'.", "use eq or ne.")
        if fact.kind == "bool":
            if not isinstance(value, bool):
                self.fail(key, "must be true or false.")
            return value
        if fact.kind == "enum":
            if value not in fact.choices:
                self.fail(key, f"'{value}' is not a value of {name}.", f"use one of: {', '.join(fact.choices)}.")
            return value
        if fact.kind == "count":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                self.fail(key, "must be a whole number.")
            return value
        if fact.kind == "ratio":
            return self.ratio(value, key)
        return self.money(value, key)

    # -- awards, caps, payers ------------------------------------------------------------------

    def award(self, value: object, key: str) -> Award:
        if not isinstance(value, Mapping) or value.get("form") not in AWARD_FORMS:
            form = value.get("form") if isinstance(value, Mapping) else None
            self.fail(_join(key, "form"), f"unknown award form '{form}'.", f"use one of: {', '.join(AWARD_FORMS)}.")
        form = value["form"]
        if form == "fixed" and "by" in value:
            data = self.mapping(value, key, {"form", "by", "amounts", "pay"}, {"by", "amounts"})
            by = self.fact(data["by"], _join(key, "by"), ("enum",))
            table = self.mapping(data["amounts"], _join(key, "amounts"), set(FACTS[by].choices), set())
            if not table:
                self.fail(_join(key, "amounts"), "must map at least one value of the fact to an amount.")
            amounts = tuple((str(k), self.money(v, _join(_join(key, "amounts"), str(k)))) for k, v in table.items())
            return TableAward(by=by, amounts=amounts, pay=self.pay(data, key, "full"))
        if form == "fixed":
            data = self.mapping(value, key, {"form", "amount", "pay"}, {"amount"})
            return FixedAward(amount=self.money(data["amount"], _join(key, "amount")), pay=self.pay(data, key, "full"))
        if form == "capped":
            data = self.mapping(value, key, {"form", "up_to"}, {"up_to"})
            return CappedAward(up_to=self.money(data["up_to"], _join(key, "up_to")))
        if form == "ranged":
            data = self.mapping(value, key, {"form", "min", "max"}, {"min", "max"})
            low, high = self.money(data["min"], _join(key, "min")), self.money(data["max"], _join(key, "max"))
            if low > high:
                self.fail(_join(key, "min"), "min is above max.", "swap them.")
            return RangedAward(minimum=low, maximum=high)
        if form == "non_monetary":
            data = self.mapping(value, key, {"form", "benefit"}, {"benefit"})
            return NonMonetaryAward(benefit=self.text(data["benefit"], _join(key, "benefit")))
        if form == "per_unit":
            data = self.mapping(value, key, {"form", "units"}, {"units"})
            units = data["units"]
            if not isinstance(units, list) or not units:
                self.fail(_join(key, "units"), "must be a non-empty list of {fact, amount}.")
            parsed = []
            for i, unit in enumerate(units):
                ukey = f"{_join(key, 'units')}[{i}]"
                u = self.mapping(unit, ukey, {"fact", "amount"}, {"fact", "amount"})
                parsed.append(Unit(self.fact(u["fact"], _join(ukey, "fact"), ("count",)), self.money(u["amount"], _join(ukey, "amount"))))
            return PerUnitAward(units=tuple(parsed))
        data = self.mapping(value, key, {"form", "fact", "above", "pay", "tiers"}, {"fact", "above", "pay", "tiers"})
        fact = self.fact(data["fact"], _join(key, "fact"), ("money",))
        if data["above"] not in ("exclusive", "inclusive"):
            self.fail(_join(key, "above"), "must be 'exclusive' (strictly more than) or 'inclusive' (at least).")
        self.pay(data, key, "highest")
        tiers_raw = data["tiers"]
        if not isinstance(tiers_raw, list) or not tiers_raw:
            self.fail(_join(key, "tiers"), "must be a non-empty list of {threshold, amount}.")
        tiers: list[Tier] = []
        for i, tier in enumerate(tiers_raw):
            tkey = f"{_join(key, 'tiers')}[{i}]"
            t = self.mapping(tier, tkey, {"threshold", "amount"}, {"threshold", "amount"})
            parsed_tier = Tier(self.money(t["threshold"], _join(tkey, "threshold")), self.money(t["amount"], _join(tkey, "amount")))
            if tiers and parsed_tier.threshold <= tiers[-1].threshold:
                self.fail(_join(tkey, "threshold"), "tiers are out of order.", "list tiers by strictly increasing threshold.")
            if tiers and parsed_tier.amount <= tiers[-1].amount:
                self.fail(_join(tkey, "amount"), "tier amounts must increase with the threshold.")
            tiers.append(parsed_tier)
        return TieredAward(fact=fact, inclusive=data["above"] == "inclusive", pay=self.pay(data, key, "highest"), tiers=tuple(tiers))

    def pay(self, data: Mapping[str, Any], key: str, plain: Literal["full", "highest"]) -> Literal["full", "highest", "difference"]:
        """How an award is paid: in full (``highest`` tier reached), or as the ``difference`` against
        what the rule already paid, so that it is never paid twice."""
        value = data.get("pay", plain)
        if value not in (plain, "difference"):
            self.fail(_join(key, "pay"), f"must be '{plain}' or 'difference' (the amount minus what the rule already paid).")
        return plain if value == plain else "difference"

    def caps(self, value: object, key: str) -> tuple[Cap, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(key, "must be a list of caps.")
        caps = []
        for i, cap in enumerate(value):
            ckey = f"{key}[{i}]"
            if not isinstance(cap, Mapping) or len(cap) != 1 or next(iter(cap)) not in ("limit", "fact", "cumulative"):
                self.fail(ckey, "unknown cap.", "use {limit: AMOUNT}, {fact: MONEY_FACT} or {cumulative: AMOUNT}.")
            kind, raw = next(iter(cap.items()))
            if kind == "fact":
                caps.append(Cap("fact", fact=self.fact(raw, _join(ckey, "fact"), ("money",))))
            else:
                caps.append(Cap(kind, amount=self.money(raw, _join(ckey, kind))))
        return tuple(caps)

    def payers(self, value: object, key: str, monetary: bool, source: str, language: str) -> tuple[Payer, ...]:
        if value is None:
            if monetary:
                self.fail(key, "a monetary rule must say who pays.", "add payers: [{payer: city, share: 1}].")
            return ()
        if not isinstance(value, list) or not value:
            self.fail(key, "must be a non-empty list of {payer, share}.")
        payers = []
        for i, payer in enumerate(value):
            pkey = f"{key}[{i}]"
            p = self.mapping(payer, pkey, {"payer", "share", "units"}, {"payer", "share"})
            if p["payer"] not in PAYERS:
                self.fail(_join(pkey, "payer"), f"unknown payer '{p['payer']}'.", f"use one of: {', '.join(PAYERS)}.")
            share = self.ratio(p["share"], _join(pkey, "share"))
            if not 0 < share <= 1:
                self.fail(_join(pkey, "share"), "must be more than 0 and at most 1.")
            units = None
            if p["payer"] == "unstated":
                if "units" not in p or len(value) != 1:
                    self.fail(
                        pkey,
                        "an unstated payer stands alone and names the responsible units the text lists.",
                        "write payers: [{payer: unstated, share: 1, units: {zh: ..., en: ...}}], quoting the units in the source's language.",
                    )
                units = self.text(p["units"], _join(pkey, "units"))
                self.quote(units.zh if language == "zh" else units.en, _join(pkey, f"units.{language}"), source)
            elif "units" in p:
                self.fail(_join(pkey, "units"), "only an unstated payer names responsible units.")
            payers.append(Payer(p["payer"], share, units))
        total = sum((p.share for p in payers), Fraction(0))
        if total != 1:
            percent = (Decimal(total.numerator) * 100 / Decimal(total.denominator)).normalize()
            self.fail(key, f"payer shares sum to {percent:f} %, not 100 %.", "make the shares add up to 1.")
        return tuple(payers)

    # -- rules ---------------------------------------------------------------------------------

    def conditions(self, value: object, applies_to: tuple[str, ...], key: str) -> AllOf:
        items: list[Condition] = [Leaf("applies_to", "entity_type", "in", applies_to)]
        if value is not None:
            items.append(self.condition(value, key))
        return AllOf("", tuple(items))

    def applies_to(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.fail(key, "must list the entity types the rule applies to.", f"use some of: {', '.join(ENTITY_TYPES)}.")
        for i, item in enumerate(value):
            if item not in ENTITY_TYPES:
                self.fail(f"{key}[{i}]", f"unknown entity type '{item}'.", f"use some of: {', '.join(ENTITY_TYPES)}.")
        return tuple(value)

    def rule(self, value: object, index: int, doc_id: str, city: str, source: str, language: str) -> Rule:
        self.rule_id = None
        if isinstance(value, Mapping) and isinstance(value.get("id"), str):
            self.rule_id = value["id"]
        data = self.mapping(value, f"rules[{index}]", RULE_KEYS, {"id", "clause", "title", "quote", "applies_to", "kind", "award"})
        rule_id = self.string(data["id"], "id")
        if not _RULE_ID.match(rule_id) or rule_id.split(".")[0] != city:
            self.fail("id", f"rule id '{rule_id}' must look like '{city}.some_name'.")
        award = self.award(data["award"], "award")
        caps = self.caps(data.get("caps"), "caps")
        if award.form == "capped" and not caps:
            self.fail("caps", "a capped award needs at least one cap.")
        if not award.monetary and caps:
            self.fail("caps", "a non-monetary rule cannot have caps.")
        applies_to = self.applies_to(data["applies_to"], "applies_to")
        variants = data.get("variants") or []
        if not isinstance(variants, list):
            self.fail("variants", "must be a list.")
        return Rule(
            id=rule_id,
            document=doc_id,
            clause=self.clause(data["clause"], "clause"),
            title=self.text(data["title"], "title"),
            quote=self.quote(data["quote"], "quote", source),
            interpretation=self.text(data["interpretation"], "interpretation") if data.get("interpretation") else None,
            applies_to=applies_to,
            kind=self.string(data["kind"], "kind"),
            conditions=self.conditions(data.get("conditions"), applies_to, "conditions"),
            award=award,
            caps=caps,
            payers=self.payers(data.get("payers"), "payers", award.monetary, source, language),
            stacking=self.text(data["stacking"], "stacking") if data.get("stacking") else None,
            variants=tuple(self.variant(v, f"variants[{i}]", applies_to) for i, v in enumerate(variants)),
        )

    def variant(self, value: object, key: str, applies_to: tuple[str, ...]) -> Variant:
        keys = {"source", "status", "clause", "quote", "note", "conditions", "award", "caps"}
        data = self.mapping(value, key, keys, keys - {"caps", "conditions"})
        if data["status"] not in ("superseded", "draft"):
            self.fail(_join(key, "status"), "a variant is 'superseded' or 'draft'; the rule itself is the text in force.")
        source = self.string(data["source"], _join(key, "source"))
        return Variant(
            source=source,
            status=data["status"],
            clause=self.clause(data["clause"], _join(key, "clause")),
            quote=self.quote(data["quote"], _join(key, "quote"), source),
            note=self.text(data["note"], _join(key, "note")),
            conditions=self.conditions(data.get("conditions"), applies_to, _join(key, "conditions")),
            award=self.award(data["award"], _join(key, "award")),
            caps=self.caps(data.get("caps"), _join(key, "caps")),
        )

    # -- documents -----------------------------------------------------------------------------

    def document(self, data: object) -> Document:
        doc = self.mapping(data, "", DOCUMENT_KEYS, DOCUMENT_KEYS - {"stacking", "outside_facts", "city_aliases", "not_support"})
        doc_id = self.string(doc["id"], "id")
        if not _DOC_ID.match(doc_id) or self.path.stem != doc_id:
            self.fail("id", f"document id '{doc_id}' must match the file name '{self.path.stem}'.")
        city = self.string(doc["city"], "city")
        if self.path.parent.name != city:
            self.fail("city", f"city '{city}' must match the folder '{self.path.parent.name}'.")
        src = self.mapping(doc["source"], "source", {"file", "language", "sha256", "note"}, {"file", "language", "sha256"})
        source = self.string(src["file"], "source.file")
        digest = hashlib.sha256(self.source_text(source, "source.file").encode("utf-8")).hexdigest()
        if src["sha256"] != digest:
            self.fail("source.sha256", f"{source} does not match its recorded sha256 (it is {digest}).", "restore the source text byte for byte.")
        if doc["status"] not in DOCUMENT_STATUSES:
            self.fail("status", f"unknown status '{doc['status']}'.", f"use one of: {', '.join(DOCUMENT_STATUSES)}.")
        window = self.mapping(doc["in_force"], "in_force", {"from", "to", "note", "uncertain"}, {"from", "to"})
        start, surely_from = self.edge(window["from"], "in_force.from")
        end, surely_to = (None, None) if window["to"] is None else self.edge(window["to"], "in_force.to")
        if end is not None and surely_to is not None and (surely_to < surely_from or end < start):
            self.fail("in_force.to", "the window ends before it starts.")
        doubt = self.text(window["uncertain"], "in_force.uncertain") if "uncertain" in window else None
        if (surely_from != start or surely_to != end) != (doubt is not None):
            self.fail("in_force.uncertain", "say why an edge is uncertain here, and only where an edge is given as {earliest, latest}.")
        stacking: Literal["highest_only"] | None = None
        stacking_quote: str | None = None
        if doc.get("stacking") is not None:
            st = self.mapping(doc["stacking"], "stacking", {"rule", "quote"}, {"rule", "quote"})
            if st["rule"] != "highest_only":
                self.fail("stacking.rule", f"unknown stacking rule '{st['rule']}'.", "use highest_only (就高不重复).")
            stacking = "highest_only"
            stacking_quote = self.quote(st["quote"], "stacking.quote", source)
        outside = []
        for i, item in enumerate(doc.get("outside_facts") or []):
            o = self.mapping(item, f"outside_facts[{i}]", {"fact", "source"}, {"fact", "source"})
            outside.append(OutsideFact(self.string(o["fact"], f"outside_facts[{i}].fact"), self.string(o["source"], f"outside_facts[{i}].source")))
        if not isinstance(doc["rules"], list):
            self.fail("rules", "must be a list of rules.")
        language = self.string(src["language"], "source.language")
        rules = tuple(self.rule(r, i, doc_id, city, source, language) for i, r in enumerate(doc["rules"]))
        self.rule_id = None
        inventory = self.inventory(doc["inventory"], rules, source)
        not_support = self.not_support(doc.get("not_support") or [], source)
        return Document(
            id=doc_id,
            path=str(self.path),
            city=city,
            city_name=self.text(doc["city_name"], "city_name"),
            number=self.string(doc["number"], "number"),
            issuer=self.text(doc["issuer"], "issuer"),
            title=self.text(doc["title"], "title"),
            source=source,
            source_language=self.string(src["language"], "source.language"),
            status=doc["status"],
            in_force_from=start,
            in_force_to=end,
            certain_from=surely_from,
            certain_to=surely_to,
            window_doubt=doubt,
            aliases=tuple(self.string(a, f"city_aliases[{i}]") for i, a in enumerate(doc.get("city_aliases") or [])),
            window_note=window.get("note"),
            stacking=stacking,
            stacking_quote=stacking_quote,
            outside_facts=tuple(outside),
            rules=rules,
            inventory=inventory,
            not_support=not_support,
        )

    def inventory(self, value: object, rules: tuple[Rule, ...], source: str) -> tuple[InventoryEntry, ...]:
        if not isinstance(value, list) or not value:
            self.fail("inventory", "must list every support clause of the document.")
        ids = {r.id for r in rules}
        listed: set[str] = set()
        entries = []
        for i, item in enumerate(value):
            key = f"inventory[{i}]"
            e = self.mapping(item, key, {"clause", "summary", "rules", "not_encoded", "quote", "source"}, {"clause", "summary"})
            encoded = e.get("rules") or []
            if bool(encoded) == bool(e.get("not_encoded")):
                self.fail(key, "an inventory entry names its rules or says why it is not encoded, not both or neither.")
            if not encoded and not e.get("quote"):
                self.fail(_join(key, "quote"), "a clause that is not encoded quotes its words.", "copy the clause's sentence from the source text.")
            for j, rule_id in enumerate(encoded):
                if rule_id not in ids:
                    self.fail(f"{key}.rules[{j}]", f"rule '{rule_id}' is not defined in this document.")
                listed.add(rule_id)
            entry_source = self.string(e["source"], _join(key, "source")) if "source" in e else source
            entries.append(
                InventoryEntry(
                    clause=self.clause(e["clause"], _join(key, "clause")),
                    summary=self.text(e["summary"], _join(key, "summary")),
                    source=entry_source,
                    rules=tuple(encoded),
                    not_encoded=self.text(e["not_encoded"], _join(key, "not_encoded")) if e.get("not_encoded") else None,
                    quote=self.quote(e["quote"], _join(key, "quote"), entry_source) if e.get("quote") else None,
                )
            )
        for rule in rules:
            if rule.id not in listed:
                self.fail("inventory", f"rule '{rule.id}' is not listed in the clause inventory.", "add it to the entry of the clause it encodes.")
        return tuple(entries)

    def not_support(self, value: object, source: str) -> tuple[NotSupport, ...]:
        """Sentences that read like support (they say 支持, fund, …) but promise none, each with why."""
        if not isinstance(value, list):
            self.fail("not_support", "must be a list of {quote, reason} entries.")
        found = []
        for i, item in enumerate(value):
            key = f"not_support[{i}]"
            e = self.mapping(item, key, {"quote", "reason", "source"}, {"quote", "reason"})
            entry_source = self.string(e["source"], _join(key, "source")) if "source" in e else source
            found.append(NotSupport(entry_source, self.quote(e["quote"], _join(key, "quote"), entry_source), self.text(e["reason"], _join(key, "reason"))))
        return tuple(found)


def _display(file: Path, root: Path) -> Path:
    """The file as a reader would name it: relative to the rulebook's parent folder."""
    try:
        return file.relative_to(root.resolve().parent) if file.is_absolute() else file
    except ValueError:
        return file


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _cache_file(root: Path, files: list[Path], sources: Path) -> Path | None:
    """Where the compiled rulebook of exactly these files is kept, or None when caching is off.

    The name hashes every rule file and source text byte for byte, the folder, the version of
    Python and the engine's own code, so a changed file can never be served from the cache.
    """
    if os.environ.get("SUBSIDY_RULEBOOK_CACHE", "1") == "0":
        return None
    key = hashlib.sha256(f"{sys.version}\0{root}\0".encode())
    for file in [*files, *sorted(sources.iterdir()), *sorted(Path(__file__).parent.glob("*.py"))]:
        key.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "subsidy-eligibility" / f"rulebook-{key.hexdigest()}.pickle"


def _read_cache(cache: Path | None) -> Rulebook | None:
    if cache is None:
        return None
    try:
        book = pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return book if isinstance(book, Rulebook) else None


def _write_cache(cache: Path | None, book: Rulebook) -> None:
    if cache is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(cache)
    except OSError:
        pass  # a read-only home only costs the next start-up its parse


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load every rule file under ``path`` (default: the shipped rulebook) and validate it.

    A rulebook that loaded once is kept compiled in the user's cache (``$XDG_CACHE_HOME`` or
    ``~/.cache``, ``subsidy-eligibility/``) under a hash of its files, so the next process starts
    without parsing; ``SUBSIDY_RULEBOOK_CACHE=0`` turns this off.
    """
    root = (Path(path) if path is not None else DEFAULT_RULES_DIR).resolve()
    files = sorted(p for p in root.glob("*/*.yaml") if p.parent.name != "sources")
    if not files:
        raise RuleFileError(str(root), "no rule files found.", fix="add rules/<city>/<document>.yaml files.")
    sources = root / "sources"
    cache = _cache_file(root, files, sources) if sources.is_dir() else None
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    book = _parse(root, files, sources)
    _write_cache(cache, book)
    return book


def _parse(root: Path, files: list[Path], sources: Path) -> Rulebook:
    import yaml  # only when the compiled rulebook is not in the cache

    hasher = hashlib.sha256()
    documents: list[Document] = []
    rules: dict[str, Rule] = {}
    cities: dict[str, Text] = {}
    for file in files:
        raw = file.read_bytes()
        text = raw.decode("utf-8")
        reader = _Reader(_display(file, root), text, sources)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise RuleFileError(str(_display(file, root)), f"not valid YAML: {getattr(exc, 'problem', exc)}.", line=mark.line + 1 if mark else None) from None
        document = reader.document(data)
        for rule in document.rules:
            if rule.id in rules:
                raise RuleFileError(str(file), f"rule id '{rule.id}' is already defined in {rules[rule.id].document}.", rule=rule.id, key="id")
            rules[rule.id] = rule
        if not document.national:
            if document.city in cities and cities[document.city] != document.city_name:
                raise RuleFileError(str(file), "city_name differs from another document of the same city.", key="city_name")
            cities[document.city] = document.city_name
        documents.append(document)
        hasher.update(file.relative_to(root).as_posix().encode() + b"\0" + raw + b"\0")
        hasher.update(hashlib.sha256(reader.source_text(document.source, "source.file").encode()).digest())
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(sources.glob("*.txt"))}
    return Rulebook(documents=tuple(documents), digest=hasher.hexdigest(), rules=rules, cities=cities, sources=texts)
