"""Rule coverage: recording, branch lists, the report, and the check that fails CI on a gap."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from api.cli import main
from eligibility import default_rulebook, evaluate
from eligibility.coverage import branches, coverage_report, record, recording


def _run(scenarios: dict[str, tuple[dict[str, Any], str, str]]) -> dict[str, dict[str, list[str]]]:
    runs: dict[str, dict[str, list[str]]] = {}
    for name, (profile, city, day) in scenarios.items():
        with recording(name) as recorder:
            evaluate(profile, city, day)
        runs[name] = {rule: sorted(hits) for rule, hits in recorder.hits.items()}
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
    hits = set(runs["a national pilot zone"]["suzhou.park_designation"])
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
