"""Screening a register on Apache Spark: the same compiled batch evaluator, one Arrow batch at a time.

A province's register of market entities lives on the platform its data already is on. This screens
a Spark DataFrame with the columns of ``subsidy screen`` through ``DataFrame.mapInArrow``: each Arrow
batch is evaluated by the compiled rulebook exactly as ``eligibility.screen`` evaluates a chunk of a
file, so the output has the same columns and, to the fen, the same values (money as
``decimal(19,2)``, statuses as text). The summary (statuses per rule, guaranteed and possible amounts
per payer) is computed by Spark aggregations, exact in decimal.

Executors need nothing but this package: the rulebook ships inside it. A bad cell is reported as
locally, naming its column, its file and its row within the file, and nothing is written.

Needs the ``spark`` extra (``pip install 'subsidy-eligibility[spark]'``) and a Java runtime.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .batch import STATUSES, CompiledCity, compile_city
from .engine import default_rulebook
from .errors import InputError
from .model import PAYERS, Rulebook
from .screen import CHUNK_ROWS, Origins, ScreeningSummary, _compile, _empty_output, _Layout, _output

__all__ = ["open_session", "screen_dataframe", "screen_folder", "session", "summarise"]

_FILE, _ROW = "__subsidy_file", "__subsidy_row"
#: Bad cells found on an executor travel to the driver inside the task's error, after this marker.
_MARKER = "subsidy-input-error:"
_MONEY = T.DecimalType(19, 2)


def open_session(master: str, app_name: str = "subsidy-eligibility") -> SparkSession:
    """A Spark session on ``master`` (``local[2]``, ``spark://host:7077``, ``yarn``...).

    In local mode the Python workers are this interpreter (where this package is installed); on a
    cluster they are whatever ``PYSPARK_PYTHON`` names there, with the package installed."""
    if master.startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # read when the JVM starts its workers
    return (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        # Arrow batches as large as a local screening's chunks: the batch evaluator's cost is per batch.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(CHUNK_ROWS))
        .getOrCreate()
    )


@contextmanager
def session(master: str) -> Iterator[SparkSession]:
    """A Spark session for a command: the one already running in this process, if any (left running),
    else a new one on ``master``, stopped at the end."""
    running = SparkSession.getActiveSession()
    spark = running or open_session(master)
    try:
        yield spark
    finally:
        if running is None:
            spark.stop()


@lru_cache(maxsize=8)
def _compiled(city: str, day: date, rulebook: Rulebook | None) -> CompiledCity:
    """The city's compiled rulebook, once per Python worker (Spark reuses its workers between tasks)."""
    return compile_city(rulebook or default_rulebook(), city, day)


def _spark_type(field: pa.Field) -> T.DataType:
    if pa.types.is_decimal(field.type):
        return _MONEY
    if pa.types.is_int64(field.type):
        return T.LongType()
    return T.StringType()  # statuses


def _with_origins(frame: DataFrame) -> tuple[DataFrame, bool]:
    """``frame`` with each row's file and row index, when it was read from files."""
    try:
        return frame.select("*", F.col("_metadata.file_name").alias(_FILE), F.col("_metadata.row_index").alias(_ROW)), True
    except Exception:  # not read from files (or a source without row indexes): rows are numbered per partition
        return frame, False


def screen_dataframe(frame: DataFrame, city: str, as_of: date | str, *, keep: Sequence[str] = (), rulebook: Rulebook | None = None) -> DataFrame:
    """Screen ``frame`` (a register's columns) against every rule of ``city`` on ``as_of``.

    Returns a DataFrame with the columns of ``subsidy screen``'s output: the kept columns, ``row``
    (the row's 1-based number within its input file), totals and payer shares as ``decimal(19,2)``
    (``null`` where unbounded), and each rule's status and amount. Lazy, like every DataFrame: bad
    cells surface as an InputError when it is computed through :func:`screen_folder` or :func:`collect`.
    """
    compiled = _compile(city, as_of, rulebook)  # refuses an unknown city or a bad date on the driver
    book = rulebook or default_rulebook()
    layout = _Layout.of(frame.columns, book, keep)  # refuses unknown columns on the driver
    empty = _empty_output(pa.schema([]), _Layout({}, {}, ()), compiled)
    fields = [next(f for f in frame.schema.fields if f.name == name) for name in layout.keep]
    fields += [T.StructField(f.name, _spark_type(f), True) for f in empty.schema]
    schema = T.StructType(fields)
    framed, located = _with_origins(frame)
    shipped = rulebook  # None: executors load the rulebook shipped in the package
    city_id, day = compiled.city, compiled.as_of

    names = framed.columns
    # PySpark hands the columns to mapInArrow by name, and a name with a dot (standards_led.national)
    # would be read as a field of a struct: they travel under plain names and are named again inside.
    plain = framed.toDF(*[f"c{index}" for index in range(len(names))])

    def evaluate(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        evaluator = _compiled(city_id, day, shipped)
        seen = 0
        for batch in batches:
            if len(batch) == 0:
                continue
            # A column with no value at all is unknown whatever its type: Spark reads Parquet's null type as int.
            columns = [pa.nulls(len(c)) if c.null_count == len(c) else c for c in batch.columns]
            batch = pa.RecordBatch.from_arrays(columns, names=names)
            origins = None
            if located:
                origins = Origins(batch.column(_FILE), batch.column(_ROW))
                batch = batch.drop_columns([_FILE, _ROW])
            try:
                facts, prior = layout.columns(batch, seen, origins)
            except InputError as exc:
                raise RuntimeError(_MARKER + json.dumps(exc.errors)) from None
            result = evaluator.run(len(batch), facts, prior, seen)
            out = _output(result, batch, layout.keep, seen)
            if origins is not None:
                out = out.set_column(out.schema.get_field_index("row"), "row", pc.add(origins.rows.cast(pa.int64()), 1))
            yield pa.RecordBatch.from_arrays(
                [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column for column in out.columns], names=out.schema.names
            )
            seen += len(batch)

    return plain.mapInArrow(evaluate, schema)


def _input_errors(error: BaseException) -> InputError | None:
    """The bad cells an executor reported, from a failed Spark job's error."""
    found = re.search(re.escape(_MARKER) + r"(\{.*?\})\s*$", str(error), re.M)
    return InputError(json.loads(found.group(1))) if found else None


def summarise(screened: DataFrame, city: str, as_of: date | str, rulebook: Rulebook | None = None) -> ScreeningSummary:
    """The screening summary of ``screened`` by Spark aggregations: statuses per rule, and the sums of
    guaranteed and possible amounts (exact, in decimal) per rule and payer, rows without a bound counted."""
    compiled = _compile(city, as_of, rulebook)
    rules = [r.rule.id for r in compiled.rules]
    money = [r for r in rules if f"{r}:min" in screened.columns]
    aggregates: list[Any] = [F.count(F.lit(1)).alias("rows")]
    for rule in rules:
        for code, status in enumerate(STATUSES):
            aggregates.append(F.sum(F.when(F.col(f"`{rule}:status`") == status, 1).otherwise(0)).alias(f"s{rules.index(rule)}_{code}"))
    named = [(f"r{rules.index(r)}", r) for r in money] + [(f"p{PAYERS.index(p)}", p) for p in PAYERS]
    for alias, column in named:
        aggregates += [
            F.sum(f"`{column}:min`" if column in money else f"`{column}_min`").alias(f"{alias}_min"),
            F.sum(f"`{column}:max`" if column in money else f"`{column}_max`").alias(f"{alias}_max"),
            F.sum(F.when(F.col(f"`{column}:max`" if column in money else f"`{column}_max`").isNull(), 1).otherwise(0)).alias(f"{alias}_unbounded"),
        ]
    row = screened.agg(*aggregates).collect()[0].asDict()
    summary = ScreeningSummary(compiled.city, compiled.as_of, rows=int(row["rows"]))

    def fen(value: Any) -> int:
        return 0 if value is None else int(value * 100)

    for index, rule in enumerate(rules):
        summary.statuses[rule] = {status: int(row[f"s{index}_{code}"] or 0) for code, status in enumerate(STATUSES)}
    paying = compiled.run(0, {}, {}, 0).payer_low  # the payers the city's rules name, as the local summary lists them
    for alias, column in named:
        if column in money or column in paying:
            into = summary.amounts if column in money else summary.payers
            into[column] = {"min": fen(row[f"{alias}_min"]), "max": fen(row[f"{alias}_max"]), "unbounded": int(row[f"{alias}_unbounded"] or 0)}
    return summary


def screen_folder(
    spark: SparkSession, source: str, target: str, city: str, as_of: date | str, *, keep: Sequence[str] = (), rulebook: Rulebook | None = None
) -> ScreeningSummary:
    """Screen the Parquet dataset at ``source`` (a folder of files, or one file) into a Parquet dataset at
    ``target``, and summarise it. Written beside ``target`` first and moved into place only when every
    row was screened (for a local or mounted target); a bad cell raises InputError and writes nothing."""
    try:
        frame = spark.read.parquet(source)
    except Exception as exc:
        raise InputError.single("INPUT", f"{source} is not a readable Parquet dataset: {str(exc).splitlines()[0]}") from None
    screened = screen_dataframe(frame, city, as_of, keep=keep, rulebook=rulebook)
    local = "://" not in target or target.startswith("file://")
    destination = Path(target.removeprefix("file://")) if local else None
    staging = str(destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")) if destination is not None else target
    try:
        screened.write.mode("errorifexists").parquet(staging)
    except Exception as exc:
        if destination is not None:
            shutil.rmtree(staging, ignore_errors=True)
        found = _input_errors(exc)
        if found is not None:
            raise found from None
        raise
    if destination is not None:  # replace an earlier output only now that the new one is whole
        if destination.exists():
            old = destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.old")
            destination.rename(old)
            Path(staging).rename(destination)
            shutil.rmtree(old, ignore_errors=True)
        else:
            Path(staging).rename(destination)
    return summarise(spark.read.parquet(target), city, as_of, rulebook)
