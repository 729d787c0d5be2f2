"""Words for explanations: facts, values, operators and verdicts, in Chinese and English."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from .facts import FACTS
from .model import Text
from .money import format_money, format_money_text

__all__ = ["STATUS_WORDS", "fact_label", "json_value", "localize", "requirement", "value_text", "verdict"]

_CHOICES = {
    "enterprise": Text("企业", "enterprise"),
    "park": Text("园区", "park"),
    "university": Text("高校", "university"),
    "research_institute": Text("科研机构", "research institute"),
    "none": Text("无", "none"),
    "national_blockchain_pilot_zone": Text("国家级区块链发展先行示范区", "national blockchain development pilot zone"),
    "provincial_blockchain_cluster": Text("省级区块链产业发展集聚区", "provincial blockchain industry cluster"),
}

_OPS = {
    "eq": Text("为", "equal to"),
    "ne": Text("不为", "other than"),
    "gt": Text("超过", "more than"),
    "ge": Text("不低于", "at least"),
    "lt": Text("低于", "less than"),
    "le": Text("不超过", "at most"),
    "in": Text("属于", "one of"),
    "not_in": Text("不属于", "none of"),
    "known": Text("已知", "known"),
    "unknown": Text("未知", "unknown"),
}


def fact_label(name: str) -> Text:
    """A fact's name for people."""
    fact = FACTS[name]
    return Text(fact.zh, fact.en)


def _decimal(value: Fraction | Decimal, places: int, power: int = 0) -> tuple[Decimal, bool]:
    """``value`` times ``10**power``, rounded half to even to ``places`` decimals, and whether that is exact.

    Worked out in integers, so that no digit is lost however large the ratio (growth from a prior
    revenue of 0.01 yuan reaches 10^20 %), and rounded once.
    """
    numerator, denominator = value.as_integer_ratio()
    whole, rest = divmod(abs(numerator) * 10 ** (places + power), denominator)
    if 2 * rest > denominator or (2 * rest == denominator and whole % 2):
        whole += 1
    digits = tuple(map(int, str(whole)))
    return Decimal((numerator < 0, digits, -places)), rest == 0


def _percent(value: Fraction | Decimal) -> str:
    """A ratio as a percentage: two places when exact, more (and "≈") when rounding would hide it."""
    shown, exact = _decimal(value, 2, power=2)
    if exact:
        return f"{shown} %"
    finer, exact = _decimal(value, 6, power=2)
    text = f"{finer.normalize():f}" if finer != finer.to_integral_value() else f"{finer:.2f}"
    return f"{text} %" if exact else f"≈{text} %"


def value_text(name: str, value: object) -> Text:
    """A fact's value for people, e.g. 25.00 % or 1,200,000.00 yuan."""
    kind = FACTS[name].kind
    if isinstance(value, tuple):
        parts = [value_text(name, v) for v in value]
        return Text("、".join(p.zh for p in parts), ", ".join(p.en for p in parts))
    if kind == "bool":
        return Text("是", "yes") if value else Text("否", "no")
    if kind == "enum":
        return _CHOICES.get(str(value), Text(str(value), str(value)))
    if kind == "ratio":
        assert isinstance(value, (Fraction, Decimal))
        shown = _percent(value)
        return Text(shown, shown)
    if kind == "money":
        assert isinstance(value, Decimal)
        return Text(f"{format_money_text(value)}元", f"{format_money_text(value)} yuan")
    return Text(str(value), str(value))


def json_value(name: str, value: object) -> object:
    """A fact's value as JSON data: money and ratios as decimal strings, never floats."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return [json_value(name, v) for v in value]
    kind = FACTS[name].kind
    if kind == "ratio":
        shown, _ = _decimal(value, 12)  # type: ignore[arg-type]
        return f"{shown.normalize():f}" if shown else "0"
    if kind == "money":
        assert isinstance(value, Decimal)
        return format_money(value)
    return value


def requirement(name: str, op: str, operand: object) -> Text:
    """What a condition asks of a fact, e.g. "more than 20.00 %"."""
    if op in ("known", "unknown"):
        return _OPS[op]
    shown = value_text(name, operand)
    if op == "eq" and FACTS[name].kind in ("bool", "enum"):
        return shown
    phrase = _OPS[op]
    return Text(f"{phrase.zh}{shown.zh}", f"{phrase.en} {shown.en}")


#: Each status of an outcome in words.
STATUS_WORDS: dict[str, Text] = {
    "eligible": Text("符合条件", "eligible"),
    "ineligible": Text("不符合条件", "ineligible"),
    "undetermined": Text("尚待确定", "undetermined"),
    "not_in_force": Text("不在有效期内", "not in force"),
}


def verdict(held: bool | None) -> Text:
    """Whether a condition held."""
    if held is None:
        return Text("尚无法判断", "cannot be settled yet")
    return Text("符合", "met") if held else Text("不符合", "not met")


def localize(data: object, lang: str) -> object:
    """Replace every ``{"zh": ..., "en": ...}`` text in ``data`` by its ``lang`` string."""
    if isinstance(data, dict):
        if set(data) == {"zh", "en"} and all(isinstance(v, str) for v in data.values()):
            return data[lang]
        if isinstance(data.get("zh"), str) and isinstance(data.get("en"), str):
            # Words with data beside them (a notice and its documents): keep only the asked language's words.
            other = "en" if lang == "zh" else "zh"
            return {key: localize(value, lang) for key, value in data.items() if key != other}
        return {key: localize(value, lang) for key, value in data.items()}
    if isinstance(data, list):
        return [localize(item, lang) for item in data]
    return data
