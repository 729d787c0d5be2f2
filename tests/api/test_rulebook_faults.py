"""A broken rule file on disk never takes the service down silently.

Start-up refuses, naming the file and the line; a running service read its rulebook once, at start,
and keeps answering with it whatever happens to the files. There is no hot reload: new rules take
effect on a restart, and a restart with a broken file is refused the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from api.db import migrate
from eligibility import RuleFileError
from eligibility.loader import DEFAULT_RULES_DIR
from subsidy.cli import main

WUHAN = Path("wuhan") / "wuhan-2021-opinions.yaml"
SHOWN = f"rules/{WUHAN.as_posix()}"  # how errors name the file: from the rules folder
BODY = {"city": "wuhan", "as_of": "2022-06-30", "profile": {"entity_type": "enterprise"}}


def _rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, copy)
    return copy


def _break_yaml(rules: Path, line: int) -> None:
    """Make line ``line`` of the Wuhan rule file unparseable YAML (an unclosed flow sequence)."""
    path = rules / WUHAN
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = "    applies_to: [enterprise\n"
    path.write_text("".join(lines), encoding="utf-8")


def _break_rule(rules: Path) -> None:
    """Keep the YAML valid but misquote a clause: the quote no longer stands in the source text."""
    path = rules / WUHAN
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("the maximum reward of 300,000 yuan", "the maximum reward of 3,000,000 yuan"), encoding="utf-8")


def _line_of(rules: Path, needle: str) -> int:
    lines = (rules / WUHAN).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_start_up_refuses_invalid_yaml_naming_file_and_line(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    line = _line_of(rules, "applies_to: [enterprise]")
    _break_yaml(rules, line)
    with pytest.raises(RuleFileError) as info:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'subsidy.db'}", "RULES_DIR": str(rules)})
    assert info.value.file == SHOWN
    # PyYAML reports an unclosed sequence where it gave up: the broken line or the one after it.
    assert info.value.line in (line, line + 1)
    assert str(info.value).startswith(f"{SHOWN}:{info.value.line}: not valid YAML")


def test_start_up_refuses_a_misquoted_clause_naming_file_line_and_rule(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    _break_rule(rules)
    with pytest.raises(RuleFileError) as info:
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'subsidy.db'}", "RULES_DIR": str(rules)})
    assert info.value.rule == "wuhan.key_pool_growth"
    assert info.value.line == _line_of(rules, "- id: wuhan.key_pool_growth")
    assert str(info.value).startswith(f"{SHOWN}:{info.value.line}: rule wuhan.key_pool_growth") and "quote" in str(info.value)


def test_serve_refuses_with_one_line_naming_file_and_line(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    line = _line_of(rules, "applies_to: [enterprise]")
    _break_yaml(rules, line)
    env = {"RULES_DIR": str(rules), "DATABASE_URL": f"sqlite:///{tmp_path / 'subsidy.db'}"}
    result = CliRunner().invoke(main, ["serve", "--port", "0"], env=env)
    assert result.exit_code == 1
    assert "the service cannot start: the rulebook does not load" in result.output
    assert f"{SHOWN}:" in result.output and "not valid YAML" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "subsidy.db").exists()  # refused before touching the database


def test_a_running_service_keeps_the_rulebook_it_started_with(tmp_path: Path) -> None:
    rules = _rules(tmp_path)
    url = f"sqlite:///{tmp_path / 'subsidy.db'}"
    migrate(url)
    app = create_app({"DATABASE_URL": url, "RULES_DIR": str(rules)})
    client = app.test_client()
    before = client.get("/api/v1/healthz").get_json()["rulebook"]["digest"]
    first = client.post("/api/v1/estimates", json=BODY)
    _break_yaml(rules, _line_of(rules, "applies_to: [enterprise]"))
    (rules / "suzhou" / "suzhou-2020-93.yaml").unlink()
    after = client.get("/api/v1/healthz").get_json()["rulebook"]["digest"]
    second = client.post("/api/v1/estimates", json=BODY)
    assert after == before
    assert first.status_code == second.status_code == 200
    assert second.get_json()["total"] == first.get_json()["total"]
    assert client.post("/api/v1/estimates", json={**BODY, "city": "suzhou"}).status_code == 200
    with pytest.raises(RuleFileError):  # and a restart refuses the broken files
        create_app({"DATABASE_URL": url, "RULES_DIR": str(rules)})
    app.extensions["database"].engine.dispose()


def test_an_unexpected_failure_is_a_500_in_the_error_shape(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'subsidy.db'}"
    app = create_app({"DATABASE_URL": url})

    @app.get("/api/v1/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    reply = app.test_client().get("/api/v1/boom")
    assert reply.status_code == 500
    assert reply.get_json() == {
        "code": 500,
        "status": "Internal Server Error",
        "message": "Something went wrong on our side; nothing was stored.",
        "errors": {},
    }
    assert b"secret detail" not in reply.data
    app.extensions["database"].engine.dispose()
