"""The shipped policy texts are the seeds byte for byte, and every rule quotes them verbatim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eligibility import coverage_failures, default_rulebook
from eligibility.coverage import coverage_report
from eligibility.loader import DEFAULT_RULES_DIR, load_rulebook
from eligibility.sources import account, sentences, support_sentences

SHARED_SEEDS = DEFAULT_RULES_DIR.parent.parent / "shared" / "seeds"
SOURCES = DEFAULT_RULES_DIR / "sources"


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="the shared seed folder is not on this machine")
def test_sources_are_byte_identical_to_the_seeds() -> None:
    seeds = sorted(p.name for p in SHARED_SEEDS.iterdir())
    assert seeds == sorted(p.name for p in SOURCES.iterdir())
    for name in seeds:
        assert (SOURCES / name).read_bytes() == (SHARED_SEEDS / name).read_bytes(), name


def test_every_quote_appears_verbatim_in_its_source() -> None:
    book = default_rulebook()
    for document in book.documents:
        text = (SOURCES / document.source).read_text(encoding="utf-8")
        for rule in document.rules:
            assert rule.quote in text, rule.id
            for variant in rule.variants:
                assert variant.quote in (SOURCES / variant.source).read_text(encoding="utf-8"), rule.id


def test_every_seed_text_is_used_by_the_rulebook() -> None:
    book = default_rulebook()
    used = {d.source for d in book.documents} | {v.source for r in book.rules.values() for v in r.variants}
    assert used == {p.name for p in SOURCES.glob("*.txt")}


def test_every_rule_is_inventoried_and_every_clause_accounted_for() -> None:
    for document in default_rulebook().documents:
        listed = {rule for entry in document.inventory for rule in entry.rules}
        assert listed == {rule.id for rule in document.rules}, document.id
        for entry in document.inventory:
            assert entry.rules or (entry.not_encoded and entry.quote), (document.id, entry.clause)


def test_the_wuhan_draft_is_recorded_as_a_superseded_variant() -> None:
    rule = default_rulebook().rules["wuhan.key_pool_growth"]
    (variant,) = rule.variants
    assert variant.status == "superseded"
    assert variant.source == "000_a1b2dfa7b85ac455.txt"
    assert "超过30%" in variant.quote and "最低10万元" in variant.quote


@pytest.mark.parametrize(
    ("document", "number", "start", "end"),
    [
        ("wuhan-2021-opinions", "武政规〔2021〕9号", "2021-06-25", "2023-12-31"),
        ("suzhou-2020-93", "苏府〔2020〕93号", "2020-12-31", "2022-12-31"),
        ("changsha-2020-20", "长政办函〔2020〕20号", "2020-05-18", "2022-12-31"),
        ("national-miit-2021-62", "工信部联信发〔2021〕62号", "2021-05-27", None),
    ],
)
def test_documents_record_number_and_window(document: str, number: str, start: str, end: str | None) -> None:
    doc = default_rulebook().document(document)
    assert doc.number == number
    assert doc.surely_from.isoformat() == start
    assert (doc.surely_to.isoformat() if doc.surely_to else None) == end


def test_suzhou_window_is_no_surer_than_its_text() -> None:
    doc = default_rulebook().document("suzhou-2020-93")
    assert (doc.in_force_from.isoformat(), doc.in_force_to and doc.in_force_to.isoformat()) == ("2020-01-01", "2023-12-30")
    assert doc.uncertain_window and doc.window_doubt is not None and "有效期三年" in doc.window_doubt.zh
    for other in ("wuhan-2021-opinions", "changsha-2020-20", "national-miit-2021-62"):
        assert not default_rulebook().document(other).uncertain_window


def test_chinese_splits_at_full_stops_and_semicolons_not_at_line_breaks() -> None:
    text = "一、总体要求\n对首次进入百强的企业给予一次性奖励200万元；由市、区各承担百分之五十的资金。短句。鼓励企业开展区块链应用！"
    assert sentences(text, "zh") == ["一、总体要求\n对首次进入百强的企业给予一次性奖励200万元；", "由市、区各承担百分之五十的资金。"]
    assert support_sentences(text, "zh") == ["一、总体要求\n对首次进入百强的企业给予一次性奖励200万元；"]


def test_english_splits_at_stops_followed_by_whitespace() -> None:
    text = "A one-time award of 2.5 million yuan is given. Growth above 20%; subject to funds.\nShort one. Nothing here at all for anyone."
    assert sentences(text, "en") == [
        "A one-time award of 2.5 million yuan is given.",
        "Growth above 20%;",
        "subject to funds.",
        "Nothing here at all for anyone.",
    ]
    assert support_sentences(text, "en") == ["A one-time award of 2.5 million yuan is given.", "subject to funds."]


def test_every_support_sentence_of_every_source_is_accounted_for() -> None:
    accounting = account(default_rulebook())
    assert not accounting.missing, [(s.source, s.text) for s in accounting.missing]
    assert {s.source for s in accounting.sentences} == {p.name for p in SOURCES.glob("*.txt")}
    assert accounting.accounted == len(accounting.sentences) == 91


def test_a_sentence_nothing_accounts_for_fails_the_gate_naming_file_and_sentence(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    wuhan = rules / "wuhan" / "wuhan-2021-opinions.yaml"
    text = wuhan.read_text(encoding="utf-8")
    wuhan.write_text(text[: text.index("not_support:")], encoding="utf-8")
    report = coverage_report(load_rulebook(rules), {})
    assert report["summary"]["support_sentences_accounted"] == 88
    failures = coverage_failures(report)
    assert any(
        line.startswith("unaccounted support sentence: rules/sources/001_ef0cfb5ca5c334c3.txt: Lawfully crack down on all kinds of illegal fund-raising")
        for line in failures
    )


def test_the_wuhan_draft_sentences_are_listed_in_the_wuhan_document() -> None:
    wuhan = default_rulebook().document("wuhan-2021-opinions")
    draft = "000_a1b2dfa7b85ac455.txt"
    variants = [v for r in wuhan.rules for v in r.variants if v.source == draft]
    listed = [e for e in wuhan.inventory if e.source == draft]
    assert len(variants) == 6 and len(listed) == 4
    owners = {s.accounted_by.kind for s in account(default_rulebook()).sentences if s.source == draft and s.accounted_by}
    assert owners == {"variant", "inventory"}


def test_wuhan_clause_labels_number_each_part_and_have_a_chinese_rendering() -> None:
    wuhan = default_rulebook().document("wuhan-2021-opinions")
    final = [e for e in wuhan.inventory if e.source == wuhan.source]
    assert all(e.clause.en != e.clause.zh for e in final)
    assert not any(letter in e.clause.en for e in final for letter in ("(a)", "(B)", "(C)", "(D)"))
    assert wuhan.rules[0].clause.zh.startswith("一(一)") and wuhan.rules[0].clause.en.startswith("I.(1)")
