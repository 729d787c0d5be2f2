"""Comparisons, the document and rule catalogue, health and the OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from subsidy.cli import main

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
    result = client.post("/api/v1/comparisons", json={"cities": ["changsha", "suzhou"], "as_of": "2024-06-30", "profile": {}}).json
    assert [r["rank"] for r in result["ranking"]] == [1, 1]
    # A tie at nothing says why: each city's policy had ended by then.
    assert "长政办函〔2020〕20号" in result["notice"]["zh"] and "苏府〔2020〕93号" in result["notice"]["zh"]
    assert all("tied with" in r["reason"]["en"] for r in result["ranking"])


def test_comparison_without_a_tie_has_no_tie_notice(client: FlaskClient) -> None:
    # 2023-06-30: Suzhou's window may not yet have ended (undetermined, up to an amount); Changsha's has.
    result = client.post("/api/v1/comparisons", json={"cities": ["changsha", "苏州"], "as_of": "2023-06-30", "profile": {}}).json
    assert [(r["city"], r["rank"]) for r in result["ranking"]] == [("suzhou", 1), ("changsha", 2)]
    assert result["notice"] is None


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
    assert rule["quote"].startswith("对区块链主营业务收入首超")
    encoded = next(e for e in wuhan["inventory"]["entries"] if e["rules"] == ["wuhan.key_pool_growth"])
    assert encoded["quote"] == growth["quote"] and encoded["clause"] == {"zh": "一(一)", "en": "I.(1)"}
    assert wuhan["not_support"] and all(n["reason"]["zh"] and n["quote"] for n in wuhan["not_support"])
    draft = [e for e in wuhan["inventory"]["entries"] if e["source"] == "000_a1b2dfa7b85ac455.txt"]
    assert draft and all(e["not_encoded"]["zh"] for e in draft)
    chinese = client.get("/api/v1/documents/wuhan-2021-opinions", headers={"Accept-Language": "zh"}).json
    assert next(e for e in chinese["inventory"]["entries"] if e["rules"] == ["wuhan.key_pool_growth"])["clause"] == "一(一)"


def test_a_rule_names_the_scenarios_that_check_it(app: Any, client: FlaskClient, tmp_path: Path) -> None:
    app.config["COVERAGE_RUNS"] = str(tmp_path / "missing.json")
    unknown = client.get("/api/v1/rules/changsha.little_giant").json
    assert unknown["scenarios"] is None and unknown["checked_by"] is None
    runs = {
        "features/changsha/changsha-2020-20.feature: 小巨人 [区块链主营=是, 高成长性=是, 结果=符合条件]": {"checks": ["changsha.little_giant"], "branches": {}},
        "features/api/comparison.feature: ran Changsha without checking it": {
            "checks": ["wuhan.key_pool_growth"],
            "branches": {"changsha.little_giant": ["status=eligible"]},
        },
    }
    (tmp_path / "runs.json").write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    app.config["COVERAGE_RUNS"] = str(tmp_path / "runs.json")
    rule = client.get("/api/v1/rules/changsha.little_giant").json
    assert rule["scenarios"] == 1
    assert rule["checked_by"] == ["features/changsha/changsha-2020-20.feature: 小巨人 [区块链主营=是, 高成长性=是, 结果=符合条件]"]
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
    runs = {
        "a scenario [区块链主营=是]": {"checks": ["suzhou.park_designation"], "branches": {"suzhou.park_designation": ["award=unknown"]}},
        "a scenario that checks nothing": {"checks": [], "branches": {"suzhou.park_designation": ["status=eligible"]}},
    }
    (tmp_path / "runs.json").write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    app.config["COVERAGE_RUNS"] = str(tmp_path / "runs.json")
    response = client.get("/api/v1/coverage")
    assert "\\u" not in response.get_data(as_text=True)
    report = response.json
    assert report["summary"]["exercised"] == 1
    park = next(r for d in report["documents"] for r in d["rules"] if r["rule"] == "suzhou.park_designation")
    assert next(b for b in park["branches"] if b["branch"] == "award=unknown")["scenarios"] == ["a scenario [区块链主营=是]"]
    assert next(b for b in park["branches"] if b["branch"] == "status=eligible")["scenarios"] == []
    assert park["scenarios"] == ["a scenario [区块链主营=是]"]
    assert report["summary"]["support_sentences"] == report["summary"]["support_sentences_accounted"] == 91


PLAN = {"start_year": 2021, "years": 3, "growth": {"operating_revenue": "0.25", "blockchain_revenue": "0.30", "local_fiscal_contribution": "0.20"}}


def test_plan_comparison_returns_yearly_outcomes_and_cumulative_totals(client: FlaskClient) -> None:
    response = client.post("/api/v1/comparisons", json={"cities": ["wuhan", "suzhou"], "profile": PROFILE, **PLAN})
    assert response.status_code == 200, response.json
    ranking = response.json["ranking"]
    assert [len(r["years"]) for r in ranking] == [3, 3]
    assert (
        ranking[0]["city"] == "wuhan" and ranking[0]["cumulative_total"]["min"] == "3300000.00"
    )  # 2,740,000 + 260,000 (last year's contribution) + 300,000 (312,000 capped)
    assert ranking[0]["reason"]["en"].startswith("Wuhan ranks 1 of 2")
    assert response.json["plan"]["as_of_month_day"] == "12-31"


def test_plan_comparison_refuses_a_bad_plan(client: FlaskClient) -> None:
    response = client.post("/api/v1/comparisons", json={"cities": ["wuhan"], "profile": PROFILE, **PLAN, "years": 20, "as_of": "2022-01-01"})
    assert response.status_code == 422
    assert {"as_of"} <= set(response.json["errors"]) or {"years"} <= set(response.json["errors"])


def test_chart_svg_endpoint_draws_one_series_per_city(client: FlaskClient) -> None:
    response = client.post("/api/v1/comparisons/chart.svg", json={"cities": ["wuhan", "suzhou", "changsha"], "profile": PROFILE, **PLAN})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "累计奖励 Cumulative awards" in svg
    assert svg.count('id="guaranteed-') == 3


def test_chart_needs_a_plan(client: FlaskClient) -> None:
    response = client.post("/api/v1/comparisons/chart.svg", json={"cities": ["wuhan"], "profile": PROFILE})
    assert response.status_code == 422 and "start_year" in response.json["errors"]


def test_cli_plan_matches_the_api_and_plots(tmp_path: Path, client: FlaskClient) -> None:
    (tmp_path / "profile.json").write_text(json.dumps(PROFILE), encoding="utf-8")
    (tmp_path / "plan.json").write_text(json.dumps(PLAN), encoding="utf-8")
    args = ["compare", str(tmp_path / "profile.json"), "--cities", "wuhan,suzhou", "--plan", str(tmp_path / "plan.json")]
    cli = CliRunner().invoke(main, [*args, "--plot", str(tmp_path / "chart.png")])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output) == client.post("/api/v1/comparisons", json={"cities": ["wuhan", "suzhou"], "profile": PROFILE, **PLAN}).json
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"
    table = CliRunner().invoke(main, [*args, "--format", "table"], env={"COLUMNS": "140"})
    assert "Cumulative (yuan)" in table.output and "Wuhan ranks 1 of 2" in table.output
    bad = CliRunner().invoke(main, ["compare", str(tmp_path / "profile.json"), "--cities", "wuhan", "--plot", str(tmp_path / "x.gif")])
    assert bad.exit_code == 2 and "--plot" in bad.output


@pytest.mark.parametrize("document", ["wuhan-2021-opinions", "suzhou-2020-93", "changsha-2020-20", "national-miit-2021-62"])
def test_a_documents_window_note_and_outside_facts_are_in_the_language_asked_for(client: FlaskClient, document: str) -> None:
    def chinese(text: str) -> bool:
        return any("\u4e00" <= c <= "\u9fff" for c in text)

    both = client.get(f"/api/v1/documents/{document}").json
    zh = client.get(f"/api/v1/documents/{document}", headers={"Accept-Language": "zh"}).json
    en = client.get(f"/api/v1/documents/{document}", headers={"Accept-Language": "en"}).json
    assert set(both["in_force"]["note"]) == {"zh", "en"}
    assert chinese(zh["in_force"]["note"]) and zh["in_force"]["note"] == both["in_force"]["note"]["zh"]
    assert en["in_force"]["note"] == both["in_force"]["note"]["en"]
    for fact in zh["outside_facts"]:
        assert chinese(fact["fact"]) and chinese(fact["source"]), fact
    assert [f["fact"] for f in en["outside_facts"]] == [f["fact"]["en"] for f in both["outside_facts"]]
