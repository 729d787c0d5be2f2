"""Estimates: anonymous ones are computed and forgotten; with an API key they are stored."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from typing import Any, NamedTuple

from flask import current_app
from flask.views import MethodView
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eligibility import Estimate, dumps_bytes, estimate, estimate_under_reform, find_reform, profile_from_loaded

from .. import examples
from ..idempotency import PARAMETER as IDEMPOTENCY
from ..idempotency import claim, commit_with_answer
from ..keys import request_key
from ..models import ApiKey, StoredEstimate
from ..schemas import EstimateRequestSchema, EstimateSchema
from ..web import ServiceBlueprint, abort, db_session, json_reply, language, rulebook, under_reform, within_budget

blp = ServiceBlueprint("estimates", __name__, url_prefix="/api/v1", description="Award estimates for one company in one city.")


def within_quota(session: Session, model: Any, key: ApiKey, setting: str, what: str) -> None:
    """Refuse (403) to store one more of ``model`` for ``key`` past its quota."""
    quota = int(current_app.config[setting])
    kept = session.scalar(select(func.count()).select_from(model).where(model.key_id == key.id)) or 0
    if kept >= quota:
        abort(403, message=f"This key keeps {kept} {what}, its quota; delete some before storing more.")


class Answer(NamedTuple):
    """An estimate as it is served (JSON text, in the request's language already), and the columns
    a stored one is found by."""

    text: bytes
    city: str
    as_of: str
    digest: str


def answer_of(found: Estimate) -> Answer:
    """``found`` written in the request's language, straight as the engine writes it."""
    return Answer(found.as_json(language()), found.city, found.as_of.isoformat(), rulebook().digest)


def answer_of_data(result: dict[str, Any]) -> Answer:
    """An estimate already written as data (under a reform)."""
    return Answer(dumps_bytes(result), result["city"], result["as_of"], result["rulebook"]["digest"])


def store_estimate(session: Session, key: ApiKey, answer: Answer, company_id: str | None = None) -> str:
    """Give ``answer`` an id (and its company's), store its JSON text exactly as served, and return that text."""
    within_quota(session, StoredEstimate, key, "QUOTA_ESTIMATES", "stored estimates")
    estimate_id = uuid.uuid4().hex
    head = b'{"id":"%s",' % estimate_id.encode()
    if company_id is not None:
        head += b'"company":%s,' % dumps_bytes(company_id)
    text = (head + answer.text[1:]).decode()  # the answer is a JSON object: its "{" becomes the head's
    session.add(
        StoredEstimate(
            id=estimate_id,
            key_id=key.id,
            company_id=company_id,
            city=answer.city,
            as_of=date.fromisoformat(answer.as_of),
            digest=answer.digest,
            body=text,
        )
    )
    commit_with_answer(session, text, 200, f"/api/v1/estimates/{estimate_id}")
    return text


@blp.route("/estimates")
class Estimates(MethodView):
    @blp.doc(parameters=[IDEMPOTENCY])
    @blp.arguments(EstimateRequestSchema(), example=examples.ESTIMATE)
    @blp.response(200, EstimateSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Estimate what a company can expect in one city

        Anonymous estimates are not stored. With `Authorization: Bearer <key>` the estimate is stored
        and gets an `id`, to be read again with `GET /api/v1/estimates/{id}`. A stored estimate sent
        again with the same `Idempotency-Key` header is answered as the first time, and not stored twice.
        """
        key = request_key(required=False)  # an anonymous estimate never opens a database session
        claim(key)
        within_budget("the estimate")
        # The request schema has validated the profile already: build it without a second pass.
        profile = profile_from_loaded(body["profile"])
        if body.get("reform") is not None:
            reform = find_reform(body["reform"])
            result = under_reform(
                lambda: estimate_under_reform(profile, body["city"], body.get("as_of"), body.get("district"), reform, rulebook=rulebook(), lang=language())
            )
            answer = answer_of_data(result)
        else:
            # Sent as the engine writes it: only the asked language, straight as JSON.
            answer = answer_of(estimate(profile, body["city"], body.get("as_of"), body.get("district"), rulebook=rulebook()))
        if key is None:
            return json_reply(answer.text)
        within_budget("storing the estimate")
        return json_reply(store_estimate(db_session(), key, answer))


@blp.route("/estimates/<estimate_id>")
class EstimateById(MethodView):
    @blp.response(200, EstimateSchema)
    def get(self, estimate_id: str) -> Any:
        """Read a stored estimate, exactly as it was first served"""
        key = request_key(required=True)
        session = db_session()
        assert key is not None
        if not re.fullmatch(r"[0-9a-f]{32}", estimate_id):  # never send a malformed id (a NUL, say) to the database
            abort(404, message=f"No estimate {estimate_id} for this key.")
        stored = session.scalar(select(StoredEstimate).where(StoredEstimate.id == estimate_id, StoredEstimate.key_id == key.id))
        if stored is None:
            abort(404, message=f"No estimate {estimate_id} for this key.")
        return json_reply(stored.body)


def summary(stored: StoredEstimate) -> dict[str, Any]:
    """A stored estimate's line in a history list."""
    body = json.loads(stored.body)
    return {
        "id": stored.id,
        "city": stored.city,
        "as_of": stored.as_of,
        "created_at": stored.created_at,
        "rulebook": {"digest": stored.digest},
        "total": body["total"],
    }
