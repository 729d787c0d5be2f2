"""Screening registers: CSV and Parquet in and out, chunking, bad cells named by column and row, the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from eligibility import InputError, evaluate
from eligibility.screen import screen, screen_file
from subsidy.cli import main

HEADER = "company_id,entity_type,main_business_blockchain,blockchain_revenue,local_fiscal_contribution,standards_led.national,standards_led.provincial,prior:suzhou.revenue_milestone"
ROWS = [
    "c1,enterprise,true,62000000,1800000,1,0,500000",
    "c2,enterprise,,,,,,",
    "c3,park,,,,,,",
    "c4,enterprise,TRUE,100000000.01,5000000.50,0,2,0",
]


def write_csv(path: Path, rows: list[str] = ROWS, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_in_csv_out_matches_the_engine_row_by_row(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "register.csv")
    summary = screen_file(source, tmp_path / "out.csv", "suzhou", "2022-06-30", keep=["company_id"])
    out = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert list(out["company_id"]) == ["c1", "c2", "c3", "c4"]
    first = out.iloc[0]
    engine = evaluate(
        {
            "entity_type": "enterprise",
            "main_business_blockchain": True,
            "blockchain_revenue": "62000000",
            "local_fiscal_contribution": "1800000",
            "standards_led": {"national": 1, "provincial": 0},
            "prior_awards": [{"rule": "suzhou.revenue_milestone", "amount": "500000", "year": 2022}],
        },
        "suzhou",
        "2022-06-30",
    )
    assert first["total_min"] == engine["total"]["min"] == "1000000.00"
    assert first["suzhou.revenue_milestone:status"] == "eligible" and first["suzhou.revenue_milestone:min"] == "500000.00"
    # An unknown cell is unknown: c2 might still reach the top tier, with no upper bound on standards.
    second = out.iloc[1]
    assert second["suzhou.revenue_milestone:status"] == "undetermined" and second["suzhou.revenue_milestone:max"] == "3000000.00"
    assert second["total_max"] == ""  # unbounded
    # c4: 100,000,000.01 is above the 100 M tier: 2,000,000, capped by 5,000,000.50 of contribution; two provincial standards.
    fourth = out.iloc[3]
    assert fourth["suzhou.revenue_milestone:min"] == "2000000.00" and fourth["suzhou.standard_setting:min"] == "600000.00"
    assert summary.rows == 4 and summary.statuses["suzhou.revenue_milestone"]["eligible"] == 2
    # Standards are the city's; the milestone's responsible units state no split between city and districts.
    assert summary.payers["city"]["min"] == (500_000 + 600_000) * 100
    assert summary.payers["unstated"]["min"] == (500_000 + 2_000_000) * 100
    assert first["unstated_min"] == "500000.00" and first["city_min"] == "500000.00"


def test_parquet_in_parquet_out_keeps_money_exact(tmp_path: Path) -> None:
    table = pa.table(
        {
            "company_id": ["a", "b"],
            "entity_type": ["enterprise", "enterprise"],
            "main_business_blockchain": [True, True],
            "blockchain_revenue": pa.array([Decimal("50000000.00"), Decimal("50000000.01")], pa.decimal128(18, 2)),
            "local_fiscal_contribution": pa.array([10_000_000, None], pa.int64()),
            "prior:suzhou.revenue_milestone": pa.array([0, 0], pa.int64()),
        }
    )
    pq.write_table(table, tmp_path / "in.parquet")
    screen_file(tmp_path / "in.parquet", tmp_path / "out.parquet", "suzhou", "2022-06-30", keep=["company_id"])
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.field("total_min").type == pa.decimal128(19, 2)
    rows = out.to_pylist()
    # Exactly 50 M is not "first exceeding" 50 M; one fen more reaches the second tier.
    assert rows[0]["suzhou.revenue_milestone:min"] == Decimal("500000.00")
    # Eligible for the second tier, but the contribution cap is unknown: 0 to 1,000,000.
    assert rows[1]["suzhou.revenue_milestone:status"] == "eligible"
    assert (rows[1]["suzhou.revenue_milestone:min"], rows[1]["suzhou.revenue_milestone:max"]) == (Decimal("0.00"), Decimal("1000000.00"))


def test_chunks_give_the_same_rows_as_one_pass(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "register.csv", ROWS * 25)
    screen_file(source, tmp_path / "one.parquet", "suzhou", "2022-06-30", keep=["company_id"])
    screen_file(source, tmp_path / "chunked.parquet", "suzhou", "2022-06-30", keep=["company_id"], chunk_rows=7)
    one, chunked = pq.read_table(tmp_path / "one.parquet"), pq.read_table(tmp_path / "chunked.parquet")
    assert one.equals(chunked)
    assert chunked.column("row").to_pylist() == list(range(1, 101))


def test_a_bad_cell_is_named_by_column_and_row_and_nothing_is_written(tmp_path: Path) -> None:
    rows = ROWS * 3 + ["c9,enterprise,yes,12.345,-5,1.5,20000,abc"]
    source = write_csv(tmp_path / "register.csv", rows)
    target = tmp_path / "out.parquet"
    with pytest.raises(InputError) as raised:
        screen_file(source, target, "suzhou", "2022-06-30", keep=["company_id"], chunk_rows=5)
    errors = raised.value.errors
    assert errors["main_business_blockchain"] == ["Row 13: Must be true or false."]
    assert errors["blockchain_revenue"] == ["Row 13: Amount has more than two decimal places; amounts are exact to the fen (0.01 yuan)."]
    assert "must not be negative" in errors["local_fiscal_contribution"][0]
    assert errors["standards_led.national"] == ["Row 13: Must be a whole number; counts cannot be fractional."]
    assert errors["standards_led.provincial"] == ["Row 13: Must be between 0 and 10000."]
    assert "Row 13" in errors["prior:suzhou.revenue_milestone"][0]
    assert not target.exists() and list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        (HEADER + ",revenue", "revenue", "Not a fact of the profile"),
        (HEADER.replace("prior:suzhou.revenue_milestone", "prior:suzhou.no_such_rule"), "prior:suzhou.no_such_rule", "Unknown rule"),
    ],
)
def test_unknown_columns_are_refused_by_name(tmp_path: Path, header: str, field: str, message: str) -> None:
    source = write_csv(tmp_path / "register.csv", [r + ("," if header.endswith("revenue") else "") for r in ROWS], header)
    with pytest.raises(InputError) as raised:
        screen_file(source, tmp_path / "out.csv", "suzhou", "2022-06-30", keep=["company_id"])
    assert message in raised.value.errors[field][0]


def test_floating_point_money_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        screen(pa.table({"blockchain_revenue": [2.5e7]}), "suzhou", "2022-06-30")
    assert "floating-point" in raised.value.errors["blockchain_revenue"][0]


def test_unknown_city_and_bad_date_are_named() -> None:
    with pytest.raises(InputError) as raised:
        screen(pa.table({"entity_type": ["enterprise"]}), "atlantis", "30/06/2022")
    assert set(raised.value.errors) == {"city", "as_of"}


def test_a_pandas_dataframe_screens_through_the_library() -> None:
    frame = pd.DataFrame(
        {
            "company_id": ["x", "y"],
            "entity_type": ["enterprise", None],
            "main_business_blockchain": [True, None],
            "in_key_enterprise_pool": [True, None],
            "operating_revenue_prior": ["10000000", None],
            "operating_revenue": ["13000000", None],
            "local_fiscal_contribution_prior": pd.array([250_000, None], dtype="Int64"),
            "prior:wuhan.key_pool_growth": pd.array([0, None], dtype="Int64"),
        }
    )
    result = screen(frame, "wuhan", "2022-06-30", keep=["company_id"]).to_pandas()
    assert list(result["company_id"]) == ["x", "y"]
    assert result.loc[0, "wuhan.key_pool_growth:min"] == Decimal("250000.00")  # capped by contribution
    assert result.loc[1, "wuhan.key_pool_growth:status"] == "undetermined"


def test_an_empty_register_writes_the_columns_and_no_rows(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "register.csv", [])
    summary = screen_file(source, tmp_path / "out.parquet", "wuhan", "2022-06-30", keep=["company_id"])
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.num_rows == 0 and summary.rows == 0
    assert "wuhan.top100_first_entry:status" in out.column_names


def test_cli_screen_writes_output_and_prints_the_summary(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "register.csv")
    result = CliRunner().invoke(
        main,
        [
            "screen",
            str(source),
            "--city",
            "suzhou",
            "--as-of",
            "2022-06-30",
            "--out",
            str(tmp_path / "out.parquet"),
            "--keep",
            "company_id",
            "--summary",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"] == 4
    milestone = next(r for r in summary["rules"] if r["rule"] == "suzhou.revenue_milestone")
    assert milestone["eligible"] == 2 and milestone["amount"]["min"] == "2500000.00"
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 4


def test_cli_screen_reports_bad_cells_without_a_traceback(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "register.csv", ["c1,enterprise,maybe,,,,,"])
    result = CliRunner().invoke(
        main, ["screen", str(source), "--city", "suzhou", "--as-of", "2022-06-30", "--out", str(tmp_path / "out.csv"), "--keep", "company_id"]
    )
    assert result.exit_code == 2
    assert "error: main_business_blockchain: Row 1: Must be true or false." in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.csv").exists()


def test_a_ragged_csv_row_is_an_error_naming_its_line_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "register.csv"
    source.write_text("company_id,entity_type,blockchain_revenue\nA,enterprise,100\nB,enterprise,200,7\nC,park\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["screen", str(source), "--city", "苏州", "--as-of", "2022-06-30", "--out", str(tmp_path / "out.csv"), "--keep", "company_id"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "INPUT: Line 3 has 4 fields where the header has 3. Line 4 has 2 fields where the header has 3." in result.output
    assert not (tmp_path / "out.csv").exists()
