"""Reforms (政策沙盘): data applied to a copy of the rulebook, validated like rule files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from eligibility import RuleFileError, default_rulebook, estimate_under_reform, evaluate, find_reform, read_reform, shipped_reforms
from eligibility.reform import apply_reform
from subsidy.cli import main

ROOT = Path(__file__).resolve().parent.parent
WUHAN = json.loads((ROOT / "examples" / "wuhan.json").read_text(encoding="utf-8"))
DRAFT = "wuhan-draft-2021-06-01"


def _under(profile: dict[str, Any], reform: Any, city: str = "wuhan") -> dict[str, Any]:
    return estimate_under_reform(profile, city, "2022-06-30", "江汉区", find_reform(reform), rulebook=default_rulebook())


def _growth(outcome: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return outcome["status"], outcome["amount"]


def test_the_wuhan_draft_is_shipped_and_applied_as_recorded() -> None:
    reform = shipped_reforms()[DRAFT]
    assert reform.title.zh == "武汉征求意见稿（增速30%、最低10万元）"
    result = _under(WUHAN, DRAFT)
    assert result["baseline"]["total"] == {"min": "2740000.00", "max": "2740000.00"}
    assert result["total"] == {"min": "2500000.00", "max": "2500000.00"}
    assert result["difference"]["total"] == {"min": "-240000.00", "max": "-240000.00"}
    assert result["difference"]["payers"]["unstated"] == {"min": "-240000.00", "max": "-240000.00"}
    assert result["difference"]["payers"]["city"] == {"min": "0.00", "max": "0.00"}
    growth = next(o for o in result["outcomes"] if o["rule"] == "wuhan.key_pool_growth")
    assert growth["status"] == "ineligible" and growth["baseline"] == {"status": "eligible", "amount": {"min": "240000.00", "max": "240000.00"}}
    assert "武汉征求意见稿" in growth["reform"]["zh"]
    assert result["reform"]["id"] == DRAFT and result["reform"]["changed_rules"] == ["wuhan.key_pool_growth"]


@pytest.mark.parametrize(
    ("growth", "contribution", "final", "draft"),
    [
        ("0.35", "500000", ("300000.00", "300000.00"), ("100000.00", "300000.00")),  # the draft's range, as recorded
        ("0.35", "50000", ("50000.00", "50000.00"), ("50000.00", "50000.00")),  # both capped by the contribution
        ("0.25", "500000", ("300000.00", "300000.00"), ("0.00", "0.00")),  # above 20 %, not above 30 %
        ("0.31", "500000", ("300000.00", "300000.00"), ("100000.00", "300000.00")),
    ],
)
def test_the_draft_against_the_final_text(growth: str, contribution: str, final: tuple[str, str], draft: tuple[str, str]) -> None:
    prior = 10_000_000
    profile = {
        **WUHAN,
        "operating_revenue_prior": str(prior),
        "operating_revenue": str(int(prior * (1 + float(growth)))),
        "local_fiscal_contribution_prior": contribution,
    }
    result = _under(profile, DRAFT)
    growth_outcome = next(o for o in result["outcomes"] if o["rule"] == "wuhan.key_pool_growth")
    assert (growth_outcome["baseline"]["amount"]["min"], growth_outcome["baseline"]["amount"]["max"]) == final
    assert (growth_outcome["amount"]["min"], growth_outcome["amount"]["max"]) == draft


def test_a_reform_that_changes_nothing_makes_no_difference_and_the_shipped_rulebook_never_changes() -> None:
    book = default_rulebook()
    digest, rule = book.digest, book.rules["suzhou.revenue_milestone"]
    same = {"id": "same", "title": {"zh": "不变", "en": "Nothing"}, "changes": [{"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].amount": 500000}}]}
    suzhou = json.loads((ROOT / "examples" / "suzhou.json").read_text(encoding="utf-8"))
    result = estimate_under_reform(suzhou, "suzhou", "2022-06-30", None, find_reform(same), rulebook=book)
    assert result["difference"]["total"] == {"min": "0.00", "max": "0.00"}
    assert all(v == {"min": "0.00", "max": "0.00"} for v in result["difference"]["payers"].values())
    assert book.digest == digest and book.rules["suzhou.revenue_milestone"] is rule
    assert result["reform"]["rulebook"] != digest


def test_every_kind_of_change() -> None:
    book = default_rulebook()
    reform = read_reform(
        {
            "id": "every-kind",
            "title": {"zh": "各类改动示例", "en": "An example of each kind of change"},
            "changes": [
                {"rule": "wuhan.key_pool_growth", "use_variant": "draft-2021-06-01"},
                {"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].amount": 600000}},
                {"rule": "wuhan.top100_first_entry", "set": {"payers[0].share": "0.6", "payers[1].share": "0.4"}},
                {"document": "suzhou-2020-93", "set": {"in_force.to": "2023-12-31"}},
                {"remove": "changsha.little_giant"},
                {
                    "add": {
                        "id": "changsha.sandbox_award",
                        "clause": "三(二)1 强化资金支持",
                        "title": {"zh": "试点奖励", "en": "A trial award"},
                        "quote": "加大对区块链技术创新和产业发展的扶持力度",
                        "applies_to": ["enterprise"],
                        "kind": "trial",
                        "conditions": {"all": [{"fact": "main_business_blockchain", "eq": True}]},
                        "award": {"form": "fixed", "amount": 100000},
                        "payers": [{"payer": "city", "share": 1}],
                    }
                },
            ],
        }
    )
    reformed = apply_reform(book, reform)
    assert reformed.rules["suzhou.revenue_milestone"].award.tiers[0].amount == 600000  # type: ignore[union-attr]
    assert [str(p.share) for p in reformed.rules["wuhan.top100_first_entry"].payers] == ["3/5", "2/5"]
    assert reformed.document("suzhou-2020-93").in_force_to.isoformat() == "2023-12-31"  # type: ignore[union-attr]
    assert "changsha.little_giant" not in reformed.rules and "changsha.sandbox_award" in reformed.rules
    estimate = evaluate({"entity_type": "enterprise", "main_business_blockchain": True}, "changsha", "2022-06-30", rulebook=reformed)
    assert next(o for o in estimate["outcomes"] if o["rule"] == "changsha.sandbox_award")["amount"] == {"min": "100000.00", "max": "100000.00"}


@pytest.mark.parametrize(
    ("change", "key", "message"),
    [
        ({"rule": "wuhan.nothing", "use_variant": "draft-2021-06-01"}, "changes[0].rule", "unknown rule"),
        ({"rule": "wuhan.key_pool_growth", "use_variant": "draft-1999"}, "changes[0].use_variant", "no variant"),
        ({"rule": "suzhou.revenue_milestone", "set": {"award.tiers[9].amount": 1}}, "changes[0].set.award.tiers[9].amount", "unknown path"),
        ({"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].amount": "lots"}}, "changes[0]", "award.tiers[0].amount"),
        ({"rule": "wuhan.top100_first_entry", "set": {"payers[0].share": "0.6"}}, "changes[0]", "share"),
        ({"rule": "suzhou.revenue_milestone", "set": {"award.tiers[1].threshold": 10000000}}, "changes[0]", "out of order"),
        ({"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].threshold": 30000000}}, "changes[0]", "disagrees with the first tier"),
    ],
)
def test_a_bad_reform_is_refused_naming_file_line_and_path(tmp_path: Path, change: dict[str, Any], key: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\ntitle: {zh: 错误, en: Bad}\nchanges:\n  - " + json.dumps(change, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as error:
        apply_reform(default_rulebook(), read_reform(path))
    assert error.value.file == "bad.yaml" and error.value.line == 4 and error.value.key == key
    assert message in str(error.value), str(error.value)


def test_the_command_line_estimates_under_a_reform_file(tmp_path: Path) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(WUHAN), encoding="utf-8")
    reform = ROOT / "reforms" / f"{DRAFT}.yaml"
    result = CliRunner().invoke(main, ["estimate", str(path), "--city", "wuhan", "--district", "江汉区", "--as-of", "2022-06-30", "--reform", str(reform)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["difference"]["total"]["min"] == "-240000.00"
    refused = CliRunner().invoke(main, ["estimate", str(path), "--city", "wuhan", "--reform", "no-such-reform"])
    assert refused.exit_code == 2 and "--reform" in refused.output


# -- properties ---------------------------------------------------------------------------------------

from decimal import Decimal  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MILESTONE_TIERS = [(20_000_000, 500_000), (50_000_000, 1_000_000), (100_000_000, 2_000_000), (500_000_000, 3_000_000)]


@st.composite
def suzhou_companies(draw: st.DrawFn) -> dict[str, Any]:
    company: dict[str, Any] = {"entity_type": "enterprise", "main_business_blockchain": draw(st.sampled_from([True, False, None]))}
    for name, top in (("blockchain_revenue", 700_000_000), ("local_fiscal_contribution", 5_000_000)):
        value = draw(st.one_of(st.none(), st.integers(0, top)))
        if value is not None:
            company[name] = str(value)
    paid = draw(st.one_of(st.none(), st.sampled_from([0, 500_000, 1_000_000])))
    company["prior_awards"] = None if paid is None else ([{"rule": "suzhou.revenue_milestone", "amount": str(paid), "year": 2021}] if paid else [])
    return {k: v for k, v in company.items() if v is not None}


def _totals(company: dict[str, Any], reform: dict[str, Any]) -> dict[str, Any]:
    return estimate_under_reform(company, "suzhou", "2022-06-30", None, find_reform(reform), rulebook=default_rulebook())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company=suzhou_companies(), raise_by=st.integers(1, 2_000_000))
def test_raising_an_amount_never_lowers_a_total_and_payer_differences_add_up(company: dict[str, Any], raise_by: int) -> None:
    reform = {
        "id": "raise",
        "title": {"zh": "提高", "en": "Raise"},
        "changes": [
            {"rule": "suzhou.revenue_milestone", "set": {f"award.tiers[{i}].amount": amount + raise_by for i, (_, amount) in enumerate(MILESTONE_TIERS)}}
        ],
    }
    result = _totals(company, reform)
    difference = result["difference"]
    assert Decimal(difference["total"]["min"]) >= 0
    assert sum(Decimal(p["min"]) for p in difference["payers"].values()) == Decimal(difference["total"]["min"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(company=suzhou_companies(), lower_to=st.integers(1_000_000, 19_999_999))
def test_lowering_a_threshold_never_removes_a_beneficiary(company: dict[str, Any], lower_to: int) -> None:
    reform = {
        "id": "lower",
        "title": {"zh": "降低门槛", "en": "Lower threshold"},
        "changes": [{"rule": "suzhou.revenue_milestone", "set": {"award.tiers[0].threshold": lower_to, "conditions.all[1].gt": lower_to}}],
    }
    result = _totals(company, reform)
    if Decimal(result["baseline"]["total"]["min"]) > 0:
        assert Decimal(result["total"]["min"]) > 0
    assert sum(Decimal(p["min"]) for p in result["difference"]["payers"].values()) == Decimal(result["difference"]["total"]["min"])
