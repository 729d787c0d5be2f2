"""The relocation planner: year-by-year awards along a growth plan, and its chart."""

from __future__ import annotations

import re
import struct
from decimal import Decimal
from typing import Any

import pytest

from eligibility import InputError, parse_plan, plan_cities
from subsidy.chart import render_chart


def company(**facts: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "national_top100_first_entry": False,
        "municipal_research_projects": 0,
        "key_tasks_accepted": 0,
        "standards_led": {"national": 0, "provincial": 0},
        "park_designation": "none",
        "high_growth": True,
        "prior_awards": [],
    }
    return base | facts


def city(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in result["ranking"] if r["city"] == name)


def paid(entry: dict[str, Any], year: int, rule: str) -> str:
    outcomes = next(y for y in entry["years"] if y["year"] == year)["outcomes"]
    outcome = next(o for o in outcomes if o["rule"] == rule)
    return str(outcome["amount"]["min"]) if outcome["status"] == "eligible" else "0.00"


def test_suzhou_three_year_climb_pays_the_second_tier_as_a_difference() -> None:
    plan = parse_plan({"start_year": 2020, "years": 3, "growth": {"blockchain_revenue": "0.8"}})
    result = plan_cities(company(blockchain_revenue="30000000", local_fiscal_contribution="5000000"), ["suzhou"], plan)
    suzhou = city(result, "suzhou")
    assert [paid(suzhou, y, "suzhou.revenue_milestone") for y in (2020, 2021, 2022)] == ["500000.00", "500000.00", "0.00"]
    assert suzhou["years"][0]["paid_into_next_year"] == [{"rule": "suzhou.revenue_milestone", "amount": "500000.00", "year": 2020}]
    assert suzhou["cumulative_total"]["min"] == "1000000.00"


def test_wuhan_plan_crossing_the_end_of_the_window_pays_nothing_after_it() -> None:
    plan = parse_plan({"start_year": 2022, "years": 3, "growth": {"operating_revenue": "0.25", "local_fiscal_contribution": "0.2"}})
    profile = company(
        operating_revenue="30000000", operating_revenue_prior="24000000", local_fiscal_contribution="500000", local_fiscal_contribution_prior="400000"
    )
    wuhan = city(plan_cities(profile, ["wuhan"], plan), "wuhan")
    assert [y["total"]["min"] for y in wuhan["years"]] == ["300000.00", "300000.00", "0.00"]
    last = wuhan["years"][2]["outcomes"]
    assert all(o["status"] == "not_in_force" for o in last if o["rule"].startswith("wuhan."))
    # The real end date of the window, not the first year of the plan after it.
    assert "武政规〔2021〕9号 was in force until 2023-12-31" in wuhan["reason"]["en"] and "有效期至2023-12-31" in wuhan["reason"]["zh"]


def test_a_plan_starting_after_the_window_states_its_end_date() -> None:
    plan = parse_plan({"start_year": 2025, "years": 2})
    result = plan_cities(company(), ["suzhou", "changsha"], plan)
    assert "苏府〔2020〕93号 is certainly in force until 2022-12-31 and possibly until 2023-12-30" in city(result, "suzhou")["reason"]["en"]
    assert "长政办函〔2020〕20号有效期至2022-12-31" in city(result, "changsha")["reason"]["zh"]


def test_the_growth_award_is_capped_by_last_years_contribution_carried_from_year_to_year() -> None:
    plan = parse_plan({"start_year": 2021, "years": 3, "growth": {"operating_revenue": "0.25"}})
    profile = company(
        operating_revenue="30000000", operating_revenue_prior="24000000", local_fiscal_contribution="120000", local_fiscal_contribution_prior="100000"
    )
    wuhan = city(plan_cities(profile, ["wuhan"], plan), "wuhan")
    # 2021 is capped by 2020's 100,000; 2022 by 2021's 120,000; 2023 by 2022's, the same 120,000 (no growth given).
    assert [paid(wuhan, y, "wuhan.key_pool_growth") for y in (2021, 2022, 2023)] == ["100000.00", "120000.00", "120000.00"]


def test_one_time_award_is_not_repeated() -> None:
    plan = parse_plan({"start_year": 2021, "years": 3})
    wuhan = city(plan_cities(company(national_top100_first_entry=True), ["wuhan"], plan), "wuhan")
    assert [paid(wuhan, y, "wuhan.top100_first_entry") for y in (2021, 2022, 2023)] == ["2000000.00", "0.00", "0.00"]


def test_fiscal_contribution_caps_one_year_but_not_the_next() -> None:
    plan = parse_plan({"start_year": 2021, "years": 2, "growth": {"operating_revenue": "0.25", "local_fiscal_contribution": "0.2"}})
    profile = company(
        operating_revenue="30000000", operating_revenue_prior="24000000", local_fiscal_contribution="300000", local_fiscal_contribution_prior="250000"
    )
    wuhan = city(plan_cities(profile, ["wuhan"], plan), "wuhan")
    assert [paid(wuhan, y, "wuhan.key_pool_growth") for y in (2021, 2022)] == ["250000.00", "300000.00"]


def test_counted_events_belong_to_their_year_and_figures_add_new_ones() -> None:
    plan = parse_plan({"start_year": 2021, "years": 3, "figures": [{"year": 2022, "key_tasks_accepted": 1}]})
    wuhan = city(plan_cities(company(municipal_research_projects=1), ["wuhan"], plan), "wuhan")
    assert [paid(wuhan, y, "wuhan.research_project") for y in (2021, 2022, 2023)] == ["500000.00", "0.00", "0.00"]
    assert [paid(wuhan, y, "wuhan.key_task") for y in (2021, 2022, 2023)] == ["0.00", "2000000.00", "0.00"]


def test_plan_ranks_by_cumulative_guarantee_and_explains_each_rank() -> None:
    plan = parse_plan(
        {"start_year": 2021, "years": 3, "growth": {"operating_revenue": "0.25", "blockchain_revenue": "0.3", "local_fiscal_contribution": "0.2"}}
    )
    profile = company(
        operating_revenue="40000000",
        operating_revenue_prior="30000000",
        blockchain_revenue="40000000",
        local_fiscal_contribution="250000",
        local_fiscal_contribution_prior="200000",
    )
    result = plan_cities(profile, ["changsha", "suzhou", "wuhan"], plan)
    assert [(r["city"], r["rank"], r["cumulative_total"]["min"]) for r in result["ranking"]] == [
        ("wuhan", 1, "750000.00"),
        ("suzhou", 2, "550000.00"),
        ("changsha", 3, "0.00"),
    ]
    assert result["ranking"][0]["reason"]["en"].startswith("Wuhan ranks 1 of 3: 750,000.00 yuan guaranteed over 2021–2023")
    assert "non-monetary" in result["ranking"][2]["reason"]["en"]
    for entry in result["ranking"]:
        by_payer = sum(Decimal(p["amount"]["min"]) for p in entry["totals_by_payer"])
        assert by_payer == Decimal(entry["cumulative_total"]["min"])


def test_plan_evaluates_on_the_given_month_day() -> None:
    plan = parse_plan({"start_year": 2023, "years": 1, "as_of_month_day": "06-30"})
    result = plan_cities(company(), ["suzhou"], plan)
    assert result["ranking"][0]["years"][0]["as_of"] == "2023-06-30"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_year": 2021, "years": 0}, "years"),
        ({"start_year": 2021, "years": 11}, "years"),
        ({"start_year": "2021", "years": 3}, "start_year"),
        ({"start_year": 2021, "years": 3, "growth": {"profit": "0.1"}}, "growth.profit"),
        ({"start_year": 2021, "years": 3, "growth": {"operating_revenue": "lots"}}, "growth.operating_revenue"),
        ({"start_year": 2021, "years": 3, "growth": {"operating_revenue": "11"}}, "growth.operating_revenue"),
        ({"start_year": 2021, "years": 3, "as_of_month_day": "02-29"}, "as_of_month_day"),
        ({"start_year": 2021, "years": 3, "figures": [{"year": 2030, "key_tasks_accepted": 1}]}, "figures[0].year"),
        ({"start_year": 2021, "years": 3, "figures": [{"year": 2022, "key_tasks_accepted": -1}]}, "figures[0].key_tasks_accepted"),
        ({"start_year": 2021, "years": 3, "figures": [{"year": 2022, "profit": 1}]}, "figures[0].profit"),
    ],
)
def test_bad_plans_name_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_plan(data)
    assert field in info.value.errors, info.value.errors


def _result() -> dict[str, Any]:
    plan = parse_plan(
        {"start_year": 2021, "years": 3, "growth": {"operating_revenue": "0.25", "blockchain_revenue": "0.3", "local_fiscal_contribution": "0.2"}}
    )
    profile = company(
        operating_revenue="40000000",
        operating_revenue_prior="30000000",
        blockchain_revenue="40000000",
        local_fiscal_contribution="250000",
        local_fiscal_contribution_prior="200000",
    )
    return plan_cities(profile, ["wuhan", "suzhou", "changsha"], plan)


def test_chart_png_has_the_expected_size() -> None:
    png = render_chart(_result(), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (900, 550)


def test_chart_svg_has_bilingual_text_and_one_series_per_city() -> None:
    svg = render_chart(_result(), "svg").decode("utf-8")
    for text in ("累计奖励 Cumulative awards", "年份 Year", "武汉市 Wuhan", "苏州市 Suzhou", "长沙市 Changsha", "保证 guaranteed"):
        assert text in svg
    assert sorted(re.findall(r'id="guaranteed-([a-z]+)"', svg)) == ["changsha", "suzhou", "wuhan"]
    assert "WenQuanYi" in svg or "Noto Sans CJK" in svg or "Source Han" in svg


def test_a_plan_gives_each_years_figures_once() -> None:
    import pytest

    from eligibility import InputError

    with pytest.raises(InputError) as error:
        parse_plan({"start_year": 2021, "years": 2, "figures": [{"year": 2021, "operating_revenue": "1"}, {"year": 2021, "operating_revenue": "2"}]})
    assert error.value.errors == {"figures[1].year": ["Give each year's figures once."]}
