"""Every class of bad input gets a clear 4xx in one shape, names the field, and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import count

SHAPE = {"code", "status", "message", "errors"}


def post(client: FlaskClient, data: Any, headers: dict[str, str] | None = None, content_type: str = "application/json") -> Any:
    return client.post("/api/v1/estimates", data=data, content_type=content_type, headers=headers or {})


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ('{"city": "wuhan", "profile": {"operating_revenue": -1}}', "profile.operating_revenue", "negative"),
        ('{"city": "wuhan", "profile": {"operating_revenue": "two million"}}', "profile.operating_revenue", "digits"),
        ('{"city": "wuhan", "profile": {"operating_revenue": 1e400}}', "profile.operating_revenue", "decimal string"),
        ('{"city": "wuhan", "profile": {"local_fiscal_contribution": 0.0}}', "profile.local_fiscal_contribution", "decimal string"),
        ('{"city": "wuhan", "profile": {"operating_revenue": 1234.56}}', "profile.operating_revenue", "not a JSON number"),
        ('{"city": "wuhan", "profile": {"key_tasks_accepted": 2.0}}', "profile.key_tasks_accepted", "without a decimal point"),
        ('{"city": "wuhan", "profile": {"key_tasks_accepted": 1.5}}', "profile.key_tasks_accepted", "fractional"),
        ('{"city": "wuhan", "profile": {"entity_type": "firm"}}', "profile.entity_type", "Must be one of"),
        ('{"city": "wuhan", "profile": {"colour": "red"}}', "profile.colour", "Unknown field"),
        ('{"city": "wuhan", "profile": {}, "extra": 1}', "extra", "Unknown field"),
        ('{"city": "paris", "profile": {}}', "city", "Unknown city"),
        ('{"city": "wuhan", "as_of": "2022-02-30", "profile": {}}', "as_of", "Not a valid date"),
        ('{"profile": {}}', "city", "required"),
        ('{"city": "wuhan"}', "profile", "required"),
        ('{"city": 7, "profile": {}}', "city", "Not a valid string"),
        ('{"city": "wuhan", "profile": []}', "profile", "Invalid input type"),
        ('{"city": "wuhan", "profile": {"prior_awards": [{"rule": "wuhan.nope", "amount": 1, "year": 2021}]}}', "profile.prior_awards[0].rule", "Unknown rule"),
        ('{"city": "wuhan", "profile": {"standards_led": {"national": "1"}}}', "profile.standards_led.national", "whole number"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(app: Flask, client: FlaskClient, alice: dict[str, str], payload: str, field: str, message: str) -> None:
    response = post(client, payload, alice)
    assert response.status_code == 422, response.json
    assert set(response.json) == SHAPE
    assert field in response.json["errors"], response.json
    assert any(message in m for m in response.json["errors"][field]), response.json
    assert count(app, "estimates") == 0


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ('{"city": "wuhan",', 400),
        ('{"city": "wuhan", "profile": {"operating_revenue": NaN}}', 400),
        ('{"city": "wuhan", "profile": {"operating_revenue": Infinity}}', 400),
        ('{"city": "wuhan", "profile": {"operating_revenue": -Infinity}}', 400),
        ('{"city": "wuhan", "city": "suzhou", "profile": {}}', 400),
        ("[" * 5000 + "]" * 5000, 400),
        ("", 400),
        ('{"city": "' + "x" * (2 * 1024 * 1024) + '"}', 413),
        ('{"city": "wuhan", "profile": {}, "name": "' + "名" * (10 * 1024 * 1024 // 3) + '"}', 413),  # a 10 MB string
    ],
)
def test_unreadable_bodies_are_refused(app: Flask, client: FlaskClient, alice: dict[str, str], payload: str, status: int) -> None:
    response = post(client, payload, alice)
    assert response.status_code == status
    assert set(response.json) == SHAPE
    assert count(app, "estimates") == 0


def test_non_json_body_is_415(client: FlaskClient) -> None:
    response = post(client, "city=wuhan", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert set(response.json) == SHAPE


def test_unknown_route_and_method_use_the_error_shape(client: FlaskClient) -> None:
    for response, status in ((client.get("/api/v1/nowhere"), 404), (client.delete("/api/v1/estimates"), 405), (client.get("/api/"), 404)):
        assert response.status_code == status
        assert set(response.json) == SHAPE
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_wrong_method_names_the_allowed_ones(client: FlaskClient) -> None:
    response = client.open("/api/v1/estimates", method="TRACE")
    assert response.status_code == 405 and set(response.json) == SHAPE
    assert "POST" in response.headers["Allow"]


def test_unicode_and_metacharacters_in_text_fields_are_safe(client: FlaskClient, alice: dict[str, str]) -> None:
    name = "公司'; DROP TABLE companies; -- {{7*7}} <script>"
    response = client.post("/api/v1/companies", json={"name": name, "city": "wuhan", "profile": {}}, headers=alice)
    assert response.status_code == 201
    assert client.get(f"/api/v1/companies/{response.json['id']}", headers=alice).json["name"] == name


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for response in (client.get("/api/v1/healthz"), client.get("/nowhere")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_errors_in_chinese_keep_the_field_paths(client: FlaskClient) -> None:
    body = {"city": "巴黎", "profile": {"revenue": 1, "operating_revenue": "1.234"}}
    response = client.post("/api/v1/estimates", json=body, headers={"Accept-Language": "zh"})
    assert response.status_code == 422
    assert response.json["message"] == "部分字段无效，详见 errors。"
    errors = response.json["errors"]
    assert errors["profile.revenue"][0].startswith("未知字段。有效字段：entity_type, main_business_blockchain")
    assert errors["profile.operating_revenue"] == ["金额的小数超过两位：金额精确到分（0.01元）。"]
    english = client.post("/api/v1/estimates", json=body, headers={"Accept-Language": "en"}).json["errors"]
    assert set(english) == set(errors) and english["profile.revenue"][0].startswith("Unknown field. Valid fields:")


def test_every_message_of_the_bad_input_cases_has_chinese_words(client: FlaskClient) -> None:
    bodies = [
        {"city": "wuhan", "as_of": "2022-13-01", "profile": {}},
        {"city": "wuhan", "profile": {"key_tasks_accepted": -1, "main_business_blockchain": "yes", "entity_type": "company"}},
        {"city": "wuhan", "profile": {"prior_awards": [{"rule": "nope", "amount": 1, "year": 2021}]}},
        {"profile": {}},
        {"city": "wuhan", "profile": {"standards_led": {"city": 1}}},
    ]
    for body in bodies:
        response = client.post("/api/v1/estimates", json=body, headers={"Accept-Language": "zh"})
        assert response.status_code == 422, body
        for field, messages in response.json["errors"].items():
            for message in messages:
                assert any("\u4e00" <= ch <= "\u9fff" for ch in message), (field, message)


@pytest.mark.parametrize("name", ["wuhan", "Wuhan", "WUHAN", "武汉", "武汉市"])
def test_a_city_by_any_of_its_names(client: FlaskClient, name: str) -> None:
    response = client.post("/api/v1/estimates", json={"city": name, "as_of": "2022-06-30", "profile": {}})
    assert response.status_code == 200 and response.json["city"] == "wuhan"
