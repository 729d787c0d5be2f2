"""The pages through Flask's test client: every page and error path, escaping, and nothing stored."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from .conftest import count

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _form(profile: dict[str, Any], **where: str) -> dict[str, str]:
    """A profile as the estimate form posts it: the API's names, text values, blanks left out."""
    form = {"prior_awards": "none" if profile.get("prior_awards") == [] else "unknown", **where}
    for name, value in profile.items():
        if name == "standards_led":
            form.update({f"standards_led.{level}": str(count) for level, count in value.items()})
        elif name != "prior_awards":
            form[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return form


WUHAN = _form(json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")), city="wuhan", district="江汉区", as_of="2022-06-30")


def test_every_page_answers_with_the_policy_and_in_chinese_by_default(client: FlaskClient) -> None:
    for path in ("/", "/compare", "/documents", "/documents/suzhou-2020-93", "/rules/suzhou.revenue_milestone", "/api/docs"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        page = response.get_data(as_text=True)
        assert not re.search(r"(src|href)=\"https?://", page), path  # nothing from outside the service
        assert "<script>" not in page  # no inline script: the policy would refuse it
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in home and "估算" in home
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)


def test_the_result_page_leads_with_the_total_and_explains_every_clause(client: FlaskClient) -> None:
    page = client.post("/estimate", data=WUHAN).get_data(as_text=True)
    assert re.search(r"data-total>2,740,000.00<", page)
    assert "274万元" in page and "未规定分担比例的责任单位" in page
    assert 'id="outcome-wuhan.key_pool_growth"' in page and 'href="/documents/wuhan-2021-opinions?lang=zh#rule-wuhan.key_pool_growth"' in page
    english = client.post("/estimate", data={**WUHAN, "lang": "en"}).get_data(as_text=True)
    assert "Guaranteed" in english and "符合条件：" not in english and "Eligible: 2,000,000.00 yuan." in english


def test_a_blank_fact_becomes_a_question_and_answering_keeps_the_rest(client: FlaskClient) -> None:
    blank = {k: v for k, v in WUHAN.items() if k != "national_top100_first_entry"}
    page = client.post("/estimate", data=blank).get_data(as_text=True)
    questions = page[page.index('class="questions"') : page.index("下载JSON")]
    assert 'name="national_top100_first_entry"' in questions
    assert 'type="hidden" name="operating_revenue" value="36000000"' in questions
    answered = client.post("/estimate", data={**blank, "national_top100_first_entry": "true"}).get_data(as_text=True)
    assert re.search(r"data-total>2,740,000.00<", answered)


def test_bad_input_keeps_the_values_names_the_fields_and_stores_nothing(app: Flask, client: FlaskClient) -> None:
    before = {table: count(app, table) for table in ("companies", "estimates")}
    response = client.post("/estimate", data={**WUHAN, "operating_revenue": "36,000,000.001", "key_tasks_accepted": "-1", "city": "上海"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="operating_revenue" name="operating_revenue" value="36,000,000.001"' in page
    assert 'id="operating_revenue-error"' in page and 'id="key_tasks_accepted-error"' in page and 'id="city-error"' in page
    assert "未知城市" in page and "Traceback" not in page
    assert 'aria-invalid="true" autofocus' in page
    assert {table: count(app, table) for table in ("companies", "estimates")} == before


def test_hostile_strings_are_escaped(client: FlaskClient) -> None:
    hostile = '"><script>alert(1)</script>'
    page = client.post("/estimate", data={**WUHAN, "district": hostile}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    page = client.post("/compare", data={**WUHAN, "cities": ["wuhan"], "district.wuhan": hostile}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_the_result_downloads_as_the_apis_json(client: FlaskClient) -> None:
    response = client.post("/estimate.json", data=WUHAN)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    api = client.post(
        "/api/v1/estimates",
        json={"city": "wuhan", "district": "江汉区", "as_of": "2022-06-30", "profile": json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8"))},
    )
    assert response.json == api.json


def test_a_comparison_with_a_plan_draws_the_chart_inline_under_the_policy(client: FlaskClient) -> None:
    founder = _form(json.loads((EXAMPLES / "founder.json").read_text(encoding="utf-8")))
    data = {**founder, "cities": ["wuhan", "suzhou", "changsha"], "start_year": "2021", "years": "3", "growth.operating_revenue": "0.25"}
    page = client.post("/compare", data=data).get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'id="guaranteed-wuhan"' in svg and "style=" not in svg and "<style" not in svg
    one_day = client.post("/compare", data={**founder, "cities": ["wuhan", "suzhou"], "as_of": "2022-06-30"}).get_data(as_text=True)
    assert "苏州市" in one_day and "<svg" not in one_day
    refused = client.post("/compare", data={**founder, "cities": ["wuhan"], "start_year": "2021", "years": "30"})
    assert refused.status_code == 422 and 'id="years"' in refused.get_data(as_text=True)


def test_the_source_viewer_marks_every_quote_and_the_rule_page_names_its_scenarios(client: FlaskClient) -> None:
    page = client.get("/documents/wuhan-2021-opinions").get_data(as_text=True)
    for rule in ("wuhan.top100_first_entry", "wuhan.key_pool_growth", "wuhan.key_task"):
        assert f'<mark id="rule-{rule}">' in page
    assert "二(一)" in page and "已被取代的征求意见稿" in page
    rule = client.get("/rules/wuhan.key_pool_growth?lang=en").get_data(as_text=True)
    assert "Operating revenue growth: more than 20" in rule and "Superseded wordings" in rule


def test_unknown_pages_are_pages_and_unknown_api_routes_keep_the_error_shape(client: FlaskClient) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404 and "text/html" in page.headers["Content-Type"]
    assert client.get("/documents/nope").status_code == 404 and client.get("/rules/nope").status_code == 404
    api = client.get("/api/v1/nowhere")
    assert api.status_code == 404 and set(api.json) == {"code", "status", "message", "errors"}


def test_the_sandbox_turns_a_reform_and_a_register_into_the_report(client: FlaskClient) -> None:
    assert client.get("/sandbox").status_code == 200
    register = (EXAMPLES / "wuhan-register.csv").read_bytes()
    import io

    data = {"reform": "wuhan-draft-2021-06-01", "city": "wuhan", "as_of": "2022-06-30", "register": (io.BytesIO(register), "wuhan-register.csv")}
    response = client.post("/sandbox", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    assert "-1,040,000.00" in page and "武汉征求意见稿" in page and "data:image/png;base64," in page
    assert "style-src 'sha256-" in response.headers["Content-Security-Policy"]
    one_change = {
        "change_rule": "wuhan.top100_first_entry",
        "change_path": "award.amount",
        "change_value": "3000000",
        "city": "wuhan",
        "as_of": "2022-06-30",
        "register": (io.BytesIO(register), "r.csv"),
    }
    assert "1,000,000.00" in client.post("/sandbox", data=one_change, content_type="multipart/form-data").get_data(as_text=True)
    bad = {
        "change_rule": "wuhan.top100_first_entry",
        "change_path": "award.tiers[0].amount",
        "change_value": "1",
        "city": "wuhan",
        "as_of": "2022-06-30",
        "register": (io.BytesIO(register), "r.csv"),
    }
    refused = client.post("/sandbox", data=bad, content_type="multipart/form-data")
    assert refused.status_code == 422 and "unknown path" in refused.get_data(as_text=True)
    missing = client.post("/sandbox", data={"reform": "wuhan-draft-2021-06-01", "city": "wuhan", "as_of": "2022-06-30"}, content_type="multipart/form-data")
    assert missing.status_code == 422 and 'id="register-error"' in missing.get_data(as_text=True)
