"""Input at the byte level: text that is not text is refused naming its field, on both databases."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from .conftest import count

PROFILE = '{"entity_type": "enterprise", "prior_awards": []}'


def test_a_lone_surrogate_or_a_nul_is_a_422_naming_the_field_and_nothing_is_stored(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    before = count(app, "companies")
    for bad in ("\\ud800", "a\\u0000b", "\\udfff tail"):
        for body, field in (
            ('{"city": "wuhan", "district": "' + bad + '", "profile": ' + PROFILE + "}", "district"),
            ('{"name": "' + bad + '", "city": "wuhan", "profile": ' + PROFILE + "}", "name"),
            (
                '{"name": "ok", "city": "wuhan", "profile": {"prior_awards": [{"rule": "' + bad + '", "amount": "1", "year": 2021}]}}',
                "profile.prior_awards[0].rule",
            ),
        ):
            path = "/api/v1/estimates" if field == "district" else "/api/v1/companies"
            response = client.post(path, data=body, content_type="application/json", headers=alice)
            assert response.status_code == 422, (body, response.get_data(as_text=True))
            assert list(response.json["errors"]) == [field]
    assert count(app, "companies") == before


def test_a_malformed_id_is_not_found_without_reaching_the_database(client: FlaskClient, alice: dict[str, str]) -> None:
    for path in ("/api/v1/companies/%00", "/api/v1/companies/abc%00def", "/api/v1/estimates/%00x"):
        response = client.get(path, headers=alice)
        assert response.status_code == 404 and set(response.json) == {"code", "status", "message", "errors"}


def test_as_of_is_a_day_from_1990_to_2100(client: FlaskClient) -> None:
    for day, status in (("1989-12-31", 422), ("1990-01-01", 200), ("2100-12-31", 200), ("2101-01-01", 422), ("0001-01-01", 422), ("9999-12-31", 422)):
        response = client.post("/api/v1/estimates", json={"city": "wuhan", "as_of": day, "profile": {}})
        assert response.status_code == status, (day, response.json)
        if status == 422:
            assert list(response.json["errors"]) == ["as_of"]


def test_the_cost_of_a_request_is_bounded(client: FlaskClient) -> None:
    awards = [{"rule": "wuhan.top100_first_entry", "amount": "1", "year": 2021}] * 501
    response = client.post("/api/v1/estimates", json={"city": "wuhan", "as_of": "2022-06-30", "profile": {"prior_awards": awards}})
    assert response.status_code == 422 and list(response.json["errors"]) == ["profile.prior_awards"]
    assert client.post("/api/v1/estimates", json={"city": "wuhan", "as_of": "2022-06-30", "profile": {"prior_awards": awards[:500]}}).status_code == 200
    chinese = client.post("/api/v1/estimates", json={"city": "wuhan", "profile": {"prior_awards": awards}}, headers={"Accept-Language": "zh"})
    assert "以往奖励记录最多500条" in chinese.json["errors"]["profile.prior_awards"][0]
