"""The ``subsidy`` command: estimates and the rulebook from a terminal.

Bad input exits with status 2 and one line per field saying what is wrong; never a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .compare import compare as compare_cities
from .coverage import coverage_report
from .engine import default_rulebook, evaluate
from .errors import InputError, RuleFileError
from .jsonio import dumps, loads
from .loader import DEFAULT_RULES_DIR
from .report import comparison_table, coverage_table, estimate_table, rulebook_data, rulebook_table

__all__ = ["main"]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _read_profile(path: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        _fail(f"PROFILE: cannot read {path}: {exc.strerror}.")
    data = loads(raw, field="PROFILE")
    return data


@click.group()
def main() -> None:
    """Subsidy eligibility calculator for blockchain industry policies."""


@main.command()
@click.argument("profile", metavar="PROFILE.json")
@click.option("--city", required=True, help="wuhan, suzhou or changsha.")
@click.option("--district", default=None, help="District that co-pays district shares, e.g. 江汉区.")
@click.option("--as-of", "as_of", default=None, help="Date of the estimate, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the table.")
def estimate(profile: str, city: str, district: str | None, as_of: str | None, fmt: str, lang: str) -> None:
    """Estimate every award PROFILE.json can expect in a city, clause by clause."""
    try:
        data = _read_profile(profile)
        result = evaluate(data, city, as_of, district)
    except InputError as exc:
        for field, messages in sorted(exc.errors.items()):
            click.echo(f"error: {field}: {' '.join(messages)}", err=True)
        sys.exit(2)
    except RuleFileError as exc:
        _fail(f"the rulebook is invalid: {exc}")
    if fmt == "table":
        estimate_table(result, lang)
    else:
        click.echo(dumps(result))


def _districts(values: tuple[str, ...]) -> dict[str, str]:
    districts: dict[str, str] = {}
    for value in values:
        city, sep, name = value.partition("=")
        if not sep or not city or not name:
            _fail(f"--district: write CITY=DISTRICT, e.g. wuhan=江汉区; got {value!r}.")
        districts[city] = name
    return districts


@main.command()
@click.argument("profile", metavar="PROFILE.json")
@click.option("--cities", required=True, help="Comma-separated, e.g. wuhan,suzhou,changsha.")
@click.option("--district", "districts", multiple=True, help="CITY=DISTRICT, e.g. wuhan=江汉区; repeatable.")
@click.option("--as-of", "as_of", default=None, help="Date of the comparison, YYYY-MM-DD (default: today).")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the table.")
def compare(profile: str, cities: str, districts: tuple[str, ...], as_of: str | None, fmt: str, lang: str) -> None:
    """Compare what PROFILE.json can expect in several cities, ranked."""
    try:
        data = _read_profile(profile)
        result = compare_cities(data, [c.strip() for c in cities.split(",") if c.strip()], as_of, _districts(districts))
    except InputError as exc:
        for field, messages in sorted(exc.errors.items()):
            click.echo(f"error: {field}: {' '.join(messages)}", err=True)
        sys.exit(2)
    except RuleFileError as exc:
        _fail(f"the rulebook is invalid: {exc}")
    if fmt == "table":
        comparison_table(result, lang)
    else:
        click.echo(dumps(result))


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
def rules(fmt: str, lang: str) -> None:
    """List the documents, their in-force windows, and their rules."""
    try:
        book = default_rulebook()
    except RuleFileError as exc:
        _fail(f"the rulebook is invalid: {exc}")
    if fmt == "json":
        click.echo(dumps(rulebook_data(book)))
    else:
        rulebook_table(book, lang)


DEFAULT_RUNS = DEFAULT_RULES_DIR.parent / "build" / "rule-coverage.json"


def load_coverage(runs: Path = DEFAULT_RUNS) -> dict[str, Any]:
    """The coverage report of the last scenario run recorded in ``runs``."""
    try:
        data = loads(runs.read_bytes(), field="RUNS")
    except OSError:
        raise FileNotFoundError(f"no scenario run recorded at {runs}; run the scenarios first (make test)") from None
    return coverage_report(default_rulebook(), data)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--runs", type=click.Path(path_type=Path), default=DEFAULT_RUNS, show_default=True, help="Branches recorded by the last scenario run.")
@click.option("--check", is_flag=True, help="Exit 1 if any rule branch is unexercised or any clause unaccounted for.")
def coverage(fmt: str, runs: Path, check: bool) -> None:
    """Report which rule branches the scenarios exercised, and which clauses are encoded."""
    try:
        report = load_coverage(runs)
    except FileNotFoundError as exc:
        _fail(str(exc))
    except (InputError, RuleFileError) as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(dumps(report))
    else:
        coverage_table(report)
    summary = report["summary"]
    if check and (report["uncovered"] or summary["unaccounted"]):
        for gap in report["uncovered"]:
            click.echo(f"uncovered: {gap['rule']} {gap['branch']}", err=True)
        click.echo(
            f"error: rule coverage {summary['exercised']}/{summary['branches']} branches; "
            f"{summary['unaccounted']} clauses unaccounted for. Add scenarios in features/ for the branches above.",
            err=True,
        )
        sys.exit(1)
