"""Screening on Apache Spark (local mode) gives what screening on one machine gives.

One Spark session serves every test here. The registers are the property test's random ones
(tests/test_batch.py), written as a folder of Parquet files; "the same output" means the same rows
(matched by a kept id), the same columns, and every value equal when written as text. Row numbers
may differ: Spark numbers rows within their file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility import InputError
from eligibility.screen import screen, screen_file
from subsidy.cli import main

from .test_batch import DATES, _table, rows

spark_module = pytest.importorskip("eligibility.spark", reason="the spark extra is not installed")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    session = spark_module.open_session("local[2]")
    yield session
    session.stop()


def _as_text(table: pa.Table) -> dict[str, dict[str, str]]:
    """Each row by its company id: every column but ``row``, as text."""
    out = {}
    for record in table.to_pylist():
        out[record["company_id"]] = {k: "" if v is None else str(v) for k, v in record.items() if k != "row"}
    return out


def _write_folder(table: pa.Table, folder: Path, files: int) -> None:
    folder.mkdir(parents=True)
    step = max(1, -(-len(table) // files))
    for index, start in enumerate(range(0, len(table), step)):
        pq.write_table(table.slice(start, step), folder / f"part-{index:05d}.parquet")


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    register=st.lists(rows(), min_size=1, max_size=40),
    city=st.sampled_from(["wuhan", "suzhou", "changsha"]),
    day=st.sampled_from(DATES),
    money_as=st.sampled_from(["text", "decimal"]),
)
def test_spark_gives_the_single_machine_output(
    spark: Any, tmp_path_factory: pytest.TempPathFactory, register: list[dict[str, Any]], city: str, day: date, money_as: str
) -> None:
    table = _table(register, money_as)
    table = table.drop_columns([n for n in table.column_names if n.startswith(("prior:testcity.", "prior:othercity."))])  # the fixture rulebook's
    table = table.append_column("company_id", pa.array([f"c{i:05d}" for i in range(len(table))]))
    folder = tmp_path_factory.mktemp("register")
    _write_folder(table, folder / "in", files=3)
    local = screen(table, city, day, keep=["company_id"])
    summary = spark_module.screen_folder(spark, str(folder / "in"), str(folder / "out"), city, day, keep=["company_id"])
    remote = pq.read_table(folder / "out")
    assert remote.column_names == local.column_names
    assert _as_text(remote) == _as_text(local)
    assert sorted(remote.column("row").to_pylist()) != [] and min(remote.column("row").to_pylist()) == 1
    # The summary, by Spark aggregations, is the local summary to the fen.
    local_summary = screen_module_summary(table, city, day, folder)
    assert summary.as_dict() == local_summary


def screen_module_summary(table: pa.Table, city: str, day: date, folder: Path) -> dict[str, Any]:
    pq.write_table(table, folder / "whole.parquet")
    return screen_file(folder / "whole.parquet", folder / "whole-out.parquet", city, day, keep=["company_id"]).as_dict()


def test_a_bad_cell_names_its_column_file_and_row_and_nothing_is_written(spark: Any, tmp_path: Path) -> None:
    good = pa.table({"company_id": ["a", "b"], "entity_type": ["enterprise", "enterprise"], "operating_revenue": ["1000", "2000"]})
    bad = pa.table({"company_id": ["c", "d", "e"], "entity_type": ["enterprise", "park", "enterprise"], "operating_revenue": ["3000", "4000", "12.345"]})
    (tmp_path / "in").mkdir()
    pq.write_table(good, tmp_path / "in" / "part-0.parquet")
    pq.write_table(bad, tmp_path / "in" / "part-1.parquet")
    with pytest.raises(InputError) as raised:
        spark_module.screen_folder(spark, str(tmp_path / "in"), str(tmp_path / "out"), "wuhan", "2022-06-30", keep=["company_id"])
    assert list(raised.value.errors) == ["operating_revenue"]
    message = raised.value.errors["operating_revenue"][0]
    assert message.startswith("part-1.parquet, row 3:") and "two decimal places" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no output, no staging folder left
    # Columns and arguments are checked before any job runs, as locally.
    with pytest.raises(InputError) as raised:
        spark_module.screen_folder(spark, str(tmp_path / "in"), str(tmp_path / "out"), "atlantis", "2022-06-30", keep=["nope"])
    assert "city" in raised.value.errors


def test_the_command_screens_a_folder_on_spark(spark: Any, tmp_path: Path) -> None:
    register = pa.table(
        {
            "company_id": ["a", "b", "c"],
            "entity_type": ["enterprise", "enterprise", None],
            "main_business_blockchain": [True, True, None],
            "blockchain_revenue": ["60000000", "30000000", None],
            "local_fiscal_contribution": ["5000000", "200000", None],
        }
    )
    _write_folder(register, tmp_path / "in", files=2)
    pq.write_table(register, tmp_path / "one.parquet")
    args = ["--city", "suzhou", "--as-of", "2022-06-30", "--keep", "company_id", "--summary", "json"]
    remote = CliRunner().invoke(main, ["screen", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "spark", "--master", "local[1]", *args])
    assert remote.exit_code == 0, remote.output
    local = CliRunner().invoke(main, ["screen", str(tmp_path / "one.parquet"), "--out", str(tmp_path / "one-out.parquet"), *args])
    assert local.exit_code == 0, local.output
    drop = ("seconds", "out")
    remote_summary = {k: v for k, v in json.loads(remote.output).items() if k not in drop}
    assert remote_summary == {k: v for k, v in json.loads(local.output).items() if k not in drop}
    assert remote_summary["rows"] == 3
    assert _as_text(pq.read_table(tmp_path / "out")) == _as_text(pq.read_table(tmp_path / "one-out.parquet"))
    # Without the award history nothing is guaranteed; at most the tier reached, capped by the contribution.
    milestone = {r["company_id"]: r["suzhou.revenue_milestone:max"] for r in pq.read_table(tmp_path / "out").to_pylist()}
    assert milestone["a"] == Decimal("1000000.00") and milestone["b"] == Decimal("200000.00")
    assert spark.sparkContext._jsc is not None  # the command left the running session running


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(register=st.lists(rows(), min_size=1, max_size=40), day=st.sampled_from(DATES))
def test_the_budget_impact_on_spark_is_the_single_machine_impact(
    spark: Any, tmp_path_factory: pytest.TempPathFactory, register: list[dict[str, Any]], day: date
) -> None:
    from eligibility import find_reform
    from eligibility.impact import impact_file

    table = _table(register, "decimal")
    table = table.drop_columns([n for n in table.column_names if n.startswith(("prior:testcity.", "prior:othercity."))])
    table = table.append_column("company_id", pa.array([f"c{i:05d}" for i in range(len(table))]))
    folder = tmp_path_factory.mktemp("impact")
    _write_folder(table, folder / "in", files=2)
    pq.write_table(table, folder / "whole.parquet")
    reform = find_reform("wuhan-draft-2021-06-01")
    local = impact_file(folder / "whole.parquet", folder / "local.parquet", "wuhan", day, reform, keep=["company_id"])
    remote = spark_module.impact_folder(spark, str(folder / "in"), str(folder / "out"), "wuhan", day, reform, keep=["company_id"], with_changes=True)
    assert remote.as_dict() == local.as_dict()
    assert sorted(int(v) for part in remote.changes for v in part) == sorted(int(v) for part in local.changes for v in part)
    written, expected = pq.read_table(folder / "out"), pq.read_table(folder / "local.parquet")
    assert written.column_names == expected.column_names  # the hidden per-rule columns are not written
    assert _as_text(written) == _as_text(expected)
    assert sorted(p.name for p in folder.iterdir()) == ["in", "local.parquet", "out", "whole.parquet"]  # no scratch left
