"""Comparisons: the same company in several cities, ranked, on one date or year by year along a plan."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from eligibility import InputError, compare, parse_plan, plan_cities

from .. import examples
from ..errors import error_response
from ..schemas import ComparisonRequestSchema, ComparisonSchema
from ..web import ServiceBlueprint, json_reply, render, rulebook

blp = ServiceBlueprint("comparisons", __name__, url_prefix="/api/v1", description="Compare cities for a relocation.")

PLAN_FIELDS = ("start_year", "years", "growth", "figures", "as_of_month_day")


def _planned(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("as_of") is not None:
        raise InputError.single("as_of", "A plan is evaluated each year on as_of_month_day; leave as_of out.")
    plan = parse_plan(body)
    return plan_cities(body["profile"], body["cities"], plan, body.get("districts"), rulebook=rulebook())


@blp.route("/comparisons")
class Comparisons(MethodView):
    @blp.arguments(ComparisonRequestSchema(), example=examples.COMPARISON)
    @blp.response(200, ComparisonSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Rank cities by what a company can expect in each

        One-date form: {cities, districts?, as_of?, profile}, ranked by guaranteed total, ties by
        potential. Plan form: add start_year, years and growth and/or figures; each city gets its
        yearly outcomes, cumulative_total, totals by payer, benefits, unlock steps and a reason.
        Not stored.
        """
        if any(name in body for name in PLAN_FIELDS):
            return json_reply(render(_planned(body)))
        result = compare(body["profile"], body["cities"], body.get("as_of"), body.get("districts"), rulebook=rulebook())
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

        try:
            svg = render_chart(_planned(body), "svg")
        except ChartError as exc:
            return error_response(503, "Service Unavailable", str(exc))
        return Response(svg, mimetype="image/svg+xml")
