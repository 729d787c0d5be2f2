"""POST /estimates and GET /estimates/<id>: anonymous, stored, localised, and identical to the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from eligibility import evaluate
from subsidy.cli import main

from .conftest import count

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def body(city: str = "wuhan", **extra: Any) -> dict[str, Any]:
    profile = json.loads((EXAMPLES / f"{city}.json").read_text(encoding="utf-8"))
    return {"city": city, "as_of": "2022-06-30", "profile": profile, **extra}


def test_anonymous_estimate_is_the_engine_result_and_is_not_stored(app: Flask, client: FlaskClient) -> None:
    response = client.post("/api/v1/estimates", json=body(district="江汉区"))
    assert response.status_code == 200
    expected = evaluate(body()["profile"], "wuhan", "2022-06-30", "江汉区")
    assert response.json == expected
    assert "id" not in response.json
    assert count(app, "estimates") == 0


def test_estimate_with_a_key_is_stored_and_read_back_byte_for_byte(app: Flask, client: FlaskClient, alice: dict[str, str]) -> None:
    first = client.post("/api/v1/estimates", json=body("suzhou"), headers=alice)
    assert first.status_code == 200
    estimate_id = first.json["id"]
    again = client.get(f"/api/v1/estimates/{estimate_id}", headers=alice)
    assert again.status_code == 200
    assert again.data == first.data
    assert again.json["rulebook"]["digest"] == first.json["rulebook"]["digest"]
    assert count(app, "estimates") == 1


def test_stored_estimate_needs_the_same_key(client: FlaskClient, alice: dict[str, str], bob: dict[str, str]) -> None:
    estimate_id = client.post("/api/v1/estimates", json=body(), headers=alice).json["id"]
    assert client.get(f"/api/v1/estimates/{estimate_id}", headers=bob).status_code == 404
    assert client.get(f"/api/v1/estimates/{estimate_id}").status_code == 401
    assert client.get("/api/v1/estimates/does-not-exist", headers=alice).status_code == 404


def test_bad_or_malformed_keys_are_refused(client: FlaskClient) -> None:
    for header in ("Bearer nope", "Basic abc", "Bearer", "Bearer " + "x" * 300):
        response = client.post("/api/v1/estimates", json=body(), headers={"Authorization": header})
        assert response.status_code == 401, header
        assert set(response.json) == {"code", "status", "message", "errors"}


def test_accept_language_picks_one_language(client: FlaskClient) -> None:
    zh = client.post("/api/v1/estimates", json=body(), headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json
    en = client.post("/api/v1/estimates", json=body(), headers={"Accept-Language": "en"}).json
    both = client.post("/api/v1/estimates", json=body()).json
    assert zh["outcomes"][0]["title"] == "首次进入全国区块链百强企业一次性奖励"
    assert en["outcomes"][0]["summary"] == "Eligible: 2,000,000.00 yuan."
    assert both["outcomes"][0]["title"]["zh"] == zh["outcomes"][0]["title"]
    assert zh["total"] == en["total"] == both["total"]


def test_cli_api_and_stored_history_give_the_same_estimate(tmp_path: Path, client: FlaskClient, alice: dict[str, str]) -> None:
    request = body("suzhou")
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(request["profile"]), encoding="utf-8")
    cli = json.loads(CliRunner().invoke(main, ["estimate", str(path), "--city", "suzhou", "--as-of", "2022-06-30"]).output)
    anonymous = client.post("/api/v1/estimates", json=request).json
    stored = client.post("/api/v1/estimates", json=request, headers=alice).json
    history = client.get(f"/api/v1/estimates/{stored.pop('id')}", headers=alice).json
    history.pop("id")
    assert cli == anonymous == stored == history


def test_a_date_after_the_window_answers_with_the_notice_first_and_a_retrospective(client: FlaskClient) -> None:
    profile = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "blockchain_revenue": "62000000",
        "local_fiscal_contribution": "1800000",
        "prior_awards": [],
    }
    response = client.post("/api/v1/estimates", json={"city": "苏州市", "as_of": "2026-11-30", "profile": profile}, headers={"Accept-Language": "zh"})
    assert response.status_code == 200
    data = response.json
    assert list(data)[:5] == ["city", "city_name", "district", "as_of", "notice"]
    notice = data["notice"]
    assert set(notice) == {"zh", "documents"} and "2026-11-30已过有效期" in notice["zh"]
    assert notice["documents"] == [
        {
            "id": "suzhou-2020-93",
            "number": "苏府〔2020〕93号",
            "state": "not_in_force",
            "from": "2020-12-31",
            "to": "2022-12-31",
            "possibly_from": "2020-01-01",
            "possibly_to": "2023-12-30",
        }
    ]
    assert data["total"] == {"min": "0.00", "max": "0.00"}
    assert data["retrospective"]["as_of"] == "2022-12-31" and data["retrospective"]["total"]["min"] == "1000000.00"


def test_the_last_certain_day_itself_has_no_retrospective(client: FlaskClient) -> None:
    data = client.post("/api/v1/estimates", json={"city": "wuhan", "as_of": "2023-12-31", "profile": {}}).json
    assert data["notice"] is None and data["retrospective"] is None
    after = client.post("/api/v1/estimates", json={"city": "wuhan", "as_of": "2024-01-01", "profile": {}}).json
    assert after["notice"]["documents"][0]["state"] == "not_in_force" and after["retrospective"]["as_of"] == "2023-12-31"


def test_the_app_remembers_plain_functions_and_still_runs_async_ones(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    class View:
        def get(self) -> str:
            return "plain"

        async def put(self) -> str:
            return "async"

    one, other = View().get, View().get  # a view's bound methods are new on every request
    assert app.ensure_sync(one) is one and app.ensure_sync(other) is other
    wrapped: list[object] = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped.append(func) or (lambda: "ran"))
    first, second = View().put, View().put
    assert app.ensure_sync(first)() == "ran" and app.ensure_sync(second)() == "ran"
    assert wrapped == [first, second]  # remembered as async: wrapped each time, never run as plain
