"""Time one statement in a fresh Python process and read that process's own peak resident memory."""

from __future__ import annotations

import subprocess
import sys

_MEASURED = """
import resource, time
{setup}
started = time.perf_counter()
{statement}
seconds = time.perf_counter() - started
try:
    with open("/proc/self/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, kib)
"""


def in_fresh_process(setup: str, statement: str) -> tuple[float, float]:
    """Run ``setup``, then time ``statement``, in a new interpreter; returns (seconds, peak MiB).

    The peak is the process's own high-water mark (``VmHWM`` in ``/proc/self/status``), not
    ``getrusage``'s ``ru_maxrss``: Linux carries ``ru_maxrss`` across ``exec``, so a child started by
    a benchmark that has itself held a gigabyte would report the benchmark's peak, not its own.
    """
    code = _MEASURED.format(setup=setup, statement=statement)
    seconds, kib = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    return float(seconds), int(kib) / 1024
