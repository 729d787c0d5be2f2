"""Rule coverage: which branches of each rule the scenarios exercised, and which clauses are encoded.

While a ``recording`` is active the engine reports every branch it takes (window, each condition
met / not met / unknown, each status, tier, unit, cap binding or not, payer, variant); outside one,
``record`` costs a context-variable lookup. ``branches`` lists every branch a rule has, so a report can
name the ones no scenario reached.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from .conditions import leaves
from .model import Document, Rule, Rulebook

__all__ = ["Recorder", "branches", "coverage_report", "record", "recording", "recording_active"]


@dataclass
class Recorder:
    """The branches one scenario exercised, by rule."""

    scenario: str
    hits: dict[str, set[str]] = field(default_factory=dict)


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


def branches(rule: Rule, document: Document) -> list[str]:
    """Every branch of ``rule``, in a stable order."""
    found = ["window=before"] + (["window=after"] if document.in_force_to else []) + (["window=uncertain"] if document.uncertain_window else [])
    for leaf in leaves(rule.conditions):
        found += [f"{leaf.path}=met", f"{leaf.path}=not_met"]
        if leaf.op not in ("known", "unknown"):
            found.append(f"{leaf.path}=unknown")
    found += ["status=eligible", "status=ineligible", "status=undetermined"]
    award = rule.award
    if award.form == "fixed" and award.by is not None:
        found += [f"award={value}" for value, _ in award.amounts] + ["award=unknown"]
    elif award.form == "per_unit":
        for unit in award.units:
            found += [f"unit[{unit.fact}]=counted", f"unit[{unit.fact}]=unknown"]
    elif award.form == "tiered":
        found += [f"tier={i}" for i in range(1, len(award.tiers) + 1)] + ["tier=unknown"]
    elif award.form != "non_monetary":
        found.append(f"award={award.form}")
    if award.pay == "difference":
        found += ["difference=nothing_paid_before", "difference=deducted", "difference=unknown"]
    for index, _cap in enumerate(rule.caps):
        found += [f"caps[{index}]=binding", f"caps[{index}]=not_binding", f"caps[{index}]=unknown"]
    if len(rule.payers) > 1:
        found.append("payers=split")
    for index, _variant in enumerate(rule.variants):
        found.append(f"variants[{index}]=not_applied")
    return found


def coverage_report(book: Rulebook, runs: Mapping[str, Mapping[str, list[str]]]) -> dict[str, Any]:
    """Per document and rule: each branch with the scenarios that exercised it; clause counts."""
    by_branch: dict[tuple[str, str], list[str]] = {}
    for scenario, hits in sorted(runs.items()):
        for rule_id, taken in hits.items():
            for branch in taken:
                by_branch.setdefault((rule_id, branch), []).append(scenario)
    documents = []
    uncovered: list[dict[str, str]] = []
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
            scenario_names = sorted({s for e in entries for s in e["scenarios"]})
            rules.append(
                {
                    "rule": rule.id,
                    "branches": entries,
                    "exercised": sum(1 for e in entries if e["scenarios"]),
                    "total": len(entries),
                    "scenarios": scenario_names,
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
            inventory.append({"clause": entry.clause, "state": state, "rules": list(entry.rules), "reason": entry.not_encoded})
        documents.append({"document": document.id, "number": document.number, "rules": rules, "clauses": inventory})
    return {
        "rulebook": {"digest": book.digest},
        "summary": {
            "branches": total,
            "exercised": exercised,
            "percent": "100.0" if total == exercised else f"{exercised * 1000 // total / 10:.1f}",
            "clauses": clauses,
            "encoded": encoded,
            "not_encoded": not_encoded,
            "unaccounted": unaccounted,
        },
        "uncovered": uncovered,
        "documents": documents,
    }
