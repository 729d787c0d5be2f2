"""The pages, used as a person uses them, in a real Chromium."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _fill_company(page: Any, profile: dict[str, Any], skip: tuple[str, ...] = ()) -> None:
    """Fill the form's profile fields as a person would: choices from lists, figures typed."""
    for name, value in profile.items():
        if name in skip or name == "prior_awards":
            continue
        if name == "standards_led":
            for level, count in value.items():
                page.fill(f"[id='standards_led.{level}']", str(count))
        elif isinstance(value, bool):
            page.select_option(f"[id='{name}']", "true" if value else "false")
        elif name in ("entity_type", "park_designation"):
            page.select_option(f"[id='{name}']", value)
        else:
            page.fill(f"[id='{name}']", str(value))
    if profile.get("prior_awards") == []:
        page.check("input[name='prior_awards'][value='none']")


def test_a_finance_officer_estimates_the_readme_wuhan_company(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.select_option("#city", "wuhan")
    page.fill("#district", "江汉区")
    page.fill("#as_of", "2022-06-30")
    _fill_company(page, json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")))
    page.click("form[action='/estimate'] button[type=submit]")
    assert page.locator("[data-total]").inner_text() == "2,740,000.00"
    card = page.locator("#outcome-wuhan\\.top100_first_entry")
    assert "符合条件" in card.inner_text() and "2,000,000.00" in card.inner_text()
    assert "200万元" in card.inner_text()
    card.locator("summary").click()
    assert "武政规〔2021〕9号" in card.inner_text()
    assert "未规定分担比例的责任单位" in page.locator("table.payers").inner_text()


def test_the_language_switch_keeps_the_answer(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#as_of", "2022-06-30")
    _fill_company(page, json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")))
    page.click("form[action='/estimate'] button[type=submit]")
    total = page.locator("[data-total]").inner_text()
    page.click("header .switch-form button")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("[data-total]").inner_text() == total
    assert "Guaranteed" in page.locator(".headline").inner_text()
    assert "符合条件" not in page.locator("main").inner_text()


def test_a_blank_fact_is_a_question_answered_on_the_result_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#as_of", "2022-06-30")
    _fill_company(page, json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")), skip=("national_top100_first_entry",))
    page.click("form[action='/estimate'] button[type=submit]")
    assert page.locator("[data-total]").inner_text() == "740,000.00"
    questions = page.locator("section.questions")
    assert "首次进入权威机构发布的全国区块链百强企业" in questions.inner_text()
    questions.locator("[id='national_top100_first_entry']").select_option("true")
    questions.locator("button[type=submit]").click()
    assert page.locator("[data-total]").inner_text() == "2,740,000.00"


def test_a_citation_leads_to_the_highlighted_source(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#as_of", "2022-06-30")
    _fill_company(page, json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")))
    page.click("form[action='/estimate'] button[type=submit]")
    card = page.locator("#outcome-wuhan\\.key_pool_growth")
    card.locator("summary").click()
    card.locator("a", has_text="原文").click()
    assert page.url.endswith("#rule-wuhan.key_pool_growth")
    mark = page.locator("mark#rule-wuhan\\.key_pool_growth")
    assert "maximum reward of 300,000 yuan" in mark.inner_text()
    assert mark.evaluate("element => element.matches(':target')")


def test_a_founder_compares_three_cities_with_a_plan_and_sees_the_chart(page: Any, base_url: str) -> None:
    page.goto(base_url + "/compare")
    page.fill("#start_year", "2021")
    page.fill("#years", "3")
    page.fill("[id='growth.operating_revenue']", "0.25")
    page.fill("[id='growth.blockchain_revenue']", "0.30")
    page.fill("[id='growth.local_fiscal_contribution']", "0.20")
    _fill_company(page, json.loads((EXAMPLES / "founder.json").read_text(encoding="utf-8")))
    page.click("form[action='/compare'] button[type=submit]")
    ranking = page.locator("table.ranking").inner_text()
    assert ranking.index("武汉市") < ranking.index("苏州市") < ranking.index("长沙市")
    assert "750,000.00" in ranking
    chart = page.locator("#chart svg")
    assert chart.is_visible() and chart.locator("[id^='guaranteed-']").count() == 3


def test_bad_values_are_marked_next_to_their_fields_and_nothing_is_lost(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    page.fill("#as_of", "2022-06-30")
    page.fill("#operating_revenue", "三千万")
    page.fill("#municipal_research_projects", "两个")
    page.fill("#district", "江汉区")
    page.click("form[action='/estimate'] button[type=submit]")
    assert page.locator(".error-summary").is_visible()
    revenue = page.locator("#operating_revenue")
    assert revenue.get_attribute("aria-invalid") == "true" and revenue.input_value() == "三千万"
    assert "金额须以数字书写" in page.locator("#operating_revenue-error").inner_text()
    assert page.locator("#municipal_research_projects").get_attribute("aria-invalid") == "true"
    assert page.locator("#municipal_research_projects-error").is_visible()
    assert page.locator("#district").input_value() == "江汉区"
    assert page.evaluate("document.activeElement.id") == "operating_revenue"
    assert page.locator("[data-total]").count() == 0  # nothing estimated, nothing stored


def test_the_form_can_be_used_with_the_keyboard_alone(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?lang=en")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.focus("#as_of")
    page.keyboard.type("06302022")  # a date field takes the date typed in the browser's own order (here month first)
    assert page.input_value("#as_of") == "2022-06-30"
    page.focus("#entity_type")
    page.keyboard.press("ArrowDown")  # Unknown -> enterprise
    page.focus("#main_business_blockchain")
    page.keyboard.press("ArrowDown")  # Unknown -> Yes
    page.focus("#national_top100_first_entry")
    page.keyboard.press("ArrowDown")
    page.focus("#operating_revenue")
    page.keyboard.press("Enter")  # submits the form
    page.wait_for_selector("[data-total]")
    assert page.locator("[data-total]").inner_text() == "2,000,000.00"


def test_the_api_docs_run_under_the_same_policy(page: Any, base_url: str) -> None:
    page.goto(base_url + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    assert page.locator(".swagger-ui .opblock").count() > 5


def test_the_result_fits_a_phone(browser: Any, base_url: str) -> None:
    from .conftest import SCREENSHOTS

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.goto(base_url + "/")
    page.fill("#as_of", "2022-06-30")
    _fill_company(page, json.loads((EXAMPLES / "wuhan.json").read_text(encoding="utf-8")))
    page.click("form[action='/estimate'] button[type=submit]")
    assert page.locator("[data-total]").inner_text() == "2,740,000.00"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "test_the_result_fits_a_phone.png"), full_page=False)
    context.close()


def test_a_policy_officer_reads_a_rule_with_its_scenarios(page: Any, base_url: str) -> None:
    page.goto(base_url + "/documents")
    page.click("text=苏府〔2020〕93号")
    assert "有效期边界不确定" in page.locator("dl.meta").inner_text()
    page.locator("table.inventory a[href^='/rules/suzhou.revenue_milestone']").first.click()
    assert "对区块链主营业务收入首超2000万" in page.locator("blockquote.quote").first.inner_text()
    assert page.locator("ul.tree").inner_text().count("区块链主营业务收入") >= 1


def test_a_policy_officer_costs_a_reform_on_a_register_in_the_sandbox(page: Any, base_url: str) -> None:
    page.goto(base_url + "/sandbox")
    page.select_option("#reform", "wuhan-draft-2021-06-01")
    page.select_option("#city", "wuhan")
    page.fill("#as_of", "2022-06-30")
    page.set_input_files("#register", str(EXAMPLES / "wuhan-register.csv"))
    page.click("form[action='/sandbox'] button[type=submit]")
    assert "预算影响" in page.locator("h1").inner_text()
    assert "-1,040,000.00" in page.locator(".headline").inner_text()
    assert page.locator("img[alt^='保证金额变化的分布']").is_visible()
