"""Build the wheel, install it without extras in a fresh virtual environment outside the repository,
and check that what a plain ``pip install`` promises works there: the whole rulebook, ``subsidy
estimate`` and ``subsidy serve``; and that the extras stayed out (no matplotlib, NumPy or Arrow).

Run by ``make test``; prints what it checked and exits non-zero on the first failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from eligibility import load_rulebook

ROOT = Path(__file__).resolve().parent.parent
PROFILE = {"entity_type": "enterprise", "main_business_blockchain": True, "national_top100_first_entry": True, "prior_awards": []}


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check-wheel: {' '.join(map(str, command))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="subsidy-wheel-") as scratch:
        work = Path(scratch)
        run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", work / "dist", ROOT, cwd=work)
        (wheel,) = (work / "dist").glob("*.whl")
        run(sys.executable, "-m", "venv", work / "venv", cwd=work)
        python, subsidy = work / "venv" / "bin" / "python", work / "venv" / "bin" / "subsidy"
        run(python, "-m", "pip", "install", "--quiet", wheel, cwd=work)
        print(f"check-wheel: installed {wheel.name} without extras in a fresh venv")

        extras = run(python, "-c", "import importlib.util as u; print([m for m in ('matplotlib', 'numpy', 'pyarrow') if u.find_spec(m)])", cwd=work)
        if extras.strip() != "[]":
            sys.exit(f"check-wheel: a plain install pulled in extras: {extras.strip()}")

        env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "DATABASE_URL": f"sqlite:///{work / 'service.db'}"}
        env.pop("RULE_COVERAGE_RUNS", None)
        rules = json.loads(run(subsidy, "rules", "--format", "json", cwd=work, env=env))
        shipped = load_rulebook(ROOT / "rules")
        count = sum(len(d["rules"]) for d in rules["documents"])
        print(f"check-wheel: subsidy rules: {len(rules['documents'])} documents, {count} rules, digest {rules['digest'][:12]}")
        if rules["digest"] != shipped.digest or count != len(shipped.rules):
            sys.exit(
                f"check-wheel: the installed rulebook ({count} rules, {rules['digest'][:12]}) is not the repository's ({len(shipped.rules)}, {shipped.digest[:12]})"
            )

        (work / "profile.json").write_text(json.dumps(PROFILE), encoding="utf-8")
        estimate = json.loads(run(subsidy, "estimate", "profile.json", "--city", "wuhan", "--district", "江汉区", "--as-of", "2022-06-30", cwd=work, env=env))
        if estimate["total"]["min"] != "2000000.00":
            sys.exit(f"check-wheel: subsidy estimate gave {estimate['total']}, not 2,000,000.00")
        print("check-wheel: subsidy estimate: 2,000,000.00 guaranteed in Wuhan")

        port = free_port()
        server = subprocess.Popen(
            [str(subsidy), "serve", "--port", str(port), "--workers", "1"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            body = None
            for _ in range(150):
                try:
                    request = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/v1/estimates",
                        data=json.dumps({"city": "wuhan", "as_of": "2022-06-30", "profile": PROFILE}).encode(),
                        headers={"Content-Type": "application/json"},
                    )
                    with urllib.request.urlopen(request, timeout=5) as response:
                        body = json.loads(response.read())
                    break
                except OSError:
                    if server.poll() is not None:
                        break
                    time.sleep(0.2)
            if body is None or body["total"]["min"] != "2000000.00":
                server.kill()
                output = server.stdout.read().decode() if server.stdout else ""
                sys.exit(f"check-wheel: subsidy serve did not answer an estimate:\n{output}")
            print(f"check-wheel: subsidy serve answered POST /api/v1/estimates on port {port}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                page = response.read().decode("utf-8")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/site.css", timeout=5) as response:
                css = response.read()
            if "武汉" not in page or not css:
                sys.exit("check-wheel: the installed service does not serve its pages")
            print("check-wheel: subsidy serve served the home page and its stylesheet")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
