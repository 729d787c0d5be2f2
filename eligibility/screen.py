"""Screening a company register: every rule of a city for every company, CSV or Parquet in and out.

A register has one row per company. Its columns are the profile's facts (``standards_led.national``
for nested ones), ``prior:<rule id>`` for what a rule already paid the company, and any columns named
in ``keep`` (an identifier, a name), which are copied to the output. An empty cell is unknown.

Input is read in chunks and each chunk is evaluated by ``eligibility.batch`` and written at once, so
memory stays bounded whatever the file's size. The output is written to a temporary file beside the
target and renamed into place only when every row has been screened: a failed screening leaves no
half-written output.

Cells are read as strictly as the per-company profile: money is a non-negative integer or decimal
(string, integer or decimal column; never floating point) below 10^16 yuan with at most two decimal
places; counts are whole numbers from 0 to 10,000; booleans are true or false; enums one of their
values. A bad cell stops the screening with an error naming its column and row.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .batch import STATUSES, UNBOUNDED, BatchResult, CompiledCity, FactColumn, compile_city
from .engine import default_rulebook, parse_as_of
from .errors import InputError
from .facts import FACTS
from .model import PAYERS, Rulebook
from .money import MoneyError, parse_money
from .profile import MAX_COUNT

__all__ = ["CHUNK_ROWS", "Origins", "ScreeningSummary", "screen", "screen_file"]

#: Rows per chunk: large enough for vectorised speed, small enough to keep memory flat.
CHUNK_ROWS = 1 << 18
PRIOR = "prior:"
_GIVEN = [name for name, fact in FACTS.items() if not fact.derived]
_MAX_FEN = 10**18  # 10^16 yuan, the profile's limit
_MONEY_TYPE = pa.decimal128(19, 2)  # every fen amount below 2^63 fits
_MONEY_TEXT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_COUNT_TEXT = re.compile(r"^[0-9]+$")
_SHOWN_ROWS = 5


# -- reading cells ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Origins:
    """Where each row of a chunk comes from, when a register is a folder of files: per row, the file's
    path and the row's 0-based index within it (Arrow arrays, read only for a bad cell)."""

    files: pa.Array
    rows: pa.Array

    def file(self, index: int) -> str:
        return Path(str(self.files[index].as_py())).name

    def row(self, index: int) -> int:
        return int(self.rows[index].as_py())


def _listed(numbers: Sequence[int], total: int) -> str:
    """The first few of ``total`` row numbers."""
    shown = ", ".join(str(n) for n in numbers[:_SHOWN_ROWS])
    return shown + (f" and {total - _SHOWN_ROWS} more" if total > _SHOWN_ROWS else "")


class _CellErrors:
    """Bad cells of one chunk, gathered per column, reported with 1-based row numbers (within their
    file, and naming it, when the chunk's origins are given)."""

    def __init__(self, offset: int, origins: Origins | None = None) -> None:
        self.offset = offset
        self.origins = origins
        self.errors: dict[str, list[str]] = {}

    def add(self, column: str, rows: Sequence[int], message: str) -> None:
        if self.origins is None:
            self.errors.setdefault(column, []).append(f"Row {_listed([self.offset + r + 1 for r in rows[:_SHOWN_ROWS]], len(rows))}: {message}")
            return
        by_file: dict[str, list[int]] = {}
        for r in rows:
            by_file.setdefault(self.origins.file(r), []).append(self.origins.row(r) + 1)
        for file, numbers in by_file.items():
            self.errors.setdefault(column, []).append(f"{file}, row {_listed(sorted(numbers), len(numbers))}: {message}")

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(self.errors)


def _valid_mask(array: pa.Array) -> npt.NDArray[np.bool_]:
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind))


def _as_text(array: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    return array


def _per_cell(array: pa.Array, column: str, errors: _CellErrors, read: Callable[[Any], int]) -> FactColumn:
    """The exact, slow path: every cell through ``read`` (the profile's own parsers)."""
    values = np.zeros(len(array), dtype=np.int64)
    known = np.zeros(len(array), dtype=np.bool_)
    bad: dict[str, list[int]] = {}
    for index, cell in enumerate(array.to_pylist()):
        if cell is None:
            continue
        try:
            values[index] = read(cell)
        except ValueError as exc:
            bad.setdefault(str(exc), []).append(index)
            continue
        known[index] = True
    for message, rows in bad.items():
        errors.add(column, rows, message)
    return FactColumn(values, known)


def _money_cell(cell: Any) -> int:
    if isinstance(cell, float):
        raise ValueError("Amount must be an integer or a decimal, not a floating-point number.")
    try:
        amount = parse_money(cell.strip() if isinstance(cell, str) else cell)
    except MoneyError as exc:
        raise ValueError(f"Amount {exc}") from None
    return int(amount * 100)


def _decimal_fen(array: pa.Array) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]] | None:
    """Fen from a decimal128(_, 2) array's 16-byte values, or None when any value leaves the range."""
    words = np.frombuffer(array.buffers()[1], dtype=np.int64).reshape(-1, 2)[array.offset : array.offset + len(array)]
    valid = _valid_mask(array)
    low, high = words[:, 0], words[:, 1]
    if bool((valid & ((high != 0) | (low < 0) | (low >= _MAX_FEN))).any()):
        return None
    return np.where(valid, low, 0), valid


def _money(array: pa.Array, column: str, errors: _CellErrors) -> FactColumn:
    kind = array.type
    if pa.types.is_null(kind):
        return _unknown(len(array))
    if pa.types.is_floating(kind):
        errors.add(column, [0], 'Money must not be a floating-point column; use integers, decimals or text such as "1234.56" so amounts stay exact to the fen.')
        return _unknown(len(array))
    if pa.types.is_integer(kind):
        valid = _valid_mask(array)
        values = np.asarray(array.fill_null(0).to_numpy(), dtype=np.int64)
        bad = valid & ((values < 0) | (values >= _MAX_FEN // 100))
        if bool(bad.any()):
            return _per_cell(array, column, errors, _money_cell)
        return FactColumn(values * 100, valid)
    if pa.types.is_decimal(kind) or _is_text(kind) or pa.types.is_dictionary(kind):
        source = _as_text(array)
        if _is_text(source.type):
            source = pc.utf8_trim_whitespace(source)
            well_formed = pc.and_(pc.match_substring_regex(source, _MONEY_TEXT.pattern), pc.less_equal(pc.utf8_length(source), 40))
            if not pc.all(pc.or_kleene(well_formed, pc.is_null(source))).as_py():
                return _per_cell(array, column, errors, _money_cell)
        try:
            as_fen = _decimal_fen(source.cast(pa.decimal128(38, 2)))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            as_fen = None
        if as_fen is None:
            return _per_cell(array, column, errors, _money_cell)
        return FactColumn(*as_fen)
    errors.add(column, [0], f"Money must be integers, decimals or text; this column is {kind}.")
    return _unknown(len(array))


def _count_cell(cell: Any) -> int:
    if isinstance(cell, (bool, float)):
        raise ValueError("Must be a whole number, e.g. 2.")
    if isinstance(cell, str):
        try:
            cell = Decimal(cell.strip())
        except InvalidOperation:
            raise ValueError("Must be a whole number, e.g. 2.") from None
    if isinstance(cell, Decimal):
        if not cell.is_finite() or cell != cell.to_integral_value():
            raise ValueError("Must be a whole number; counts cannot be fractional.")
        cell = int(cell)
    if not isinstance(cell, int):
        raise ValueError("Must be a whole number, e.g. 2.")
    if cell < 0:
        raise ValueError("Must not be negative.")
    if cell > MAX_COUNT:
        raise ValueError(f"Must be between 0 and {MAX_COUNT}.")
    return cell


def _count(array: pa.Array, column: str, errors: _CellErrors) -> FactColumn:
    kind = array.type
    if pa.types.is_null(kind):
        return _unknown(len(array))
    if pa.types.is_integer(kind):
        valid = _valid_mask(array)
        values = np.asarray(array.fill_null(0).to_numpy(), dtype=np.int64)
        if bool((valid & ((values < 0) | (values > MAX_COUNT))).any()):
            return _per_cell(array, column, errors, _count_cell)
        return FactColumn(values, valid)
    if pa.types.is_floating(kind):
        errors.add(column, [0], "Counts must not be a floating-point column; use whole numbers (in pandas, the nullable Int64 type).")
        return _unknown(len(array))
    if _is_text(kind) or pa.types.is_dictionary(kind):
        source = pc.utf8_trim_whitespace(_as_text(array))
        simple = pc.match_substring_regex(source, _COUNT_TEXT.pattern)
        if pc.all(pc.or_kleene(simple, pc.is_null(source))).as_py():
            try:
                return _count(source.cast(pa.int64()), column, errors)
            except pa.ArrowInvalid:
                pass
    return _per_cell(array, column, errors, _count_cell)


def _boolean(array: pa.Array, column: str, errors: _CellErrors) -> FactColumn:
    kind = array.type
    if pa.types.is_null(kind):
        return _unknown(len(array))
    if pa.types.is_boolean(kind):
        return FactColumn(np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_), _valid_mask(array))
    if _is_text(kind) or pa.types.is_dictionary(kind):
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(_as_text(array)))
        is_true = pc.equal(lowered, "true")
        is_false = pc.equal(lowered, "false")
        valid = _valid_mask(array)
        truth = np.asarray(is_true.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)
        falsity = np.asarray(is_false.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.bool_)
        bad = np.flatnonzero(valid & ~truth & ~falsity)
        if len(bad):
            errors.add(column, bad.tolist(), "Must be true or false.")
        return FactColumn(truth, valid & (truth | falsity))
    errors.add(column, [0], f"Must be true or false; this column is {kind}.")
    return _unknown(len(array))


def _enum(array: pa.Array, column: str, name: str, errors: _CellErrors) -> FactColumn:
    choices = FACTS[name].choices
    kind = array.type
    if pa.types.is_null(kind):
        return _unknown(len(array))
    if not (_is_text(kind) or pa.types.is_dictionary(kind)):
        errors.add(column, [0], f"Must be one of: {', '.join(choices)}; this column is {kind}.")
        return _unknown(len(array))
    source = _as_text(array)
    codes = pc.index_in(source, value_set=pa.array(choices, type=source.type))
    valid = _valid_mask(array)
    found = _valid_mask(codes)
    bad = np.flatnonzero(valid & ~found)
    if len(bad):
        errors.add(column, bad.tolist(), f"Must be one of: {', '.join(choices)}.")
    return FactColumn(np.asarray(codes.fill_null(0).to_numpy(), dtype=np.int8), found)


def _unknown(size: int) -> FactColumn:
    return FactColumn(np.zeros(size, dtype=np.int64), np.zeros(size, dtype=np.bool_))


# -- the register's layout ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Which input column is which fact, which is which rule's prior payment, and which are kept."""

    facts: dict[str, str]
    prior: dict[str, str]
    keep: tuple[str, ...]

    @classmethod
    def of(cls, names: Sequence[str], rulebook: Rulebook, keep: Sequence[str]) -> _Layout:
        errors: dict[str, list[str]] = {}
        facts: dict[str, str] = {}
        prior: dict[str, str] = {}
        seen: set[str] = set()
        for name in names:
            if name in seen:
                errors.setdefault(name, []).append("The column appears twice.")
            seen.add(name)
            if name in keep:
                continue
            if name in _GIVEN:
                facts[name] = name
            elif name.startswith(PRIOR):
                rule = name[len(PRIOR) :]
                if rule not in rulebook.rules:
                    errors[name] = [f"Unknown rule '{rule}'; name a rule id such as prior:suzhou.revenue_milestone (see `subsidy rules`)."]
                prior[name] = rule
            else:
                errors[name] = [
                    f"Not a fact of the profile. Facts are: {', '.join(_GIVEN)}; "
                    f"prior:<rule id> gives what a rule already paid; other columns must be named with --keep."
                ]
        for name in keep:
            if name not in seen:
                errors[name] = ["Named to be kept, but the input has no such column."]
        if errors:
            raise InputError(errors)
        return cls(facts, prior, tuple(k for k in names if k in keep))

    def columns(self, batch: pa.RecordBatch, offset: int, origins: Origins | None = None) -> tuple[dict[str, FactColumn], dict[str, FactColumn]]:
        errors = _CellErrors(offset, origins)
        facts: dict[str, FactColumn] = {}
        for column, name in self.facts.items():
            array = batch.column(column)
            kind = FACTS[name].kind
            if kind == "money":
                facts[name] = _money(array, column, errors)
            elif kind == "count":
                facts[name] = _count(array, column, errors)
            elif kind == "bool":
                facts[name] = _boolean(array, column, errors)
            else:
                facts[name] = _enum(array, column, name, errors)
        prior = {rule: _money(batch.column(column), column, errors) for column, rule in self.prior.items()}
        errors.raise_if_any()
        return facts, prior


# -- writing results ----------------------------------------------------------------------------


def _money_array(values: npt.NDArray[np.int64], nullable: bool) -> pa.Array:
    """Fen as decimal128(19, 2), built from the integers directly; UNBOUNDED becomes null."""
    size = len(values)
    words = np.empty((size, 2), dtype=np.int64)
    words[:, 0] = values
    words[:, 1] = values >> 63
    validity = None
    if nullable:
        bounded = values != UNBOUNDED
        if not bool(bounded.all()):
            validity = pa.py_buffer(np.packbits(bounded, bitorder="little"))
    return pa.Array.from_buffers(_MONEY_TYPE, size, [validity, pa.py_buffer(words)])


_STATUS_DICTIONARY = pa.array(STATUSES)


def _output(result: BatchResult, batch: pa.RecordBatch, keep: Sequence[str], offset: int) -> pa.RecordBatch:
    columns: dict[str, pa.Array] = {name: batch.column(name) for name in keep}
    columns["row"] = pa.array(np.arange(offset + 1, offset + len(result) + 1, dtype=np.int64))
    columns["total_min"] = _money_array(result.total_low, False)
    columns["total_max"] = _money_array(result.total_high, True)
    for payer in PAYERS:
        zero = np.zeros(len(result), dtype=np.int64)
        columns[f"{payer}_min"] = _money_array(result.payer_low.get(payer, zero), False)
        columns[f"{payer}_max"] = _money_array(result.payer_high.get(payer, zero), True)
    for rule in result.rules:
        columns[f"{rule.id}:status"] = pa.DictionaryArray.from_arrays(pa.array(result.status[rule.id]), _STATUS_DICTIONARY)
        if rule.id in result.low:
            columns[f"{rule.id}:min"] = _money_array(result.low[rule.id], False)
            columns[f"{rule.id}:max"] = _money_array(result.high[rule.id], True)
    return pa.RecordBatch.from_pydict(columns)


def _exact_sum(values: npt.NDArray[np.int64]) -> int:
    """The sum of non-negative int64 values as a Python integer, without wrapping."""
    high = int(np.sum(values >> 32, dtype=np.int64))
    low = int(np.sum(values & 0xFFFFFFFF, dtype=np.int64))
    return (high << 32) + low


@dataclass
class ScreeningSummary:
    """What a screening found: rows, statuses per rule, and guaranteed and possible amounts per payer."""

    city: str
    as_of: date
    rows: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    amounts: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> {"min": fen, "max": fen}
    payers: dict[str, dict[str, int]] = field(default_factory=dict)  # payer -> {"min", "max", "unbounded"}

    def add(self, result: BatchResult) -> None:
        self.rows += len(result)
        for rule in result.rules:
            counts = self.statuses.setdefault(rule.id, dict.fromkeys(STATUSES, 0))
            tally = np.bincount(result.status[rule.id], minlength=len(STATUSES))
            for code, name in enumerate(STATUSES):
                counts[name] += int(tally[code])
            if rule.id in result.low:
                _accumulate(self.amounts.setdefault(rule.id, {"min": 0, "max": 0, "unbounded": 0}), result.low[rule.id], result.high[rule.id])
        for payer in PAYERS:
            if payer in result.payer_low:
                _accumulate(self.payers.setdefault(payer, {"min": 0, "max": 0, "unbounded": 0}), result.payer_low[payer], result.payer_high[payer])

    def as_dict(self) -> dict[str, Any]:
        def yuan(value: int) -> str:
            return f"{Decimal(value) / 100:.2f}"

        return {
            "city": self.city,
            "as_of": self.as_of.isoformat(),
            "rows": self.rows,
            "rules": [
                {
                    "rule": rule,
                    **counts,
                    **({"amount": {k: yuan(v) if k != "unbounded" else v for k, v in self.amounts[rule].items()}} if rule in self.amounts else {}),
                }
                for rule, counts in self.statuses.items()
            ],
            "payers": [{"payer": p, "min": yuan(a["min"]), "max": yuan(a["max"]), "unbounded_rows": a["unbounded"]} for p, a in self.payers.items()],
        }


def _accumulate(into: dict[str, int], low: npt.NDArray[np.int64], high: npt.NDArray[np.int64]) -> None:
    bounded = high != UNBOUNDED
    into["min"] += _exact_sum(low)
    into["max"] += _exact_sum(np.where(bounded, high, 0))
    into["unbounded"] += int(np.count_nonzero(~bounded))


# -- screening ------------------------------------------------------------------------------------


def _compile(city: str, as_of: date | str, rulebook: Rulebook | None) -> CompiledCity:
    book = rulebook or default_rulebook()
    errors: dict[str, list[str]] = {}
    found = book.resolve_city(city)
    if found is None:
        errors["city"] = [book.unknown_city(city)]
    day: date | None = None
    try:
        day = parse_as_of(as_of)
    except InputError as exc:
        errors.update(exc.errors)
    if errors:
        raise InputError(errors)
    assert day is not None and found is not None
    return compile_city(book, found, day)


def _screen_batches(batches: Iterator[pa.RecordBatch], layout: _Layout, compiled: CompiledCity, summary: ScreeningSummary) -> Iterator[pa.RecordBatch]:
    offset = 0
    for batch in batches:
        if len(batch) == 0:
            continue
        facts, prior = layout.columns(batch, offset)
        for start, result in compiled.slices(len(batch), facts, prior, offset):
            summary.add(result)
            yield _output(result, batch.slice(start, len(result)), layout.keep, offset + start)
        offset += len(batch)


def screen(
    data: Any,
    city: str,
    as_of: date | str,
    *,
    keep: Sequence[str] = (),
    rulebook: Rulebook | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> pa.Table:
    """Screen a register held in memory: a pyarrow Table, or anything ``pyarrow.table`` accepts
    (a pandas or Polars DataFrame, a dict of columns). Returns a pyarrow Table, one row per company.

    Raises InputError naming the column (and row) for anything the per-company engine would refuse.
    """
    compiled = _compile(city, as_of, rulebook)
    table = data if isinstance(data, pa.Table) else pa.table(data)
    if "__index_level_0__" in table.column_names:
        table = table.drop_columns(["__index_level_0__"])
    layout = _Layout.of(table.column_names, rulebook or default_rulebook(), keep)
    summary = ScreeningSummary(compiled.city, compiled.as_of)
    batches = list(_screen_batches(iter(table.to_batches(max_chunksize=chunk_rows)), layout, compiled, summary))
    if not batches:
        batches = [_empty_output(table.schema, layout, compiled)]
    return pa.Table.from_batches(batches)


def _empty_output(schema: pa.Schema, layout: _Layout, compiled: CompiledCity) -> pa.RecordBatch:
    """The output of a register with no rows: the same columns, no rows."""
    empty = pa.RecordBatch.from_pylist([], schema=schema)
    return _output(compiled.run(0, {}, {}, 0), empty, layout.keep, 0)


# -- files ------------------------------------------------------------------------------------


def _format(path: Path, option: str) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError.single(option, f"{path.name}: name a .csv or .parquet file.")


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def _read(path: Path, chunk_rows: int) -> tuple[pa.Schema, Iterator[pa.RecordBatch], int | None]:
    """The input's schema, a stream of its batches and (for Parquet) its row count."""
    if _format(path, "INPUT") == "parquet":
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError.single("INPUT", f"{path.name} is not a readable Parquet file: {exc}") from None
        return parquet.schema_arrow, parquet.iter_batches(batch_size=chunk_rows), parquet.metadata.num_rows
    try:
        names = _csv_header(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single("INPUT", f"{path.name} is not a readable UTF-8 CSV file: {exc}") from None
    if not names:
        raise InputError.single("INPUT", f"{path.name} has no header row.")
    ragged: list[Any] = []

    def refuse_later(row: Any) -> str:
        ragged.append(row)  # named in an InputError once the block is read; see _csv_batches
        return "skip"

    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=16 << 20),
            parse_options=pa_csv.ParseOptions(invalid_row_handler=refuse_later),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputError.single("INPUT", f"The CSV file cannot be read: {exc}") from None
    return reader.schema, _csv_batches(reader, chunk_rows, ragged, path), None


def _refuse_ragged(ragged: list[Any], path: Path) -> None:
    """A row with more or fewer fields than the header is an error naming its line, never a guess.

    Arrow's streaming reader does not know a bad row's line number, so the file is read again with
    Python's csv module to find them (only when there is such a row).
    """
    if not ragged:
        return
    messages: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        expected = len(next(rows, []))
        for row in rows:
            if row and len(row) != expected:
                messages.append(f"Line {rows.line_num} has {len(row)} fields where the header has {expected}.")
                if len(messages) == _SHOWN_ROWS:
                    break
    raise InputError({"INPUT": messages or [f"A row has {ragged[0].actual_columns} fields where the header has {ragged[0].expected_columns}."]})


def _csv_batches(reader: Any, chunk_rows: int, ragged: list[Any], path: Path) -> Iterator[pa.RecordBatch]:
    try:
        for batch in reader:
            _refuse_ragged(ragged, path)
            for start in range(0, len(batch), chunk_rows):
                yield batch.slice(start, chunk_rows)
        _refuse_ragged(ragged, path)
    except pa.ArrowInvalid as exc:
        raise InputError.single("INPUT", f"The CSV file cannot be read: {exc}") from None


class _Writer:
    """Writes batches to a temporary file beside ``path``; ``commit`` renames it into place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = _format(path, "--out")
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self._writer: Any = None
        self._file: io.BufferedWriter | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        if self._writer is None:
            if self.kind == "parquet":
                self._writer = pq.ParquetWriter(self.temporary, batch.schema, compression="zstd")
            else:
                self._file = self.temporary.open("wb")
                self._writer = pa_csv.CSVWriter(self._file, _csv_schema(batch.schema))
        if self.kind == "csv":
            batch = batch.cast(_csv_schema(batch.schema))
        self._writer.write_batch(batch)

    @property
    def started(self) -> bool:
        return self._writer is not None

    def commit(self) -> None:
        self._close()
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        self._close()
        self.temporary.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._file is not None:
            self._file.close()
            self._file = None


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    """CSV has no dictionaries: statuses are written as their text."""
    return pa.schema([pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema])


def screen_file(
    source: Path,
    target: Path,
    city: str,
    as_of: date | str,
    *,
    keep: Sequence[str] = (),
    rulebook: Rulebook | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[int, int | None], None] | None = None,
) -> ScreeningSummary:
    """Screen the register in ``source`` (CSV or Parquet) into ``target`` (CSV or Parquet), chunk by chunk.

    ``progress(rows_done, rows_total_or_None)`` is called after each chunk. Nothing is left at
    ``target`` unless every row was screened.
    """
    compiled = _compile(city, as_of, rulebook)
    _format(target, "--out")
    if not source.is_file():
        raise InputError.single("INPUT", f"{source} does not exist or is not a file.")
    schema, batches, total = _read(source, chunk_rows)
    layout = _Layout.of(schema.names, rulebook or default_rulebook(), keep)
    summary = ScreeningSummary(compiled.city, compiled.as_of)
    writer = _Writer(target)
    try:
        for output in _screen_batches(batches, layout, compiled, summary):
            writer.write(output)
            if progress is not None:
                progress(summary.rows, total)
        if not writer.started:
            writer.write(_empty_output(schema, layout, compiled))
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    return summary
