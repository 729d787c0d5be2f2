"""The last rule-coverage report: which rule branches the scenarios exercised, and clause coverage."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from eligibility.cli import DEFAULT_RUNS, load_coverage

from ..schemas import CoverageSchema
from ..web import ServiceBlueprint, json_reply, render, rulebook

blp = ServiceBlueprint("coverage", __name__, url_prefix="/api/v1", description="Rule coverage for policy officers.")


@blp.route("/coverage")
class Coverage(MethodView):
    @blp.response(200, CoverageSchema)
    def get(self) -> Any:
        """The rule-coverage report of the last scenario run

        Per document and rule, each branch with the scenarios that exercised it, the branches none
        did, and how many support clauses are encoded or set aside with a reason.
        """
        runs = Path(current_app.config.get("COVERAGE_RUNS") or DEFAULT_RUNS)
        try:
            report = load_coverage(runs, rulebook())
        except FileNotFoundError:
            abort(404, message="No scenario run has been recorded yet; run the scenarios (make test) first.")
        return json_reply(render(report))
