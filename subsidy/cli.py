"""The ``subsidy`` command: estimates, comparisons, the rulebook, coverage, screening and the service.

Bad input exits with status 2 and one line per field saying what is wrong; never a traceback. Each
command imports what it needs when it runs (the terminal tables, the charts, the screening extra,
the web service), so ``subsidy estimate`` starts without loading any of them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from eligibility import (
    EligibilityError,
    InputError,
    RuleFileError,
    coverage_failures,
    coverage_report,
    default_rulebook,
    default_runs,
    dumps,
    estimate_under_reform,
    evaluate,
    find_reform,
    load_runs,
    loads,
    localize,
    parse_plan,
    plan_cities,
    rulebook_data,
    translate_errors,
)
from eligibility import (
    compare as compare_cities,
)

if TYPE_CHECKING:
    from flask import Flask
    from rich.console import Console
    from sqlalchemy.orm import Session

__all__ = ["main"]


def _console() -> Console:
    """A console 120 columns wide when the output is not a terminal (a file, a pipe, a test)."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 120)


#: What --lang does, the same for every command that writes words.
_LANG_HELP = "Language of the words: a table's (default en) and the JSON's (default both, each text as {zh, en})."


def _echo_json(data: object, lang: str | None) -> None:
    """Print ``data`` as JSON, its words in ``lang`` only when one is asked for."""
    click.echo(dumps(localize(data, lang) if lang else data))


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
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None, help=_LANG_HELP)
@click.option("--reform", "reform_name", default=None, help="A reform: a shipped reform's id or a reform file (YAML or JSON).")
def estimate(profile: str, city: str, district: str | None, as_of: str | None, fmt: str, lang: str | None, reform_name: str | None) -> None:
    """Estimate every award PROFILE.json can expect in a city, clause by clause; with --reform, under
    the reform, beside the baseline and the difference."""
    try:
        data = _read_profile(profile)
        if reform_name is None:
            result = evaluate(data, city, as_of, district)
        else:
            reform = find_reform(reform_name, "--reform")
            result = estimate_under_reform(data, city, as_of, district, reform, rulebook=default_rulebook())
    except InputError as exc:
        _fail_fields(exc, lang)
    except RuleFileError as exc:
        _fail(f"the reform is refused: {exc}" if reform_name else f"the rulebook is invalid: {exc}")
    if fmt == "table":
        from .tables import estimate_table, reform_table

        estimate_table(result, lang or "en")
        if reform_name is not None:
            reform_table(result, lang or "en")
    else:
        _echo_json(result, lang)


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
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None, help=_LANG_HELP)
def compare(
    profile: str, cities: str, districts: tuple[str, ...], as_of: str | None, plan_file: str | None, plot: Path | None, fmt: str, lang: str | None
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
        from .chart import ChartError, render_chart  # matplotlib: the charts extra

        try:
            plot.write_bytes(render_chart(result, plot.suffix.lower().lstrip(".")))
        except ChartError as exc:
            _fail(f"--plot: {exc}")
        except OSError as exc:
            _fail(f"--plot: cannot write {plot}: {exc.strerror}.")
    if fmt == "table":
        from .tables import comparison_table, plan_table

        (plan_table if plan_file is not None else comparison_table)(result, lang or "en")
    else:
        _echo_json(result, lang)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--lang", type=click.Choice(["en", "zh"]), default=None, help=_LANG_HELP)
def rules(fmt: str, lang: str | None) -> None:
    """List the documents, their in-force windows, and their rules."""
    try:
        book = default_rulebook()
    except RuleFileError as exc:
        _fail(f"the rulebook is invalid: {exc}")
    if fmt == "json":
        _echo_json(rulebook_data(book), lang)
    else:
        from .tables import rulebook_table

        rulebook_table(book, lang or "en", _console())


@contextmanager
def _register_errors(target: Path, rulebook_fault: str) -> Iterator[None]:
    """A register command's failures as one-line exits: bad cells and fields, a refused rulebook or
    reform (``rulebook_fault`` says which), any other engine error, an output that cannot be written."""
    try:
        yield
    except InputError as exc:
        _fail_fields(exc)
    except RuleFileError as exc:
        _fail(f"{rulebook_fault}: {exc}")
    except EligibilityError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {target}: {exc.strerror or exc}.")


def _print_screening(summary: Any, started: float, target: Path, summary_format: str) -> None:
    from .tables import screening_table

    seconds = time.perf_counter() - started
    if summary_format == "json":
        click.echo(dumps({**summary.as_dict(), "seconds": round(seconds, 3), "out": str(target)}))
    else:
        screening_table(summary.as_dict(), seconds, _console())


_F = TypeVar("_F", bound=Callable[..., Any])


def _engine_options(command: _F) -> _F:
    """--engine and --master, for the commands that read a register."""
    command = click.option(
        "--master", default="local[2]", show_default=True, help="With --engine spark: the Spark master, e.g. local[4], spark://host:7077, yarn."
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(["local", "spark"]),
        default="local",
        show_default=True,
        help="spark: INPUT and --out are Parquet datasets (folders), evaluated on Apache Spark (the spark extra).",
    )(command)


def _spark() -> ModuleType:
    """eligibility.spark, or a one-line error naming the extra to install."""
    try:
        import eligibility.spark as spark  # PySpark and a Java runtime: the spark extra
    except ImportError as exc:
        _fail(f"--engine spark needs the spark extra (pip install 'subsidy-eligibility[spark]'): {exc}.")
    return spark


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--city", required=True, help="wuhan, suzhou or changsha.")
@click.option("--as-of", "as_of", required=True, help="Date of the screening, YYYY-MM-DD.")
@click.option("--out", "target", required=True, type=click.Path(path_type=Path), help="Output file, .parquet or .csv (with --engine spark: a folder).")
@click.option("--keep", multiple=True, help="An input column to copy to the output, e.g. company_id; repeatable.")
@click.option("--chunk-rows", type=click.IntRange(1, 10_000_000), default=None, help="Rows evaluated at a time (default 262,144).")
@click.option("--summary", "summary_format", type=click.Choice(["table", "json"]), default="table", show_default=True, help="How to print the summary.")
@_engine_options
def screen(
    source: Path, city: str, as_of: str, target: Path, keep: tuple[str, ...], chunk_rows: int | None, summary_format: str, engine: str, master: str
) -> None:
    """Screen a register of companies (INPUT, .csv or .parquet) against every rule of a city.

    Columns are profile facts (standards_led.national for nested ones), prior:<rule id> for what a
    rule already paid, and the --keep columns; an empty cell is unknown. Writes one row per company:
    total, city and district shares, and each rule's status and amount. With --engine spark, INPUT is
    a folder of Parquet files (or one) and --out a folder; the output has the same columns and values.
    """
    if engine == "spark":
        _screen_on_spark(source, city, as_of, target, keep, summary_format, master)
        return
    try:
        from eligibility.screen import CHUNK_ROWS, screen_file  # NumPy and Arrow: the screening extra
    except ImportError as exc:
        _fail(f"screening needs the screening extra (pip install 'subsidy-eligibility[screening]'): {exc}.")
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .memory import keep_freed_memory

    keep_freed_memory()
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

        with _register_errors(target, "the rulebook is invalid"):
            summary = screen_file(source, target, city, as_of, keep=keep, chunk_rows=chunk_rows or CHUNK_ROWS, progress=advance)
    _print_screening(summary, started, target, summary_format)


def _screen_on_spark(source: Path, city: str, as_of: str, target: Path, keep: tuple[str, ...], summary_format: str, master: str) -> None:
    spark_module = _spark()
    from rich.console import Console

    started = time.perf_counter()
    status = Console(stderr=True).status(f"screening on Spark ({master})")
    with status, _register_errors(target, "the rulebook is invalid"), spark_module.session(master) as spark:
        summary = spark_module.screen_folder(spark, str(source), str(target), city, as_of, keep=keep)
    _print_screening(summary, started, target, summary_format)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option(
    "--runs", type=click.Path(path_type=Path), default=None, help="The last scenario run: default $RULE_COVERAGE_RUNS, else build/rule-coverage.json."
)
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 if a rule or branch is checked by no scenario, a clause is unaccounted for, or a support sentence of a source is accounted for by no quote.",
)
def coverage(fmt: str, runs: Path | None, check: bool) -> None:
    """Report which rule branches the scenarios check, which clauses are encoded, and that every support sentence of the sources is accounted for."""
    try:
        report = coverage_report(default_rulebook(), load_runs(runs or default_runs()))
    except FileNotFoundError as exc:
        _fail(str(exc))
    except (InputError, RuleFileError) as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(dumps(report))
    else:
        from .tables import coverage_table

        coverage_table(report, _console())
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


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("--city", required=True, help="wuhan, suzhou or changsha.")
@click.option("--as-of", "as_of", required=True, help="Date of the screening, YYYY-MM-DD.")
@click.option("--reform", "reform_name", required=True, help="A reform: a shipped reform's id or a reform file (YAML or JSON).")
@click.option("--out", "target", required=True, type=click.Path(path_type=Path), help="Output file, .parquet or .csv (with --engine spark: a folder).")
@click.option("--report", "report", default=None, type=click.Path(dir_okay=False, path_type=Path), help="Also write the HTML report here.")
@click.option("--keep", multiple=True, help="An input column to copy to the output, e.g. company_id; repeatable.")
@click.option("--summary", "summary_format", type=click.Choice(["table", "json"]), default="table", show_default=True, help="How to print the summary.")
@_engine_options
def impact(
    source: Path,
    city: str,
    as_of: str,
    reform_name: str,
    target: Path,
    report: Path | None,
    keep: tuple[str, ...],
    summary_format: str,
    engine: str,
    master: str,
) -> None:
    """The budget impact of a reform on a register (INPUT, .csv or .parquet; the columns of screen).

    Writes one row per company: the baseline and reformed totals and payer shares, and their
    difference; prints the summary (rows, beneficiaries, totals by payer, winners, losers). With
    --engine spark, INPUT is a folder of Parquet files (or one) and --out a folder.
    """
    try:
        import eligibility.impact  # noqa: F401  # NumPy and Arrow: the screening extra
    except ImportError as exc:
        _fail(f"impact needs the screening extra (pip install 'subsidy-eligibility[screening]'): {exc}.")
    from rich.console import Console

    from .memory import keep_freed_memory

    keep_freed_memory()
    console = Console(stderr=True)
    try:
        reform = find_reform(reform_name, "--reform")
    except InputError as exc:
        _fail_fields(exc)
    except RuleFileError as exc:
        _fail(f"the reform is refused: {exc}")
    if engine == "spark":
        spark_module = _spark()
        with console.status(f"impact on Spark ({master})"), _register_errors(target, "the reform is refused"), spark_module.session(master) as spark:
            summary = spark_module.impact_folder(spark, str(source), str(target), city, as_of, reform, keep=keep, with_changes=report is not None)
    else:
        summary = _impact_here(source, target, city, as_of, reform, keep, console)
    _impact_outputs(summary, reform, reform_name, report, summary_format)


def _impact_here(source: Path, target: Path, city: str, as_of: str, reform: Any, keep: tuple[str, ...], console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from eligibility.impact import impact_file

    with Progress(
        TextColumn("impact"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, disable=not console.is_terminal, transient=True
    ) as progress:
        task = progress.add_task("impact", total=None)
        with _register_errors(target, "the reform is refused"):
            summary = impact_file(
                source, target, city, as_of, reform, keep=keep, progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    return summary


def _impact_outputs(summary: Any, reform: Any, reform_name: str, report: Path | None, summary_format: str) -> None:
    if report is not None:
        from .report import impact_report

        path = Path(reform_name)
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if not text:
            from eligibility import DEFAULT_RULES_DIR

            shipped = DEFAULT_RULES_DIR.parent / "reforms" / f"{reform.id}.yaml"
            text = shipped.read_text(encoding="utf-8") if shipped.is_file() else ""
        book = default_rulebook()
        titles = {rule.id: (rule.title.zh, rule.title.en) for rule in book.rules.values()}
        try:
            report.write_text(impact_report(summary, text, book.cities[summary.city].zh, titles), encoding="utf-8")
        except OSError as exc:
            _fail(f"--report: cannot write {report}: {exc.strerror}.")
    if summary_format == "json":
        click.echo(dumps(summary.as_dict()))
    else:
        from .tables import impact_table

        impact_table(summary.as_dict(), _console())


# -- the service ------------------------------------------------------------------------------------


def _app() -> Flask:
    """The service, or a one-line error naming the rule file and line that stops it from starting."""
    from api import create_app

    try:
        return create_app()
    except RuleFileError as exc:
        raise click.ClickException(f"the service cannot start: the rulebook does not load: {exc}") from None


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="gunicorn worker processes.  [default: one per processor, and one more]",
)
@click.option("--threads", default=16, show_default=True, type=int, help="Threads per worker: requests served at once by each.")
@click.option(
    "--body-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(0.1, 300),
    help="Seconds a read from a client may wait; a body that stalls longer is answered 408.",
)
def serve(host: str, port: int, workers: int | None, threads: int, body_timeout: float) -> None:
    """Migrate the database, then serve the JSON API and the pages with gunicorn (threaded workers)."""
    from api import migrate, serve_forever

    app = _app()
    migrate(app.config["DATABASE_URL"])
    click.echo(f"Serving on http://{host}:{port}/api/docs (database {app.extensions['database'].engine.url.render_as_string(hide_password=True)})")
    serve_forever(app, host, port, workers, threads, body_timeout)


@main.group()
def keys() -> None:
    """Manage API keys."""


@contextmanager
def _key_session() -> Iterator[Session]:
    """A database session for the key commands, on the migrated database DATABASE_URL names."""
    from api import migrate

    app = _app()
    migrate(app.config["DATABASE_URL"])
    with app.app_context():
        session = app.extensions["database"].sessions()
        try:
            yield session
        finally:
            session.close()


@keys.command("create")
@click.argument("name")
def keys_create(name: str) -> None:
    """Create an API key called NAME; the key is printed once, alone on the last line."""
    from api import create_key

    if not name.strip() or len(name) > 100:
        click.echo("error: NAME: must be 1 to 100 characters.", err=True)
        raise SystemExit(2)
    with _key_session() as session:
        key = create_key(session, name)
    click.echo(f"Created API key '{name}'. Store it now; it cannot be shown again:")
    click.echo(key)


@keys.command("list")
def keys_list() -> None:
    """List the keys: id, name, when created and when revoked (keys themselves are never stored)."""
    from api import list_keys

    with _key_session() as session:
        for key in list_keys(session):
            revoked = f"revoked {key.revoked_at.isoformat()}" if key.revoked_at else "active"
            click.echo(f"{key.id}\t{key.name}\tcreated {key.created_at.isoformat()}\t{revoked}")


@keys.command("revoke")
@click.argument("key_id", metavar="ID", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke the key with ID (see `subsidy keys list`); it stops working with the next request."""
    from api import revoke_key

    with _key_session() as session:
        key = revoke_key(session, key_id)
        name = key.name if key is not None else None
    if key is None:
        click.echo(f"error: ID: no key {key_id}; see `subsidy keys list`.", err=True)
        raise SystemExit(2)
    click.echo(f"Revoked key {key_id} ('{name}').")
