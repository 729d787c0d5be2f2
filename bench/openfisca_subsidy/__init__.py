"""Wuhan's and Suzhou's monetary awards written as an OpenFisca country package, for the throughput
benchmark only (bench/throughput.py serves it with OpenFisca's own web API).

The formulas are those of bench/reference.py for a company whose facts are all known: OpenFisca has
no unknown facts, no ranges, no payers and no explanation, and computes money in float32.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import YEAR
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

Company = build_entity(key="company", plural="companies", label="A company", is_person=True)


def _input(name: str, kind: type, label: str) -> type[Variable]:
    return type(name, (Variable,), {"value_type": kind, "entity": Company, "definition_period": YEAR, "label": label})


INPUTS = [
    _input("entity_type", int, "0 enterprise, 1 park, 2 university, 3 research institute"),
    _input("main_business_blockchain", bool, "Blockchain is the main business"),
    _input("in_key_enterprise_pool", bool, "In Wuhan's key enterprise pool"),
    _input("national_top100_first_entry", bool, "First entry into the national top 100"),
    _input("operating_revenue", float, "Operating revenue"),
    _input("operating_revenue_prior", float, "Operating revenue of the year before"),
    _input("local_fiscal_contribution", float, "Local fiscal contribution"),
    _input("local_fiscal_contribution_prior", float, "Local fiscal contribution of the year before"),
    _input("municipal_research_projects", int, "Municipal research projects"),
    _input("key_tasks_accepted", int, "Key tasks accepted"),
    _input("blockchain_revenue", float, "Blockchain revenue"),
    _input("standards_led_national", int, "National standards led"),
    _input("standards_led_provincial", int, "Provincial standards led"),
    _input("park_designation", int, "0 none, 1 national pilot zone, 2 provincial cluster"),
    _input("paid_top100_first_entry", float, "Already paid under Wuhan's top-100 award"),
    _input("paid_key_pool_growth", float, "Paid this year under Wuhan's growth award"),
    _input("paid_revenue_milestone", float, "Already paid under Suzhou's revenue milestones"),
    _input("paid_park_designation", float, "Already paid under Suzhou's park award"),
]


def _award(name: str, label: str, formula: Any) -> type[Variable]:
    def formula_(company: Any, period: Any) -> Any:
        return formula(lambda fact: company(fact, period))

    return type(name, (Variable,), {"value_type": float, "entity": Company, "definition_period": YEAR, "label": label, "formula": formula_})


def _research(f: Any) -> Any:
    return np.isin(f("entity_type"), (0, 2, 3))


def _key_pool_growth(f: Any) -> Any:
    prior, current = f("operating_revenue_prior"), f("operating_revenue")
    grew = (prior > 0) & ((current - prior) * 5 > prior)
    holds = (f("entity_type") == 0) & f("main_business_blockchain") & f("in_key_enterprise_pool") & grew & (f("paid_key_pool_growth") == 0)
    return np.where(holds, np.minimum(f("local_fiscal_contribution_prior"), 300_000), 0)


def _revenue_milestone(f: Any) -> Any:
    revenue = f("blockchain_revenue")
    reached = np.select(
        [revenue > 500_000_000, revenue > 100_000_000, revenue > 50_000_000, revenue > 20_000_000], [3_000_000, 2_000_000, 1_000_000, 500_000], 0
    )
    due = np.minimum(np.maximum(reached - f("paid_revenue_milestone"), 0), f("local_fiscal_contribution"))
    return np.where((f("entity_type") == 0) & f("main_business_blockchain"), due, 0)


def _park(f: Any) -> Any:
    by = np.select([f("park_designation") == 1, f("park_designation") == 2], [3_000_000, 2_000_000], 0)
    return np.where(f("entity_type") == 1, np.maximum(by - f("paid_park_designation"), 0), 0)


AWARDS = [
    _award(
        "wuhan_top100_first_entry",
        "Wuhan: first entry into the national top 100",
        lambda f: np.where((f("entity_type") == 0) & f("national_top100_first_entry") & (f("paid_top100_first_entry") == 0), 2_000_000, 0),
    ),
    _award("wuhan_key_pool_growth", "Wuhan: growth of a key-pool enterprise", _key_pool_growth),
    _award("wuhan_research_project", "Wuhan: municipal research projects", lambda f: np.where(_research(f), f("municipal_research_projects") * 500_000, 0)),
    _award("wuhan_key_task", "Wuhan: key tasks accepted", lambda f: np.where(_research(f), f("key_tasks_accepted") * 2_000_000, 0)),
    _award(
        "wuhan_total",
        "Wuhan: total",
        lambda f: f("wuhan_top100_first_entry") + f("wuhan_key_pool_growth") + f("wuhan_research_project") + f("wuhan_key_task"),
    ),
    _award("suzhou_revenue_milestone", "Suzhou: revenue milestones", _revenue_milestone),
    _award(
        "suzhou_standard_setting",
        "Suzhou: standards led",
        lambda f: np.where(_research(f), f("standards_led_national") * 500_000 + f("standards_led_provincial") * 300_000, 0),
    ),
    _award("suzhou_park_designation", "Suzhou: park designation", _park),
    _award("suzhou_total", "Suzhou: total", lambda f: f("suzhou_revenue_milestone") + f("suzhou_standard_setting") + f("suzhou_park_designation")),
]


class CountryTaxBenefitSystem(TaxBenefitSystem):  # type: ignore[misc]
    """The two cities' monetary awards."""

    def __init__(self) -> None:
        super().__init__([Company])
        for variable in INPUTS + AWARDS:
            self.add_variable(variable)
        self.load_parameters(str(Path(__file__).parent / "parameters"))  # OpenFisca's web API lists them
