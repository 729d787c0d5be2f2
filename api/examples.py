"""The request examples the API documents, so that every "Try it out" in /api/docs runs as it is.

The company is the README's Wuhan example, on a day its policies are in force.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPANY", "COMPANY_ESTIMATE", "COMPARISON", "ESTIMATE", "PLAN"]

PROFILE: dict[str, Any] = {
    "entity_type": "enterprise",
    "main_business_blockchain": True,
    "in_key_enterprise_pool": True,
    "national_top100_first_entry": True,
    "operating_revenue": "36000000",
    "operating_revenue_prior": "28000000",
    "local_fiscal_contribution": "260000.00",
    "local_fiscal_contribution_prior": "240000.00",
    "municipal_research_projects": 1,
    "key_tasks_accepted": 0,
    "prior_awards": [],
}
ESTIMATE: dict[str, Any] = {"city": "wuhan", "district": "江汉区", "as_of": "2022-06-30", "profile": PROFILE}
COMPARISON: dict[str, Any] = {"cities": ["wuhan", "suzhou", "changsha"], "as_of": "2022-06-30", "profile": PROFILE}
PLAN: dict[str, Any] = {
    "cities": ["wuhan", "suzhou", "changsha"],
    "profile": PROFILE,
    "start_year": 2021,
    "years": 3,
    "growth": {"operating_revenue": "0.25", "local_fiscal_contribution": "0.20"},
}
COMPANY: dict[str, Any] = {"name": "链科技有限公司", "city": "wuhan", "district": "江汉区", "profile": PROFILE}
COMPANY_ESTIMATE: dict[str, Any] = {"as_of": "2022-06-30"}
