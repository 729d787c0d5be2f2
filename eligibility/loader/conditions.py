"""Reading conditions: facts, operators and operands, the closed set of all / any / not, and who a rule applies to."""

from __future__ import annotations

from collections.abc import Mapping

from ..facts import ENTITY_TYPES, FACTS
from ..model import (
    AllOf,
    AnyOf,
    Condition,
    Leaf,
    Not,
)
from .reader import OPERATORS, Reader, join

__all__ = ["ConditionReader"]


class ConditionReader(Reader):
    """Reading conditions: facts, operators and operands, the closed set of all / any / not, and who a rule applies to."""

    # -- conditions ----------------------------------------------------------------------------

    def condition(self, value: object, key: str) -> Condition:
        if not isinstance(value, Mapping):
            self.fail(key, "a condition must be a mapping.", "use all / any / not, or {fact: NAME, OPERATOR: VALUE}.")
        if "all" in value or "any" in value:
            op = "all" if "all" in value else "any"
            self.mapping(value, key, {op}, {op})
            items = value[op]
            if not isinstance(items, list) or not items:
                self.fail(join(key, op), "must be a non-empty list of conditions.")
            parsed = tuple(self.condition(item, f"{join(key, op)}[{i}]") for i, item in enumerate(items))
            return AllOf(key, parsed) if op == "all" else AnyOf(key, parsed)
        if "not" in value:
            self.mapping(value, key, {"not"}, {"not"})
            return Not(key, self.condition(value["not"], join(key, "not")))
        if "fact" not in value:
            keys = ", ".join(map(str, value))
            self.fail(key, f"unknown operator in {{{keys}}}.", f"use all, any, not, or fact with one of: {', '.join(OPERATORS)}.")
        ops = [k for k in value if k not in ("fact", "label")]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            shown = ", ".join(map(str, ops)) or "none"
            self.fail(key, f"unknown operator ({shown}).", f"give exactly one of: {', '.join(OPERATORS)}.")
        op = ops[0]
        name = self.fact(value["fact"], join(key, "fact"))
        label = self.text(value["label"], join(key, "label")) if "label" in value else None
        operand = self.operand(name, op, value[op], join(key, op))
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
