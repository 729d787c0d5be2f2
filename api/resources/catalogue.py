"""The rulebook for policy officers: documents with their inventories, and rules as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask.views import MethodView

from eligibility import coverage_report, default_runs, document_data, load_runs, rule_data

from ..schemas import DocumentSchema, DocumentSummarySchema, RuleSchema, RuleSummarySchema
from ..web import ServiceBlueprint, abort, json_reply, render, rulebook

blp = ServiceBlueprint("catalogue", __name__, url_prefix="/api/v1", description="Documents and rules of the rulebook.")


def checking_scenarios() -> dict[str, list[str]] | None:
    """Per rule, the scenarios of the last recorded run whose Then steps check it; None if no run is recorded."""
    runs = Path(current_app.config.get("COVERAGE_RUNS") or default_runs())
    try:
        report = coverage_report(rulebook(), load_runs(runs))
    except FileNotFoundError:
        return None
    return {rule["rule"]: rule["scenarios"] for document in report["documents"] for rule in document["rules"]}


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
        """A rule as data, with its quote and the scenarios that check it

        ``checked_by`` names the scenarios of the last recorded run whose Then steps check the rule
        (``scenarios`` counts them); both are null when no run has been recorded.
        """
        book = rulebook()
        rule = book.rules.get(rule_id)
        if rule is None:
            abort(404, message=f"No rule {rule_id}.")
        data: dict[str, Any] = rule_data(rule, book.document(rule.document))
        checking = checking_scenarios()
        data["checked_by"] = None if checking is None else checking.get(rule.id, [])
        data["scenarios"] = None if checking is None else len(data["checked_by"])
        return json_reply(render(data))
