"""The shipped policy texts are the seeds byte for byte, and every rule quotes them verbatim."""
from __future__ import annotations

from pathlib import Path

import pytest

from eligibility import default_rulebook
from eligibility.loader import DEFAULT_RULES_DIR

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
