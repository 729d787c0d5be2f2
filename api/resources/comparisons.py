"""Comparisons: the same company in several cities, ranked."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

from eligibility.compare import compare

from ..schemas import ComparisonRequestSchema, ComparisonSchema
from ..web import ServiceBlueprint, json_reply, render

blp = ServiceBlueprint("comparisons", __name__, url_prefix="/api/v1", description="Compare cities for a relocation.")


@blp.route("/comparisons")
class Comparisons(MethodView):
    @blp.arguments(ComparisonRequestSchema)
    @blp.response(200, ComparisonSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Rank cities by what a company can expect in each

        Ordered by guaranteed total, ties by potential total; each city lists its non-monetary
        benefits and what would unlock undetermined awards. Not stored.
        """
        result = compare(body["profile"], body["cities"], body.get("as_of"), body.get("districts"))
        return json_reply(render(result))
