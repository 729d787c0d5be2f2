"""Where one request's time goes, without a server or a network: the service's WSGI application called
in this process, as gunicorn calls it, against the bare view of bench/throughput.py.

    python bench/request.py              # 15 rounds of 200 requests each
    python bench/request.py --rounds 5   # a quick look

wrk on this machine drifts by a fifth from run to run; the cost of a request in one process drifts far
less, so this is the figure to compare revisions by (run it on each, alternately). Each round times
every subject in turn, and the fastest round of each is kept. Besides the whole request it times,
each alone, the parts of it that are the service's own: reading and validating the body (the request
schema), deciding the estimate, and writing its words in both languages as the answer's JSON (and the
same with no outcome kept from an earlier request). What is
left is Flask, flask-smorest, webargs and the rate limiter, and the cost of running all of them in
turn (a part timed alone runs with its code and data warm in the processor's caches, as it does not
in a request).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from rich.console import Console
from rich.table import Table
from werkzeug.test import EnvironBuilder

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from throughput import OURS  # noqa: E402

from api import create_app, migrate  # noqa: E402
from api.schemas import EstimateRequestSchema  # noqa: E402
from eligibility import default_rulebook, estimate, profile_from_loaded  # noqa: E402
from eligibility.engine import _KEPT  # noqa: E402

TEN_KB = json.dumps({"text": "x" * 10_220})


def bare_app() -> Flask:
    """The bare view of bench/throughput.py: parse the JSON body, return 10 KB."""
    app = Flask("bare")

    @app.post("/bare")
    def bare() -> Response:
        request.get_json()
        return Response(TEN_KB, mimetype="application/json")

    return app


def caller(app: Any, path: str, body: bytes) -> Callable[[], None]:
    """One POST of ``body`` to ``path``, straight into the WSGI application; fails on any answer but 200."""
    environ = EnvironBuilder(path=path, method="POST", data=body, content_type="application/json").get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"

    def call() -> None:
        statuses: list[str] = []
        answer = app({**environ, "wsgi.input": io.BytesIO(body)}, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path} answered {statuses[0]}")

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=15, help="rounds, each timing every subject once (default 15)")
    parser.add_argument("--requests", type=int, default=200, help="requests per subject per round (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="subsidy-request-") as scratch:
        url = f"sqlite:///{Path(scratch) / 'subsidy.db'}"
        migrate(url)
        # As bench/throughput.py serves it: the rate limiter on, its limit too high to refuse anyone.
        app = create_app({"DATABASE_URL": url, "RATE_LIMIT_PER_ADDRESS": "100000000/minute"})
        book = default_rulebook()
        subjects: dict[str, Callable[[], object]] = {"bare Flask view": caller(bare_app(), "/bare", json.dumps(OURS["wuhan"]).encode())}
        for city, data in OURS.items():
            body = json.dumps(data, ensure_ascii=False).encode()
            schema = EstimateRequestSchema()
            loaded = schema.load(data)
            profile = profile_from_loaded(loaded["profile"])
            found = estimate(profile, city, loaded["as_of"], loaded.get("district"), rulebook=book)
            subjects[f"{city}: whole request"] = caller(app, "/api/v1/estimates", body)
            subjects[f"{city}: reading the body"] = lambda schema=schema, data=data: schema.load(data)
            subjects[f"{city}: deciding"] = lambda city=city, loaded=loaded: estimate(
                profile_from_loaded(loaded["profile"]), city, loaded["as_of"], loaded.get("district"), rulebook=book
            )
            subjects[f"{city}: the words, as JSON"] = lambda found=found: found.as_json(None)
            # The same with no outcome kept from an earlier request (the whole request repeats one
            # company, so it writes from kept outcomes: see docs/performance.md).
            subjects[f"{city}: the words, nothing kept"] = lambda found=found: (_KEPT.clear(), found.as_json(None))
        for run in subjects.values():  # warm-up
            for _ in range(args.requests):
                run()
        best = dict.fromkeys(subjects, float("inf"))
        for _ in range(args.rounds):
            for name, run in subjects.items():
                started = time.perf_counter()
                for _ in range(args.requests):
                    run()
                best[name] = min(best[name], (time.perf_counter() - started) / args.requests)
    table = Table(title=f"One request in one process, and its own parts timed alone, µs (fastest of {args.rounds} rounds of {args.requests})")
    table.add_column("What")
    table.add_column("µs", justify="right")
    table.add_column("× the bare view", justify="right")
    bare = best["bare Flask view"]
    for name, seconds in best.items():
        table.add_row(name, f"{seconds * 1e6:,.0f}", f"{seconds / bare:.1f}" if "whole" in name or name == "bare Flask view" else "")
    for city in OURS:
        parts = sum(best[f"{city}: {part}"] for part in ("reading the body", "deciding", "the words, as JSON"))
        rest = best[f"{city}: whole request"] - parts
        table.add_row(f"{city}: the rest (Flask, flask-smorest, webargs, limiter, cold caches)", f"{rest * 1e6:,.0f}", "")
    Console().print(table)


if __name__ == "__main__":
    main()
