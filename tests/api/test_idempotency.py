"""Idempotency-Key on every POST that stores: a retry stores nothing new and gets the first answer."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from api.models import IdempotentRequest, utcnow

from .conftest import count
from .test_companies import COMPANY

ESTIMATE = {
    "city": "wuhan",
    "district": "江汉区",
    "as_of": "2022-06-30",
    "profile": {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "operating_revenue": "36000000",
        "prior_awards": [],
    },
}


def _post(client: FlaskClient, path: str, body: dict[str, Any], headers: dict[str, str], token: str | None) -> Any:
    return client.post(path, json=body, headers={**headers, **({"Idempotency-Key": token} if token else {})})


def test_a_retried_estimate_is_answered_again_and_stored_once(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    first = _post(client, "/api/v1/estimates", ESTIMATE, alice, "retry-1")
    again = _post(client, "/api/v1/estimates", ESTIMATE, alice, "retry-1")
    assert first.status_code == again.status_code == 200
    assert again.data == first.data and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Location"] == f"/api/v1/estimates/{first.json['id']}"
    assert count(app, "estimates") == 1
    # Without the header, each POST is a new estimate (the control).
    _post(client, "/api/v1/estimates", ESTIMATE, alice, None)
    _post(client, "/api/v1/estimates", ESTIMATE, alice, None)
    assert count(app, "estimates") == 3


def test_the_same_key_with_another_request_is_refused(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    assert _post(client, "/api/v1/estimates", ESTIMATE, alice, "k").status_code == 200
    other = _post(client, "/api/v1/estimates", {**ESTIMATE, "as_of": "2022-07-01"}, alice, "k")
    assert other.status_code == 422 and list(other.json["errors"]) == ["Idempotency-Key"]
    # Another path with the same key and body is another request, too.
    company = client.post("/api/v1/companies", json=COMPANY, headers=alice).json
    elsewhere = _post(client, f"/api/v1/companies/{company['id']}/estimates", {"as_of": "2022-06-30"}, alice, "k")
    assert elsewhere.status_code == 422
    assert count(app, "estimates") == 1


def test_keys_belong_to_one_api_key(app: Flask, client: FlaskClient, alice: dict[str, str], bob: dict[str, str]) -> None:
    mine = _post(client, "/api/v1/estimates", ESTIMATE, alice, "shared-name")
    theirs = _post(client, "/api/v1/estimates", ESTIMATE, bob, "shared-name")
    assert mine.status_code == theirs.status_code == 200
    assert mine.json["id"] != theirs.json["id"] and "Idempotent-Replayed" not in theirs.headers
    assert count(app, "estimates") == 2


def test_a_failed_request_is_not_remembered(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    refused = _post(client, "/api/v1/estimates", {**ESTIMATE, "city": "atlantis"}, alice, "fix-and-retry")
    assert refused.status_code == 422 and count(app, "idempotent_requests") == 0
    fixed = _post(client, "/api/v1/estimates", ESTIMATE, alice, "fix-and-retry")
    assert fixed.status_code == 200 and count(app, "estimates") == 1


def test_a_malformed_key_is_refused_naming_the_header(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    for token in ("x" * 256, "with space", "中文"):
        response = client.post("/api/v1/estimates", json=ESTIMATE, headers={**alice, "Idempotency-Key": token.encode().decode("latin-1")})
        assert response.status_code == 422 and list(response.json["errors"]) == ["Idempotency-Key"], token
    assert _post(client, "/api/v1/estimates", ESTIMATE, alice, "x" * 255).status_code == 200  # the longest allowed
    assert count(app, "estimates") == 1


def test_saving_a_company_and_its_estimates_are_idempotent(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    first = _post(client, "/api/v1/companies", COMPANY, alice, "company-1")
    again = _post(client, "/api/v1/companies", COMPANY, alice, "company-1")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"] == f"/api/v1/companies/{first.json['id']}"
    assert count(app, "companies") == 1
    path = f"/api/v1/companies/{first.json['id']}/estimates"
    one = _post(client, path, {"as_of": "2022-06-30"}, alice, "history-1")
    two = _post(client, path, {"as_of": "2022-06-30"}, alice, "history-1")
    assert one.data == two.data and len(client.get(path, headers=alice).json) == 1


def test_racing_copies_store_once(app: Flask, alice: dict[str, str]) -> None:
    """Eight copies of one request sent at the same instant: one estimate, eight identical answers."""
    start = threading.Barrier(8)
    answers: list[tuple[int, bytes]] = []

    def send() -> None:
        client = app.test_client()
        start.wait()
        response = _post(client, "/api/v1/estimates", ESTIMATE, alice, "race")
        answers.append((response.status_code, response.data))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and {status for status, _ in answers} == {200}
    assert len({body for _, body in answers}) == 1
    assert count(app, "estimates") == 1


def test_keys_are_forgotten_after_a_day(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    first = _post(client, "/api/v1/estimates", ESTIMATE, alice, "old")
    with app.extensions["database"].engine.begin() as connection:
        connection.execute(update(IdempotentRequest).values(created_at=utcnow() - timedelta(hours=25)))
    later = _post(client, "/api/v1/estimates", ESTIMATE, alice, "old")
    assert later.status_code == 200 and later.json["id"] != first.json["id"]
    assert count(app, "estimates") == 2 and count(app, "idempotent_requests") == 1
