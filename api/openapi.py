"""How the profile's own field types appear in the OpenAPI document.

The engine's marshmallow fields (Money, Count, StrictBool) know nothing of OpenAPI; without this they
would be documented as "anything", and a client generated from the document would send what the
service then refuses.
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from marshmallow import fields

from eligibility import MAX_MONEY, Count, Money, Rulebook, StrictBool, shipped_reforms

__all__ = ["document_fields"]

_LARGEST_YUAN = int(MAX_MONEY) - 1
MONEY: dict[str, Any] = {
    "description": "Yuan, exact to the fen: an integer, or a decimal string with at most two places; below 10^16.",
    "oneOf": [
        {"type": "integer", "minimum": 0, "maximum": _LARGEST_YUAN},
        {"type": "string", "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$", "example": "1234.56"},
    ],
}


def _properties(book: Rulebook, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:  # type: ignore[type-arg]
    choices = field.metadata.get("rulebook")
    if choices == "city":  # the rulebook's cities (by any of their names) and rule ids, so a generated client sends only those
        return {"enum": book.city_names()}
    if choices == "rule":
        return {"enum": sorted(book.rules)}
    if choices == "reform":  # a shipped reform's id, or a reform written out
        reform = {
            "type": "object",
            "required": ["id", "title", "changes"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                "title": {"type": "object", "required": ["zh", "en"], "properties": {"zh": {"type": "string"}, "en": {"type": "string"}}},
                "changes": {"type": "array", "minItems": 1, "items": {"type": "object"}},
            },
        }
        return {"oneOf": [{"type": "string", "enum": sorted(shipped_reforms())}, reform], "nullable": True}
    nullable_ref = [part for part in ret.get("anyOf", ()) if "$ref" in part]
    if isinstance(field, fields.Nested) and field.allow_none and nullable_ref:
        # apispec writes anyOf [any object, $ref] for OpenAPI 3.0, which admits any object at all.
        del ret["anyOf"]
        return {"allOf": nullable_ref, "nullable": True}
    if isinstance(field, Money):
        return dict(MONEY)
    if isinstance(field, Count):
        return {"type": "integer", "minimum": field.minimum, "maximum": field.maximum}
    if isinstance(field, StrictBool):
        return {"type": "boolean"}
    return {}


def document_fields(spec: APISpec, book: Rulebook) -> None:
    """Teach ``spec``'s marshmallow plugin the engine's field types and ``book``'s cities and rule ids.

    Call before registering blueprints.
    """

    def properties(_converter: Any, field: fields.Field, ret: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:  # type: ignore[type-arg]
        return _properties(book, field, ret)

    plugin = next(p for p in spec.plugins if hasattr(p, "converter"))
    plugin.converter.add_attribute_function(properties)
