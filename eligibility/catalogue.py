"""The rulebook as plain data: documents with their clause inventories, rules with their terms."""

from __future__ import annotations

from typing import Any

from .model import (
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
    PerUnitAward,
    RangedAward,
    Rule,
    Rulebook,
    TableAward,
    TieredAward,
    Variant,
)
from .money import format_money
from .text import json_value

__all__ = ["clause_quote", "document_data", "rule_data", "rulebook_data"]


def _condition_data(condition: Condition) -> dict[str, Any]:
    if isinstance(condition, Leaf):
        operand = True if condition.op in ("known", "unknown") else json_value(condition.fact, condition.operand)
        return {"fact": condition.fact, condition.op: operand}
    if isinstance(condition, Not):
        return {"not": _condition_data(condition.item)}
    key = "any" if isinstance(condition, AnyOf) else "all"
    return {key: [_condition_data(item) for item in condition.items]}


def _award_data(award: Award) -> dict[str, Any]:
    data: dict[str, Any] = {"form": award.form}
    match award:
        case FixedAward(amount=amount):
            data["amount"] = format_money(amount)
        case TableAward(by=by, amounts=amounts):
            data["by"] = by
            data["amounts"] = {value: format_money(amount) for value, amount in amounts}
        case CappedAward(up_to=up_to):
            data["up_to"] = format_money(up_to)
        case RangedAward(minimum=minimum, maximum=maximum):
            data["min"], data["max"] = format_money(minimum), format_money(maximum)
        case PerUnitAward(units=units):
            data["units"] = [{"fact": u.fact, "amount": format_money(u.amount)} for u in units]
        case TieredAward():
            data.update(
                fact=award.fact,
                above="inclusive" if award.inclusive else "exclusive",
                pay=award.pay,
                tiers=[{"threshold": format_money(t.threshold), "amount": format_money(t.amount)} for t in award.tiers],
            )
        case NonMonetaryAward(benefit=benefit):
            data["benefit"] = benefit.as_dict()
    return data


def _cap_data(cap: Cap) -> dict[str, str]:
    if cap.kind == "fact":
        assert cap.fact is not None
        return {"fact": cap.fact}
    assert cap.amount is not None
    return {cap.kind: format_money(cap.amount)}


def _variant_data(variant: Variant) -> dict[str, Any]:
    return {
        "source": variant.source,
        "status": variant.status,
        "applied": False,
        "clause": variant.clause.as_dict(),
        "quote": variant.quote,
        "note": variant.note.as_dict(),
        "conditions": _conditions_without_applies_to(variant.conditions),
        "award": _award_data(variant.award),
        "caps": [_cap_data(c) for c in variant.caps],
    }


def _conditions_without_applies_to(conditions: AllOf) -> dict[str, Any] | None:
    rest = [item for item in conditions.items if not (isinstance(item, Leaf) and item.path == "applies_to")]
    return _condition_data(rest[0]) if rest else None


def rule_data(rule: Rule, document: Document) -> dict[str, Any]:
    """A rule as data: what it encodes, its quote, conditions, award, caps, payers and variants."""
    return {
        "id": rule.id,
        "document": rule.document,
        "number": document.number,
        "clause": rule.clause.as_dict(),
        "title": rule.title.as_dict(),
        "quote": rule.quote,
        "source": document.source,
        "interpretation": rule.interpretation.as_dict() if rule.interpretation else None,
        "applies_to": list(rule.applies_to),
        "kind": rule.kind,
        "monetary": rule.monetary,
        "conditions": _conditions_without_applies_to(rule.conditions),
        "award": _award_data(rule.award),
        "caps": [_cap_data(c) for c in rule.caps],
        "payers": [{"payer": p.payer, "share": str(p.share)} for p in rule.payers],
        "stacking": rule.stacking.as_dict() if rule.stacking else None,
        "variants": [_variant_data(v) for v in rule.variants],
    }


def clause_quote(entry: InventoryEntry, document: Document) -> str:
    """The clause's words: its own quote, or for an encoded clause the quotes of its rules."""
    if entry.quote:
        return entry.quote
    rules = {rule.id: rule for rule in document.rules}
    return "\n".join(dict.fromkeys(rules[rule_id].quote for rule_id in entry.rules))


def document_data(document: Document) -> dict[str, Any]:
    """A document's metadata, window, clause inventory and rules."""
    encoded = sum(1 for e in document.inventory if e.rules)
    return {
        "id": document.id,
        "city": document.city,
        "city_name": document.city_name.as_dict(),
        "number": document.number,
        "issuer": document.issuer.as_dict(),
        "title": document.title.as_dict(),
        "source": {"file": document.source, "language": document.source_language},
        "status": document.status,
        "in_force": {
            "from": document.in_force_from.isoformat(),
            "to": document.in_force_to.isoformat() if document.in_force_to else None,
            "note": document.window_note.as_dict() if document.window_note else None,
        },
        "stacking": {"rule": document.stacking, "quote": document.stacking_quote} if document.stacking else None,
        "outside_facts": [{"fact": f.fact.as_dict(), "source": f.source.as_dict()} for f in document.outside_facts],
        "inventory": {
            "clauses": len(document.inventory),
            "encoded": encoded,
            "not_encoded": len(document.inventory) - encoded,
            "entries": [
                {
                    "clause": e.clause.as_dict(),
                    "summary": e.summary.as_dict(),
                    "source": e.source,
                    "rules": list(e.rules),
                    "not_encoded": e.not_encoded.as_dict() if e.not_encoded else None,
                    "quote": clause_quote(e, document),
                }
                for e in document.inventory
            ],
        },
        "not_support": [{"source": n.source, "quote": n.quote, "reason": n.reason.as_dict()} for n in document.not_support],
        "rules": [rule_data(rule, document) for rule in document.rules],
    }


def rulebook_data(book: Rulebook) -> dict[str, Any]:
    """The whole rulebook as data, with its digest."""
    return {"digest": book.digest, "documents": [document_data(d) for d in book.documents]}
