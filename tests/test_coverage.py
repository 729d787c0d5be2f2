"""Rule coverage: recording, branch lists, the report, and the check that fails CI on a gap."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from eligibility import default_rulebook, evaluate
from eligibility.coverage import branches, check, coverage_report, record, recording, rules_named
from subsidy.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _run(scenarios: dict[str, tuple[dict[str, Any], str, str]], checks: tuple[str, ...] = ("suzhou.park_designation",)) -> dict[str, dict[str, Any]]:
    runs: dict[str, dict[str, Any]] = {}
    for name, (profile, city, day) in scenarios.items():
        with recording(name) as recorder:
            evaluate(profile, city, day)
            for rule in checks:
                check(rule)
        runs[name] = recorder.as_run()
    return runs


PARKS = {
    "a national pilot zone": ({"entity_type": "park", "park_designation": "national_blockchain_pilot_zone"}, "suzhou", "2022-06-30"),
    "a provincial cluster": ({"entity_type": "park", "park_designation": "provincial_blockchain_cluster"}, "suzhou", "2022-06-30"),
}


def test_record_outside_a_recording_does_nothing() -> None:
    record("suzhou.park_designation", "award=unknown")  # no recorder: must not fail or leak
    with recording("empty") as recorder:
        pass
    assert recorder.hits == {}


def test_recording_captures_the_branches_an_evaluation_took() -> None:
    runs = _run(PARKS)
    hits = set(runs["a national pilot zone"]["branches"]["suzhou.park_designation"])
    assert {"applies_to=met", "conditions.all[0]=met", "status=eligible", "award=national_blockchain_pilot_zone"} <= hits


def test_branches_list_every_tier_cap_and_window_edge() -> None:
    book = default_rulebook()
    rule = book.rules["suzhou.revenue_milestone"]
    listed = branches(rule, book.document(rule.document))
    assert {"window=before", "window=after", "tier=1", "tier=4", "difference=deducted", "caps[0]=binding", "caps[0]=not_binding"} <= set(listed)
    national = book.rules["national.software_tax"]
    assert "window=after" not in branches(national, book.document(national.document))


def test_removing_a_scenario_leaves_its_branch_uncovered() -> None:
    runs = _run(PARKS)
    full = coverage_report(default_rulebook(), runs)
    gaps = {(u["rule"], u["branch"]) for u in full["uncovered"]}
    assert ("suzhou.park_designation", "award=national_blockchain_pilot_zone") not in gaps
    del runs["a national pilot zone"]
    gaps = {(u["rule"], u["branch"]) for u in coverage_report(default_rulebook(), runs)["uncovered"]}
    assert ("suzhou.park_designation", "award=national_blockchain_pilot_zone") in gaps


def test_report_counts_clauses() -> None:
    summary = coverage_report(default_rulebook(), {})["summary"]
    assert summary["clauses"] == summary["encoded"] + summary["not_encoded"]
    assert summary["unaccounted"] == 0 and summary["exercised"] == 0


def test_coverage_check_fails_naming_the_uncovered_branch(tmp_path: Path) -> None:
    runs = _run(PARKS)
    del runs["a national pilot zone"]
    path = tmp_path / "runs.json"
    path.write_text(json.dumps(runs), encoding="utf-8")
    result = CliRunner().invoke(main, ["coverage", "--runs", str(path), "--check"])
    assert result.exit_code == 1
    assert "uncovered: suzhou.park_designation award=national_blockchain_pilot_zone" in result.output
    report = json.loads(CliRunner().invoke(main, ["coverage", "--runs", str(path), "--format", "json"]).output)
    assert report["summary"]["exercised"] < report["summary"]["branches"]


def test_coverage_without_a_recorded_run_says_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["coverage", "--runs", str(tmp_path / "none.json")])
    assert result.exit_code == 2 and "make test" in result.output


def test_a_scenario_that_runs_a_rule_without_checking_it_covers_nothing() -> None:
    ran_only = _run(PARKS, checks=())
    report = coverage_report(default_rulebook(), ran_only)
    assert report["summary"]["exercised"] == 0
    assert {"document": "suzhou-2020-93", "rule": "suzhou.park_designation"} in report["unchecked"]
    park = next(r for d in report["documents"] for r in d["rules"] if r["rule"] == "suzhou.park_designation")
    assert park["scenarios"] == []
    checked = coverage_report(default_rulebook(), _run(PARKS))
    park = next(r for d in checked["documents"] for r in d["rules"] if r["rule"] == "suzhou.park_designation")
    assert park["scenarios"] == ["a national pilot zone", "a provincial cluster"]
    assert {"document": "suzhou-2020-93", "rule": "suzhou.park_designation"} not in checked["unchecked"]


def test_a_step_names_a_rule_only_by_its_whole_id() -> None:
    book = default_rulebook()
    assert rules_named("wuhan.key_pool_growth pays 300,000.00 yuan", book) == ["wuhan.key_pool_growth"]
    assert rules_named("the city pays 1,000,000.00 yuan of wuhan.key_task and the district", book) == ["wuhan.key_task"]
    assert rules_named("changsha.talent的结果为符合条件", book) == ["changsha.talent"]
    assert rules_named("wuhan.no_such_rule is eligible", book) == []


def test_support_sentences_are_all_accounted_for() -> None:
    summary = coverage_report(default_rulebook(), {})["summary"]
    assert summary["support_sentences"] == summary["support_sentences_accounted"] == 91


def test_the_gate_fails_naming_a_rule_whose_checking_steps_were_deleted(tmp_path: Path) -> None:
    """Delete every step that names changsha.talent from a copy of the feature files, run the
    scenarios, and the coverage gate itself fails with a line naming the rule."""
    features = tmp_path / "features"
    shutil.copytree(ROOT / "features", features, ignore=shutil.ignore_patterns("__pycache__"))
    for path in features.glob("**/*.feature"):
        kept: list[str] = []
        then = None  # a deleted Then keyword the next And step takes over
        for line in path.read_text(encoding="utf-8").splitlines():
            keyword = line.split(maxsplit=1)[0] if line.strip() else ""
            if "changsha.talent" in line:
                then = keyword if keyword in ("Then", "那么") else then
                continue
            if then and keyword in ("And", "而且"):
                line = line.replace(keyword, then, 1)
            then = None
            kept.append(line)
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    runs = tmp_path / "runs.json"
    env = {**os.environ, "RULE_COVERAGE_RUNS": str(runs)}
    scenarios = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
            str(features),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert scenarios.returncode == 0, scenarios.stdout[-2000:]
    gate = CliRunner().invoke(main, ["coverage", "--runs", str(runs), "--check", "--format", "json"])
    assert gate.exit_code == 1
    assert "uncovered: changsha.talent is checked by no scenario (no Then step names it)" in gate.stderr
    assert re.search(r"^uncovered: changsha\.talent window=before$", gate.stderr, re.M)
    assert {line.split()[1] for line in gate.stderr.splitlines() if line.startswith("uncovered:")} == {"changsha.talent"}
    assert "support sentences accounted for: 91/91" in gate.stderr
