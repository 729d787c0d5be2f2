"""Reading rules, their variants, and documents with their clause inventories and sentences that are not support."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Literal

from ..conditions import leaves
from ..model import (
    AllOf,
    Award,
    Document,
    InventoryEntry,
    NotSupport,
    OutsideFact,
    Rule,
    TieredAward,
    Variant,
)
from .awards import AwardReader
from .reader import DOC_ID, DOCUMENT_KEYS, DOCUMENT_STATUSES, RULE_ID, RULE_KEYS, VARIANT_ID, join

__all__ = ["DocumentReader"]


class DocumentReader(AwardReader):
    """Reading rules, their variants, and documents with their clause inventories and sentences that are not support."""

    def rule(self, value: object, index: int, doc_id: str, city: str, source: str, language: str) -> Rule:
        self.rule_id = None
        if isinstance(value, Mapping) and isinstance(value.get("id"), str):
            self.rule_id = value["id"]
        data = self.mapping(value, f"rules[{index}]", RULE_KEYS, {"id", "clause", "title", "quote", "applies_to", "kind", "award"})
        rule_id = self.string(data["id"], "id")
        if not RULE_ID.match(rule_id) or rule_id.split(".")[0] != city:
            self.fail("id", f"rule id '{rule_id}' must look like '{city}.some_name'.")
        award = self.award(data["award"], "award")
        caps = self.caps(data.get("caps"), "caps")
        if award.form == "capped" and not caps:
            self.fail("caps", "a capped award needs at least one cap.")
        if not award.monetary and caps:
            self.fail("caps", "a non-monetary rule cannot have caps.")
        applies_to = self.applies_to(data["applies_to"], "applies_to")
        conditions = self.conditions(data.get("conditions"), applies_to, "conditions")
        self.gates_agree(conditions, award)
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
            conditions=conditions,
            award=award,
            caps=caps,
            payers=self.payers(data.get("payers"), "payers", award.monetary, source, language),
            stacking=self.text(data["stacking"], "stacking") if data.get("stacking") else None,
            variants=self.variants(variants, applies_to),
        )

    def gates_agree(self, conditions: AllOf, award: Award) -> None:
        """A condition on a tiered award's fact must open exactly at the first tier: the same threshold,
        strictly above it for an exclusive tier, at least it for an inclusive one."""
        if not isinstance(award, TieredAward):
            return
        first = award.tiers[0].threshold
        for leaf in leaves(conditions):
            gates = leaf.fact == award.fact and leaf.op in ("gt", "ge")
            if gates and (leaf.operand != first or (leaf.op == "ge") != award.inclusive):
                self.fail(
                    f"conditions ({leaf.path})",
                    f"the condition {leaf.fact} {leaf.op} {leaf.operand} disagrees with the first tier, which opens {'at' if award.inclusive else 'above'} {first}.",
                    "make the condition's threshold and operator those of the first tier.",
                )

    def variants(self, values: list[object], applies_to: tuple[str, ...]) -> tuple[Variant, ...]:
        found: list[Variant] = []
        for index, value in enumerate(values):
            variant = self.variant(value, f"variants[{index}]", applies_to)
            if any(v.id == variant.id for v in found):
                self.fail(f"variants[{index}].id", f"variant id '{variant.id}' is used twice in this rule.")
            found.append(variant)
        return tuple(found)

    def variant(self, value: object, key: str, applies_to: tuple[str, ...]) -> Variant:
        keys = {"id", "source", "status", "clause", "quote", "note", "conditions", "award", "caps"}
        data = self.mapping(value, key, keys, keys - {"caps", "conditions"})
        variant_id = self.string(data["id"], join(key, "id"))
        if not VARIANT_ID.match(variant_id):
            self.fail(join(key, "id"), f"variant id '{variant_id}' must be lowercase words and digits joined by hyphens, e.g. draft-2021-06-01.")
        if data["status"] not in ("superseded", "draft"):
            self.fail(join(key, "status"), "a variant is 'superseded' or 'draft'; the rule itself is the text in force.")
        source = self.string(data["source"], join(key, "source"))
        return Variant(
            id=variant_id,
            source=source,
            status=data["status"],
            clause=self.clause(data["clause"], join(key, "clause")),
            quote=self.quote(data["quote"], join(key, "quote"), source),
            note=self.text(data["note"], join(key, "note")),
            conditions=self.conditions(data.get("conditions"), applies_to, join(key, "conditions")),
            award=self.award(data["award"], join(key, "award")),
            caps=self.caps(data.get("caps"), join(key, "caps")),
        )

    # -- documents -----------------------------------------------------------------------------

    def document(self, data: object) -> Document:
        doc = self.mapping(data, "", DOCUMENT_KEYS, DOCUMENT_KEYS - {"stacking", "outside_facts", "city_aliases", "not_support"})
        doc_id = self.string(doc["id"], "id")
        if not DOC_ID.match(doc_id) or self.path.stem != doc_id:
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
            outside.append(OutsideFact(self.text(o["fact"], f"outside_facts[{i}].fact"), self.text(o["source"], f"outside_facts[{i}].source")))
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
            window_note=self.text(window["note"], "in_force.note") if "note" in window else None,
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
                self.fail(join(key, "quote"), "a clause that is not encoded quotes its words.", "copy the clause's sentence from the source text.")
            for j, rule_id in enumerate(encoded):
                if rule_id not in ids:
                    self.fail(f"{key}.rules[{j}]", f"rule '{rule_id}' is not defined in this document.")
                listed.add(rule_id)
            entry_source = self.string(e["source"], join(key, "source")) if "source" in e else source
            entries.append(
                InventoryEntry(
                    clause=self.clause(e["clause"], join(key, "clause")),
                    summary=self.text(e["summary"], join(key, "summary")),
                    source=entry_source,
                    rules=tuple(encoded),
                    not_encoded=self.text(e["not_encoded"], join(key, "not_encoded")) if e.get("not_encoded") else None,
                    quote=self.quote(e["quote"], join(key, "quote"), entry_source) if e.get("quote") else None,
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
            entry_source = self.string(e["source"], join(key, "source")) if "source" in e else source
            found.append(NotSupport(entry_source, self.quote(e["quote"], join(key, "quote"), entry_source), self.text(e["reason"], join(key, "reason"))))
        return tuple(found)
