"""The budget impact of a reform on a register: per company as the engine says, in all exactly."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from click.testing import CliRunner

from eligibility import default_rulebook, estimate_under_reform, find_reform
from eligibility.impact import impact_file
from subsidy.cli import main

ROOT = Path(__file__).resolve().parent.parent
REGISTER = ROOT / "examples" / "wuhan-register.csv"


def _profiles() -> dict[str, dict[str, Any]]:
    """The register's rows as the engine's profiles (blank is unknown; prior:<rule> paid this year)."""
    found = {}
    with REGISTER.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            profile: dict[str, Any] = {}
            awards = []
            for name, value in row.items():
                if name == "company_id" or value == "":
                    continue
                if name.startswith("prior:"):
                    awards.append({"rule": name[len("prior:") :], "amount": value, "year": 2022})
                elif value in ("true", "false"):
                    profile[name] = value == "true"
                elif name in ("municipal_research_projects", "key_tasks_accepted"):
                    profile[name] = int(value)
                else:
                    profile[name] = value
            unknown_history = any(row[name] == "" for name in row if name.startswith("prior:"))
            if not unknown_history:
                profile["prior_awards"] = [a for a in awards if Decimal(a["amount"]) > 0]
            found[row["company_id"]] = profile
    return found


def test_each_row_is_what_the_engine_says_under_the_reform_and_without(tmp_path: Path) -> None:
    reform = find_reform("wuhan-draft-2021-06-01")
    summary = impact_file(REGISTER, tmp_path / "out.parquet", "wuhan", "2022-06-30", reform, keep=["company_id"])
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    profiles = _profiles()
    for row in table:
        engine = estimate_under_reform(profiles[row["company_id"]], "wuhan", "2022-06-30", None, reform, rulebook=default_rulebook())
        assert f"{row['reform_total_min']:.2f}" == engine["total"]["min"], row["company_id"]
        assert f"{row['baseline_total_min']:.2f}" == engine["baseline"]["total"]["min"], row["company_id"]
        assert f"{row['delta_total_min']:.2f}" == engine["difference"]["total"]["min"], row["company_id"]
        for payer, delta in engine["difference"]["payers"].items():
            assert f"{row[f'delta_{payer}_min']:.2f}" == delta["min"], (row["company_id"], payer)
    data = summary.as_dict()
    assert data["rows"] == 10 and data["winners"] + data["losers"] + data["unchanged"] == 10
    assert data["delta"]["total"]["min"] == f"{Decimal(data['reform']['total']['min']) - Decimal(data['baseline']['total']['min']):.2f}"
    assert sum(Decimal(p["min"]) for p in data["delta"]["payers"].values()) == Decimal(data["delta"]["total"]["min"])
    assert data["drivers"] and data["drivers"][0]["rule"] == "wuhan.key_pool_growth"


def test_a_reform_that_changes_nothing_gives_zero_on_every_row(tmp_path: Path) -> None:
    same = {"id": "same", "title": {"zh": "不变", "en": "Nothing"}, "changes": [{"rule": "wuhan.top100_first_entry", "set": {"award.amount": 2000000}}]}
    summary = impact_file(REGISTER, tmp_path / "out.csv", "wuhan", "2022-06-30", find_reform(same), keep=["company_id"])
    with (tmp_path / "out.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(Decimal(row["delta_total_min"]) == 0 for row in rows)
    assert summary.winners == summary.losers == 0 and summary.unchanged == 10


def test_the_command_prints_the_summary_and_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    args = ["impact", str(REGISTER), "--city", "wuhan", "--as-of", "2022-06-30", "--reform", "wuhan-draft-2021-06-01", "--out", str(tmp_path / "out.parquet")]
    result = CliRunner().invoke(main, [*args, "--summary", "json", "--report", str(report), "--keep", "company_id"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"rows", "baseline", "reform", "delta", "winners", "losers", "unchanged"}
    assert set(data["baseline"]) == {"total", "beneficiaries", "payers"}
    page = report.read_text(encoding="utf-8")
    assert "武汉征求意见稿" in page and "data:image/png;base64," in page and "use_variant: draft-2021-06-01" in page
    assert "http://" not in page and "https://" not in page
    refused = CliRunner().invoke(main, [*args[:-2], "--out", str(tmp_path / "bad.parquet"), "--reform", "nope"])
    assert refused.exit_code == 2 and not (tmp_path / "bad.parquet").exists()
