"""The ``subsidy`` command: estimates and the rulebook from a terminal.

Bad input exits with status 2 and one line per field saying what is wrong; never a traceback.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from .chart import ChartError, render_chart
from .compare import compare as compare_cities
from .coverage import coverage_report
from .engine import default_rulebook, evaluate
from .errors import InputError, RuleFileError
from .jsonio import dumps, loads
from .loader import DEFAULT_RULES_DIR
from .planner import parse_plan, plan_cities
from .report import comparison_table, coverage_table, plan_table, estimate_table, rulebook_data, rulebook_table

__all__ = ["main"]


def _fail_fields(error: InputError) -> NoReturn:
    for field, messages in sorted(error.errors.items()):
        click.echo(f"error: {field}: {' '.join(messages)}", err=True)
    sys.exit(2)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _read_bytes(path: str, name: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        _fail(f"{name}: cannot read {path}: {exc.strerror}.")
    raise AssertionError  # unreachable: _fail exits


def _read_profile(path: str) -> Any:
    return loads(_read_bytes(path, "PROFILE"), field="PROFILE")


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
        _fail_fields(exc)
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
@click.option("--as-of", "as_of", default=None, help="Date of a one-date comparison, YYYY-MM-DD (default: today).")
@click.option("--plan", "plan_file", default=None, help="PLAN.json: {start_year, years, growth and/or figures, as_of_month_day?}.")
@click.option("--plot", "plot", default=None, type=click.Path(dir_okay=False, path_type=Path), help="With --plan: draw the chart to a .png or .svg file.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True, help="Language of the table.")
def compare(
    profile: str, cities: str, districts: tuple[str, ...], as_of: str | None, plan_file: str | None, plot: Path | None, fmt: str, lang: str
) -> None:
    """Compare what PROFILE.json can expect in several cities, ranked; with --plan, year by year."""
    city_list = [c.strip() for c in cities.split(",") if c.strip()]
    if plot is not None and (plan_file is None or plot.suffix.lower() not in (".png", ".svg")):
        _fail("--plot: needs --plan and a file name ending in .png or .svg.")
    try:
        data = _read_profile(profile)
        if plan_file is None:
            result = compare_cities(data, city_list, as_of, _districts(districts))
        else:
            if as_of is not None:
                raise InputError.single("--as-of", "A plan is evaluated on as_of_month_day of each year; leave --as-of out.")
            plan_data = loads(_read_bytes(plan_file, "--plan"), field="PLAN")
            if not isinstance(plan_data, dict):
                raise InputError.single("PLAN", "Must be a JSON object.")
            result = plan_cities(data, city_list, parse_plan(plan_data), _districts(districts))
    except InputError as exc:
        _fail_fields(exc)
    except RuleFileError as exc:
        _fail(f"the rulebook is invalid: {exc}")
    if plot is not None:
        try:
            plot.write_bytes(render_chart(result, plot.suffix.lower().lstrip(".")))
        except ChartError as exc:
            _fail(f"--plot: {exc}")
        except OSError as exc:
            _fail(f"--plot: cannot write {plot}: {exc.strerror}.")
    if fmt == "table":
        (plan_table if plan_file is not None else comparison_table)(result, lang)
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
