"""Benchmark: screening on Spark (local[1], local[2]) against the single-machine path, on the same files.

    python bench/spark.py                    # 10,000,000 companies (about 1 GB of Parquet)
    python bench/spark.py --rows 1000000     # a shorter run

The register is the fixed synthetic one (bench/register.py), written as 8 Parquet files. The single
machine screens the same rows as one file with ``subsidy screen``'s code; Spark reads the folder,
evaluates each Arrow batch with the same compiled rulebook, and writes a Parquet dataset. Prints
rows/s for each, the scaling from one core to two, and Spark's overhead over the single machine;
writes build/bench/spark.json. Needs the spark extra and a Java runtime.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from register import register  # noqa: E402

from eligibility.screen import screen_file  # noqa: E402
from eligibility.spark import open_session, screen_folder  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
AS_OF = date(2022, 6, 30)
CITY = "suzhou"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    console = Console(width=max(Console().width, 120))
    BUILD.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="subsidy-spark-bench-") as scratch:
        folder = Path(scratch)
        with console.status(f"writing {args.rows:,} companies"):
            whole = register(args.rows)
            pq.write_table(whole, folder / "whole.parquet")
            (folder / "in").mkdir()
            step = -(-args.rows // args.files)
            for index, start in enumerate(range(0, args.rows, step)):
                pq.write_table(whole.slice(start, step), folder / "in" / f"part-{index:05d}.parquet")
            del whole
        with console.status("single machine"):
            started = time.perf_counter()
            screen_file(folder / "whole.parquet", folder / "local.parquet", CITY, AS_OF, keep=["company_id"])
            seconds = time.perf_counter() - started
        figures["single machine (subsidy screen)"] = {"seconds": seconds, "rows_per_second": args.rows / seconds}
        for cores in (1, 2):
            with console.status(f"Spark local[{cores}]"):
                spark = open_session(f"local[{cores}]")
                spark.range(1).collect()  # the JVM and a first job: not part of the figure
                started = time.perf_counter()
                screen_folder(spark, str(folder / "in"), str(folder / f"spark-{cores}"), CITY, AS_OF, keep=["company_id"])
                seconds = time.perf_counter() - started
                spark.stop()
            figures[f"Spark local[{cores}]"] = {"seconds": seconds, "rows_per_second": args.rows / seconds}
            shutil.rmtree(folder / f"spark-{cores}", ignore_errors=True)
    single = figures["single machine (subsidy screen)"]["seconds"]
    one, two = figures["Spark local[1]"]["seconds"], figures["Spark local[2]"]["seconds"]
    table = Table(title=f"Screening {args.rows:,} companies ({CITY}, {AS_OF}), {os.cpu_count()} cores", title_justify="left")
    for column in ("Path", "Seconds", "Rows/s"):
        table.add_column(column, justify="left" if column == "Path" else "right")
    for name, found in figures.items():
        table.add_row(name, f"{found['seconds']:.1f}", f"{found['rows_per_second']:,.0f}")
    console.print(table)
    console.print(f"Spark scaling from 1 core to 2: {one / two:.2f}×; Spark local[2] over the single machine: {two / single:.2f}× the time")
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "rows": args.rows,
        "figures": figures,
        "scaling_1_to_2": one / two,
        "spark2_over_single": two / single,
    }
    (BUILD / "spark.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
