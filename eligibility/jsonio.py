"""Strict JSON reading: decimals stay Decimal, NaN/Infinity and duplicate keys are refused."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import orjson

from .errors import InputError

__all__ = ["dumps", "dumps_bytes", "loads"]

MAX_DEPTH = 32


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r}")
        data[key] = value
    return data


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


class JsonNumber(Decimal):
    """A JSON number written with a decimal point or an exponent (``0.0``, ``1.5``, ``1e3``), read exactly.

    Kept apart from a plain Decimal so that fields whose contract is "integer or decimal string"
    (money, counts) can refuse it: many programs write and read such numbers as binary floats.
    """

    __slots__ = ()


def loads(text: str | bytes, field: str = "body") -> Any:
    """Parse JSON strictly; raise InputError naming ``field`` with what is wrong and where."""
    try:
        data = json.loads(text, parse_float=JsonNumber, parse_constant=_no_constants, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError.single(field, f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    except UnicodeDecodeError:
        raise InputError.single(field, "Must be UTF-8 encoded JSON.") from None
    except RecursionError:
        raise InputError.single(field, f"JSON is nested too deeply (more than {MAX_DEPTH} levels).") from None
    except ValueError as exc:
        raise InputError.single(field, f"Invalid JSON: {exc}.") from None
    if _may_nest(text) and _depth(data) > MAX_DEPTH:
        raise InputError.single(field, f"JSON is nested too deeply (more than {MAX_DEPTH} levels).")
    where = _not_text(data, "") if _may_hold_non_text(text) else None
    if where is not None:
        raise InputError.single(where or field, NOT_TEXT)
    return data


def _may_nest(text: str | bytes) -> bool:
    """Whether ``text`` has enough brackets to nest deeper than MAX_DEPTH (most bodies have a few)."""
    if isinstance(text, str):
        return text.count("{") + text.count("[") > MAX_DEPTH
    return text.count(b"{") + text.count(b"[") > MAX_DEPTH


#: Why a string is refused: it holds a character no text can hold.
NOT_TEXT = "Contains a character that is not text (a NUL, or half of a UTF-16 surrogate pair); send plain text."
_BAD = re.compile("[\x00\ud800-\udfff]")
#: What any such string must come from: the escape of a NUL or a surrogate; a NUL byte (raw, or in
#: UTF-16 or UTF-32 text); a surrogate written raw (which the JSON reader lets through from UTF-8).
_SUSPECT_TEXT = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|[\x00\ud800-\udfff]")
_SUSPECT_BYTES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])|\x00|\xed[\xa0-\xbf]")


def _may_hold_non_text(text: str | bytes) -> bool:
    """False when no string parsed from ``text`` can hold a NUL or a lone surrogate; a quick look at
    the text that spares walking the data, most of the time."""
    if isinstance(text, str):
        return _SUSPECT_TEXT.search(text) is not None
    return _SUSPECT_BYTES.search(text) is not None


def _not_text(value: Any, path: str) -> str | None:
    """The path of the first string (key or value) holding a NUL or a lone surrogate, or None."""
    if isinstance(value, str):
        return path if _BAD.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if _BAD.search(key):
                return inner
            found = _not_text(item, inner)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _not_text(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any, *, compact: bool = False) -> str:
    """JSON as UTF-8 text with Decimals as strings: indented for people, or ``compact`` for the wire.

    Compact output is written by orjson (see :func:`dumps_bytes`).
    """
    if compact:
        return dumps_bytes(data).decode()
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


def dumps_bytes(data: Any) -> bytes:
    """Compact JSON, encoded in UTF-8, with Decimals as strings: what an answer sends, with no text
    decoded and encoded again on the way.

    Written by orjson, about fifteen times faster than the standard library on an estimate; the rare
    value orjson refuses (an integer beyond 64 bits) falls back to the standard library.
    """
    try:
        return orjson.dumps(data, default=_default)
    except orjson.JSONEncodeError:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_default).encode()
