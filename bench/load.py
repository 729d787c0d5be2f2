"""Load run: the service as the README runs it (`subsidy serve`, gunicorn, its default workers) under wrk on loopback.

    python bench/load.py                      # SQLite in a fresh folder, 60 s per phase
    python bench/load.py --duration 10        # a shorter run
    python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Phases, one after the other: a warm-up; anonymous estimates (computed, not stored); stored
estimates (with an API key); stored estimates through two replicas at once (a second `subsidy serve`
on the same database, wrk spread across both). wrk records the id of every stored estimate the service acknowledged;
afterwards the database is opened afresh and audited: each acknowledged estimate must be there,
whole, exactly once. Prints a table of figures and targets, writes build/bench/load.json, and exits
1 when a target is missed. Needs wrk (Debian: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from service import ESTIMATE, LIMITS, Service, audit, free_port, new_key  # noqa: E402

from api.serving import default_workers  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
SCRIPT = HERE / "load.lua"


def wrk(service: Service, seconds: int, connections: int, key: str = "", acks: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "LOAD_BODY": json.dumps(ESTIMATE, ensure_ascii=False), "LOAD_KEY": key, "LOAD_ACKS": str(acks or "")}
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(SCRIPT), f"{service.base}/api/v1/estimates"]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    figures["per_second"] = figures["ok"] / (figures["duration_us"] / 1e6)
    figures["errors"] = figures["not_ok"] + figures["socket_errors"] + figures["timeouts"] + figures["ok_without_id"]
    return figures


def read_acks(folder: Path) -> list[str]:
    return [line for path in sorted(folder.glob("**/acks-*.txt")) for line in path.read_text().split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=60, help="seconds per measured phase (default 60)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections for anonymous estimates (default 8)")
    parser.add_argument("--stored-connections", type=int, default=4, help="wrk connections for stored estimates (default 4)")
    parser.add_argument("--database-url", help="default: SQLite in a fresh temporary folder")
    parser.add_argument("--workers", type=int, default=default_workers(), help="worker processes of each server (default: as `subsidy serve` starts)")
    parser.add_argument("--anonymous-target", type=float, default=1000.0)
    parser.add_argument("--stored-target", type=float, default=300.0)
    parser.add_argument("--p99-ms", type=float, default=50.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    BUILD.mkdir(parents=True, exist_ok=True)
    console = Console(width=max(Console().width, 132))
    with tempfile.TemporaryDirectory(prefix="subsidy-load-") as scratch:
        folder = Path(scratch)
        url = args.database_url or f"sqlite:///{folder / 'subsidy.db'}"
        key, key_id = new_key(url, f"load-{int(time.time())}")
        service = Service(url, free_port(), folder / "service.log", workers=args.workers, env=LIMITS)
        acks = folder / "acks"
        for part in ("one", "replica-a", "replica-b"):
            (acks / part).mkdir(parents=True)
        service.start()
        try:
            with console.status("warming up"):
                wrk(service, 5, args.connections)
            with console.status(f"anonymous estimates, {args.duration} s"):
                anonymous = wrk(service, args.duration, args.connections)
            with console.status(f"stored estimates, {args.duration} s"):
                stored = wrk(service, args.duration, args.stored_connections, key=key, acks=acks / "one")
            # Two replicas: a second `subsidy serve` on its own port and the same database, as on a second
            # machine; wrk sends half the connections to each, at the same time.
            second = Service(url, free_port(), folder / "replica.log", workers=args.workers, env=LIMITS)
            second.start()
            try:
                with console.status(f"stored estimates, two replicas, {args.duration} s"), ThreadPoolExecutor(2) as pool:
                    halves = list(
                        pool.map(
                            lambda pair: wrk(pair[0], args.duration, max(1, args.stored_connections // 2), key=key, acks=acks / pair[1]),
                            [(service, "replica-a"), (second, "replica-b")],
                        )
                    )
            finally:
                second.stop()
        finally:
            service.stop()
        checked = audit(url, key_id, read_acks(acks))
    replicas = {
        "per_second": sum(h["per_second"] for h in halves),
        "p50_us": max(h["p50_us"] for h in halves),
        "p90_us": max(h["p90_us"] for h in halves),
        "p99_us": max(h["p99_us"] for h in halves),
        "errors": sum(h["errors"] for h in halves),
    }
    database = "SQLite (WAL, synchronous=FULL)" if url.startswith("sqlite") else "PostgreSQL"
    figures = {
        "database": database,
        "duration_s": args.duration,
        "connections": {"anonymous": args.connections, "stored": args.stored_connections},
        "anonymous": anonymous,
        "stored": stored,
        "stored_two_replicas": replicas,
        "audit": checked.as_dict(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    targets = {
        "anonymous rate": anonymous["per_second"] >= args.anonymous_target,
        "anonymous p99": anonymous["p99_us"] / 1000 < args.p99_ms,
        "anonymous errors": anonymous["errors"] == 0,
        "stored rate": stored["per_second"] >= args.stored_target,
        "stored p99": stored["p99_us"] / 1000 < args.p99_ms,
        "stored errors": stored["errors"] == 0,
        "replicas errors": replicas["errors"] == 0,
        # wrk stops with up to one request in flight per connection (in each of the two stored phases): stored, never answered.
        "no lost or duplicated record": checked.ok and checked.unacknowledged <= 2 * args.stored_connections,
    }
    figures["targets_met"] = all(targets.values())
    name = "load" if url.startswith("sqlite") else "load-postgresql"
    (BUILD / f"{name}.json").write_text(json.dumps(figures, indent=2))

    table = Table(
        title=f"Load: subsidy serve ({args.workers} workers), wrk -c{args.connections} anonymous / -c{args.stored_connections} stored, {args.duration} s per phase, {database}",
        title_justify="left",
    )
    for column in ("Phase", "Answered/s", "p50", "p90", "p99", "Errors", "Target"):
        table.add_column(column, justify="left" if column == "Phase" else "right")

    def mark(*names: str) -> str:
        return "met" if all(targets[n] for n in names) else "[red]missed[/red]"

    for phase, result, target in (
        ("anonymous estimates", anonymous, args.anonymous_target),
        ("stored estimates", stored, args.stored_target),
        ("stored estimates, two replicas", replicas, args.stored_target),
    ):
        kind = "replicas" if "replicas" in phase else phase.split()[0]
        table.add_row(
            phase,
            f"{result['per_second']:,.0f}",
            f"{result['p50_us'] / 1000:.1f} ms",
            f"{result['p90_us'] / 1000:.1f} ms",
            f"{result['p99_us'] / 1000:.1f} ms",
            str(result["errors"]),
            f"≥{target:,.0f}/s, p99 <{args.p99_ms:.0f} ms, 0 errors: {mark(f'{kind} rate', f'{kind} p99', f'{kind} errors')}"
            if kind != "replicas"
            else f"0 errors: {mark('replicas errors')}",
        )
    console.print(table)
    audit_line = checked.as_dict()
    console.print(
        f"Audit: {audit_line['acknowledged']:,} acknowledged, {audit_line['stored']:,} stored, "
        f"{audit_line['lost']} lost, {audit_line['acknowledged'] - audit_line['acknowledged_unique']} duplicated, "
        f"{audit_line['incomplete']} incomplete, {audit_line['stored_but_unacknowledged']} stored but unanswered when wrk stopped, "
        f"integrity {audit_line['integrity']}: {mark('no lost or duplicated record')}"
    )
    sys.exit(0 if figures["targets_met"] else 1)


if __name__ == "__main__":
    main()
