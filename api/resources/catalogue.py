"""The rulebook for policy officers: documents with their inventories, and rules as data."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from eligibility.loader import DEFAULT_RULES_DIR
from eligibility.report import document_data, rule_data

from ..schemas import DocumentSchema, DocumentSummarySchema, RuleSchema, RuleSummarySchema
from ..web import ServiceBlueprint, json_reply, render, rulebook

blp = ServiceBlueprint("catalogue", __name__, url_prefix="/api/v1", description="Documents and rules of the rulebook.")

FEATURES = DEFAULT_RULES_DIR.parent / "features"


_SCENARIO = re.compile(r"^\s*(Scenario|Scenario Outline|场景|场景大纲|剧本|剧本大纲):")
_RULE_ID = re.compile(r"(?<![A-Za-z0-9_.])[a-z]+\.[a-z0-9_]+(?![A-Za-z0-9_])")


@lru_cache(maxsize=1)
def scenario_counts() -> dict[str, int]:
    """Scenarios per rule: those whose steps name the rule, in any feature file."""
    counts: dict[str, int] = {}
    for path in sorted(Path(FEATURES).glob("**/*.feature")):
        named: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines() + ["Scenario: (end)"]:
            if _SCENARIO.match(line):
                for rule in named:
                    counts[rule] = counts.get(rule, 0) + 1
                named = set()
            else:
                named.update(_RULE_ID.findall(line))
    return counts


@blp.route("/documents")
class Documents(MethodView):
    @blp.response(200, DocumentSummarySchema(many=True))
    def get(self) -> Any:
        """List the policy documents, their windows and how much of each is encoded"""
        result = []
        for document in rulebook().documents:
            data = document_data(document)
            inventory = {k: v for k, v in data["inventory"].items() if k != "entries"}
            result.append({k: data[k] for k in ("id", "city", "number", "title", "status", "in_force")} | {"inventory": inventory})
        return json_reply(render(result))


@blp.route("/documents/<document_id>")
class DocumentById(MethodView):
    @blp.response(200, DocumentSchema)
    def get(self, document_id: str) -> Any:
        """A document: metadata, in-force window, clause inventory, rules and superseded variants"""
        document = next((d for d in rulebook().documents if d.id == document_id), None)
        if document is None:
            abort(404, message=f"No document {document_id}.")
        return json_reply(render(document_data(document)))


@blp.route("/rules")
class Rules(MethodView):
    @blp.response(200, RuleSummarySchema(many=True))
    def get(self) -> Any:
        """List every rule"""
        return json_reply(
            render(
                [
                    {"id": r.id, "document": r.document, "title": r.title.as_dict(), "kind": r.kind, "monetary": r.monetary, "form": r.award.form}
                    for r in rulebook().rules.values()
                ]
            )
        )


@blp.route("/rules/<rule_id>")
class RuleById(MethodView):
    @blp.response(200, RuleSchema)
    def get(self, rule_id: str) -> Any:
        """A rule as data, with its quote and the number of scenarios that prove it"""
        book = rulebook()
        rule = book.rules.get(rule_id)
        if rule is None:
            abort(404, message=f"No rule {rule_id}.")
        data: dict[str, Any] = rule_data(rule, book.document(rule.document))
        data["scenarios"] = scenario_counts().get(rule.id, 0)
        return json_reply(render(data))
