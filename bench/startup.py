"""Benchmark: how long the ``subsidy`` command takes to answer, as a person at a terminal waits for it.

    python bench/startup.py

Runs ``subsidy --help`` and the README's Wuhan estimate (JSON and table) ten times each, after one
run that fills the compiled-rulebook cache, and prints the fastest and the median wall time.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBSIDY = shutil.which("subsidy", path=str(Path(sys.executable).parent)) or "subsidy"
COMMANDS = {
    "subsidy --help": [SUBSIDY, "--help"],
    "subsidy estimate (README's Wuhan example, JSON)": [
        SUBSIDY,
        "estimate",
        "examples/wuhan.json",
        "--city",
        "wuhan",
        "--district",
        "江汉区",
        "--as-of",
        "2022-06-30",
    ],
    "subsidy estimate (the same, as a table)": [
        SUBSIDY,
        "estimate",
        "examples/wuhan.json",
        "--city",
        "wuhan",
        "--district",
        "江汉区",
        "--as-of",
        "2022-06-30",
        "--format",
        "table",
    ],
}
RUNS = 10


def wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    print(f"{'command':52s} {'fastest':>9s} {'median':>9s}")
    for name, command in COMMANDS.items():
        wall(command)  # fills the compiled-rulebook cache, as any first run on a machine does
        times = [wall(command) for _ in range(RUNS)]
        print(f"{name:52s} {min(times):8.3f}s {statistics.median(times):8.3f}s")


if __name__ == "__main__":
    main()
