"""Each package's public names, and the direction of the imports between them.

The engine (``eligibility``) is pure: no web, database, terminal or chart code. The service (``api``)
and the presentation (``subsidy``) stand on the engine's public names only.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import api
import eligibility
import subsidy

ROOT = Path(__file__).resolve().parent.parent


def test_engine_public_names() -> None:
    assert sorted(eligibility.__all__) == [
        "Count",
        "DEFAULT_RULES_DIR",
        "Document",
        "ENTITY_TYPES",
        "EligibilityError",
        "Estimate",
        "FACTS",
        "InputError",
        "MAX_COUNT",
        "MAX_MONEY",
        "Money",
        "Outcome",
        "PARK_DESIGNATIONS",
        "PAYERS",
        "Profile",
        "ProfileSchema",
        "Reform",
        "Rule",
        "RuleFileError",
        "Rulebook",
        "STATUSES",
        "STATUS_WORDS",
        "StandardsLedSchema",
        "StrictBool",
        "Text",
        "account",
        "apply_reform",
        "check",
        "compare",
        "coverage_failures",
        "coverage_report",
        "default_rulebook",
        "default_runs",
        "document_data",
        "dumps",
        "dumps_bytes",
        "estimate",
        "estimate_under_reform",
        "evaluate",
        "find_reform",
        "flatten_errors",
        "format_money",
        "label_of",
        "lists_its_fields",
        "load_rulebook",
        "load_runs",
        "loads",
        "localize",
        "parse_as_of",
        "parse_money",
        "parse_plan",
        "parse_profile",
        "plan_cities",
        "profile_from_loaded",
        "range_difference",
        "read_reform",
        "recording",
        "requirement",
        "rule_data",
        "rulebook_data",
        "rules_named",
        "shipped_reforms",
        "translate",
        "translate_errors",
        "value_text",
    ]
    for name in eligibility.__all__:
        assert hasattr(eligibility, name), name


def test_service_and_presentation_public_names() -> None:
    assert sorted(api.__all__) == ["create_app", "create_key", "list_keys", "migrate", "revoke_key", "serve_forever"]
    assert subsidy.__all__ == []
    from eligibility import batch, screen  # the screening extra's own public names

    assert sorted(screen.__all__) == ["CHUNK_ROWS", "Origins", "ScreeningSummary", "screen", "screen_file"]
    assert "compile_city" in batch.__all__


def test_errors_share_one_base() -> None:
    assert issubclass(eligibility.InputError, eligibility.EligibilityError)
    assert issubclass(eligibility.RuleFileError, eligibility.EligibilityError)


def _imports(package: str) -> list[tuple[Path, str, list[str]]]:
    """Every import in the package: (file, module, names)."""
    found = []
    for path in sorted((ROOT / package).glob("**/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(path, alias.name, []) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.append((path, node.module, [alias.name for alias in node.names]))
    return found


def test_engine_imports_no_web_database_terminal_or_chart_code() -> None:
    banned = ("flask", "flask_smorest", "limits", "sqlalchemy", "alembic", "gunicorn", "rich", "click", "matplotlib", "api", "subsidy")
    for path, module, _ in _imports("eligibility"):
        assert module.split(".")[0] not in banned, (path, module)


def test_service_uses_only_the_engines_public_names_and_no_terminal_code() -> None:
    for path, module, names in _imports("api"):
        root = module.split(".")[0]
        assert root not in ("rich", "click", "matplotlib"), (path, module)
        if root == "eligibility":
            sandbox = path.name == "views.py" and module in ("eligibility.impact",)  # the screening extra, for the sandbox
            assert sandbox or (module == "eligibility" and set(names) <= set(eligibility.__all__)), (path, module, names)
        if root == "subsidy":  # only the chart views draw, with the presentation's chart and report modules
            place = (path.name, path.parent.name) in (("comparisons.py", "resources"), ("views.py", "pages"))
            assert place and module in ("subsidy.chart", "subsidy.report"), (path, module)


def test_presentation_uses_only_the_engines_public_names() -> None:
    for path, module, names in _imports("subsidy"):
        if module.split(".")[0] == "eligibility":
            allowed = module == "eligibility" and set(names) <= set(eligibility.__all__)
            assert allowed or module in ("eligibility.screen", "eligibility.impact", "eligibility.spark"), (path, module, names)  # the extras


def test_the_engine_alone_loads_none_of_the_heavy_dependencies() -> None:
    code = (
        "import sys, eligibility\n"
        "eligibility.evaluate({'entity_type': 'enterprise'}, 'wuhan', '2022-06-30')\n"
        "heavy = {'flask', 'sqlalchemy', 'alembic', 'rich', 'click', 'matplotlib', 'numpy', 'pyarrow'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_an_estimate_from_the_command_line_loads_no_web_terminal_or_chart_code() -> None:
    code = (
        "import sys\n"
        "from subsidy.cli import main\n"
        "try:\n"
        "    main(['estimate', 'examples/wuhan.json', '--city', 'wuhan', '--as-of', '2022-06-30'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'flask', 'sqlalchemy', 'alembic', 'gunicorn', 'rich', 'matplotlib', 'numpy', 'pyarrow'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stderr.strip() == "[]"


def test_every_package_is_listed_for_the_wheel() -> None:
    """setup.cfg lists packages one by one (the rulebook is mapped in from rules/): none may be left out."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    found = {".".join(path.parent.relative_to(ROOT).parts) for top in ("eligibility", "api", "subsidy") for path in (ROOT / top).glob("**/__init__.py")}
    assert found | {"eligibility.rules", "eligibility.reforms"} == listed
