"""Comparisons: the same company in several cities, ranked, on one date or year by year along a plan."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView

from eligibility import InputError, apply_reform, compare, find_reform, parse_plan, plan_cities, range_difference

from .. import examples
from ..errors import error_response
from ..schemas import ComparisonRequestSchema, ComparisonSchema
from ..web import ServiceBlueprint, json_reply, over_budget, remaining_budget, render, rulebook, under_reform, within_budget

blp = ServiceBlueprint("comparisons", __name__, url_prefix="/api/v1", description="Compare cities for a relocation.")

PLAN_FIELDS = ("start_year", "years", "growth", "figures", "as_of_month_day")


def _planned(body: dict[str, Any]) -> dict[str, Any]:
    within_budget("the plan")
    if body.get("as_of") is not None:
        raise InputError.single("as_of", "A plan is evaluated each year on as_of_month_day; leave as_of out.")
    plan = parse_plan({k: v for k, v in body.items() if k != "reform"})
    book = rulebook()
    if body.get("reform") is not None:
        reform = find_reform(body["reform"])
        book = under_reform(lambda: apply_reform(rulebook(), reform))
    return plan_cities(body["profile"], body["cities"], plan, body.get("districts"), rulebook=book)


@blp.route("/comparisons")
class Comparisons(MethodView):
    @blp.arguments(ComparisonRequestSchema(), example=examples.COMPARISON)
    @blp.response(200, ComparisonSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Rank cities by what a company can expect in each

        One-date form: {cities, districts?, as_of?, profile}, ranked by guaranteed total, ties by
        potential. Plan form: add start_year, years and growth and/or figures; each city gets its
        yearly outcomes, cumulative_total, totals by payer, benefits, unlock steps and a reason.
        Not stored. With a reform, the ranking is under the reform; each city carries its baseline
        total and the difference, and the answer names the reform.
        """
        if any(name in body for name in PLAN_FIELDS):
            return json_reply(render(_planned(body)))
        within_budget("the comparison")
        book = rulebook()
        if body.get("reform") is None:
            return json_reply(render(compare(body["profile"], body["cities"], body.get("as_of"), body.get("districts"), rulebook=book)))
        reform = find_reform(body["reform"])
        reformed = under_reform(lambda: apply_reform(book, reform))
        result = compare(body["profile"], body["cities"], body.get("as_of"), body.get("districts"), rulebook=reformed)
        baseline = {
            entry["city"]: entry["total"]
            for entry in compare(body["profile"], body["cities"], body.get("as_of"), body.get("districts"), rulebook=book)["ranking"]
        }
        for entry in result["ranking"]:
            before = baseline[entry["city"]]
            entry["baseline"] = {"total": before}
            entry["difference"] = {"total": range_difference(entry["total"], before)}
        result["reform"] = {"id": reform.id, "title": reform.title.as_dict(), "digest": reform.digest, "rulebook": reformed.digest}
        return json_reply(render(result))


@blp.route("/comparisons/chart.svg")
class ComparisonChart(MethodView):
    @blp.arguments(ComparisonRequestSchema(), example=examples.PLAN)
    @blp.response(200, content_type="image/svg+xml", description="The chart as SVG.")
    def post(self, body: dict[str, Any]) -> Any:
        """Draw a plan's cumulative award per city per year as SVG

        Takes the plan form of POST /api/v1/comparisons; the guaranteed total is a line and the
        potential total a band, labelled in Chinese and English.
        """
        if "start_year" not in body or "years" not in body:
            raise InputError({"start_year": ["A chart needs a plan: give start_year and years."]})
        from subsidy.chart import ChartError, render_chart  # matplotlib (the charts extra) loads with the first chart

        plan = _planned(body)
        charts = current_app.extensions["charts"]
        if not charts.acquire(timeout=max(remaining_budget(), 0.0)):  # a chart at a time per worker
            over_budget("drawing the chart")
        try:
            svg = render_chart(plan, "svg")
        except ChartError as exc:
            return error_response(503, "Service Unavailable", str(exc))
        finally:
            charts.release()
        return Response(svg, mimetype="image/svg+xml")
