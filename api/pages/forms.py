"""The pages' forms: field names as in the JSON API, read into the engine's request, errors by field.

A form's fields carry the API's names: ``city``, ``district``, ``as_of``, every profile fact by its
name (``standards_led.national`` for nested ones) and ``prior_awards`` with rows
``prior_awards[0].rule``, ``.amount``, ``.year``. A blank field is unknown: it is left out of the
profile, never read as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from eligibility import FACTS

__all__ = ["GIVEN_FACTS", "PRIOR_ROWS", "EstimateForm", "read_estimate", "read_profile"]

#: The facts a company gives (derived ones are worked out), in the catalogue's order.
GIVEN_FACTS = [name for name, fact in FACTS.items() if not fact.derived]
#: Rows of the award history a form shows at least (more when more are given).
PRIOR_ROWS = 3


@dataclass
class EstimateForm:
    """What a form said, as typed (to show it again), and the request it makes."""

    values: dict[str, str] = field(default_factory=dict)
    prior_rows: list[dict[str, str]] = field(default_factory=list)
    prior_mode: str = "none"  # none, list, unknown
    profile: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def _money(text: str) -> str:
    """Money as typed, with the thousands separators people write taken out: ``2,740,000.00``."""
    return text.replace(",", "").replace("，", "").replace(" ", "")


def read_profile(form: Mapping[str, str] | MultiDict[str, str], into: EstimateForm) -> None:
    """Read the profile's fields of ``form`` into ``into.profile``; the engine validates them later."""
    for name in GIVEN_FACTS:
        text = (form.get(name) or "").strip()
        into.values[name] = text
        if not text:
            continue  # unknown, never zero
        kind = FACTS[name].kind
        value: Any = text
        if kind == "bool":
            value = {"true": True, "false": False}.get(text, text)
        elif kind == "money":
            value = _money(text)
        elif kind == "count":
            value = int(text) if text.isdigit() else text
        if name.startswith("standards_led."):
            into.profile.setdefault("standards_led", {})[name.split(".", 1)[1]] = value
        else:
            into.profile[name] = value
    mode = form.get("prior_awards") or "none"
    into.prior_mode = mode if mode in ("none", "list", "unknown") else "none"
    rows: list[dict[str, str]] = []
    index = 0
    while f"prior_awards[{index}].rule" in form or f"prior_awards[{index}].amount" in form:
        row = {part: (form.get(f"prior_awards[{index}].{part}") or "").strip() for part in ("rule", "amount", "year")}
        rows.append(row)
        index += 1
    into.prior_rows = rows
    if into.prior_mode == "unknown":
        return
    awards = []
    for number, row in enumerate(rows):
        if not any(row.values()):
            continue
        if into.prior_mode != "list":
            into.prior_mode = "list"  # a row filled in means there is a history, whatever the choice said
        year: Any = int(row["year"]) if row["year"].isdigit() else row["year"] or None
        awards.append({"rule": row["rule"], "amount": _money(row["amount"]) or None, "year": year, "_row": number})
    into.profile["prior_awards"] = awards


def read_estimate(form: Mapping[str, str] | MultiDict[str, str]) -> EstimateForm:
    """The estimate form: where, when and the profile."""
    read = EstimateForm()
    for name in ("city", "district", "as_of"):
        read.values[name] = (form.get(name) or "").strip()
    read_profile(form, read)
    return read


def form_errors(errors: Mapping[str, list[str]], awards: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The engine's errors by the form's field names: ``profile.x`` is the field ``x``, and
    ``profile.prior_awards[i]`` the row the person typed (blank rows are not sent)."""
    found: dict[str, list[str]] = {}
    for path, messages in errors.items():
        name = path.removeprefix("profile.")
        if name.startswith("prior_awards[") and "]" in name:
            position = int(name[len("prior_awards[") : name.index("]")])
            if position < len(awards):
                name = f"prior_awards[{awards[position]['_row']}]" + name[name.index("]") + 1 :]
        found.setdefault(name, []).extend(messages)
    return found
