"""Rule coverage: which branches of each rule the scenarios checked, and which clauses are encoded.

While a ``recording`` is active the engine reports every branch it takes (window, each condition
met / not met / unknown, each status, tier, unit, cap binding or not, payer, variant); outside one,
``record`` costs a context-variable lookup. A scenario *checks* a rule when one of its Then steps names
the rule (``check``); a branch counts as covered only by a scenario that took it and checks its rule,
never by one that merely ran an estimate. ``branches`` lists every branch a rule has, so a report can
name the ones no scenario reached.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conditions import leaves
from .errors import InputError
from .jsonio import loads
from .model import Document, Rule, Rulebook, cap_branch
from .sources import account

__all__ = [
    "Recorder",
    "branches",
    "check",
    "coverage_failures",
    "coverage_report",
    "default_runs",
    "load_runs",
    "record",
    "recording",
    "recording_active",
    "rules_named",
]

_RULE_ID = re.compile(r"[a-z]+\.[a-z0-9_]+")


@dataclass
class Recorder:
    """The branches one scenario exercised, by rule, and the rules its Then steps check."""

    scenario: str
    hits: dict[str, set[str]] = field(default_factory=dict)
    checks: set[str] = field(default_factory=set)

    def as_run(self) -> dict[str, Any]:
        """The record written to the runs file: ``{"checks": [...], "branches": {rule: [...]}}``."""
        return {"checks": sorted(self.checks), "branches": {rule: sorted(taken) for rule, taken in sorted(self.hits.items())}}


_current: ContextVar[Recorder | None] = ContextVar("rule_coverage_recorder", default=None)


@contextmanager
def recording(scenario: str) -> Iterator[Recorder]:
    """Record the branches evaluated inside the block under ``scenario``."""
    recorder = Recorder(scenario)
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


def recording_active() -> bool:
    """Whether a recording is active (the engine then reports the branches each decision took)."""
    return _current.get() is not None


def record(rule: str, branch: str) -> None:
    """Note that ``rule`` took ``branch``, if a recording is active."""
    recorder = _current.get()
    if recorder is not None:
        recorder.hits.setdefault(rule, set()).add(branch)


def check(rule: str) -> None:
    """Note that the scenario being recorded checks ``rule`` (a Then step named it and passed)."""
    recorder = _current.get()
    if recorder is not None:
        recorder.checks.add(rule)


def rules_named(text: str, book: Rulebook) -> list[str]:
    """The ids of the rules that ``text`` (a step) names, in the order it names them."""
    return [word for word in _RULE_ID.findall(text) if word in book.rules]


def branches(rule: Rule, document: Document) -> list[str]:
    """Every branch of ``rule``, in a stable order."""
    found = ["window=before"] + (["window=after"] if document.in_force_to else []) + (["window=uncertain"] if document.uncertain_window else [])
    for leaf in leaves(rule.conditions):
        found += [f"{leaf.path}=met", f"{leaf.path}=not_met"]
        if leaf.op not in ("known", "unknown"):
            found.append(f"{leaf.path}=unknown")
    found += ["status=eligible", "status=ineligible", "status=undetermined"]
    found += rule.award.branches()
    for index, _cap in enumerate(rule.caps):
        found += [cap_branch(index, state) for state in ("binding", "not_binding", "unknown")]
    if len(rule.payers) > 1:
        found.append("payers=split")
    for index, _variant in enumerate(rule.variants):
        found.append(f"variants[{index}]=not_applied")
    return found


def coverage_report(book: Rulebook, runs: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Per document and rule: each branch with the scenarios that took it and check its rule; the
    scenarios that check each rule; the clause inventory; and every support sentence of the sources
    with what accounts for it.

    ``runs`` maps a scenario's name to ``{"checks": [rule, ...], "branches": {rule: [branch, ...]}}``.
    """
    by_branch: dict[tuple[str, str], list[str]] = {}
    checking: dict[str, list[str]] = {}
    for scenario, run in sorted(runs.items()):
        checks = set(run.get("checks", ()))
        for rule_id in sorted(checks):
            checking.setdefault(rule_id, []).append(scenario)
        for rule_id, taken in run.get("branches", {}).items():
            if rule_id in checks:
                for branch in taken:
                    by_branch.setdefault((rule_id, branch), []).append(scenario)
    documents = []
    uncovered: list[dict[str, str]] = []
    unchecked: list[dict[str, str]] = []
    total = exercised = 0
    clauses = encoded = not_encoded = unaccounted = 0
    for document in book.documents:
        rules = []
        for rule in document.rules:
            entries = []
            for branch in branches(rule, document):
                scenarios = by_branch.get((rule.id, branch), [])
                entries.append({"branch": branch, "scenarios": scenarios})
                total += 1
                if scenarios:
                    exercised += 1
                else:
                    uncovered.append({"document": document.id, "rule": rule.id, "branch": branch})
            if not checking.get(rule.id):
                unchecked.append({"document": document.id, "rule": rule.id})
            rules.append(
                {
                    "rule": rule.id,
                    "title": rule.title.as_dict(),
                    "branches": entries,
                    "exercised": sum(1 for e in entries if e["scenarios"]),
                    "total": len(entries),
                    "scenarios": checking.get(rule.id, []),
                }
            )
        inventory = []
        for entry in document.inventory:
            clauses += 1
            if entry.rules:
                encoded += 1
                state = "encoded"
            elif entry.not_encoded:
                not_encoded += 1
                state = "not_encoded"
            else:
                unaccounted += 1
                state = "unaccounted"
            inventory.append(
                {
                    "clause": entry.clause.as_dict(),
                    "source": entry.source,
                    "state": state,
                    "rules": list(entry.rules),
                    "reason": entry.not_encoded.as_dict() if entry.not_encoded else None,
                }
            )
        documents.append({"document": document.id, "number": document.number, "rules": rules, "clauses": inventory})
    accounting = account(book)
    return {
        "rulebook": {"digest": book.digest},
        "summary": {
            "branches": total,
            "exercised": exercised,
            "percent": "100.0" if total == exercised else f"{exercised * 1000 // total / 10:.1f}",
            "unchecked_rules": len(unchecked),
            "clauses": clauses,
            "encoded": encoded,
            "not_encoded": not_encoded,
            "unaccounted": unaccounted,
            "support_sentences": len(accounting.sentences),
            "support_sentences_accounted": accounting.accounted,
        },
        "uncovered": uncovered,
        "unchecked": unchecked,
        "documents": documents,
        "support_sentences": [s.as_dict() for s in accounting.sentences],
    }


def default_runs() -> Path:
    """Where the scenarios record their run: ``$RULE_COVERAGE_RUNS``, else build/rule-coverage.json
    in the current folder (the repository's, when ``make test`` runs)."""
    return Path(os.environ.get("RULE_COVERAGE_RUNS") or Path("build") / "rule-coverage.json")


def load_runs(path: Path) -> dict[str, Any]:
    """The scenario run recorded at ``path``; FileNotFoundError (saying what to do) when there is none."""
    try:
        data = loads(path.read_bytes(), field="RUNS")
    except OSError:
        raise FileNotFoundError(f"no scenario run recorded at {path}; run the scenarios first (make test)") from None
    if not isinstance(data, dict) or not all(isinstance(run, dict) and "checks" in run for run in data.values()):
        raise InputError.single("RUNS", f"{path} is not a scenario run of this version; run the scenarios again (make test).")
    return data


def coverage_failures(report: Mapping[str, Any]) -> list[str]:
    """One line per gap the coverage gate fails on: a rule no scenario checks, a branch no checking
    scenario took, a clause unaccounted for, a support sentence of a source nothing accounts for."""
    lines = [f"uncovered: {gap['rule']} is checked by no scenario (no Then step names it)" for gap in report["unchecked"]]
    lines += [f"uncovered: {gap['rule']} {gap['branch']}" for gap in report["uncovered"]]
    for document in report["documents"]:
        lines += [f"unaccounted clause: {document['document']} {c['clause']['zh']}" for c in document["clauses"] if c["state"] == "unaccounted"]
    for sentence in report["support_sentences"]:
        if sentence["accounted_by"] is None:
            lines.append(f"unaccounted support sentence: rules/sources/{sentence['source']}: {sentence['sentence']}")
    return lines
