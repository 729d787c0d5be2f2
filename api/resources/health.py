"""Health: is the database reachable, and which rulebook is loaded."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..errors import DATABASE_RETRY_AFTER
from ..schemas import HealthSchema
from ..web import ServiceBlueprint, abort, rulebook

blp = ServiceBlueprint("health", __name__, url_prefix="/api/v1", description="Service health.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """Readiness: whether the database takes a write, and the rulebook's digest

        503 in the error shape, with Retry-After, when the database is unreachable, full or read-only:
        a load balancer then sends no traffic here until it recovers.
        """
        database = current_app.extensions["database"]
        message = database.write_problem()
        if message is not None:
            abort(503, message=message, errors={"database": [message]}, headers={"Retry-After": str(DATABASE_RETRY_AFTER)})
        return {"status": "ok", "database": True, "rulebook": {"digest": rulebook().digest}}
