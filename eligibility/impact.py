"""The budget impact of a reform on a register: every company screened under the text in force and
under the reform, with the difference per company and in all (the screening extra).

Per company: the baseline and reformed totals and payer shares, and their difference (guaranteed
minus guaranteed, potential minus potential; a potential that is unbounded on either side makes its
difference unknown, null). In all: rows, beneficiaries, totals by payer, winners (more guaranteed
under the reform), losers (less) and unchanged, exact to the fen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from .batch import UNBOUNDED, BatchResult, CompiledCity
from .engine import default_rulebook
from .errors import InputError
from .model import PAYERS, Rulebook
from .reform import Reform, apply_reform
from .screen import CHUNK_ROWS, _compile, _exact_sum, _format, _Layout, _money_array, _read, _Writer

__all__ = ["ImpactSummary", "impact_file"]

_Ints = np.ndarray[Any, np.dtype[np.int64]]


@dataclass
class _Side:
    """Sums over the register for one rulebook, in fen."""

    low: int = 0
    high: int = 0
    unbounded: int = 0
    beneficiaries: int = 0
    payers: dict[str, list[int]] = field(default_factory=dict)  # payer -> [low, high, unbounded rows]
    rules: dict[str, int] = field(default_factory=dict)  # rule -> guaranteed

    def add(self, result: BatchResult) -> None:
        bounded = result.total_high != UNBOUNDED
        self.low += _exact_sum(result.total_low)
        self.high += _exact_sum(np.where(bounded, result.total_high, 0))
        self.unbounded += int(np.count_nonzero(~bounded))
        self.beneficiaries += int(np.count_nonzero(result.total_low > 0))
        for payer in PAYERS:
            if payer in result.payer_low:
                slot = self.payers.setdefault(payer, [0, 0, 0])
                high = result.payer_high[payer]
                fine = high != UNBOUNDED
                slot[0] += _exact_sum(result.payer_low[payer])
                slot[1] += _exact_sum(np.where(fine, high, 0))
                slot[2] += int(np.count_nonzero(~fine))
        for rule, low in result.low.items():
            self.rules[rule] = self.rules.get(rule, 0) + _exact_sum(low)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": {"min": _yuan(self.low), "max": None if self.unbounded else _yuan(self.high)},
            "beneficiaries": self.beneficiaries,
            "payers": {p: {"min": _yuan(v[0]), "max": None if v[2] else _yuan(v[1])} for p, v in self.payers.items()},
        }


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


@dataclass
class ImpactSummary:
    """What a reform does to a register, in all."""

    city: str
    as_of: date
    reform: Reform
    rows: int = 0
    baseline: _Side = field(default_factory=_Side)
    reformed: _Side = field(default_factory=_Side)
    winners: int = 0
    losers: int = 0
    unchanged: int = 0
    #: Per company, how much the guaranteed total changed (fen), for the distribution; changed rows only.
    changes: list[_Ints] = field(default_factory=list)

    def add(self, before: BatchResult, after: BatchResult) -> None:
        self.rows += len(before)
        self.baseline.add(before)
        self.reformed.add(after)
        change = after.total_low - before.total_low
        self.winners += int(np.count_nonzero(change > 0))
        self.losers += int(np.count_nonzero(change < 0))
        self.unchanged += int(np.count_nonzero(change == 0))
        moved = change[change != 0]
        if len(moved):
            self.changes.append(moved)

    def delta(self) -> dict[str, Any]:
        before, after = self.baseline, self.reformed
        payers = list(dict.fromkeys([*after.payers, *before.payers]))
        none = [0, 0, 0]

        def high(a: list[int], b: list[int]) -> str | None:
            return None if a[2] or b[2] else _yuan(a[1] - b[1])

        return {
            "total": {"min": _yuan(after.low - before.low), "max": None if after.unbounded or before.unbounded else _yuan(after.high - before.high)},
            "beneficiaries": after.beneficiaries - before.beneficiaries,
            "payers": {
                p: {
                    "min": _yuan(after.payers.get(p, none)[0] - before.payers.get(p, none)[0]),
                    "max": high(after.payers.get(p, none), before.payers.get(p, none)),
                }
                for p in payers
            },
        }

    def drivers(self) -> list[tuple[str, str]]:
        """The rules whose guaranteed total changed, most first: (rule, change in yuan)."""
        rules = set(self.baseline.rules) | set(self.reformed.rules)
        moved = [(rule, self.reformed.rules.get(rule, 0) - self.baseline.rules.get(rule, 0)) for rule in rules]
        return [(rule, _yuan(fen)) for rule, fen in sorted(moved, key=lambda item: -abs(item[1])) if fen]

    def as_dict(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "as_of": self.as_of.isoformat(),
            "reform_applied": {"id": self.reform.id, "title": self.reform.title.as_dict(), "digest": self.reform.digest},
            "rows": self.rows,
            "baseline": self.baseline.as_dict(),
            "reform": self.reformed.as_dict(),
            "delta": self.delta(),
            "winners": self.winners,
            "losers": self.losers,
            "unchanged": self.unchanged,
            "drivers": [{"rule": rule, "min": change} for rule, change in self.drivers()],
        }


def _difference(after: _Ints, before: _Ints, nullable: bool) -> pa.Array:
    if not nullable:
        return _money_array(after - before, False)
    unknown = (after == UNBOUNDED) | (before == UNBOUNDED)
    return _money_array(np.where(unknown, UNBOUNDED, after - before), True)


def _output(before: BatchResult, after: BatchResult, batch: pa.RecordBatch, keep: Sequence[str], offset: int) -> pa.RecordBatch:
    columns: dict[str, pa.Array] = {name: batch.column(name) for name in keep}
    columns["row"] = pa.array(np.arange(offset + 1, offset + len(before) + 1, dtype=np.int64))
    for prefix, result in (("baseline", before), ("reform", after)):
        columns[f"{prefix}_total_min"] = _money_array(result.total_low, False)
        columns[f"{prefix}_total_max"] = _money_array(result.total_high, True)
    columns["delta_total_min"] = _difference(after.total_low, before.total_low, False)
    columns["delta_total_max"] = _difference(after.total_high, before.total_high, True)
    zero = np.zeros(len(before), dtype=np.int64)
    for payer in PAYERS:
        for prefix, result in (("baseline", before), ("reform", after)):
            columns[f"{prefix}_{payer}_min"] = _money_array(result.payer_low.get(payer, zero), False)
            columns[f"{prefix}_{payer}_max"] = _money_array(result.payer_high.get(payer, zero), True)
        columns[f"delta_{payer}_min"] = _difference(after.payer_low.get(payer, zero), before.payer_low.get(payer, zero), False)
        columns[f"delta_{payer}_max"] = _difference(after.payer_high.get(payer, zero), before.payer_high.get(payer, zero), True)
    return pa.RecordBatch.from_pydict(columns)


def _batches(
    batches: Iterator[pa.RecordBatch], layout: _Layout, base: CompiledCity, reformed: CompiledCity, summary: ImpactSummary
) -> Iterator[pa.RecordBatch]:
    offset = 0
    for batch in batches:
        if len(batch) == 0:
            continue
        facts, prior = layout.columns(batch, offset)
        pairs = zip(base.slices(len(batch), facts, prior, offset), reformed.slices(len(batch), facts, prior, offset), strict=True)
        for (start, before), (_, after) in pairs:
            summary.add(before, after)
            yield _output(before, after, batch.slice(start, len(before)), layout.keep, offset + start)
        offset += len(batch)


def impact_file(
    source: Path,
    target: Path,
    city: str,
    as_of: date | str,
    reform: Reform,
    *,
    keep: Sequence[str] = (),
    rulebook: Rulebook | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImpactSummary:
    """Screen the register in ``source`` under the text in force and under ``reform`` into ``target``.

    Nothing is left at ``target`` unless every row was screened; a reform that does not fit the
    rulebook raises RuleFileError naming it, a bad cell InputError naming column and row.
    """
    book = rulebook or default_rulebook()
    reformed_book = apply_reform(book, reform)
    base = _compile(city, as_of, book)
    reformed = _compile(city, as_of, reformed_book)
    _format(target, "--out")
    if not source.is_file():
        raise InputError.single("INPUT", f"{source} does not exist or is not a file.")
    schema, batches, total = _read(source, chunk_rows)
    layout = _Layout.of(schema.names, book, keep)
    summary = ImpactSummary(base.city, base.as_of, reform)
    writer = _Writer(target)
    try:
        for output in _batches(batches, layout, base, reformed, summary):
            writer.write(output)
            if progress is not None:
                progress(summary.rows, total)
        if not writer.started:
            empty = pa.RecordBatch.from_pylist([], schema=schema)
            writer.write(_output(base.run(0, {}, {}, 0), reformed.run(0, {}, {}, 0), empty, layout.keep, 0))
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    return summary
