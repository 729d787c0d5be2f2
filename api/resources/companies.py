"""Saved companies: profiles with their award history, private to the API key that saved them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from flask import json as flask_json
from flask.views import MethodView
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from eligibility import InputError, ProfileSchema, estimate, parse_profile

from .. import examples
from ..idempotency import PARAMETER as IDEMPOTENCY
from ..idempotency import claim, commit_with_answer
from ..keys import request_key
from ..models import ApiKey, Company, StoredEstimate
from ..paging import PageArgs, link_header, page
from ..schemas import CompanyEstimateRequestSchema, CompanyRequestSchema, CompanySchema, EstimateSchema, EstimateSummarySchema
from ..web import ServiceBlueprint, abort, db_session, json_reply, rulebook, within_budget
from .estimates import answer_of, store_estimate, summary, within_quota

blp = ServiceBlueprint("companies", __name__, url_prefix="/api/v1", description="Saved company profiles and their estimate history (API key required).")

_PROFILE = ProfileSchema()


def _check(body: dict[str, Any]) -> str:
    """Validate the company's city and profile against the rulebook; the profile as JSON text."""
    book = rulebook()
    errors: dict[str, list[str]] = {}
    city = book.resolve_city(body["city"])
    if city is None:
        errors["city"] = [book.unknown_city(body["city"])]
    else:
        body["city"] = city  # stored by its id, whichever of its names was given
    profile = parse_profile(_PROFILE.dump(body["profile"]), prefix="profile")
    for index, award in enumerate(profile.prior_awards or ()):
        if award.rule not in book.rules:
            errors[f"profile.prior_awards[{index}].rule"] = [f"Unknown rule '{award.rule}'."]
    if errors:
        raise InputError(errors)
    return json.dumps(_PROFILE.dump(body["profile"]), ensure_ascii=False)


def _data(company: Company) -> dict[str, Any]:
    return {
        "id": company.id,
        "name": company.name,
        "city": company.city,
        "district": company.district,
        "profile": json.loads(company.profile),
        "created_at": company.created_at,
        "updated_at": company.updated_at,
    }


_ID = re.compile(r"[0-9a-f]{32}")


def _own(session: Session, key: ApiKey, company_id: str) -> Company:
    if not _ID.fullmatch(company_id):  # ids are 32 hex digits; anything else (a NUL, say) never reaches the database
        abort(404, message=f"No company {company_id} for this key.")
    company = session.scalar(select(Company).where(Company.id == company_id, Company.key_id == key.id))
    if company is None:
        abort(404, message=f"No company {company_id} for this key.")
    return company


def _key() -> ApiKey:
    key = request_key(required=True)
    assert key is not None
    return key


@blp.route("/companies")
class Companies(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, CompanySchema(many=True))
    def get(self, **args: Any) -> Any:
        """List this key's saved companies, oldest first, a page at a time (Link: rel="next")"""
        session = db_session()
        key = _key()
        rows, headers = link_header(list(session.scalars(page(select(Company).where(Company.key_id == key.id), Company, args))), args)
        return [_data(c) for c in rows], 200, headers

    @blp.doc(parameters=[IDEMPOTENCY])
    @blp.arguments(CompanyRequestSchema(), example=examples.COMPANY)
    @blp.response(201, CompanySchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Save a company profile, with its award history in profile.prior_awards

        Sent again with the same `Idempotency-Key` header, it is answered as the first time and the
        company is not saved twice.
        """
        session = db_session()
        key = _key()
        claim(key)
        profile = _check(body)
        within_quota(session, Company, key, "QUOTA_COMPANIES", "saved companies")
        within_budget("saving the company")
        company = Company(id=uuid.uuid4().hex, key_id=key.id, name=body["name"], city=body["city"], district=body.get("district"), profile=profile)
        session.add(company)
        session.flush()  # its timestamps, for the answer that is committed with it
        text = flask_json.dumps(CompanySchema().dump(_data(company)))
        location = f"/api/v1/companies/{company.id}"
        commit_with_answer(session, text, 201, location)
        response = json_reply(text, 201)
        response.headers["Location"] = location
        return response


def _commit_over(session: Session, company_id: str) -> None:
    """Commit a change to a company, refused (412) when another change was written since it was read."""
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        abort(412, message=f"Company {company_id} was changed by another request since it was read; read it again (GET) and send its new ETag in If-Match.")


@blp.route("/companies/<company_id>")
class CompanyById(MethodView):
    @blp.etag
    @blp.response(200, CompanySchema)
    def get(self, company_id: str) -> Any:
        """Read a saved company, with its ETag"""
        session = db_session()
        return _data(_own(session, _key(), company_id))

    @blp.etag
    @blp.arguments(CompanyRequestSchema(), example=examples.COMPANY)
    @blp.response(200, CompanySchema)
    def put(self, body: dict[str, Any], company_id: str) -> Any:
        """Replace a saved company's name, city, district and profile

        If-Match is required: the ETag of the company as last read (428 without it, 412 when the
        company changed since), so that no change, such as an award added to the history, is lost.
        """
        session = db_session()
        company = _own(session, _key(), company_id)
        blp.check_etag(_data(company), CompanySchema)
        profile = _check(body)
        company.name, company.city, company.district, company.profile = body["name"], body["city"], body.get("district"), profile
        _commit_over(session, company_id)
        return _data(company)

    @blp.etag
    @blp.response(204)
    def delete(self, company_id: str) -> None:
        """Delete a saved company and its stored estimates

        If-Match is required, as for a change (428 without it, 412 when the company changed since).
        """
        session = db_session()
        company = _own(session, _key(), company_id)
        blp.check_etag(_data(company), CompanySchema)
        session.query(StoredEstimate).filter(StoredEstimate.company_id == company.id).delete()
        session.delete(company)
        _commit_over(session, company_id)


@blp.route("/companies/<company_id>/estimates")
class CompanyEstimates(MethodView):
    @blp.arguments(PageArgs, location="query", as_kwargs=True)
    @blp.response(200, EstimateSummarySchema(many=True))
    def get(self, company_id: str, **args: Any) -> Any:
        """List the estimates made for a saved company, oldest first, a page at a time (Link: rel="next")"""
        session = db_session()
        company = _own(session, _key(), company_id)
        query = page(select(StoredEstimate).where(StoredEstimate.company_id == company.id), StoredEstimate, args)
        rows, headers = link_header(list(session.scalars(query)), args)
        return [summary(s) for s in rows], 200, headers

    @blp.doc(parameters=[IDEMPOTENCY])
    @blp.arguments(CompanyEstimateRequestSchema(), example=examples.COMPANY_ESTIMATE)
    @blp.response(200, EstimateSchema)
    def post(self, body: dict[str, Any], company_id: str) -> Any:
        """Estimate from the saved profile and record it in the company's history"""
        session = db_session()
        key = _key()
        claim(key)
        company = _own(session, key, company_id)
        within_budget("the estimate")
        found = estimate(json.loads(company.profile), company.city, body.get("as_of"), company.district, rulebook=rulebook())
        return json_reply(store_estimate(session, key, answer_of(found), company.id))
