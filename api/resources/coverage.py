"""The last rule-coverage report: which rule branches the scenarios exercised, and clause coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask.views import MethodView

from eligibility import coverage_report, default_runs, load_runs

from ..schemas import CoverageSchema
from ..web import ServiceBlueprint, abort, json_reply, render, rulebook

blp = ServiceBlueprint("coverage", __name__, url_prefix="/api/v1", description="Rule coverage for policy officers.")


@blp.route("/coverage")
class Coverage(MethodView):
    @blp.response(200, CoverageSchema)
    def get(self) -> Any:
        """The rule-coverage report of the last scenario run

        Per document and rule, each branch with the scenarios that took it and check the rule, the
        rules and branches none did, the support clauses encoded or set aside with a reason, and every
        support sentence of the sources with the quote that accounts for it.
        """
        runs = Path(current_app.config.get("COVERAGE_RUNS") or default_runs())
        try:
            report = coverage_report(rulebook(), load_runs(runs))
        except FileNotFoundError:
            abort(404, message="No scenario run has been recorded yet; run the scenarios (make test) first.")
        return json_reply(render(report))
