"""Saved companies: CRUD, history across two years, and isolation between API keys on every route."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import count

COMPANY = {
    "name": "苏州链科技有限公司",
    "city": "suzhou",
    "district": "苏州工业园区",
    "profile": {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "blockchain_revenue": "30000000",
        "local_fiscal_contribution": "2000000",
        "prior_awards": [],
    },
}


def create(client: FlaskClient, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/companies", json={**COMPANY, **changes}, headers=headers)
    assert response.status_code == 201, response.json
    data: dict[str, Any] = response.json
    return data


def test_company_is_saved_listed_read_updated_and_deleted(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    company = create(client, alice)
    assert company["profile"]["blockchain_revenue"] == "30000000.00"
    assert [c["id"] for c in client.get("/api/v1/companies", headers=alice).json] == [company["id"]]
    read = client.get(f"/api/v1/companies/{company['id']}", headers=alice)
    assert read.json["name"] == COMPANY["name"]
    updated = client.put(f"/api/v1/companies/{company['id']}", json={**COMPANY, "name": "新名称"}, headers={**alice, "If-Match": read.headers["ETag"]})
    assert updated.status_code == 200 and updated.json["name"] == "新名称"
    assert client.delete(f"/api/v1/companies/{company['id']}", headers={**alice, "If-Match": updated.headers["ETag"]}).status_code == 204
    assert client.get(f"/api/v1/companies/{company['id']}", headers=alice).status_code == 404
    assert count(app, "companies") == 0


def test_company_routes_need_a_key(client: FlaskClient) -> None:
    assert client.get("/api/v1/companies").status_code == 401
    assert client.post("/api/v1/companies", json=COMPANY).status_code == 401


def test_saved_company_across_two_years_pays_only_the_difference(client: FlaskClient, alice: dict[str, str]) -> None:
    company = create(client, alice)
    first = client.post(f"/api/v1/companies/{company['id']}/estimates", json={"as_of": "2021-12-31"}, headers=alice).json
    milestone = next(o for o in first["outcomes"] if o["rule"] == "suzhou.revenue_milestone")
    assert milestone["amount"]["min"] == "500000.00"
    assert first["company"] == company["id"]
    next_year = {
        **COMPANY["profile"],
        "blockchain_revenue": "60000000",
        "prior_awards": [{"rule": "suzhou.revenue_milestone", "amount": "500000", "year": 2021}],
    }
    etag = client.get(f"/api/v1/companies/{company['id']}", headers=alice).headers["ETag"]
    client.put(f"/api/v1/companies/{company['id']}", json={**COMPANY, "profile": next_year}, headers={**alice, "If-Match": etag})
    second = client.post(f"/api/v1/companies/{company['id']}/estimates", json={"as_of": "2022-12-31"}, headers=alice).json
    milestone = next(o for o in second["outcomes"] if o["rule"] == "suzhou.revenue_milestone")
    assert milestone["amount"]["min"] == "500000.00"  # tier 1,000,000 minus 500,000 already paid
    history = client.get(f"/api/v1/companies/{company['id']}/estimates", headers=alice).json
    assert [h["as_of"] for h in history] == ["2021-12-31", "2022-12-31"]
    assert client.get(f"/api/v1/estimates/{history[1]['id']}", headers=alice).json == second


def test_company_with_bad_input_is_refused_and_not_stored(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    for payload, field in (
        ({**COMPANY, "city": "paris"}, "city"),
        ({**COMPANY, "profile": {"operating_revenue": "-1"}}, "profile.operating_revenue"),
        ({**COMPANY, "name": ""}, "name"),
        ({**COMPANY, "owner": "x"}, "owner"),
        ({**COMPANY, "profile": {"prior_awards": [{"rule": "nope.rule", "amount": 1, "year": 2021}]}}, "profile.prior_awards[0].rule"),
    ):
        response = client.post("/api/v1/companies", json=payload, headers=alice)
        assert response.status_code == 422 and field in response.json["errors"], response.json
    assert count(app, "companies") == 0


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("put", "", COMPANY),
        ("delete", "", None),
        ("get", "/estimates", None),
        ("post", "/estimates", {"as_of": "2022-06-30"}),
    ],
)
def test_another_keys_company_is_a_404_on_every_route(
    app: Flask, client: FlaskClient, alice: dict[str, str], bob: dict[str, str], method: str, suffix: str, payload: Any
) -> None:
    company = create(client, alice)
    conditional = {"If-Match": '"any"'} if method in ("put", "delete") else {}  # a change must be conditional
    response = getattr(client, method)(f"/api/v1/companies/{company['id']}{suffix}", json=payload, headers={**bob, **conditional})
    assert response.status_code == 404
    assert COMPANY["name"] not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/companies/{company['id']}", headers=alice).json["name"] == COMPANY["name"]
    assert count(app, "estimates") == 0


def test_each_key_lists_only_its_own_companies(client: FlaskClient, alice: dict[str, str], bob: dict[str, str]) -> None:
    mine = create(client, alice)
    theirs = create(client, bob, name="Bob's")
    assert [c["id"] for c in client.get("/api/v1/companies", headers=alice).json] == [mine["id"]]
    assert [c["id"] for c in client.get("/api/v1/companies", headers=bob).json] == [theirs["id"]]


def test_a_change_needs_the_etag_it_was_made_from_so_none_is_lost(client: FlaskClient, alice: dict[str, str]) -> None:
    company = create(client, alice)
    path = f"/api/v1/companies/{company['id']}"
    etag = client.get(path, headers=alice).headers["ETag"]
    missing = client.put(path, json=COMPANY, headers=alice)
    assert missing.status_code == 428 and set(missing.json) == {"code", "status", "message", "errors"}
    assert client.put(path, json=COMPANY, headers={**alice, "If-Match": '"bogus"'}).status_code == 412
    first = {**COMPANY["profile"], "prior_awards": [{"rule": "suzhou.revenue_milestone", "amount": "500000", "year": 2021}]}
    assert client.put(path, json={**COMPANY, "profile": first}, headers={**alice, "If-Match": etag}).status_code == 200
    second = {**COMPANY["profile"], "prior_awards": [{"rule": "suzhou.park_designation", "amount": "1", "year": 2021}]}
    stale = client.put(path, json={**COMPANY, "profile": second}, headers={**alice, "If-Match": etag})  # read before the first change
    assert stale.status_code == 412
    assert client.get(path, headers=alice).json["profile"]["prior_awards"][0]["rule"] == "suzhou.revenue_milestone"
    assert client.delete(path, headers={**alice, "If-Match": etag}).status_code == 412


def test_twenty_read_modify_writes_lose_nothing(client: FlaskClient, alice: dict[str, str]) -> None:
    """Twenty clients read the company, each add an award and write it back: one write lands, the other
    nineteen are refused (412) and, reading again and retrying, land in turn. All twenty awards stay."""
    company = create(client, alice)
    path = f"/api/v1/companies/{company['id']}"
    pending = list(range(20))
    while pending:
        reads = {writer: client.get(path, headers=alice) for writer in pending}
        refused = []
        for writer, read in reads.items():
            profile = read.json["profile"]
            awards = [*profile.get("prior_awards", []), {"rule": "suzhou.park_designation", "amount": str(writer + 1), "year": 2021}]
            body = {"name": company["name"], "city": company["city"], "profile": {**profile, "prior_awards": awards}}
            response = client.put(path, json=body, headers={**alice, "If-Match": read.headers["ETag"]})
            assert response.status_code in (200, 412)
            if response.status_code == 412:
                refused.append(writer)
        assert len(refused) == len(pending) - 1  # exactly one write per round lands
        pending = refused
    kept = client.get(path, headers=alice).json["profile"]["prior_awards"]
    assert sorted(int(a["amount"].split(".")[0]) for a in kept) == list(range(1, 21))


def test_lists_come_a_page_at_a_time_with_the_next_page_in_a_link(client: FlaskClient, alice: dict[str, str]) -> None:
    made = [create(client, alice)["id"] for _ in range(5)]
    seen: list[str] = []
    url = "/api/v1/companies?limit=2"
    pages = 0
    while url:
        response = client.get(url, headers=alice)
        assert response.status_code == 200 and isinstance(response.json, list) and len(response.json) <= 2
        seen += [c["id"] for c in response.json]
        link = response.headers.get("Link")
        url = link[link.index("<") + 1 : link.index(">")].replace("http://localhost", "") if link else ""
        assert not link or 'rel="next"' in link
        pages += 1
    assert seen == made and pages == 3
    assert list(client.get("/api/v1/companies?cursor=nonsense", headers=alice).json["errors"]) == ["cursor"]
    assert client.get("/api/v1/companies?limit=0", headers=alice).status_code == 422
    assert "Link" not in client.get("/api/v1/companies", headers=alice).headers  # five fit the default page


def test_each_key_keeps_at_most_its_quota(app: Flask, client: FlaskClient, alice: dict[str, str], bob: dict[str, str]) -> None:
    app.config.update(QUOTA_COMPANIES=2, QUOTA_ESTIMATES=1)
    company = create(client, alice)
    create(client, alice)
    refused = client.post("/api/v1/companies", json=COMPANY, headers=alice)
    assert refused.status_code == 403 and "quota" in refused.json["message"] and count(app, "companies") == 2
    assert client.post("/api/v1/companies", json=COMPANY, headers=bob).status_code == 201  # another key has its own
    assert client.post(f"/api/v1/companies/{company['id']}/estimates", json={"as_of": "2022-06-30"}, headers=alice).status_code == 200
    assert client.post(f"/api/v1/companies/{company['id']}/estimates", json={"as_of": "2022-06-30"}, headers=alice).status_code == 403
    assert count(app, "estimates") == 1
