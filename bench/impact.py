"""Benchmark: the budget impact of a reform against one screening of the same register, and its memory.

    python bench/impact.py            # 1,000,000 companies, then 10,000,000 for peak memory
    python bench/impact.py --quick    # 100,000 companies, no 10 M run

The register is the screening benchmark's synthetic one (bench/register.py, seeded); the reform is the
shipped Wuhan draft. Prints the time of one screening and of the impact (both Parquet to Parquet, in
the same run, fastest of three) and their ratio (target: impact at most 2.5x), then the peak resident
memory of the impact on 10,000,000 companies in a fresh process (target: at most 1.5 GiB).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fresh import in_fresh_process  # noqa: E402
from register import write_register  # noqa: E402
from screening import best  # noqa: E402

from eligibility import find_reform  # noqa: E402
from eligibility.impact import impact_file  # noqa: E402
from eligibility.screen import screen_file  # noqa: E402
from subsidy.memory import keep_freed_memory  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
REFORM = "wuhan-draft-2021-06-01"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    keep_freed_memory()
    rows = 100_000 if args.quick else 1_000_000
    BUILD.mkdir(parents=True, exist_ok=True)
    register = write_register(BUILD / f"register-{rows}.parquet", rows)
    reform = find_reform(REFORM)
    screening = best(lambda: screen_file(register, BUILD / "screened-impact.parquet", "wuhan", "2022-06-30", keep=["company_id"]), 3)
    impact = best(lambda: impact_file(register, BUILD / "impact.parquet", "wuhan", "2022-06-30", reform, keep=["company_id"]), 3)
    print(f"{rows:,} companies, Wuhan, as of 2022-06-30, reform {REFORM}")
    print(
        f"one screening: {screening:.2f} s; the impact (both rulebooks, differences, summary): {impact:.2f} s; ratio {impact / screening:.2f}x (target <= 2.5x)"
    )
    if args.quick:
        return
    large = write_register(BUILD / "register-10000000.parquet", 10_000_000)
    seconds, mib = in_fresh_process(
        "from pathlib import Path\nfrom subsidy.memory import keep_freed_memory\nkeep_freed_memory()\n"
        "from eligibility import find_reform\nfrom eligibility.impact import impact_file",
        f"impact_file(Path({str(large)!r}), Path({str(BUILD / 'impact-large.parquet')!r}), 'wuhan', '2022-06-30', find_reform({REFORM!r}), keep=['company_id'])",
    )
    print(f"10,000,000 companies: {seconds:.1f} s, peak resident memory {mib:,.0f} MiB (target <= 1.5 GiB)")


if __name__ == "__main__":
    main()
