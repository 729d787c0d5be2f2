"""Reforms (政策沙盘): what if a clause changed. A reform is data, applied to a copy of the rulebook.

A reform file (YAML, or the same as JSON)::

    id: every-kind-of-change
    title: {zh: 各类改动示例, en: An example of each kind of change}
    changes:
      - rule: wuhan.key_pool_growth
        use_variant: draft-2021-06-01        # a superseded variant recorded in the rule file
      - rule: suzhou.revenue_milestone
        set: {award.tiers[0].amount: 600000}  # paths into the rule as written in its file
      - document: suzhou-2020-93
        set: {in_force.to: 2023-12-31}
      - add: {...a rule written as in a rule file...}   # into its city's document (or `document:`)
      - remove: changsha.little_giant

Each change edits the rule files as read, and the edited files are validated exactly as shipped ones
are: a reform that leaves a rule inconsistent (tiers out of order, shares not summing to 1, a gate
that disagrees with its tier) is refused naming the reform file, the change's line and path. The
shipped rulebook never changes; the reformed one has its own digest.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from .engine import Estimate, estimate, money_range
from .errors import InputError, RuleFileError
from .loader import RawFile, build_rulebook, read_files, rule_files
from .model import Rulebook, Text
from .profile import Profile

__all__ = ["DEFAULT_REFORMS_DIR", "Reform", "apply_reform", "estimate_under_reform", "find_reform", "range_difference", "read_reform", "shipped_reforms"]

#: The shipped reforms: the repository's reforms/ folder, installed as the package ``eligibility.reforms``.
DEFAULT_REFORMS_DIR = Path(str(resources.files("eligibility.reforms")))
_KINDS = {"use_variant", "set", "add", "remove"}
_PATH_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)")


@dataclass(frozen=True)
class Change:
    """One change of a reform, as written, with the line it starts on."""

    index: int
    data: Mapping[str, Any]
    line: int | None


@dataclass(frozen=True)
class Reform:
    """A named set of changes to the rulebook."""

    id: str
    title: Text
    changes: tuple[Change, ...]
    name: str  # where it came from, for errors: a file name, or "reform" for one sent in a request
    digest: str
    data: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title.as_dict(), "digest": self.digest, "changes": [dict(c.data) for c in self.changes]}


def _fail(name: str, message: str, key: str | None = None, line: int | None = None, fix: str | None = None) -> RuleFileError:
    return RuleFileError(name, message, key=key, line=line, fix=fix)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _lines(text: str) -> list[int | None]:
    """The line each item of ``changes`` starts on, from the YAML's own node marks."""
    import yaml

    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "changes" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def read_reform(source: str | Path | Mapping[str, Any], name: str | None = None) -> Reform:
    """A reform from a file, from YAML or JSON text, or from data (e.g. a request's ``reform``).

    Checks its shape: ``id``, ``title: {zh, en}`` and each change's kind and keys. Whether the changes
    fit the rulebook is checked when the reform is applied.
    """
    text = ""
    if isinstance(source, Path):
        name = name or source.name
        try:
            text = source.read_text(encoding="utf-8")
        except OSError as exc:
            raise _fail(str(source), f"cannot read the reform: {exc.strerror}.") from None
    elif isinstance(source, str):
        text = source
    name = name or "reform"
    if isinstance(source, Mapping):
        data: Any = source
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise _fail(name, f"not valid YAML or JSON: {getattr(exc, 'problem', exc)}.", line=mark.line + 1 if mark else None) from None
    if not isinstance(data, Mapping):
        raise _fail(name, "a reform is a mapping with id, title and changes.")
    unknown = sorted(set(map(str, data)) - {"id", "title", "changes"})
    if unknown:
        raise _fail(name, f"unknown key '{unknown[0]}'.", key=unknown[0], fix="use only: changes, id, title.")
    reform_id = data.get("id")
    if not isinstance(reform_id, str) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", reform_id):
        raise _fail(name, "'id' must be lowercase words and digits joined by hyphens.", key="id")
    title = data.get("title")
    if not isinstance(title, Mapping) or not all(isinstance(title.get(lang), str) and title.get(lang) for lang in ("zh", "en")):
        raise _fail(name, "'title' must give the reform's name in Chinese and English: {zh, en}.", key="title")
    changes = data.get("changes")
    if not isinstance(changes, list) or not changes:
        raise _fail(name, "'changes' must be a non-empty list.", key="changes")
    lines = _lines(text) if text else []
    parsed = []
    for index, change in enumerate(changes):
        line = lines[index] if index < len(lines) else None
        key = f"changes[{index}]"
        if not isinstance(change, Mapping):
            raise _fail(name, "a change is a mapping.", key=key, line=line)
        kinds = _KINDS & set(change)
        if len(kinds) != 1:
            raise _fail(name, "a change is one of use_variant, set, add or remove.", key=key, line=line)
        kind = next(iter(kinds))
        allowed = {"use_variant": {"rule", "use_variant"}, "add": {"add", "document"}, "remove": {"remove"}}.get(kind, {"rule", "document", "set"})
        extra = sorted(set(change) - allowed)
        if extra:
            raise _fail(
                name, f"unknown key '{extra[0]}' in a {kind} change.", key=f"{key}.{extra[0]}", line=line, fix=f"use only: {', '.join(sorted(allowed))}."
            )
        if kind == "set" and ("rule" in change) == ("document" in change):
            raise _fail(name, "a set change names either a rule or a document.", key=key, line=line)
        if kind == "set" and (not isinstance(change["set"], Mapping) or not change["set"]):
            raise _fail(name, "'set' maps paths to values, e.g. {award.tiers[0].amount: 600000}.", key=f"{key}.set", line=line)
        parsed.append(Change(index, change, line))
    canonical = json.dumps(_jsonable(data), sort_keys=True, ensure_ascii=False)
    return Reform(reform_id, Text(title["zh"], title["en"]), tuple(parsed), name, hashlib.sha256(canonical.encode()).hexdigest(), data)


def shipped_reforms() -> dict[str, Reform]:
    """The reforms shipped with the rulebook, by id."""
    found = {}
    for path in sorted(DEFAULT_REFORMS_DIR.glob("*.yaml")):
        reform = read_reform(path, f"reforms/{path.name}")
        found[reform.id] = reform
    return found


def find_reform(given: object, field: str = "reform") -> Reform:
    """A reform from what a person gives: a shipped reform's id, a file's path, or the reform itself
    (as data); InputError naming ``field`` when it is none of these."""
    if isinstance(given, Mapping):
        try:
            return read_reform(given, field)
        except RuleFileError as exc:
            raise InputError.single(f"{field}.{exc.key}" if exc.key else field, exc.message + (f" {exc.fix}" if exc.fix else "")) from None
    if isinstance(given, str):
        shipped = shipped_reforms()
        if given in shipped:
            return shipped[given]
        path = Path(given)
        if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
            return read_reform(path)
        known = ", ".join(sorted(shipped)) or "none"
        raise InputError.single(field, f"No reform '{given}': give a shipped reform's id ({known}), a reform file, or the reform itself.")
    raise InputError.single(field, "Must be a shipped reform's id or a reform: {id, title, changes}.")


# -- applying a reform ------------------------------------------------------------------------------


def _steps(path: str) -> list[str | int]:
    """``award.tiers[0].amount`` -> ["award", "tiers", 0, "amount"]."""
    steps: list[str | int] = []
    for part in path.split("."):
        match = _PATH_PART.fullmatch(part)
        if match is None:
            raise ValueError(path)
        steps.append(match.group(1))
        steps.extend(int(index) for index in re.findall(r"\[(\d+)\]", match.group(2)))
    return steps


def _set(target: Any, path: str, value: Any) -> None:
    """Set ``path`` inside ``target`` to ``value``; the path must already exist (a reform changes what
    the text says, it does not invent keys)."""
    steps = _steps(path)
    for step in steps[:-1]:
        target = target[step]
    last = steps[-1]
    if isinstance(last, int):
        if not isinstance(target, list) or last >= len(target):
            raise KeyError(path)
    elif not isinstance(target, dict) or last not in target:
        raise KeyError(path)
    target[last] = value


def _find_rule(raws: list[RawFile], rule_id: str) -> tuple[RawFile, int] | None:
    for raw in raws:
        for index, rule in enumerate(raw.data.get("rules") or []):
            if isinstance(rule, dict) and rule.get("id") == rule_id:
                return raw, index
    return None


def _find_document(raws: list[RawFile], document_id: str) -> RawFile | None:
    return next((raw for raw in raws if raw.data.get("id") == document_id), None)


def _apply_change(raws: list[RawFile], change: Change, reform: Reform) -> None:
    data, key, line = change.data, f"changes[{change.index}]", change.line

    def refuse(message: str, where: str = key, fix: str | None = None) -> RuleFileError:
        return _fail(reform.name, message, key=where, line=line, fix=fix)

    if "use_variant" in data:
        found = _find_rule(raws, str(data.get("rule")))
        if found is None:
            raise refuse(f"unknown rule '{data.get('rule')}'.", f"{key}.rule", "use a rule id such as wuhan.key_pool_growth (see `subsidy rules`).")
        raw, index = found
        rule = raw.data["rules"][index]
        variants = [v for v in rule.get("variants") or [] if isinstance(v, dict)]
        variant = next((v for v in variants if v.get("id") == data["use_variant"]), None)
        if variant is None:
            known = ", ".join(str(v.get("id")) for v in variants) or "none"
            raise refuse(f"rule {rule['id']} has no variant '{data['use_variant']}'.", f"{key}.use_variant", f"use one of: {known}.")
        for name in ("conditions", "award", "caps"):
            if name in variant:
                rule[name] = copy.deepcopy(variant[name])
            elif name != "award":
                rule.pop(name, None)
        return
    if "set" in data and "rule" in data:
        found = _find_rule(raws, str(data["rule"]))
        if found is None:
            raise refuse(f"unknown rule '{data['rule']}'.", f"{key}.rule", "use a rule id such as suzhou.revenue_milestone (see `subsidy rules`).")
        raw, index = found
        target: Any = raw.data["rules"][index]
    elif "set" in data:
        document = _find_document(raws, str(data["document"]))
        if document is None:
            raise refuse(f"unknown document '{data['document']}'.", f"{key}.document", "use a document id such as suzhou-2020-93.")
        target = document.data
    if "set" in data:
        for path, value in data["set"].items():
            try:
                _set(target, str(path), value)
            except (KeyError, IndexError, TypeError, ValueError):
                raise refuse(
                    f"unknown path '{path}'.", f"{key}.set.{path}", "use a path of the rule or document as written in its file, e.g. award.tiers[0].amount."
                ) from None
        return
    if "remove" in data:
        found = _find_rule(raws, str(data["remove"]))
        if found is None:
            raise refuse(f"unknown rule '{data['remove']}'.", f"{key}.remove")
        raw, index = found
        removed = raw.data["rules"].pop(index)
        for entry in raw.data.get("inventory") or []:
            if removed["id"] in (entry.get("rules") or []):
                entry["rules"] = [r for r in entry["rules"] if r != removed["id"]]
                if not entry["rules"]:
                    del entry["rules"]
                    entry["quote"] = removed["quote"]
                    entry["not_encoded"] = {"zh": f"已由改革方案“{reform.title.zh}”删除。", "en": f"Removed by the reform “{reform.title.en}”."}
        return
    rule = data["add"]
    if not isinstance(rule, Mapping) or not isinstance(rule.get("id"), str):
        raise refuse("'add' is a rule written as in a rule file, with its id.", f"{key}.add")
    if _find_rule(raws, rule["id"]) is not None:
        raise refuse(f"rule '{rule['id']}' already exists; change it with set instead.", f"{key}.add.id")
    city = rule["id"].split(".")[0]
    documents = (
        [raw for raw in raws if raw.data.get("id") == data.get("document")] if "document" in data else [raw for raw in raws if raw.data.get("city") == city]
    )
    if len(documents) != 1:
        raise refuse(f"say which document the rule belongs to: document: <id> ({len(documents)} documents match).", f"{key}.document")
    target = documents[0].data
    target.setdefault("rules", []).append(copy.deepcopy(dict(rule)))
    target.setdefault("inventory", []).append(
        {"clause": copy.deepcopy(rule.get("clause", "—")), "summary": copy.deepcopy(rule.get("title", {"zh": "—", "en": "—"})), "rules": [rule["id"]]}
    )


_APPLIED: dict[tuple[str, str], Rulebook] = {}


def apply_reform(book: Rulebook, reform: Reform) -> Rulebook:
    """The rulebook as ``reform`` would have it; RuleFileError naming the reform's file, line and path
    when a change does not fit the rulebook or leaves a rule inconsistent. ``book`` never changes."""
    key = (book.digest, reform.digest)
    if key in _APPLIED:
        return _APPLIED[key]
    root = Path(book.root)
    raws = read_files(root, rule_files(root))
    for raw in raws:
        raw.data = copy.deepcopy(raw.data)
    sources = root / "sources"
    digest = hashlib.sha256(f"{book.digest}\0{reform.digest}".encode()).hexdigest()
    reformed = book
    for change in reform.changes:
        _apply_change(raws, change, reform)
        try:
            reformed = build_rulebook(root, raws, sources, digest)
        except RuleFileError as exc:
            where = f"changes[{change.index}]"
            raise _fail(
                reform.name,
                f"the rule file {exc.file} as this change leaves it is refused: {exc.key + ': ' if exc.key else ''}{exc.message}",
                key=where,
                line=change.line,
                fix=exc.fix,
            ) from None
    if len(_APPLIED) > 64:
        _APPLIED.clear()
    _APPLIED[key] = reformed
    return reformed


# -- an estimate under a reform -----------------------------------------------------------------------


def range_difference(after: Mapping[str, str | None], before: Mapping[str, str | None]) -> dict[str, str | None]:
    """The change of a range: guaranteed minus guaranteed, and potential minus potential (None when
    either potential is unbounded)."""
    low = Decimal(str(after["min"])) - Decimal(str(before["min"]))
    high = None if after["max"] is None or before["max"] is None else Decimal(after["max"]) - Decimal(before["max"])
    return {"min": f"{low:.2f}", "max": None if high is None else f"{high:.2f}"}


def _payers(found: Estimate) -> dict[str, dict[str, str | None]]:
    return {payer: money_range(amount) for payer, amount in found.payers.items()}


def estimate_under_reform(
    profile: Mapping[str, Any] | Profile,
    city: str,
    as_of: date | str | None,
    district: str | None,
    reform: Reform,
    *,
    rulebook: Rulebook,
    lang: str | None = None,
) -> dict[str, Any]:
    """The estimate under ``reform`` (its total, payers and outcomes), with the baseline's total and
    payers, the difference, each outcome's baseline status and amount, and what the reform changed."""
    reformed_book = apply_reform(rulebook, reform)
    reformed = estimate(profile, city, as_of, district, rulebook=reformed_book)
    baseline = estimate(profile, city, as_of, district, rulebook=rulebook)
    data = reformed.as_dict(lang)
    before = {o["rule"]: o for o in baseline.brief(lang=lang)["outcomes"]}
    changed = {rule_id for rule_id, rule in reformed_book.rules.items() if rulebook.rules.get(rule_id) != rule}
    removed = sorted(set(rulebook.rules) - set(reformed_book.rules))
    title = reform.title
    for outcome in data["outcomes"]:
        old = before.get(outcome["rule"])
        outcome["baseline"] = None if old is None else {"status": old["status"], "amount": old["amount"]}
        if outcome["rule"] in changed:
            words = Text(f"本条款按改革方案“{title.zh}”修改后估算。", f"Estimated as changed by the reform “{title.en}”.")
            outcome["reform"] = words.as_dict() if lang is None else (words.zh if lang == "zh" else words.en)
    baseline_payers = _payers(baseline)
    reformed_payers = _payers(reformed)
    nothing: dict[str, str | None] = {"min": "0.00", "max": "0.00"}
    payers = list(dict.fromkeys([*reformed_payers, *baseline_payers]))
    data["baseline"] = {"total": money_range(baseline.total), "payers": {p: baseline_payers.get(p, nothing) for p in payers}}
    data["difference"] = {
        "total": range_difference(money_range(reformed.total), money_range(baseline.total)),
        "payers": {p: range_difference(reformed_payers.get(p, nothing), baseline_payers.get(p, nothing)) for p in payers},
    }
    data["reform"] = {
        "id": reform.id,
        "title": title.as_dict() if lang is None else (title.zh if lang == "zh" else title.en),
        "digest": reform.digest,
        "rulebook": reformed_book.digest,
        "changed_rules": sorted(changed),
        "removed_rules": removed,
    }
    return data
