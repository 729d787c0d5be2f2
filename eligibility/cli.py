"""The ``subsidy`` command: estimates and the rulebook from a terminal.

Bad input exits with status 2 and one line per field saying what is wrong; never a traceback.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .chart import ChartError, render_chart
from .compare import compare as compare_cities
from .coverage import coverage_report
from .engine import default_rulebook, evaluate
from .errors import EligibilityError, InputError, RuleFileError
from .jsonio import dumps, loads
from .messages import translate_errors
from .loader import DEFAULT_RULES_DIR
from .model import Rulebook
from .planner import parse_plan, plan_cities
from .report import comparison_table, coverage_table, plan_table, estimate_table, rulebook_data, rulebook_table, screening_table

__all__ = ["main"]


def _fail_fields(error: InputError, lang: str | None = None) -> NoReturn:
    """One line per bad field, its path first (in every language) and then what is wrong."""
    for field, messages in sorted(translate_errors(error.errors, lang).items()):
        click.echo(f"{'错误' if lang == 'zh' else 'error'}: {field}: {' '.join(messages)}", err=True)
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
        _fail_fields(exc, lang)
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
        _fail_fields(exc, lang)
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
        rulebook_table(book, lang, Console(width=None if sys.stdout.isatty() else 120))


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--city", required=True, help="wuhan, suzhou or changsha.")
@click.option("--as-of", "as_of", required=True, help="Date of the screening, YYYY-MM-DD.")
@click.option("--out", "target", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Output file, .parquet or .csv.")
@click.option("--keep", multiple=True, help="An input column to copy to the output, e.g. company_id; repeatable.")
@click.option("--chunk-rows", type=click.IntRange(1, 10_000_000), default=None, help="Rows evaluated at a time (default 262,144).")
@click.option("--summary", "summary_format", type=click.Choice(["table", "json"]), default="table", show_default=True, help="How to print the summary.")
def screen(source: Path, city: str, as_of: str, target: Path, keep: tuple[str, ...], chunk_rows: int | None, summary_format: str) -> None:
    """Screen a register of companies (INPUT, .csv or .parquet) against every rule of a city.

    Columns are profile facts (standards_led.national for nested ones), prior:<rule id> for what a
    rule already paid, and the --keep columns; an empty cell is unknown. Writes one row per company:
    total, city and district shares, and each rule's status and amount.
    """
    from .screen import CHUNK_ROWS, screen_file  # NumPy and Arrow load only for screenings

    console = Console(stderr=True)
    started = time.perf_counter()
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} rows/s"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
        transient=True,
    ) as progress:
        task = progress.add_task("screening", total=None, rate="—")

        def advance(done: int, total: int | None) -> None:
            elapsed = time.perf_counter() - started
            progress.update(task, completed=done, total=total, rate=f"{done / elapsed:,.0f}" if elapsed > 0 else "—")

        try:
            summary = screen_file(source, target, city, as_of, keep=keep, chunk_rows=chunk_rows or CHUNK_ROWS, progress=advance)
        except InputError as exc:
            _fail_fields(exc)
        except RuleFileError as exc:
            _fail(f"the rulebook is invalid: {exc}")
        except EligibilityError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"cannot write {target}: {exc.strerror or exc}.")
    seconds = time.perf_counter() - started
    if summary_format == "json":
        click.echo(dumps({**summary.as_dict(), "seconds": round(seconds, 3), "out": str(target)}))
    else:
        screening_table(summary.as_dict(), seconds, Console(width=None if sys.stdout.isatty() else 120))


DEFAULT_RUNS = DEFAULT_RULES_DIR.parent / "build" / "rule-coverage.json"


def load_coverage(runs: Path = DEFAULT_RUNS, rulebook: Rulebook | None = None) -> dict[str, Any]:
    """The coverage report of the last scenario run recorded in ``runs``, over ``rulebook`` (default: shipped)."""
    try:
        data = loads(runs.read_bytes(), field="RUNS")
    except OSError:
        raise FileNotFoundError(f"no scenario run recorded at {runs}; run the scenarios first (make test)") from None
    return coverage_report(rulebook or default_rulebook(), data)


def coverage_failures(report: dict[str, Any]) -> list[str]:
    """One line per gap the coverage gate fails on: a rule no scenario checks, a branch no checking
    scenario took, a clause unaccounted for, a support sentence of a source nothing accounts for."""
    lines = [f"uncovered: {gap['rule']} is checked by no scenario (no Then step names it)" for gap in report["unchecked"]]
    lines += [f"uncovered: {gap['rule']} {gap['branch']}" for gap in report["uncovered"]]
    for document in report["documents"]:
        lines += [f"unaccounted clause: {document['document']} {c['clause']['zh']}" for c in document["clauses"] if c["state"] == "unaccounted"]
    for sentence in report["support_sentences"]:
        if sentence["accounted_by"] is None:
            lines.append(f"unaccounted support sentence: rules/sources/{sentence['source']}: {sentence['sentence']}")
    return lines


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--runs", type=click.Path(path_type=Path), default=DEFAULT_RUNS, show_default=True, help="Branches recorded by the last scenario run.")
@click.option("--check", is_flag=True, help="Exit 1 if a rule or branch is checked by no scenario, a clause is unaccounted for, or a support sentence of a source is accounted for by no quote.")
def coverage(fmt: str, runs: Path, check: bool) -> None:
    """Report which rule branches the scenarios check, which clauses are encoded, and that every support sentence of the sources is accounted for."""
    try:
        report = load_coverage(runs)
    except FileNotFoundError as exc:
        _fail(str(exc))
    except (InputError, RuleFileError) as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(dumps(report))
    else:
        coverage_table(report, Console(width=None if sys.stdout.isatty() else 120))
    summary = report["summary"]
    if not check:
        return
    if fmt == "json":
        click.echo(f"support sentences accounted for: {summary['support_sentences_accounted']}/{summary['support_sentences']}", err=True)
    failures = coverage_failures(report)
    for line in failures:
        click.echo(line, err=True)
    if failures:
        click.echo(
            f"error: rule coverage {summary['exercised']}/{summary['branches']} branches checked; "
            f"{summary['unchecked_rules']} rules checked by no scenario; {summary['unaccounted']} clauses unaccounted for; "
            f"support sentences accounted for: {summary['support_sentences_accounted']}/{summary['support_sentences']}. "
            "Add scenarios in features/ whose Then steps name the rules above, and list each unaccounted sentence "
            "in its document's inventory (or under not_support, with the reason).",
            err=True,
        )
        sys.exit(1)
