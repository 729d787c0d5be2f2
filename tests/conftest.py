"""Shared fixtures for the unit tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def enterprise() -> dict[str, Any]:
    """A blockchain enterprise with every fact the monetary rules need, and no award history."""
    return {
        "entity_type": "enterprise",
        "main_business_blockchain": True,
        "in_key_enterprise_pool": True,
        "operating_revenue": "36000000",
        "operating_revenue_prior": "28000000",
        "blockchain_revenue": "30000000",
        "local_fiscal_contribution": "400000",
        "local_fiscal_contribution_prior": "400000",
        "national_top100_first_entry": False,
        "municipal_research_projects": 0,
        "key_tasks_accepted": 0,
        "standards_led": {"national": 0, "provincial": 0},
        "park_designation": "none",
        "high_growth": False,
        "prior_awards": [],
    }
