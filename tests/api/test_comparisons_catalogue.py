"""Comparisons, the document and rule catalogue, health and the OpenAPI document."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api.cli import main

PROFILE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "wuhan.json").read_text(encoding="utf-8"))


def test_comparison_ranks_by_guaranteed_total(client: FlaskClient) -> None:
    response = client.post("/api/v1/comparisons", json={"cities": ["changsha", "suzhou", "wuhan"], "as_of": "2022-06-30", "profile": PROFILE})
    assert response.status_code == 200
    ranking = response.json["ranking"]
    assert [(r["city"], r["rank"]) for r in ranking] == [("wuhan", 1), ("suzhou", 2), ("changsha", 3)]
    assert ranking[0]["total"] == {"min": "2740000.00", "max": "2740000.00"}
    assert ranking[2]["benefits"] and all(b["benefit"] for b in ranking[2]["benefits"])


def test_comparison_names_the_step_that_unlocks_an_award(client: FlaskClient) -> None:
    profile = {**PROFILE, "in_key_enterprise_pool": False}
    ranking = client.post("/api/v1/comparisons", json={"cities": ["wuhan"], "as_of": "2022-06-30", "profile": profile}).json["ranking"]
    unlock = ranking[0]["unlock"]
    assert any(u["rule"] == "wuhan.key_pool_growth" and "key enterprise cultivation pool" in u["text"]["en"] for u in unlock)


def test_comparison_ties_share_a_rank(client: FlaskClient) -> None:
    ranking = client.post("/api/v1/comparisons", json={"cities": ["changsha", "suzhou"], "as_of": "2023-06-30", "profile": {}}).json["ranking"]
    assert [r["rank"] for r in ranking] == [1, 1]


def test_comparison_bad_cities_are_named(client: FlaskClient) -> None:
    for cities, field in (([], "cities"), (["paris"], "cities[0]"), (["wuhan", "wuhan"], "cities[1]")):
        response = client.post("/api/v1/comparisons", json={"cities": cities, "profile": {}})
        assert response.status_code == 422 and field in response.json["errors"], response.json
    response = client.post("/api/v1/comparisons", json={"cities": ["wuhan"], "districts": {"suzhou": "姑苏区"}, "profile": {}})
    assert "districts.suzhou" in response.json["errors"]


def test_cli_compare_prints_the_same_json_as_the_api(tmp_path: Path, client: FlaskClient) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    cli = CliRunner().invoke(main, ["compare", str(path), "--cities", "wuhan,suzhou,changsha", "--district", "wuhan=江汉区", "--as-of", "2022-06-30"])
    assert cli.exit_code == 0, cli.output
    api = client.post(
        "/api/v1/comparisons",
        json={"cities": ["wuhan", "suzhou", "changsha"], "districts": {"wuhan": "江汉区"}, "as_of": "2022-06-30", "profile": PROFILE},
    ).json
    assert json.loads(cli.output) == api
    table = CliRunner().invoke(main, ["compare", str(path), "--cities", "wuhan,suzhou", "--as-of", "2022-06-30", "--format", "table"])
    assert "Wuhan" in table.output and "2740000.00" in table.output


def test_documents_and_rules_catalogue(client: FlaskClient) -> None:
    documents = client.get("/api/v1/documents").json
    assert {d["id"] for d in documents} == {"wuhan-2021-opinions", "suzhou-2020-93", "changsha-2020-20", "national-miit-2021-62"}
    wuhan = client.get("/api/v1/documents/wuhan-2021-opinions").json
    assert wuhan["in_force"]["from"] == "2021-06-25" and wuhan["inventory"]["entries"]
    growth = next(r for r in wuhan["rules"] if r["id"] == "wuhan.key_pool_growth")
    assert growth["variants"][0]["status"] == "superseded"
    rules = client.get("/api/v1/rules").json
    assert "suzhou.revenue_milestone" in {r["id"] for r in rules}
    rule = client.get("/api/v1/rules/suzhou.revenue_milestone").json
    assert rule["quote"].startswith("对区块链主营业务收入首超") and rule["scenarios"] >= 5
    assert client.get("/api/v1/rules/changsha.little_giant").json["scenarios"] > 0  # counted in the Chinese feature too
    assert client.get("/api/v1/rules/nope").status_code == 404
    assert client.get("/api/v1/documents/nope").status_code == 404


def test_health_reports_database_and_digest(client: FlaskClient) -> None:
    health = client.get("/api/v1/healthz").json
    assert health["status"] == "ok" and health["database"] is True and len(health["rulebook"]["digest"]) == 64


def test_openapi_document_validates_and_docs_work_offline(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").json
    validate(spec)
    assert "/api/v1/companies/{company_id}/estimates" in spec["paths"]
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        with client.get(f"/api/docs/assets/{asset}") as response:
            assert response.status_code == 200 and response.data


def test_coverage_endpoint_serves_the_last_report(app: Any, client: FlaskClient, tmp_path: Path) -> None:
    app.config["COVERAGE_RUNS"] = str(tmp_path / "missing.json")
    missing = client.get("/api/v1/coverage")
    assert missing.status_code == 404 and "make test" in missing.json["message"]
    runs = {"a scenario": {"suzhou.park_designation": ["award=unknown"]}}
    (tmp_path / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
    app.config["COVERAGE_RUNS"] = str(tmp_path / "runs.json")
    report = client.get("/api/v1/coverage").json
    assert report["summary"]["exercised"] == 1
    park = next(r for d in report["documents"] for r in d["rules"] if r["rule"] == "suzhou.park_designation")
    assert next(b for b in park["branches"] if b["branch"] == "award=unknown")["scenarios"] == ["a scenario"]
