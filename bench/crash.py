"""Crash run: kill -9 a worker, then the whole server, in the middle of stored-estimate load; restart; audit.

    python bench/crash.py                       # SQLite and PostgreSQL, 3 crash cycles each
    python bench/crash.py --database sqlite --cycles 1 --seconds 2     # a quick run

Client threads post stored estimates (with an API key) the whole time and keep the id of every
estimate the service acknowledged (a 200 with its id). Each cycle: load; kill -9 one gunicorn worker
(the master starts another); load; kill -9 the master and every worker at once; restart the service
(`subsidy serve`, which migrates first). At the end the database is opened afresh and audited: it
opens cleanly (SQLite's integrity_check), every acknowledged estimate is there, whole and once.
Requests cut off by a kill are refused or unanswered, never acknowledged; a row committed just before
a kill whose answer never left is counted as "stored, unanswered" (it is whole, in the key's history).
Prints the figures, writes build/bench/crash.json, exits 1 when anything acknowledged is missing or
broken. PostgreSQL is taken from DATABASE_URL, or the local server on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from service import ESTIMATE, LIMITS, Service, audit, free_port, new_key  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@dataclass
class Clients:
    """Threads posting stored estimates until stopped; only acknowledged ids are kept."""

    port: int
    key: str
    threads: int = 4
    acknowledged: list[str] = field(default_factory=list)
    refused: int = 0
    cut_off: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        body = json.dumps(ESTIMATE, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"}
        for _ in range(self.threads):
            worker = threading.Thread(target=self._run, args=(body, headers), daemon=True)
            worker.start()
            self._workers.append(worker)

    def _run(self, body: bytes, headers: dict[str, str]) -> None:
        while not self._stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("POST", "/api/v1/estimates", body=body, headers=headers)
                reply = connection.getresponse()
                data = reply.read()
                if reply.status == 200:
                    estimate_id = json.loads(data)["id"]
                    with self._lock:
                        self.acknowledged.append(estimate_id)
                else:
                    with self._lock:
                        self.refused += 1
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.cut_off += 1
                time.sleep(0.02)  # the server is down: try again shortly
            finally:
                connection.close()

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join()


def run(name: str, url: str, cycles: int, seconds: float, folder: Path, console: Console) -> dict[str, Any]:
    key, key_id = new_key(url, f"crash-{int(time.time())}")
    port = free_port()
    log = folder / f"service-{name}.log"
    service = Service(url, port, log, env=LIMITS)
    service.start()
    clients = Clients(port, key)
    clients.start()
    killed_workers: list[int] = []
    restarts = 0
    try:
        for cycle in range(1, cycles + 1):
            with console.status(f"{name}: cycle {cycle}/{cycles}: load, kill -9 a worker"):
                time.sleep(seconds)
                killed_workers.append(service.kill_worker())
            with console.status(f"{name}: cycle {cycle}/{cycles}: load, kill -9 the whole server"):
                time.sleep(seconds)
                service.kill_all()
            with console.status(f"{name}: cycle {cycle}/{cycles}: restart"):
                time.sleep(0.5)  # clients meet a dead port for a moment
                service = Service(url, port, log, env=LIMITS)
                service.start()
                restarts += 1
        with console.status(f"{name}: load after the last restart"):
            time.sleep(seconds)
    finally:
        clients.stop()
        service.stop()
    checked = audit(url, key_id, clients.acknowledged)
    return {
        "database": name,
        "cycles": cycles,
        "workers_killed": len(killed_workers),
        "servers_killed": restarts,
        "requests_cut_off": clients.cut_off,
        "requests_refused": clients.refused,
        **checked.as_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cycles", type=int, default=3, help="kill cycles per database (default 3)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of load between kills (default 5)")
    args = parser.parse_args()
    BUILD.mkdir(parents=True, exist_ok=True)
    console = Console(width=max(Console().width, 132))
    results = []
    with tempfile.TemporaryDirectory(prefix="subsidy-crash-") as scratch:
        folder = Path(scratch)
        if args.database in ("sqlite", "both"):
            results.append(run("SQLite", f"sqlite:///{folder / 'subsidy.db'}", args.cycles, args.seconds, folder, console))
        if args.database in ("postgresql", "both"):
            url = os.environ.get("DATABASE_URL", "")
            url = url if url.startswith("postgresql") else POSTGRESQL
            results.append(run("PostgreSQL", url, args.cycles, args.seconds, folder, console))
    (BUILD / "crash.json").write_text(json.dumps(results, indent=2))
    table = Table(title=f"Crash: kill -9 a worker, then the whole server, {args.cycles} times, under stored-estimate load", title_justify="left")
    columns = ("Database", "Kills (worker + server)", "Acknowledged", "Lost", "Duplicated", "Incomplete", "Stored, unanswered", "Opens cleanly", "Result")
    for column in columns:
        table.add_column(column, justify="left" if column == "Database" else "right")
    for result in results:
        table.add_row(
            result["database"],
            f"{result['workers_killed']} + {result['servers_killed']}",
            f"{result['acknowledged']:,}",
            str(result["lost"]),
            str(result["acknowledged"] - result["acknowledged_unique"]),
            str(result["incomplete"]),
            str(result["stored_but_unacknowledged"]),
            "yes" if result["database_opened"] and result["integrity"] == "ok" else f"[red]{result['integrity']}[/red]",
            "survived" if result["ok"] else "[red]FAILED[/red]",
        )
    console.print(table)
    sys.exit(0 if all(result["ok"] for result in results) else 1)


if __name__ == "__main__":
    main()
