"""Suzhou, 苏府〔2020〕93号: milestone tiers paid as differences, caps, standards and parks."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import estimate, outcome

MILESTONE = "suzhou.revenue_milestone"


def milestone(profile: dict[str, Any], **facts: Any) -> dict[str, Any]:
    profile.update(local_fiscal_contribution="5000000", **facts)
    return outcome(estimate(profile, "suzhou"), MILESTONE)


@pytest.mark.parametrize(
    ("revenue", "status", "amount"),
    [
        ("20000000", "ineligible", "0.00"),  # exactly 20 M does not "exceed" it
        ("20000000.01", "eligible", "500000.00"),
        ("50000000", "eligible", "500000.00"),
        ("50000000.01", "eligible", "1000000.00"),
        ("100000000", "eligible", "1000000.00"),
        ("100000000.01", "eligible", "2000000.00"),
        ("500000000", "eligible", "2000000.00"),
        ("500000000.01", "eligible", "3000000.00"),
    ],
)
def test_revenue_milestone_tiers_on_both_sides_of_each_threshold(enterprise: dict[str, Any], revenue: str, status: str, amount: str) -> None:
    o = milestone(enterprise, blockchain_revenue=revenue)
    assert (o["status"], o["amount"]["min"], o["amount"]["max"]) == (status, amount, amount)


def test_revenue_milestone_second_year_pays_only_the_difference(enterprise: dict[str, Any]) -> None:
    o = milestone(enterprise, blockchain_revenue="60000000", prior_awards=[{"rule": MILESTONE, "amount": 500000, "year": 2021}])
    assert o["amount"]["min"] == "500000.00"
    assert "difference is 500,000.00" in o["calculation"][1]["text"]["en"]


def test_revenue_milestone_jumping_tiers_pays_the_highest_reached(enterprise: dict[str, Any]) -> None:
    assert milestone(enterprise, blockchain_revenue="600000000")["amount"]["min"] == "3000000.00"


def test_revenue_milestone_tier_already_paid_pays_nothing(enterprise: dict[str, Any]) -> None:
    o = milestone(enterprise, blockchain_revenue="60000000", prior_awards=[{"rule": MILESTONE, "amount": 1000000, "year": 2021}])
    assert o["status"] == "ineligible"
    assert o["amount"] == {"min": "0.00", "max": "0.00"}
    assert "remains payable" in o["summary"]["en"]


def test_revenue_milestone_never_exceeds_three_million_in_all(enterprise: dict[str, Any]) -> None:
    prior = [{"rule": MILESTONE, "amount": 2000000, "year": 2020}, {"rule": MILESTONE, "amount": "900000", "year": 2021}]
    assert milestone(enterprise, blockchain_revenue="600000000", prior_awards=prior)["amount"]["min"] == "100000.00"


def test_revenue_milestone_history_above_the_top_tier_pays_nothing(enterprise: dict[str, Any]) -> None:
    prior = [{"rule": MILESTONE, "amount": 3000000, "year": 2021}]
    o = milestone(enterprise, blockchain_revenue="600000000", prior_awards=prior)
    assert o["status"] == "ineligible"


def test_revenue_milestone_capped_by_fiscal_contribution_that_year(enterprise: dict[str, Any]) -> None:
    enterprise.update(blockchain_revenue="60000000", local_fiscal_contribution="300000")
    o = outcome(estimate(enterprise, "suzhou"), MILESTONE)
    assert o["amount"]["min"] == "300000.00"
    assert "binding" in o["calculation"][-1]["text"]["en"]


def test_revenue_milestone_fiscal_cap_not_binding(enterprise: dict[str, Any]) -> None:
    enterprise.update(blockchain_revenue="60000000", local_fiscal_contribution="1000000")
    o = outcome(estimate(enterprise, "suzhou"), MILESTONE)
    assert o["amount"]["min"] == "1000000.00"
    assert "not binding" in o["calculation"][-1]["text"]["en"]


def test_revenue_milestone_unknown_history_makes_the_amount_a_range(enterprise: dict[str, Any]) -> None:
    del enterprise["prior_awards"]
    o = milestone(enterprise, blockchain_revenue="60000000")
    assert o["status"] == "eligible"
    assert o["amount"] == {"min": "0.00", "max": "1000000.00"}
    assert o["missing_facts"] == ["prior_awards"]


def test_revenue_milestone_unknown_revenue_is_undetermined_up_to_the_top_tier(enterprise: dict[str, Any]) -> None:
    del enterprise["blockchain_revenue"]
    o = milestone(enterprise)
    assert o["status"] == "undetermined"
    assert o["amount"] == {"min": "0.00", "max": "3000000.00"}
    assert o["missing_facts"] == ["blockchain_revenue"]


def test_revenue_milestone_ignores_awards_recorded_after_the_estimate_year(enterprise: dict[str, Any]) -> None:
    o = milestone(enterprise, blockchain_revenue="60000000", prior_awards=[{"rule": MILESTONE, "amount": 500000, "year": 2023}])
    assert o["amount"]["min"] == "1000000.00"


def test_revenue_milestone_other_rules_history_does_not_count(enterprise: dict[str, Any]) -> None:
    o = milestone(enterprise, blockchain_revenue="60000000", prior_awards=[{"rule": "suzhou.standard_setting", "amount": 500000, "year": 2021}])
    assert o["amount"]["min"] == "1000000.00"


@pytest.mark.parametrize(
    ("standards", "status", "amount"),
    [
        ({"national": 0, "provincial": 0}, "ineligible", {"min": "0.00", "max": "0.00"}),
        ({"national": 1, "provincial": 0}, "eligible", {"min": "500000.00", "max": "500000.00"}),
        ({"national": 0, "provincial": 1}, "eligible", {"min": "300000.00", "max": "300000.00"}),
        ({"national": 1, "provincial": 2}, "eligible", {"min": "1100000.00", "max": "1100000.00"}),
        ({"national": 1}, "eligible", {"min": "500000.00", "max": None}),
        ({"national": 0}, "undetermined", {"min": "0.00", "max": None}),
    ],
)
def test_standard_setting_pays_per_standard_led(enterprise: dict[str, Any], standards: dict[str, int], status: str, amount: dict[str, Any]) -> None:
    enterprise["standards_led"] = standards
    o = outcome(estimate(enterprise, "suzhou"), "suzhou.standard_setting")
    assert (o["status"], o["amount"]) == (status, amount)


@pytest.mark.parametrize(
    ("designation", "status", "amount"),
    [("national_blockchain_pilot_zone", "eligible", "3000000.00"), ("provincial_blockchain_cluster", "eligible", "2000000.00"), ("none", "ineligible", "0.00")],
)
def test_park_designation_pays_parks(designation: str, status: str, amount: str) -> None:
    o = outcome(estimate({"entity_type": "park", "park_designation": designation, "prior_awards": []}, "suzhou"), "suzhou.park_designation")
    assert (o["status"], o["amount"]["min"]) == (status, amount)


@pytest.mark.parametrize(
    ("designation", "paid", "status", "amount"),
    [
        ("provincial_blockchain_cluster", "2000000", "ineligible", "0.00"),  # the same designation again
        ("national_blockchain_pilot_zone", "3000000", "ineligible", "0.00"),
        ("national_blockchain_pilot_zone", "2000000", "eligible", "1000000.00"),  # provincial, later national: the difference
        ("national_blockchain_pilot_zone", "1999999.99", "eligible", "1000000.01"),
    ],
)
def test_park_designation_is_paid_once_per_designation(designation: str, paid: str, status: str, amount: str) -> None:
    park = {"entity_type": "park", "park_designation": designation, "prior_awards": [{"rule": "suzhou.park_designation", "amount": paid, "year": 2021}]}
    o = outcome(estimate(park, "suzhou"), "suzhou.park_designation")
    assert (o["status"], o["amount"]["min"], o["amount"]["max"]) == (status, amount, amount)


def test_park_designation_without_award_history_may_already_be_paid() -> None:
    o = outcome(estimate({"entity_type": "park", "park_designation": "provincial_blockchain_cluster"}, "suzhou"), "suzhou.park_designation")
    assert o["amount"] == {"min": "0.00", "max": "2000000.00"} and o["missing_facts"] == ["prior_awards"]


@pytest.mark.parametrize(("main", "status"), [(True, "eligible"), (False, "ineligible"), (None, "undetermined")])
def test_milestone_award_is_for_blockchain_enterprises(enterprise: dict[str, Any], main: bool | None, status: str) -> None:
    enterprise.update(blockchain_revenue="60000000", local_fiscal_contribution="5000000", main_business_blockchain=main)
    assert outcome(estimate(enterprise, "suzhou"), MILESTONE)["status"] == status


def test_milestone_award_names_its_responsible_units_and_no_split(enterprise: dict[str, Any]) -> None:
    enterprise.update(blockchain_revenue="60000000", local_fiscal_contribution="5000000")
    result = estimate(enterprise, "suzhou")
    (payer,) = outcome(result, MILESTONE)["payers"]
    assert payer["payer"] == "unstated" and "各市、区人民政府" in payer["name"]["zh"]
    assert {p["payer"]: p["amount"]["min"] for p in result["payers"]}["unstated"] == "1000000.00"


def test_park_designation_is_not_for_companies(enterprise: dict[str, Any]) -> None:
    enterprise["park_designation"] = "national_blockchain_pilot_zone"
    assert outcome(estimate(enterprise, "suzhou"), "suzhou.park_designation")["status"] == "ineligible"


def test_park_with_unknown_designation_is_undetermined_up_to_three_million() -> None:
    o = outcome(estimate({"entity_type": "park"}, "suzhou"), "suzhou.park_designation")
    assert (o["status"], o["amount"]) == ("undetermined", {"min": "0.00", "max": "3000000.00"})


@pytest.mark.parametrize(
    ("day", "status"),
    [
        ("2019-12-31", "not_in_force"),
        ("2020-01-01", "undetermined"),  # published some day in 2020: perhaps already in force
        ("2020-12-30", "undetermined"),
        ("2020-12-31", "eligible"),  # certainly published by the end of 2020
        ("2022-12-31", "eligible"),  # three years from the last possible day of publication
        ("2023-01-01", "undetermined"),
        ("2023-12-30", "undetermined"),
        ("2023-12-31", "not_in_force"),  # three years from the first possible day have certainly passed
    ],
)
def test_suzhou_window_edges(enterprise: dict[str, Any], day: str, status: str) -> None:
    enterprise["local_fiscal_contribution"] = "5000000"
    o = outcome(estimate(enterprise, "suzhou", as_of=day), MILESTONE)
    assert o["status"] == status
    if status == "undetermined":
        assert o["amount"] == {"min": "0.00", "max": "500000.00"} and o["missing_facts"] == []
        assert "是否有效无法确定" in o["summary"]["zh"] and o["reasons"][0]["held"] is None


def test_suzhou_non_monetary_rules_describe_their_benefit(enterprise: dict[str, Any]) -> None:
    o = outcome(estimate(enterprise, "suzhou"), "suzhou.onchain_showcase")
    assert o["monetary"] is False and o["amount"] is None
    assert "资金支持" in o["benefit"]["zh"]
