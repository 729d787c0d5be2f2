"""The crash run (bench/crash.py) in small: kill -9 a worker and the whole server under stored load, then audit.

The full run (three cycles of five seconds per database) is `make crash`; this keeps the script itself
working on every commit, on SQLite and, when DATABASE_URL names one, on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL", "").startswith("postgresql") else [])


@pytest.mark.parametrize("database", BACKENDS)
def test_every_acknowledged_estimate_survives_kill_9(database: str) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "crash.py"), "--database", database, "--cycles", "1", "--seconds", "1.5"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (result,) = json.loads((ROOT / "build" / "bench" / "crash.json").read_text())
    assert result["workers_killed"] == 1 and result["servers_killed"] == 1
    assert result["acknowledged"] > 100  # the load ran before, between and after the kills
    assert result["database_opened"] and result["integrity"] == "ok"
    assert result["lost"] == 0 and result["incomplete"] == 0
    assert result["acknowledged"] == result["acknowledged_unique"]
    assert result["stored"] >= result["acknowledged"]
