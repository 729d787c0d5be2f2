"""Wuhan, 武政规〔2021〕9号: each monetary rule on both sides of every edge."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import estimate, outcome


def test_top100_first_entry_pays_two_million_split_city_and_district(enterprise: dict[str, Any]) -> None:
    enterprise["national_top100_first_entry"] = True
    result = estimate(enterprise, "wuhan", district="江汉区")
    o = outcome(result, "wuhan.top100_first_entry")
    assert o["status"] == "eligible"
    assert o["amount"] == {"min": "2000000.00", "max": "2000000.00"}
    assert [(p["payer"], p["name"], p["amount"]["min"]) for p in o["payers"]] == [
        ("city", {"zh": "武汉市", "en": "Wuhan"}, "1000000.00"),
        ("district", {"zh": "江汉区", "en": "江汉区"}, "1000000.00"),
    ]
    assert o["citation"]["number"] == "武政规〔2021〕9号"


def test_top100_not_a_first_entry_is_ineligible(enterprise: dict[str, Any]) -> None:
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.top100_first_entry")
    assert o["status"] == "ineligible"
    assert o["amount"] == {"min": "0.00", "max": "0.00"}


def test_top100_already_paid_is_not_paid_again(enterprise: dict[str, Any]) -> None:
    enterprise["national_top100_first_entry"] = True
    enterprise["prior_awards"] = [{"rule": "wuhan.top100_first_entry", "amount": 2000000, "year": 2021}]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.top100_first_entry")
    assert o["status"] == "ineligible"
    assert any(r["fact"] == "paid_before" and r["held"] is False for r in o["reasons"])


def test_top100_with_unknown_history_is_undetermined(enterprise: dict[str, Any]) -> None:
    enterprise["national_top100_first_entry"] = True
    del enterprise["prior_awards"]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.top100_first_entry")
    assert o["status"] == "undetermined"
    assert o["amount"] == {"min": "0.00", "max": "2000000.00"}
    assert o["missing_facts"] == ["prior_awards"]


def test_top100_without_a_district_names_no_district(enterprise: dict[str, Any]) -> None:
    enterprise["national_top100_first_entry"] = True
    result = estimate(enterprise, "wuhan")
    assert result["district"] is None
    assert [p["name"] for p in result["payers"]][1] is None


@pytest.mark.parametrize(
    ("current", "prior", "status"),
    [
        ("12000000", "10000000", "ineligible"),  # exactly 20 %: not more than 20 %
        ("12000000.01", "10000000", "eligible"),  # just above
        ("11999999.99", "10000000", "ineligible"),  # just below
        ("36000000", "28000000", "eligible"),
    ],
)
def test_key_pool_growth_needs_more_than_twenty_percent(enterprise: dict[str, Any], current: str, prior: str, status: str) -> None:
    enterprise.update(operating_revenue=current, operating_revenue_prior=prior)
    assert outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")["status"] == status


def test_key_pool_growth_cap_not_binding_pays_three_hundred_thousand(enterprise: dict[str, Any]) -> None:
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["amount"] == {"min": "300000.00", "max": "300000.00"}
    assert "not binding" in o["calculation"][-1]["text"]["en"]


def test_key_pool_growth_cap_binding_pays_the_fiscal_contribution(enterprise: dict[str, Any]) -> None:
    enterprise["local_fiscal_contribution_prior"] = "250000.55"
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["amount"] == {"min": "250000.55", "max": "250000.55"}
    assert "binding" in o["calculation"][-1]["text"]["en"]
    assert o["payers"][0]["amount"]["min"] == "250000.55"


def test_key_pool_growth_cap_equal_to_the_limit_pays_the_limit(enterprise: dict[str, Any]) -> None:
    enterprise["local_fiscal_contribution_prior"] = "300000"
    assert outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")["amount"]["min"] == "300000.00"


def test_key_pool_growth_with_unknown_contribution_is_a_range(enterprise: dict[str, Any]) -> None:
    del enterprise["local_fiscal_contribution_prior"]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["status"] == "eligible"
    assert o["amount"] == {"min": "0.00", "max": "300000.00"}
    assert o["missing_facts"] == ["local_fiscal_contribution_prior"]


def test_key_pool_growth_outside_the_pool_is_ineligible(enterprise: dict[str, Any]) -> None:
    enterprise["in_key_enterprise_pool"] = False
    assert outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")["status"] == "ineligible"


def test_key_pool_growth_known_failure_beats_unknown_facts(enterprise: dict[str, Any]) -> None:
    enterprise["main_business_blockchain"] = False
    del enterprise["operating_revenue"]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["status"] == "ineligible"
    assert o["missing_facts"] == []


def test_key_pool_growth_unknown_revenue_names_both_revenues(enterprise: dict[str, Any]) -> None:
    del enterprise["operating_revenue"], enterprise["operating_revenue_prior"]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["status"] == "undetermined"
    assert o["amount"] == {"min": "0.00", "max": "300000.00"}
    assert o["missing_facts"] == ["operating_revenue", "operating_revenue_prior"]


def test_key_pool_growth_with_zero_prior_revenue_is_undetermined_with_the_reason(enterprise: dict[str, Any]) -> None:
    enterprise["operating_revenue_prior"] = 0
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["status"] == "undetermined"
    growth = next(r for r in o["reasons"] if r["fact"] == "operating_revenue_growth")
    assert growth["held"] is None
    assert "zero or less" in growth["text"]["en"]


def test_the_superseded_draft_is_never_applied(enterprise: dict[str, Any]) -> None:
    # 25 % growth fails the draft's 30 % but passes the final 20 %; a 50,000 contribution would
    # be lifted to the draft's 100,000 minimum but the final text has no minimum.
    enterprise.update(operating_revenue="12500000", operating_revenue_prior="10000000", local_fiscal_contribution_prior="50000")
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.key_pool_growth")
    assert o["status"] == "eligible"
    assert o["amount"] == {"min": "50000.00", "max": "50000.00"}
    assert "0.3" not in [r.get("threshold") for r in o["reasons"]]


@pytest.mark.parametrize(("count", "status", "amount"), [(0, "ineligible", "0.00"), (1, "eligible", "500000.00"), (3, "eligible", "1500000.00")])
def test_research_project_pays_per_project(enterprise: dict[str, Any], count: int, status: str, amount: str) -> None:
    enterprise["municipal_research_projects"] = count
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.research_project")
    assert (o["status"], o["amount"]["min"]) == (status, amount)


def test_research_project_unknown_count_is_unbounded(enterprise: dict[str, Any]) -> None:
    del enterprise["municipal_research_projects"]
    o = outcome(estimate(enterprise, "wuhan"), "wuhan.research_project")
    assert o["status"] == "undetermined"
    assert o["amount"] == {"min": "0.00", "max": None}


def test_research_project_is_open_to_universities(enterprise: dict[str, Any]) -> None:
    profile = {"entity_type": "university", "municipal_research_projects": 1}
    assert outcome(estimate(profile, "wuhan"), "wuhan.research_project")["status"] == "eligible"


def test_key_task_pays_two_million_per_task_split_half_and_half(enterprise: dict[str, Any]) -> None:
    enterprise["key_tasks_accepted"] = 2
    o = outcome(estimate(enterprise, "wuhan", district="洪山区"), "wuhan.key_task")
    assert o["amount"]["min"] == "4000000.00"
    assert [p["amount"]["min"] for p in o["payers"]] == ["2000000.00", "2000000.00"]


@pytest.mark.parametrize(
    ("day", "status"),
    [("2021-06-24", "not_in_force"), ("2021-06-25", "eligible"), ("2023-12-31", "eligible"), ("2024-01-01", "not_in_force")],
)
def test_wuhan_window_edges(enterprise: dict[str, Any], day: str, status: str) -> None:
    enterprise["national_top100_first_entry"] = True
    o = outcome(estimate(enterprise, "wuhan", as_of=day), "wuhan.top100_first_entry")
    assert o["status"] == status
    if status == "not_in_force":
        assert o["amount"] == {"min": "0.00", "max": "0.00"}
        assert "2021-06-25" in o["reasons"][0]["text"]["en"]
