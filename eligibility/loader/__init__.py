"""Load and validate rule files: YAML in, a ``Rulebook`` out, or a ``RuleFileError`` saying what to fix.

Layout of a rulebook folder::

    rules/
      sources/<seed file>          the policy texts, byte for byte, that quotes are checked against
      <city>/<document id>.yaml    one file per document (national documents under national/)

Every key is checked: unknown keys, facts and operators, tiers out of order, payer shares not summing
to 100 %, and quotes that are not found verbatim in the document's source text are all refused.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import RuleFileError
from ..model import Document, Rule, Rulebook, Text
from .documents import DocumentReader
from .reader import display

__all__ = ["DEFAULT_RULES_DIR", "RawFile", "build_rulebook", "load_rulebook", "read_files", "rule_files"]

#: The shipped rulebook: the repository's rules/ folder, installed as the package ``eligibility.rules``.
DEFAULT_RULES_DIR = Path(str(resources.files("eligibility.rules")))


def _cache_file(root: Path, files: list[Path], sources: Path) -> Path | None:
    """Where the compiled rulebook of exactly these files is kept, or None when caching is off.

    The name hashes every rule file and source text byte for byte, the folder, the version of
    Python and the engine's own code, so a changed file can never be served from the cache.
    """
    if os.environ.get("SUBSIDY_RULEBOOK_CACHE", "1") == "0":
        return None
    key = hashlib.sha256(f"{sys.version}\0{root}\0".encode())
    for file in [*files, *sorted(sources.iterdir()), *sorted(Path(__file__).parent.parent.rglob("*.py"))]:
        key.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "subsidy-eligibility" / f"rulebook-{key.hexdigest()}.pickle"


def _read_cache(cache: Path | None) -> Rulebook | None:
    if cache is None:
        return None
    try:
        book = pickle.loads(cache.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return book if isinstance(book, Rulebook) else None


def _write_cache(cache: Path | None, book: Rulebook) -> None:
    if cache is None:
        return
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(book, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(cache)
    except OSError:
        pass  # a read-only home only costs the next start-up its parse


def load_rulebook(path: str | Path | None = None) -> Rulebook:
    """Load every rule file under ``path`` (default: the shipped rulebook) and validate it.

    A rulebook that loaded once is kept compiled in the user's cache (``$XDG_CACHE_HOME`` or
    ``~/.cache``, ``subsidy-eligibility/``) under a hash of its files, so the next process starts
    without parsing; ``SUBSIDY_RULEBOOK_CACHE=0`` turns this off.
    """
    root = (Path(path) if path is not None else DEFAULT_RULES_DIR).resolve()
    files = rule_files(root)
    if not files:
        raise RuleFileError(str(root), "no rule files found.", fix="add rules/<city>/<document>.yaml files.")
    sources = root / "sources"
    cache = _cache_file(root, files, sources) if sources.is_dir() else None
    cached = _read_cache(cache)
    if cached is not None:
        return cached
    book = _parse(root, files, sources)
    _write_cache(cache, book)
    return book


@dataclass
class RawFile:
    """One rule file as read: where it is, its text, and its YAML as data (which a reform may edit)."""

    path: Path
    display: Path
    text: str
    data: Any


def read_files(root: Path, files: list[Path]) -> list[RawFile]:
    """Every rule file's text and YAML; a file that is not YAML is refused naming its line."""
    import yaml  # only when the compiled rulebook is not in the cache

    raws = []
    for file in files:
        text = file.read_bytes().decode("utf-8")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise RuleFileError(str(display(file, root)), f"not valid YAML: {getattr(exc, 'problem', exc)}.", line=mark.line + 1 if mark else None) from None
        raws.append(RawFile(file, display(file, root), text, data))
    return raws


def rule_files(root: Path) -> list[Path]:
    """The rule files under ``root``, in the order they are read."""
    return sorted(p for p in root.glob("*/*.yaml") if p.parent.name != "sources")


def _parse(root: Path, files: list[Path], sources: Path) -> Rulebook:
    return build_rulebook(root, read_files(root, files), sources)


def build_rulebook(root: Path, raws: list[RawFile], sources: Path, digest: str | None = None) -> Rulebook:
    """Validate rule files read as data into a Rulebook; ``digest`` replaces the files' own (a reformed
    rulebook carries the digest of its base and its reform)."""
    hasher = hashlib.sha256()
    documents: list[Document] = []
    rules: dict[str, Rule] = {}
    cities: dict[str, Text] = {}
    for raw in raws:
        reader = DocumentReader(raw.display, raw.text, sources)
        document = reader.document(raw.data)
        for rule in document.rules:
            if rule.id in rules:
                raise RuleFileError(str(raw.display), f"rule id '{rule.id}' is already defined in {rules[rule.id].document}.", rule=rule.id, key="id")
            rules[rule.id] = rule
        if not document.national:
            if document.city in cities and cities[document.city] != document.city_name:
                raise RuleFileError(str(raw.display), "city_name differs from another document of the same city.", key="city_name")
            cities[document.city] = document.city_name
        documents.append(document)
        hasher.update(raw.path.relative_to(root).as_posix().encode() + b"\0" + raw.text.encode("utf-8") + b"\0")
        hasher.update(hashlib.sha256(reader.source_text(document.source, "source.file").encode()).digest())
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(sources.glob("*.txt"))}
    return Rulebook(documents=tuple(documents), digest=digest or hasher.hexdigest(), rules=rules, cities=cities, sources=texts, root=str(root))
