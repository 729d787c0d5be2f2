"""Health: is the database reachable, and which rulebook is loaded."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..schemas import HealthSchema
from ..web import ServiceBlueprint, abort, rulebook

blp = ServiceBlueprint("health", __name__, url_prefix="/api/v1", description="Service health.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """Report whether the database is reachable and the rulebook's digest"""
        if not current_app.extensions["database"].reachable():
            abort(503, message="The database is not reachable.")
        return {"status": "ok", "database": True, "rulebook": {"digest": rulebook().digest}}
