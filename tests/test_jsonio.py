"""The strict JSON reader: text that no string can hold, and nesting, are refused however they are written.

The reader looks at the raw text first and walks the parsed data only when the text could hold such
a string or such nesting; these tests compare its answers with a walk of every value, over random
data written every way a client may write it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import InputError, dumps, dumps_bytes, loads
from eligibility.jsonio import MAX_DEPTH, NOT_TEXT, _depth, _not_text

#: Any character, lone surrogates and NULs included, and plain keys beside them.
TEXT = st.text(st.characters(codec=None, categories=None), max_size=6)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def written(value: Any, how: str) -> str | bytes:
    """``value`` as a client may send it: escaped ASCII, raw UTF-8, UTF-16, or as Python text."""
    if how == "ascii":
        return json.dumps(value, ensure_ascii=True)
    raw = json.dumps(value, ensure_ascii=False)
    if how == "utf-8":
        return raw.encode("utf-8", "surrogatepass")
    if how == "utf-16":
        return raw.encode("utf-16-le", "surrogatepass")
    return raw


@settings(max_examples=400, deadline=None)
@given(VALUES, st.sampled_from(["ascii", "utf-8", "utf-16", "text"]))
def test_a_string_that_is_not_text_is_refused_at_its_path_however_it_is_written(value: Any, how: str) -> None:
    text = written(value, how)
    try:
        expected = _not_text(json.loads(text), "")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # not JSON this reader could take either way (a raw surrogate in UTF-16 text, say)
    if expected is None:
        assert loads(text) == json.loads(text)
    else:
        with pytest.raises(InputError) as caught:
            loads(text)
        assert caught.value.errors == {expected or "body": [NOT_TEXT]}


@pytest.mark.parametrize("text", ['{"name": "a\\u0000b"}', '{"name": "\\ud800"}', '{"name": "\\uDFFF x"}', b'{"name": "\xed\xa0\x80"}', '{"\\ud800": 1}'])
def test_each_way_of_writing_a_non_text_string_is_refused(text: str | bytes) -> None:
    with pytest.raises(InputError, match="not text"):
        loads(text)


@pytest.mark.parametrize("text", ['{"name": "a\\\\u0000b"}', '{"name": "\\\\ud800"}', '{"name": "\\u4e2d\\u6587"}', '{"name": "中文"}'])
def test_text_that_only_looks_like_an_escape_is_read(text: str) -> None:
    assert loads(text) == json.loads(text)


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, MAX_DEPTH + 5])
@pytest.mark.parametrize("bracket", ["[]", "{}"])
def test_nesting_deeper_than_the_limit_is_refused_and_up_to_it_read(levels: int, bracket: str) -> None:
    text = "[1]" if bracket == "[]" else "{}"
    for _ in range(levels - 1):
        text = f"[{text}]" if bracket == "[]" else f'{{"a": {text}}}'
    assert _depth(json.loads(text)) == min(levels, MAX_DEPTH + 1)  # the walk stops counting past the limit
    if levels > MAX_DEPTH:
        with pytest.raises(InputError, match="nested too deeply"):
            loads(text)
    else:
        assert loads(text) == json.loads(text)


def test_many_brackets_side_by_side_are_not_nesting() -> None:
    text = json.dumps({"prior_awards": [{"rule": "a", "year": 2020} for _ in range(MAX_DEPTH * 3)]})
    assert len(loads(text)["prior_awards"]) == MAX_DEPTH * 3


@pytest.mark.parametrize("data", [{"amount": Decimal("1200.50"), "name": "武汉市"}, {"big": 2**70, "list": [1, None, True]}, ["\u4e2d", Decimal("0.00")]])
def test_the_bytes_sent_are_the_compact_text_encoded(data: Any) -> None:
    assert dumps_bytes(data) == dumps(data, compact=True).encode("utf-8")
    assert json.loads(dumps_bytes(data)) == json.loads(json.dumps(data, default=str))
