"""Changsha, 长政办函〔2020〕20号, and the national guidance: non-monetary rules and windows."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import estimate, outcome


@pytest.mark.parametrize(("high_growth", "status"), [(True, "eligible"), (False, "ineligible")])
def test_little_giant_needs_a_high_growth_blockchain_enterprise(enterprise: dict[str, Any], high_growth: bool, status: str) -> None:
    enterprise["high_growth"] = high_growth
    o = outcome(estimate(enterprise, "changsha"), "changsha.little_giant")
    assert o["status"] == status
    assert o["monetary"] is False and o["amount"] is None


def test_little_giant_with_unknown_growth_says_what_settles_it(enterprise: dict[str, Any]) -> None:
    del enterprise["high_growth"]
    o = outcome(estimate(enterprise, "changsha"), "changsha.little_giant")
    assert (o["status"], o["missing_facts"]) == ("undetermined", ["high_growth"])


@pytest.mark.parametrize(("blockchain", "status"), [(False, "eligible"), (True, "ineligible")])
def test_onchain_programme_is_for_traditional_enterprises(enterprise: dict[str, Any], blockchain: bool, status: str) -> None:
    enterprise["main_business_blockchain"] = blockchain
    assert outcome(estimate(enterprise, "changsha"), "changsha.onchain_programme")["status"] == status


def test_changsha_estimate_has_no_money_and_no_payers(enterprise: dict[str, Any]) -> None:
    result = estimate(enterprise, "changsha")
    assert result["total"] == {"min": "0.00", "max": "0.00"}
    assert result["payers"] == []


@pytest.mark.parametrize(
    ("day", "status"),
    [("2020-05-17", "not_in_force"), ("2020-05-18", "eligible"), ("2022-12-31", "eligible"), ("2023-01-01", "not_in_force")],
)
def test_changsha_window_edges(enterprise: dict[str, Any], day: str, status: str) -> None:
    assert outcome(estimate(enterprise, "changsha", as_of=day), "changsha.financing")["status"] == status


@pytest.mark.parametrize("city", ["wuhan", "suzhou", "changsha"])
def test_national_rules_apply_in_every_city(enterprise: dict[str, Any], city: str) -> None:
    rules = [o["rule"] for o in estimate(enterprise, city)["outcomes"]]
    assert "national.software_tax" in rules
    assert all(r.startswith((city + ".", "national.")) for r in rules)


@pytest.mark.parametrize(
    ("day", "status"),
    [("2021-05-26", "not_in_force"), ("2021-05-27", "eligible"), ("2035-12-31", "eligible")],
)
def test_national_window_starts_on_issue_and_never_ends(enterprise: dict[str, Any], day: str, status: str) -> None:
    assert outcome(estimate(enterprise, "wuhan", as_of=day), "national.software_tax")["status"] == status


def test_pilot_zone_software_park_is_for_national_pilot_zones() -> None:
    park = {"entity_type": "park", "park_designation": "national_blockchain_pilot_zone"}
    assert outcome(estimate(park, "suzhou"), "national.pilot_zone_software_park")["status"] == "eligible"
    park["park_designation"] = "provincial_blockchain_cluster"
    assert outcome(estimate(park, "suzhou"), "national.pilot_zone_software_park")["status"] == "ineligible"
