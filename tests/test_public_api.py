"""The engine's public names, and its independence from the web and database layers."""
from __future__ import annotations

import ast
from pathlib import Path

import eligibility


def test_public_names() -> None:
    assert sorted(eligibility.__all__) == [
        "Document",
        "EligibilityError",
        "Estimate",
        "InputError",
        "Profile",
        "Rule",
        "RuleFileError",
        "Rulebook",
        "default_rulebook",
        "estimate",
        "evaluate",
        "load_rulebook",
        "parse_profile",
    ]


def test_errors_share_one_base() -> None:
    assert issubclass(eligibility.InputError, eligibility.EligibilityError)
    assert issubclass(eligibility.RuleFileError, eligibility.EligibilityError)


def test_engine_imports_neither_flask_nor_sqlalchemy() -> None:
    for path in Path(eligibility.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("flask", "sqlalchemy")], path
