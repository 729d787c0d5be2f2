"""The subsidy command: JSON and tables out, exit status 2 and a named field for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from subsidy.cli import main


def run(tmp_path: Path, profile: str | dict[str, Any], *args: str) -> Any:
    path = tmp_path / "profile.json"
    path.write_text(profile if isinstance(profile, str) else json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(main, ["estimate", str(path), *args], env={"COLUMNS": "200"})


def test_estimate_prints_the_engine_json(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    enterprise["national_top100_first_entry"] = True
    result = run(tmp_path, enterprise, "--city", "wuhan", "--district", "江汉区", "--as-of", "2022-06-30")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["city"] == "wuhan" and data["district"] == "江汉区" and data["as_of"] == "2022-06-30"
    assert data["total"]["min"] == "2300000.00"


def test_estimate_table_is_readable(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    result = run(tmp_path, enterprise, "--city", "suzhou", "--as-of", "2022-06-30", "--format", "table")
    assert result.exit_code == 0, result.output
    assert "Milestone award for blockchain" in result.output and "guaranteed 400000.00" in result.output  # capped by the fiscal contribution


def test_estimate_table_in_chinese(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        main,
        ["estimate", str(_write(tmp_path, enterprise)), "--city", "苏州", "--as-of", "2022-06-30", "--format", "table", "--lang", "zh"],
        env={"COLUMNS": "200"},
    )
    assert "苏州市" in result.output and "资金奖励" in result.output and "符合条件" in result.output
    # Rules by their titles and facts by their names: no identifiers and no English statuses in a Chinese table.
    assert "suzhou." not in result.output and "eligible" not in result.output and "Rule" not in result.output


def test_estimate_table_puts_the_notice_first_and_shows_the_retrospective(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        main,
        ["estimate", str(_write(tmp_path, enterprise)), "--city", "changsha", "--as-of", "2024-01-01", "--format", "table", "--lang", "zh"],
        env={"COLUMNS": "200"},
    )
    first = result.output.splitlines()[0]
    assert first.startswith("提示") and "长政办函〔2020〕20号" in result.output and "追溯估算" in result.output


def test_bad_input_in_chinese_keeps_the_field_path(tmp_path: Path) -> None:
    result = run(tmp_path, {"revenue": 1, "operating_revenue": -1}, "--city", "paris", "--lang", "zh")
    assert result.exit_code == 2
    assert "错误: city: 未知城市“paris”；可用：changsha (长沙市), suzhou (苏州市), wuhan (武汉市)。" in result.output
    assert "错误: profile.revenue: 未知字段。有效字段：entity_type, main_business_blockchain" in result.output
    assert "错误: profile.operating_revenue: 金额不能为负数。" in result.output


def _write(tmp_path: Path, profile: dict[str, Any]) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("profile", "args", "needle"),
    [
        ({}, ["--city", "paris"], "city: Unknown city 'paris'"),
        ({"revenue": 1}, ["--city", "wuhan"], "profile.revenue: Unknown field. Valid fields: entity_type, main_business_blockchain, operating_revenue"),
        ({"operating_revenue": -1}, ["--city", "wuhan"], "profile.operating_revenue: Amount must not be negative"),
        ({"operating_revenue": "two million yuan"}, ["--city", "wuhan"], "profile.operating_revenue: Amount must be an amount in yuan written as digits"),
        ('{"operating_revenue": 1e400}', ["--city", "wuhan"], "profile.operating_revenue: Amount must be an integer or a decimal string"),
        ('{"key_tasks_accepted": 1.5}', ["--city", "wuhan"], "profile.key_tasks_accepted: Must be a whole number; counts cannot be fractional"),
        ({}, ["--city", "wuhan", "--as-of", "2022-02-30"], "as_of: Must be a date"),
        ({"entity_type": "company"}, ["--city", "wuhan"], "profile.entity_type: Must be one of"),
        ('{"operating_revenue": NaN}', ["--city", "wuhan"], "PROFILE: Invalid JSON"),
        ('{"a": 1,', ["--city", "wuhan"], "PROFILE: Malformed JSON at line 1"),
        ('{"high_growth": true, "high_growth": false}', ["--city", "wuhan"], "duplicate key"),
        ("[" * 100 + "]" * 100, ["--city", "wuhan"], "nested too deeply"),
    ],
)
def test_estimate_bad_input_exits_2_naming_the_field(tmp_path: Path, profile: Any, args: list[str], needle: str) -> None:
    result = run(tmp_path, profile, *args)
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "Traceback" not in result.output


def test_estimate_missing_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["estimate", str(tmp_path / "nope.json"), "--city", "wuhan"])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_rules_lists_documents_with_their_windows() -> None:
    result = CliRunner().invoke(main, ["rules"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "wuhan-2021-opinions" in result.output and "2021-06-25 to 2023-12-31" in result.output
    assert "national-miit-2021-62" in result.output and "2021-05-27 to no end" in result.output
    assert "wuhan.key_pool_growth" in result.output


def test_rules_json_has_inventory_and_variants() -> None:
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    data = json.loads(result.output)
    wuhan = next(d for d in data["documents"] if d["id"] == "wuhan-2021-opinions")
    growth = next(r for r in wuhan["rules"] if r["id"] == "wuhan.key_pool_growth")
    assert growth["variants"][0]["status"] == "superseded" and growth["variants"][0]["applied"] is False
    assert wuhan["inventory"]["encoded"] + wuhan["inventory"]["not_encoded"] == wuhan["inventory"]["clauses"]


def test_rules_in_chinese_say_the_uncertain_window() -> None:
    result = CliRunner().invoke(main, ["rules", "--lang", "zh"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "有效期2020-12-31至2022-12-31（确定有效；最早可能自2020-01-01起、最晚可能至2023-12-30）" in result.output
    assert "规则编号" in result.output and "in force" not in result.output and "Rule" not in result.output


def _texts(data: Any) -> list[Any]:
    """Every outcome's summary and reason text, as written."""
    return [o["summary"] for o in data["outcomes"]] + [r["text"] for o in data["outcomes"] for r in o["reasons"]]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_estimate_json_is_in_the_language_asked_for(tmp_path: Path, enterprise: dict[str, Any], lang: str) -> None:
    result = run(tmp_path, enterprise, "--city", "wuhan", "--as-of", "2022-06-30", "--lang", lang)
    assert result.exit_code == 0, result.output
    texts = _texts(json.loads(result.output))
    assert texts and all(isinstance(text, str) for text in texts)
    chinese = [text for text in texts if any("\u4e00" <= c <= "\u9fff" for c in text)]
    assert chinese == (texts if lang == "zh" else [])
    assert '"en":' not in result.output and '"zh":' not in result.output


def test_estimate_json_without_a_language_has_both(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    result = run(tmp_path, enterprise, "--city", "wuhan", "--as-of", "2022-06-30")
    assert result.exit_code == 0, result.output
    texts = _texts(json.loads(result.output))
    assert texts and all(isinstance(text, dict) and set(text) == {"zh", "en"} for text in texts)


def test_compare_and_rules_json_in_one_language(tmp_path: Path, enterprise: dict[str, Any]) -> None:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(enterprise), encoding="utf-8")
    compared = CliRunner().invoke(main, ["compare", str(path), "--cities", "wuhan,suzhou", "--as-of", "2022-06-30", "--lang", "zh"])
    assert compared.exit_code == 0, compared.output
    assert '"en":' not in compared.output and "苏州市" in compared.output
    listed = CliRunner().invoke(main, ["rules", "--format", "json", "--lang", "en"])
    assert listed.exit_code == 0, listed.output
    assert '"zh":' not in listed.output and "Suzhou" in listed.output
