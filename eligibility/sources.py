"""The support sentences of the source texts, and where the rulebook accounts for each.

A clause inventory lists what its author saw; this check reads the texts themselves. Each source is
split into sentences (Chinese at 。；;！？, not at line breaks; English at ``.``, ``!``, ``?`` or ``;``
followed by whitespace), pieces shorter than 14 characters without whitespace are dropped, and a
sentence *carries support* when it contains a marker word (支持, 奖励, award, fund, …). It is
*accounted for* when a quote in the rulebook — a rule's, a variant's, a clause inventory entry's, or a
sentence listed as not a support clause — is contained in it, contains it, or shares with it a run of
at least 15 characters (40 in English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .model import Rulebook

__all__ = ["Accounting", "Owner", "Sentence", "account", "sentences", "support_sentences"]

MARKERS = {
    "zh": ("给予", "奖励", "补贴", "补助", "资助", "扶持", "支持", "优先", "减免", "贴息"),
    "en": ("award", "subsid", "reward", "support", "priorit", "preferential", "fund"),
}
#: The shortest run of characters two texts must share for one to account for the other.
SHARED_RUN = {"zh": 15, "en": 40}
SHORTEST = 14
_SPLIT = {"zh": re.compile(r"(?<=[。；;！？])"), "en": re.compile(r"(?<=[.!?;])\s+")}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Owner:
    """The quote that accounts for a sentence: a rule's (``kind`` rule), one of its variants', a clause
    inventory entry's (``inventory``) or a sentence set aside as not support (``not_support``);
    ``index`` is the position in the variants, inventory or not-support list."""

    kind: Literal["rule", "variant", "inventory", "not_support"]
    document: str
    rule: str | None = None
    index: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "document": self.document, "rule": self.rule, "index": self.index}

    def __str__(self) -> str:
        if self.kind == "rule":
            return f"rule {self.rule}"
        if self.kind == "variant":
            return f"rule {self.rule} variants[{self.index}]"
        return f"{self.document} {self.kind}[{self.index}]"


@dataclass(frozen=True)
class Sentence:
    """One sentence of a source text that carries support, and what accounts for it (None: nothing)."""

    source: str
    text: str
    accounted_by: Owner | None

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "sentence": self.text, "accounted_by": self.accounted_by.as_dict() if self.accounted_by else None}


@dataclass(frozen=True)
class Accounting:
    """Every support sentence of every source, in text order."""

    sentences: tuple[Sentence, ...]

    @property
    def accounted(self) -> int:
        return sum(1 for s in self.sentences if s.accounted_by is not None)

    @property
    def missing(self) -> tuple[Sentence, ...]:
        return tuple(s for s in self.sentences if s.accounted_by is None)


def sentences(text: str, language: str) -> list[str]:
    """The sentences of ``text``, stripped, without pieces shorter than 14 characters."""
    pieces = (p.strip() for p in _SPLIT[language].split(text))
    return [p for p in pieces if len(_SPACE.sub("", p)) >= SHORTEST]


def support_sentences(text: str, language: str) -> list[str]:
    """The sentences of ``text`` that contain a support marker."""
    markers = MARKERS[language]
    return [s for s in sentences(text, language) if any(m in (s.lower() if language == "en" else s) for m in markers)]


def _shares_run(quote: str, sentence: str, run: int) -> bool:
    if quote in sentence or sentence in quote:
        return True
    if len(quote) < run or len(sentence) < run:
        return False
    pieces = {sentence[i : i + run] for i in range(len(sentence) - run + 1)}
    return any(quote[i : i + run] in pieces for i in range(len(quote) - run + 1))


def _quotes(book: Rulebook) -> dict[str, list[tuple[str, Owner]]]:
    """Per source file: every quote of the rulebook with what it belongs to."""
    found: dict[str, list[tuple[str, Owner]]] = {}
    for document in book.documents:
        for rule in document.rules:
            found.setdefault(document.source, []).append((rule.quote, Owner("rule", document.id, rule.id)))
            for index, variant in enumerate(rule.variants):
                found.setdefault(variant.source, []).append((variant.quote, Owner("variant", document.id, rule.id, index)))
        for index, entry in enumerate(document.inventory):
            if entry.quote:
                found.setdefault(entry.source, []).append((entry.quote, Owner("inventory", document.id, index=index)))
        for index, plain in enumerate(document.not_support):
            found.setdefault(plain.source, []).append((plain.quote, Owner("not_support", document.id, index=index)))
    return found


def account(book: Rulebook) -> Accounting:
    """Every support sentence of every source text the rulebook ships, each with what accounts for it."""
    languages = {d.source: d.source_language for d in book.documents}
    quotes = _quotes(book)
    result = []
    for source, text in sorted(book.sources.items()):
        language = languages.get(source, "zh" if re.search(r"[\u4e00-\u9fff]", text) else "en")
        run = SHARED_RUN[language]
        for sentence in support_sentences(text, language):
            owner = next((who for quote, who in quotes.get(source, []) if _shares_run(quote, sentence, run)), None)
            result.append(Sentence(source, sentence, owner))
    return Accounting(tuple(result))
