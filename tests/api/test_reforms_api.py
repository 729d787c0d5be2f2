"""Estimates and comparisons under a reform, through the API."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

PROFILE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "wuhan.json").read_text(encoding="utf-8"))
BODY = {"city": "wuhan", "district": "江汉区", "as_of": "2022-06-30", "profile": PROFILE}


def test_an_estimate_under_a_shipped_reform_gives_baseline_and_difference(client: FlaskClient) -> None:
    response = client.post("/api/v1/estimates", json={**BODY, "reform": "wuhan-draft-2021-06-01"}, headers={"Accept-Language": "zh"})
    assert response.status_code == 200, response.json
    data = response.json
    assert data["total"]["min"] == "2500000.00" and data["baseline"]["total"]["min"] == "2740000.00"
    assert data["difference"]["total"] == {"min": "-240000.00", "max": "-240000.00"}
    assert data["reform"]["title"] == "武汉征求意见稿（增速30%、最低10万元）"
    plain = client.post("/api/v1/estimates", json=BODY).json
    assert "baseline" not in plain and plain["total"]["min"] == "2740000.00"


def test_an_estimate_under_a_reform_sent_in_the_request(client: FlaskClient) -> None:
    reform = {
        "id": "higher-top100",
        "title": {"zh": "百强奖励300万", "en": "3 M for a top-100 entry"},
        "changes": [{"rule": "wuhan.top100_first_entry", "set": {"award.amount": 3000000}}],
    }
    data = client.post("/api/v1/estimates", json={**BODY, "reform": reform}).json
    assert data["difference"]["total"]["min"] == "1000000.00"
    assert data["difference"]["payers"]["city"]["min"] == "500000.00" and data["difference"]["payers"]["district"]["min"] == "500000.00"


def test_a_bad_reform_is_a_422_naming_the_field(client: FlaskClient) -> None:
    unknown = client.post("/api/v1/estimates", json={**BODY, "reform": "no-such-reform"})
    assert unknown.status_code == 422 and "reform" in unknown.json["errors"]
    broken = {"id": "broken", "title": {"zh": "错", "en": "Broken"}, "changes": [{"rule": "wuhan.top100_first_entry", "set": {"award.tiers[0].amount": 1}}]}
    response = client.post("/api/v1/estimates", json={**BODY, "reform": broken})
    assert response.status_code == 422 and any(key.startswith("reform.changes[0]") for key in response.json["errors"]), response.json


def test_a_comparison_under_a_reform_carries_each_citys_baseline(client: FlaskClient) -> None:
    body = {"cities": ["wuhan", "suzhou"], "as_of": "2022-06-30", "profile": PROFILE, "reform": "wuhan-draft-2021-06-01"}
    data = client.post("/api/v1/comparisons", json=body).json
    wuhan = next(entry for entry in data["ranking"] if entry["city"] == "wuhan")
    assert wuhan["baseline"]["total"]["min"] == "2740000.00" and wuhan["difference"]["total"]["min"] == "-240000.00"
    assert data["reform"]["id"] == "wuhan-draft-2021-06-01"
