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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .batch import STATUSES, CompiledCity, FactColumn, compile_city
from .engine import default_rulebook
from .errors import InputError
from .impact import ImpactSummary
from .impact import _output as _impact_output
from .model import PAYERS, Rulebook
from .reform import Reform, apply_reform
from .screen import CHUNK_ROWS, Origins, ScreeningSummary, _compile, _empty_output, _Layout, _money_array, _output

__all__ = ["impact_dataframe", "impact_folder", "open_session", "screen_dataframe", "screen_folder", "session", "summarise", "summarise_impact"]

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


_COMPILED: dict[tuple[str, date, str], CompiledCity] = {}


def _compiled(city: str, day: date, rulebook: Rulebook | None) -> CompiledCity:
    """The city's compiled rulebook, once per Python worker (Spark reuses its workers between tasks);
    ``None`` is the rulebook shipped in the package."""
    book = rulebook or default_rulebook()
    key = (city, day, book.digest)
    if key not in _COMPILED:
        _COMPILED[key] = compile_city(book, city, day)
    return _COMPILED[key]


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


#: What one batch of a register becomes: (facts, prior, the batch, rows before it) -> output columns.
_Evaluate = Callable[[dict[str, FactColumn], dict[str, FactColumn], pa.RecordBatch, int], pa.RecordBatch]


def _map_register(frame: DataFrame, layout: _Layout, columns: Sequence[pa.Field], evaluate: Callable[[], _Evaluate]) -> DataFrame:
    """``frame`` through ``mapInArrow``: each Arrow batch read as ``layout`` says (bad cells named with
    their file and row), evaluated by what ``evaluate()`` returns on the executor, with the kept columns
    first, ``row`` the row's number within its file, and ``columns`` after them."""
    fields = [next(f for f in frame.schema.fields if f.name == name) for name in layout.keep]
    fields += [T.StructField("row", T.LongType(), True)] + [T.StructField(f.name, _spark_type(f), True) for f in columns]
    schema = T.StructType(fields)
    framed, located = _with_origins(frame)
    names = framed.columns
    # PySpark hands the columns to mapInArrow by name, and a name with a dot (standards_led.national)
    # would be read as a field of a struct: they travel under plain names and are named again inside.
    plain = framed.toDF(*[f"c{index}" for index in range(len(names))])

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        each = evaluate()
        seen = 0
        for batch in batches:
            if len(batch) == 0:
                continue
            # A column with no value at all is unknown whatever its type: Spark reads Parquet's null type as int.
            arrays = [pa.nulls(len(c)) if c.null_count == len(c) else c for c in batch.columns]
            batch = pa.RecordBatch.from_arrays(arrays, names=names)
            origins = None
            if located:
                origins = Origins(batch.column(_FILE), batch.column(_ROW))
                batch = batch.drop_columns([_FILE, _ROW])
            try:
                facts, prior = layout.columns(batch, seen, origins)
            except InputError as exc:
                raise RuntimeError(_MARKER + json.dumps(exc.errors)) from None
            out = each(facts, prior, batch, seen)
            if origins is not None:
                out = out.set_column(out.schema.get_field_index("row"), "row", pc.add(origins.rows.cast(pa.int64()), 1))
            yield pa.RecordBatch.from_arrays(
                [column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column for column in out.columns], names=out.schema.names
            )
            seen += len(batch)

    return plain.mapInArrow(run, schema)


def screen_dataframe(frame: DataFrame, city: str, as_of: date | str, *, keep: Sequence[str] = (), rulebook: Rulebook | None = None) -> DataFrame:
    """Screen ``frame`` (a register's columns) against every rule of ``city`` on ``as_of``.

    Returns a DataFrame with the columns of ``subsidy screen``'s output: the kept columns, ``row``
    (the row's 1-based number within its input file), totals and payer shares as ``decimal(19,2)``
    (``null`` where unbounded), and each rule's status and amount. Lazy, like every DataFrame: bad
    cells surface as an InputError when it is written through :func:`screen_folder`.
    """
    compiled = _compile(city, as_of, rulebook)  # refuses an unknown city or a bad date on the driver
    layout = _Layout.of(frame.columns, rulebook or default_rulebook(), keep)  # refuses unknown columns on the driver
    empty = _empty_output(pa.schema([]), _Layout({}, {}, ()), compiled)
    shipped, city_id, day = rulebook, compiled.city, compiled.as_of  # None: executors load the packaged rulebook

    def evaluate() -> _Evaluate:
        evaluator = _compiled(city_id, day, shipped)

        def each(facts: dict[str, FactColumn], prior: dict[str, FactColumn], batch: pa.RecordBatch, seen: int) -> pa.RecordBatch:
            return _output(evaluator.run(len(batch), facts, prior, seen), batch, layout.keep, seen)

        return each

    return _map_register(frame, layout, [f for f in empty.schema if f.name != "row"], evaluate)


#: Hidden columns of an impact: each rule's guaranteed amount on each side, for the summary's drivers.
_RULE_LOW = "__{side}_low:{rule}"


def impact_dataframe(
    frame: DataFrame, city: str, as_of: date | str, reform: Reform, *, keep: Sequence[str] = (), rulebook: Rulebook | None = None
) -> tuple[DataFrame, list[str]]:
    """The budget impact of ``reform`` on ``frame``: the columns of ``subsidy impact``'s output, and
    hidden per-rule columns for :func:`summarise_impact` (their names are returned; drop them to write)."""
    book = rulebook or default_rulebook()
    reformed_book = apply_reform(book, reform)  # a reform that does not fit refuses here, on the driver
    base, reformed = _compile(city, as_of, book), _compile(city, as_of, reformed_book)
    layout = _Layout.of(frame.columns, book, keep)
    empty = pa.RecordBatch.from_pylist([], schema=pa.schema([]))
    zero_base, zero_reform = base.run(0, {}, {}, 0), reformed.run(0, {}, {}, 0)
    visible = [f for f in _impact_output(zero_base, zero_reform, empty, (), 0).schema if f.name != "row"]
    hidden = [_RULE_LOW.format(side="baseline", rule=r) for r in zero_base.low] + [_RULE_LOW.format(side="reform", rule=r) for r in zero_reform.low]
    shipped, city_id, day = rulebook, base.city, base.as_of

    def evaluate() -> _Evaluate:
        before_city, after_city = _compiled(city_id, day, shipped), _compiled(city_id, day, reformed_book)

        def each(facts: dict[str, FactColumn], prior: dict[str, FactColumn], batch: pa.RecordBatch, seen: int) -> pa.RecordBatch:
            before, after = before_city.run(len(batch), facts, prior, seen), after_city.run(len(batch), facts, prior, seen)
            out = _impact_output(before, after, batch, layout.keep, seen)
            for side, result in (("baseline", before), ("reform", after)):
                for rule, low in result.low.items():
                    out = out.append_column(_RULE_LOW.format(side=side, rule=rule), _money_array(low, False))
            return out

        return each

    columns = visible + [pa.field(name, pa.decimal128(19, 2)) for name in hidden]
    return _map_register(frame, layout, columns, evaluate), hidden


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


def _read(spark: SparkSession, source: str) -> DataFrame:
    try:
        return spark.read.parquet(source)
    except Exception as exc:
        raise InputError.single("INPUT", f"{source} is not a readable Parquet dataset: {str(exc).splitlines()[0]}") from None


def _write(frame: DataFrame, target: str) -> None:
    """Write ``frame`` as a Parquet dataset at ``target``: beside it first, moved into place only when
    whole (for a local or mounted target); a bad cell an executor found raises InputError, nothing written."""
    local = "://" not in target or target.startswith("file://")
    destination = Path(target.removeprefix("file://")) if local else None
    staging = str(destination.with_name(f".{destination.name}.{uuid.uuid4().hex}.partial")) if destination is not None else target
    try:
        frame.write.mode("errorifexists").parquet(staging)
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


def screen_folder(
    spark: SparkSession, source: str, target: str, city: str, as_of: date | str, *, keep: Sequence[str] = (), rulebook: Rulebook | None = None
) -> ScreeningSummary:
    """Screen the Parquet dataset at ``source`` (a folder of files, or one file) into a Parquet dataset at
    ``target``, and summarise it. Nothing is left at ``target`` unless every row was screened; a bad
    cell raises InputError naming its column, file and row."""
    _write(screen_dataframe(_read(spark, source), city, as_of, keep=keep, rulebook=rulebook), target)
    return summarise(spark.read.parquet(target), city, as_of, rulebook)


def summarise_impact(
    impacted: DataFrame, hidden: Sequence[str], city: str, as_of: date | str, reform: Reform, rulebook: Rulebook | None = None
) -> ImpactSummary:
    """The impact summary of ``impacted`` (from :func:`impact_dataframe`, hidden columns included) by
    Spark aggregations, exact in decimal: rows, each side's totals, beneficiaries, payers and rules,
    winners, losers and unchanged."""
    book = rulebook or default_rulebook()
    base, reformed = _compile(city, as_of, book), _compile(city, as_of, apply_reform(book, reform))
    aggregates: list[Any] = [F.count(F.lit(1)).alias("rows")]
    for sign, name in ((">", "winners"), ("<", "losers"), ("=", "unchanged")):
        condition = {">": F.col("delta_total_min") > 0, "<": F.col("delta_total_min") < 0, "=": F.col("delta_total_min") == 0}[sign]
        aggregates.append(F.sum(F.when(condition, 1).otherwise(0)).alias(name))
    for side in ("baseline", "reform"):
        aggregates += [
            F.sum(f"{side}_total_min").alias(f"{side}_low"),
            F.sum(f"{side}_total_max").alias(f"{side}_high"),
            F.sum(F.when(F.col(f"{side}_total_max").isNull(), 1).otherwise(0)).alias(f"{side}_unbounded"),
            F.sum(F.when(F.col(f"{side}_total_min") > 0, 1).otherwise(0)).alias(f"{side}_beneficiaries"),
        ]
        for index, payer in enumerate(PAYERS):
            aggregates += [
                F.sum(f"{side}_{payer}_min").alias(f"{side}_p{index}_min"),
                F.sum(f"{side}_{payer}_max").alias(f"{side}_p{index}_max"),
                F.sum(F.when(F.col(f"{side}_{payer}_max").isNull(), 1).otherwise(0)).alias(f"{side}_p{index}_unbounded"),
            ]
    aggregates += [F.sum(f"`{name}`").alias(f"h{index}") for index, name in enumerate(hidden)]
    row = impacted.agg(*aggregates).collect()[0].asDict()

    def fen(value: Any) -> int:
        return 0 if value is None else int(value * 100)

    summary = ImpactSummary(base.city, base.as_of, reform, rows=int(row["rows"]))
    summary.winners, summary.losers, summary.unchanged = (int(row[name] or 0) for name in ("winners", "losers", "unchanged"))
    for side, compiled, into in (("baseline", base, summary.baseline), ("reform", reformed, summary.reformed)):
        into.low, into.high = fen(row[f"{side}_low"]), fen(row[f"{side}_high"])
        into.unbounded, into.beneficiaries = int(row[f"{side}_unbounded"] or 0), int(row[f"{side}_beneficiaries"] or 0)
        paying = compiled.run(0, {}, {}, 0).payer_low  # the payers the side's rules name, as the local summary lists them
        for index, payer in enumerate(PAYERS):
            if payer in paying:
                into.payers[payer] = [fen(row[f"{side}_p{index}_min"]), fen(row[f"{side}_p{index}_max"]), int(row[f"{side}_p{index}_unbounded"] or 0)]
        prefix = f"__{side}_low:"
        into.rules = {name[len(prefix) :]: fen(row[f"h{index}"]) for index, name in enumerate(hidden) if name.startswith(prefix)}
    return summary


def impact_folder(
    spark: SparkSession,
    source: str,
    target: str,
    city: str,
    as_of: date | str,
    reform: Reform,
    *,
    keep: Sequence[str] = (),
    rulebook: Rulebook | None = None,
    with_changes: bool = False,
) -> ImpactSummary:
    """The budget impact of ``reform`` on the Parquet dataset at ``source``, written as a Parquet
    dataset at ``target`` (the columns of ``subsidy impact``), and its summary. ``with_changes`` also
    brings each changed company's change in guaranteed amount to the driver, for the report's chart."""
    impacted, hidden = impact_dataframe(_read(spark, source), city, as_of, reform, keep=keep, rulebook=rulebook)
    # Evaluated once, into a scratch dataset with the hidden per-rule columns; the summary is read from
    # it, and the output is its visible columns.
    scratch = target.rstrip("/") + f".{uuid.uuid4().hex}.scratch"
    _write(impacted, scratch)
    try:
        written = spark.read.parquet(scratch)
        summary = summarise_impact(written, hidden, city, as_of, reform, rulebook)
        if with_changes:
            moved = written.where(F.col("delta_total_min") != 0).select((F.col("delta_total_min") * 100).cast("long").alias("fen")).toArrow()
            if moved.num_rows:
                summary.changes.append(moved.column("fen").to_numpy())
        _write(written.drop(*hidden), target)
    finally:
        _delete(spark, scratch)
    return summary


def _delete(spark: SparkSession, path: str) -> None:
    """Remove a dataset wherever it is (a local folder, HDFS, object storage), through Hadoop's file system."""
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(hadoop_path, True)
