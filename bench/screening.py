"""Benchmark: the per-company engine, the batch evaluator, a hand-written NumPy reference, end to end.

    python bench/screening.py            # 1,000,000 companies, plus 10,000,000 for peak memory
    python bench/screening.py --quick    # 100,000 companies, no 10 M run (a smoke test)

Prints one table of figures and writes them to build/bench/screening.json. The register is synthetic
and fixed (bench/register.py, a seeded generator): every run screens the same companies.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import reference  # noqa: E402
from fresh import in_fresh_process  # noqa: E402
from register import write_register  # noqa: E402

from eligibility.batch import FactColumn, compile_city  # noqa: E402
from eligibility.engine import _KEPT, default_rulebook, estimate, evaluate  # noqa: E402
from eligibility.profile import parse_profile  # noqa: E402
from eligibility.screen import _Layout, screen_file  # noqa: E402
from subsidy.memory import keep_freed_memory  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
AS_OF = date(2022, 6, 30)
CITIES = ("suzhou", "wuhan", "changsha")


def best(run, repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def columns(path: Path) -> tuple[int, dict[str, FactColumn], dict[str, FactColumn]]:
    table = pq.read_table(path)
    layout = _Layout.of(table.column_names, default_rulebook(), ["company_id"])
    batch = table.combine_chunks().to_batches()[0]
    facts, prior = layout.columns(batch, 0)
    return len(batch), facts, prior


def profiles(path: Path, count: int) -> list[dict]:
    """The register's first ``count`` companies as the engine's JSON profiles."""
    rows = pq.read_table(path).slice(0, count).to_pylist()
    out = []
    for row in rows:
        profile: dict = {}
        standards = {}
        for name, value in row.items():
            if value is None or name == "company_id" or name.startswith("prior:"):
                continue
            if name.startswith("standards_led."):
                standards[name.split(".")[1]] = value
            else:
                profile[name] = f"{value:.2f}" if hasattr(value, "quantize") else value
        if standards:
            profile["standards_led"] = standards
        paid = row.get("prior:suzhou.revenue_milestone")
        if paid is not None:
            profile["prior_awards"] = [{"rule": "suzhou.revenue_milestone", "amount": f"{paid:.2f}", "year": AS_OF.year}]
        out.append(profile)
    return out


def _timings(run, items: list) -> list[float]:
    """Seconds per call of ``run`` on each item, after one warm-up pass over the first hundred."""
    for item in items[:100]:
        run(item)
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append(time.perf_counter() - started)
    return times


def _afresh(run, items: list) -> list[float]:
    """``_timings`` with nothing kept between items: every outcome is written afresh."""
    times = []
    for item in items:
        _KEPT.clear()
        started = time.perf_counter()
        run(item)
        times.append(time.perf_counter() - started)
    return times


def engine_figures(path: Path, count: int) -> dict[str, float]:
    """One Suzhou company at a time: decided with its record; written out in words; from raw JSON."""
    sample = profiles(path, count)
    book = default_rulebook()
    parsed = [parse_profile(p) for p in sample]
    decided = _timings(lambda p: estimate(p, "suzhou", AS_OF, rulebook=book), parsed)
    written = _timings(lambda p: evaluate(p, "suzhou", AS_OF, rulebook=book), parsed)
    estimates = [estimate(p, "suzhou", AS_OF, rulebook=book) for p in parsed]
    # The words, written out as the JSON an answer sends, in one language and in both; in one
    # language with no outcome kept from an earlier company (each written afresh); and read back as
    # data. In alternating rounds (the machine's drift falls on all alike); each figure is the lowest
    # of the rounds' medians.
    rounds: dict[str, list[float]] = {"both": [], "zh": [], "zh_afresh": [], "zh_data": []}
    for _ in range(5):
        rounds["both"].append(statistics.median(_timings(lambda e: e.as_json(), estimates)))
        rounds["zh"].append(statistics.median(_timings(lambda e: e.as_json("zh"), estimates)))
        rounds["zh_afresh"].append(statistics.median(_afresh(lambda e: e.as_json("zh"), estimates)))
        rounds["zh_data"].append(statistics.median(_timings(lambda e: e.as_dict("zh"), estimates)))
    from_json = _timings(lambda p: evaluate(p, "suzhou", AS_OF, rulebook=book), sample)
    return {
        "engine_median_us": statistics.median(decided) * 1e6,
        "engine_p99_us": sorted(decided)[int(len(decided) * 0.99)] * 1e6,
        "engine_written_median_us": statistics.median(written) * 1e6,
        "engine_written_p99_us": sorted(written)[int(len(written) * 0.99)] * 1e6,
        "engine_json_median_us": statistics.median(from_json) * 1e6,
        "words_both_median_us": min(rounds["both"]) * 1e6,
        "words_zh_median_us": min(rounds["zh"]) * 1e6,
        "words_zh_afresh_median_us": min(rounds["zh_afresh"]) * 1e6,
        "words_zh_data_median_us": min(rounds["zh_data"]) * 1e6,
        "engine_profiles": len(sample),
    }


def batch_figures(path: Path, repeat: int) -> dict[str, float]:
    """The fastest of ``repeat`` rounds for each city's batch run and each reference. The rounds
    alternate between them, so that the machine's drift during the run falls on all alike."""
    size, facts, prior = columns(path)
    figures: dict[str, float] = {"rows": size}
    book = default_rulebook()
    runs: dict[str, Callable[[], object]] = {}
    for city in CITIES:
        compiled = compile_city(book, city, AS_OF)
        runs[f"batch_{city}"] = lambda compiled=compiled: list(compiled.slices(size, facts, prior))
    for city in ("suzhou", "wuhan"):
        hand = getattr(reference, city)
        runs[f"reference_{city}"] = lambda hand=hand: hand(facts, prior)
    fastest = {name: float("inf") for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            fastest[name] = min(fastest[name], best(run, 3))
    for city in CITIES:
        seconds = fastest[f"batch_{city}"]
        figures[f"batch_{city}_ms"] = seconds * 1e3
        figures[f"batch_{city}_profiles_per_s"] = size / seconds
    for city in ("suzhou", "wuhan"):
        figures[f"reference_{city}_ms"] = fastest[f"reference_{city}"] * 1e3
        hand = getattr(reference, city)
        # The reference must give the engine's totals, or its speed means nothing.
        low, high = hand(facts, prior)
        compiled = compile_city(book, city, AS_OF)
        for start, result in compiled.slices(size, facts, prior):
            stop = start + len(result)
            assert np.array_equal(low[start:stop], result.total_low), f"{city}: reference and batch disagree on minimum totals"
            assert np.array_equal(high[start:stop], result.total_high), f"{city}: reference and batch disagree on maximum totals"
    return figures


def end_to_end(path: Path, repeat: int) -> dict[str, float]:
    out = BUILD / "screened.parquet"
    seconds = best(lambda: screen_file(path, out, "suzhou", AS_OF, keep=["company_id"]), repeat)
    return {"end_to_end_s": seconds, "end_to_end_rows_per_s": pq.ParquetFile(path).metadata.num_rows / seconds}


def peak_memory(path: Path) -> dict[str, float]:
    """Screen ``path`` in a fresh process and read its peak resident memory."""
    out = BUILD / "screened-large.parquet"
    seconds, mib = in_fresh_process(
        "from pathlib import Path\nfrom eligibility.screen import screen_file\nfrom subsidy.memory import keep_freed_memory\nkeep_freed_memory()",
        f"screen_file(Path({str(path)!r}), Path({str(out)!r}), 'suzhou', '2022-06-30', keep=['company_id'])",
    )
    return {"large_rows": pq.ParquetFile(path).metadata.num_rows, "large_s": seconds, "large_peak_mib": mib}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100,000 companies and no 10 M run")
    args = parser.parse_args()
    keep_freed_memory()  # as subsidy screen does
    rows = 100_000 if args.quick else 1_000_000
    BUILD.mkdir(parents=True, exist_ok=True)
    console = Console()
    with console.status("writing the synthetic register"):
        register = write_register(BUILD / f"register-{rows}.parquet", rows)
    figures: dict[str, float] = {}
    with console.status("per-company engine"):
        figures.update(engine_figures(register, 2_000 if args.quick else 10_000))
    with console.status("batch evaluator and reference"):
        figures.update(batch_figures(register, 3 if args.quick else 7))
    with console.status("end to end, Parquet to Parquet"):
        figures.update(end_to_end(register, 3))
    if not args.quick:
        with console.status("10,000,000 companies: writing the register"):
            large = write_register(BUILD / "register-10000000.parquet", 10_000_000)
        with console.status("10,000,000 companies: screening"):
            figures.update(peak_memory(large))
    figures["machine"] = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"  # type: ignore[assignment]
    (BUILD / "screening.json").write_text(json.dumps(figures, indent=2))
    table = Table(title=f"Screening benchmark ({rows:,} companies, as of {AS_OF})", title_justify="left")
    table.add_column("Measure")
    table.add_column("Figure", justify="right")
    table.add_row(
        "Engine, one Suzhou estimate: every rule decided, with its record (median / p99)",
        f"{figures['engine_median_us']:,.1f} µs / {figures['engine_p99_us']:,.1f} µs",
    )
    table.add_row(
        "Engine, the same written out: reasons, steps, summaries in zh and en (median / p99)",
        f"{figures['engine_written_median_us']:,.0f} µs / {figures['engine_written_p99_us']:,.0f} µs",
    )
    table.add_row("Engine, from a JSON profile: validated, decided, written out (median)", f"{figures['engine_json_median_us']:,.0f} µs")
    table.add_row(
        "Words alone, one Suzhou estimate written out as JSON: one language / both (median)",
        f"{figures['words_zh_median_us']:,.1f} µs / {figures['words_both_median_us']:,.1f} µs",
    )
    table.add_row(
        "  the same in one language, nothing kept from earlier companies / read back as data",
        f"{figures['words_zh_afresh_median_us']:,.1f} µs / {figures['words_zh_data_median_us']:,.1f} µs",
    )
    for city in CITIES:
        table.add_row(
            f"Batch, {city}: all rules, statuses, ranges, payers",
            f"{figures[f'batch_{city}_ms']:,.1f} ms  ({figures[f'batch_{city}_profiles_per_s']:,.0f} profiles/s)",
        )
    for city in ("suzhou", "wuhan"):
        ratio = figures[f"batch_{city}_ms"] / figures[f"reference_{city}_ms"]
        table.add_row(f"Hand-written NumPy, {city}'s monetary totals", f"{figures[f'reference_{city}_ms']:,.1f} ms  (batch is {ratio:.2f}x)")
    table.add_row("End to end, Parquet in, Parquet out (Suzhou)", f"{figures['end_to_end_s']:.2f} s  ({figures['end_to_end_rows_per_s']:,.0f} rows/s)")
    if "large_rows" in figures:
        table.add_row(f"End to end, {figures['large_rows']:,.0f} rows: time, peak memory", f"{figures['large_s']:.1f} s, {figures['large_peak_mib']:,.0f} MiB")
    table.add_row("Machine", str(figures["machine"]))
    console.print(table)


if __name__ == "__main__":
    main()
