"""The budget-impact report: one HTML file an officer can forward, readable offline, in both languages.

The headline cost and its change by payer, how many companies gain or lose and by how much (a
distribution drawn by matplotlib with a CJK font, embedded as an image), the rules that drive it, the
reform's text, the as-of date and the register's size.
"""

from __future__ import annotations

import base64
import io
import json
from decimal import Decimal
from typing import Any

import numpy as np
from jinja2 import Environment

from eligibility import FACTS

from .chart import ChartError, cjk_font

__all__ = ["impact_report"]

_PAYERS = {"city": ("市级", "city"), "district": ("区级", "district"), "unstated": ("未规定分担比例的责任单位", "responsible units, split not stated")}

_TEMPLATE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>预算影响 Budget impact · {{ title_zh }}</title>
<style>
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; line-height: 1.55; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d7dce3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } .en { color: #5b6675; } .headline { font-size: 1.4rem; }
pre { background: #f6f7f9; padding: .75rem; white-space: pre-wrap; } img { max-width: 100%; }
</style></head>
<body>
<h1>预算影响：{{ title_zh }}<br><span class="en">Budget impact: {{ title_en }}</span></h1>
<p>{{ city_zh }} · 估算日期 <span class="en">as of</span> {{ as_of }} · 名册 <span class="en">register</span> {{ rows }} 家 <span class="en">companies</span> · 改革方案 <span class="en">reform</span> <code>{{ reform_id }}</code> ({{ digest }})</p>
<p class="headline">保证支出变化 <span class="en">change in guaranteed cost</span>：<strong>{{ delta_total }}</strong> 元 <span class="en">yuan</span>
（现行 <span class="en">baseline</span> {{ baseline_total }} → 改革后 <span class="en">reform</span> {{ reform_total }}）</p>
<h2>按支付方 <span class="en">By payer</span></h2>
<table><thead><tr><th>支付方 <span class="en">payer</span></th><th>现行 <span class="en">baseline</span></th><th>改革后 <span class="en">reform</span></th><th>变化 <span class="en">change</span></th></tr></thead>
<tbody>{% for row in payers %}<tr><td>{{ row.zh }} <span class="en">{{ row.en }}</span></td><td class="num">{{ row.baseline }}</td><td class="num">{{ row.reform }}</td><td class="num">{{ row.delta }}</td></tr>{% endfor %}</tbody></table>
<h2>受影响的企业 <span class="en">Companies affected</span></h2>
<p>获益 <span class="en">gain</span> {{ winners }} 家 · 受损 <span class="en">lose</span> {{ losers }} 家 · 不变 <span class="en">unchanged</span> {{ unchanged }} 家 · 受益企业 <span class="en">beneficiaries</span> {{ beneficiaries_before }} → {{ beneficiaries_after }}</p>
{% if chart %}<img alt="保证金额变化的分布 Distribution of the change in guaranteed amounts" src="data:image/png;base64,{{ chart }}">{% endif %}
<h2>变化来自哪些条款 <span class="en">Which rules drive it</span></h2>
<table><tbody>{% for rule, change in drivers %}<tr><td>{{ rule }}</td><td class="num">{{ change }}</td></tr>{% else %}<tr><td>—</td></tr>{% endfor %}</tbody></table>
<h2>改革方案原文 <span class="en">The reform as written</span></h2>
<pre>{{ text }}</pre>
<p class="en">金额为元，精确到分；“保证”指已知信息下确定可得的金额。Amounts in yuan, exact to the fen; “guaranteed” is what is certain from the facts given.</p>
</body></html>
"""


def _money(value: str | None) -> str:
    return "上限未定 unbounded" if value is None else f"{Decimal(value):,.2f}"


def _chart(changes: list[Any]) -> str | None:
    """The distribution of the change in guaranteed amounts, as a base64 PNG; None without changes."""
    if not changes:
        return None
    try:
        from matplotlib.figure import Figure

        font = cjk_font()
    except (ImportError, ChartError):
        return None
    import logging

    from matplotlib import rc_context

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weight fallbacks are not errors
    values = np.concatenate(changes) / 100
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"], "axes.unicode_minus": False}):
        figure = Figure(figsize=(8, 3.8), dpi=100)
        axes = figure.add_subplot()
        axes.hist(values, bins=min(40, max(5, len(np.unique(values)))), color="#1f77b4")
        axes.set_title("保证金额变化的分布 Distribution of the change in guaranteed amounts")
        axes.set_xlabel("每家企业的变化（元）Change per company (yuan)")
        axes.set_ylabel("企业数 Companies")
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def impact_report(summary: Any, reform_text: str, city_name: str, titles: dict[str, tuple[str, str]] | None = None) -> str:
    """The HTML report of an ``ImpactSummary``; ``titles`` names each rule (zh, en) for people."""
    titles = titles or {}
    data = summary.as_dict()
    payers = []
    for payer, before in data["baseline"]["payers"].items():
        after = data["reform"]["payers"].get(payer, {"min": "0.00", "max": "0.00"})
        zh, en = _PAYERS.get(payer, (payer, payer))
        payers.append(
            {"zh": zh, "en": en, "baseline": _money(before["min"]), "reform": _money(after["min"]), "delta": _money(data["delta"]["payers"][payer]["min"])}
        )
    environment = Environment(autoescape=True)
    return environment.from_string(_TEMPLATE).render(
        title_zh=summary.reform.title.zh,
        title_en=summary.reform.title.en,
        city_zh=city_name,
        as_of=data["as_of"],
        rows=f"{data['rows']:,}",
        reform_id=summary.reform.id,
        digest=summary.reform.digest[:12],
        delta_total=_money(data["delta"]["total"]["min"]),
        baseline_total=_money(data["baseline"]["total"]["min"]),
        reform_total=_money(data["reform"]["total"]["min"]),
        payers=payers,
        winners=f"{data['winners']:,}",
        losers=f"{data['losers']:,}",
        unchanged=f"{data['unchanged']:,}",
        beneficiaries_before=f"{data['baseline']['beneficiaries']:,}",
        beneficiaries_after=f"{data['reform']['beneficiaries']:,}",
        chart=_chart(summary.changes),
        drivers=[(" / ".join(titles.get(d["rule"], (d["rule"], ""))).rstrip(" /"), _money(d["min"])) for d in data["drivers"]],
        text=reform_text or json.dumps(summary.reform.data, ensure_ascii=False, indent=2, default=str),
        facts=FACTS,
    )
