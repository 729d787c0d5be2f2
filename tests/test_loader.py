"""Rule-file validation: each mistake is refused with the file, rule, key and the fix."""

from __future__ import annotations

import copy
import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from eligibility import RuleFileError, load_rulebook

SOURCE = "对参与国家级、省级区块链标准制定的主要单位,分别给予50、30万元的奖励。\n"


def _document() -> dict[str, Any]:
    return {
        "id": "demo-doc",
        "city": "demo",
        "city_name": {"zh": "示例市", "en": "Demo"},
        "number": "示例〔2020〕1号",
        "issuer": {"zh": "示例市人民政府", "en": "Demo government"},
        "title": {"zh": "示例", "en": "Demo"},
        "source": {"file": "demo.txt", "language": "zh", "sha256": hashlib.sha256(SOURCE.encode()).hexdigest()},
        "status": "final",
        "in_force": {"from": "2020-01-01", "to": "2022-12-31"},
        "rules": [
            {
                "id": "demo.standard",
                "clause": "一",
                "title": {"zh": "标准奖励", "en": "Standard award"},
                "quote": "分别给予50、30万元的奖励。",
                "applies_to": ["enterprise"],
                "kind": "standard_award",
                "conditions": {"all": [{"fact": "blockchain_revenue", "gt": 20000000}]},
                "award": {
                    "form": "tiered",
                    "fact": "blockchain_revenue",
                    "above": "exclusive",
                    "pay": "difference",
                    "tiers": [{"threshold": 20000000, "amount": 500000}, {"threshold": 50000000, "amount": 1000000}],
                },
                "caps": [{"fact": "local_fiscal_contribution"}],
                "payers": [{"payer": "city", "share": "0.5"}, {"payer": "district", "share": "0.5"}],
            }
        ],
        "inventory": [{"clause": "一", "summary": {"zh": "标准", "en": "Standards"}, "rules": ["demo.standard"]}],
    }


def _write(root: Path, data: dict[str, Any]) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "sources" / "demo.txt").write_text(SOURCE, encoding="utf-8")
    (root / "demo").mkdir(exist_ok=True)
    path = root / "demo" / "demo-doc.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _error(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> RuleFileError:
    data = copy.deepcopy(_document())
    change(data)
    _write(tmp_path / "rules", data)
    with pytest.raises(RuleFileError) as info:
        load_rulebook(tmp_path / "rules")
    return info.value


def test_loader_accepts_the_valid_demo_document(tmp_path: Path) -> None:
    _write(tmp_path / "rules", _document())
    book = load_rulebook(tmp_path / "rules")
    assert list(book.rules) == ["demo.standard"]
    assert book.cities["demo"].en == "Demo"


def test_loader_loads_the_shipped_rulebook() -> None:
    book = load_rulebook()
    assert {d.id for d in book.documents} == {"wuhan-2021-opinions", "suzhou-2020-93", "changsha-2020-20", "national-miit-2021-62"}
    assert set(book.cities) == {"wuhan", "suzhou", "changsha"}
    assert len(book.digest) == 64


def _rule(data: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = data["rules"][0]
    return rule


@pytest.mark.parametrize(
    ("change", "key", "message", "fix"),
    [
        (
            lambda d: _rule(d)["conditions"]["all"].append({"fact": "revenue_growth", "gt": "0.2"}),
            "conditions.all[1].fact",
            "unknown fact 'revenue_growth'",
            "use one of",
        ),
        (
            lambda d: _rule(d)["conditions"]["all"].append({"fact": "blockchain_revenue", "greater": 1}),
            "conditions.all[1]",
            "unknown operator",
            "give exactly one of",
        ),
        (lambda d: _rule(d).update(conditions={"either": []}), "conditions", "unknown operator", "use all, any, not"),
        (lambda d: _rule(d)["award"]["tiers"].reverse(), "award.tiers[1].threshold", "tiers are out of order", "strictly increasing"),
        (lambda d: _rule(d)["payers"][1].update(share="0.4"), "payers", "sum to 90 %", "add up to 1"),
        (lambda d: _rule(d).update(quote="分别给予60万元的奖励。"), "quote", "not found verbatim in demo.txt", "copy the clause's words exactly"),
        (lambda d: _rule(d).update(colour="red"), "rules[0].colour", "unknown key 'colour'", "use only"),
        (lambda d: _rule(d).update(award={"form": "lottery"}), "award.form", "unknown award form 'lottery'", "use one of"),
        (lambda d: _rule(d).update(award={"form": "fixed", "amount": 1.5}), "award.amount", "must not be floats", "quoted decimals"),
        (lambda d: _rule(d).update(applies_to=["company"]), "applies_to[0]", "unknown entity type", "use some of"),
        (lambda d: _rule(d).pop("payers"), "payers", "must say who pays", "add payers"),
        (
            lambda d: _rule(d)["conditions"]["all"].append({"fact": "entity_type", "in": ["firm"]}),
            "conditions.all[1].in[0]",
            "'firm' is not a value",
            "use one of",
        ),
        (lambda d: _rule(d)["conditions"]["all"].append({"fact": "high_growth", "gt": 1}), "conditions.all[1].gt", "does not apply to bool", "use eq or ne"),
        (lambda d: _rule(d).update(id="other.standard"), "id", "must look like 'demo.some_name'", None),
    ],
)
def test_loader_refuses_a_bad_rule_naming_file_rule_and_key(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], key: str, message: str, fix: str | None
) -> None:
    error = _error(tmp_path, change)
    assert error.file.endswith("demo/demo-doc.yaml")
    assert error.key == key
    assert message in error.message
    if fix:
        assert error.fix and fix in error.fix
    assert "demo-doc.yaml" in str(error)


def test_loader_error_names_the_rule_and_its_line(tmp_path: Path) -> None:
    error = _error(tmp_path, lambda d: _rule(d).update(quote="不在原文中"))
    assert error.rule == "demo.standard"
    assert error.line is not None and error.line > 1
    assert f"demo-doc.yaml:{error.line}: rule demo.standard: quote:" in str(error)


def test_loader_refuses_a_rule_missing_from_the_inventory(tmp_path: Path) -> None:
    entry = {"clause": "一", "summary": {"zh": "x", "en": "x"}, "quote": "分别给予50、30万元的奖励。", "not_encoded": {"zh": "理由", "en": "why"}}
    error = _error(tmp_path, lambda d: d.update(inventory=[entry]))
    assert "not listed in the clause inventory" in error.message


def test_loader_refuses_a_clause_not_encoded_without_its_words_or_a_bilingual_reason(tmp_path: Path) -> None:
    entry: dict[str, Any] = {"clause": "二", "summary": {"zh": "x", "en": "x"}, "not_encoded": {"zh": "理由", "en": "why"}}
    error = _error(tmp_path, lambda d: d["inventory"].append(entry))
    assert error.key == "inventory[1].quote" and "quotes its words" in error.message
    entry.update(quote="分别给予50、30万元的奖励。", not_encoded="why")
    error = _error(tmp_path, lambda d: d["inventory"].append(entry))
    assert error.key == "inventory[1].not_encoded"


def test_loader_refuses_a_not_support_sentence_that_is_not_in_the_source_or_has_no_reason(tmp_path: Path) -> None:
    error = _error(tmp_path, lambda d: d.update(not_support=[{"quote": "不在原文中", "reason": {"zh": "理由", "en": "why"}}]))
    assert error.key == "not_support[0].quote" and "not found verbatim" in error.message
    error = _error(tmp_path, lambda d: d.update(not_support=[{"quote": "分别给予50、30万元的奖励。"}]))
    assert error.key == "not_support[0].reason"


def test_a_clause_label_may_have_two_renderings(tmp_path: Path) -> None:
    data = _document()
    data["rules"][0]["clause"] = {"zh": "一(一)", "en": "I.(1)"}
    _write(tmp_path, data)
    rule = load_rulebook(tmp_path).rules["demo.standard"]
    assert (rule.clause.zh, rule.clause.en) == ("一(一)", "I.(1)")
    data["rules"][0]["clause"] = "一"
    _write(tmp_path, data)
    rule = load_rulebook(tmp_path).rules["demo.standard"]
    assert (rule.clause.zh, rule.clause.en) == ("一", "一")


def test_loader_refuses_an_inventory_entry_without_rules_or_reason(tmp_path: Path) -> None:
    error = _error(tmp_path, lambda d: d["inventory"].append({"clause": "二", "summary": {"zh": "x", "en": "x"}}))
    assert error.key == "inventory[1]"


def test_loader_refuses_a_changed_source_text(tmp_path: Path) -> None:
    error = _error(tmp_path, lambda d: d["source"].update(sha256="0" * 64))
    assert error.key == "source.sha256"


def test_loader_refuses_a_window_that_ends_before_it_starts(tmp_path: Path) -> None:
    error = _error(tmp_path, lambda d: d["in_force"].update(to="2019-12-31"))
    assert error.key == "in_force.to"


def test_loader_refuses_a_capped_award_without_a_cap(tmp_path: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        _rule(d).update(award={"form": "capped", "up_to": 300000})
        _rule(d).pop("caps")

    assert _error(tmp_path, change).key == "caps"


def test_loader_refuses_invalid_yaml_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "rules", _document())
    path.write_text(path.read_text(encoding="utf-8") + "rules: [unclosed\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match="not valid YAML") as info:
        load_rulebook(tmp_path / "rules")
    assert info.value.line is not None


def test_loader_refuses_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="no rule files"):
        load_rulebook(tmp_path)


def test_loader_refuses_a_duplicate_rule_id(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    _write(root, _document())
    shutil.copy(root / "demo" / "demo-doc.yaml", root / "demo" / "demo-two.yaml")
    text = (root / "demo" / "demo-two.yaml").read_text(encoding="utf-8").replace("id: demo-doc", "id: demo-two")
    (root / "demo" / "demo-two.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError, match="already defined"):
        load_rulebook(root)
