"""Benchmark: the estimate result page, as the server makes it and as a browser loads it.

    python bench/pages.py

Posts the README's Wuhan company to ``/estimate`` through the application (no network) 500 times
and prints the median and 95th percentile of the server's time; then the page's weight with every
asset it loads (stylesheet, script) and whether anything would be fetched from outside the service.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from api import create_app, migrate

ROOT = Path(__file__).resolve().parent.parent
RUNS = 500


def form() -> dict[str, str]:
    profile = json.loads((ROOT / "examples" / "wuhan.json").read_text(encoding="utf-8"))
    data = {"city": "wuhan", "district": "江汉区", "as_of": "2022-06-30", "prior_awards": "none"}
    for name, value in profile.items():
        if name != "prior_awards":
            data[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return data


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'bench.db'}"
        migrate(url)
        app = create_app({"DATABASE_URL": url})
        client = app.test_client()
        data = form()
        for _ in range(20):  # warm: the city's rules compiled, templates loaded
            client.post("/estimate", data=data)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.post("/estimate", data=data)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
        weight = len(response.data) + sum(len(client.get(asset).data) for asset in assets)
        outside = re.findall(r'(?:href|src)="(https?://[^"]+)"', page)
    median, p95 = statistics.median(times) * 1e3, sorted(times)[int(RUNS * 0.95)] * 1e3
    print(f"estimate result page, server time: median {median:.2f} ms, p95 {p95:.2f} ms (target: median <= 5 ms)")
    print(f"page weight with its assets ({', '.join(assets)}): {weight / 1024:.1f} KB (target: <= 150 KB)")
    print(f"requests outside the service: {len(outside)}")


if __name__ == "__main__":
    main()
