"""The relocation chart: cumulative award per city per year, guaranteed line and potential band.

Labels are in Chinese and English, so a CJK font must be installed (Debian: fonts-wqy-zenhei or
fonts-noto-cjk); without one the chart is refused rather than drawn with empty boxes.
"""

from __future__ import annotations

import glob
import io
import logging
from decimal import Decimal
from typing import Any

from eligibility import EligibilityError

__all__ = ["CJK_FILES", "CJK_FONTS", "ChartError", "cjk_font", "render_chart"]

#: Fonts tried in order; the first installed one draws the labels.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback")
CJK_FILES = ("/usr/share/fonts/**/wqy-zenhei.ttc", "/usr/share/fonts/**/wqy-microhei.ttc", "/usr/share/fonts/**/NotoSansCJK-Regular.ttc")
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


class ChartError(EligibilityError):
    """The chart cannot be drawn here (matplotlib or a CJK font is not installed)."""


def cjk_font() -> str:
    """The name of an installed font that has Chinese glyphs."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    for attempt in range(2):
        installed = {f.name for f in manager.ttflist}
        for name in CJK_FONTS:
            if name in installed:
                return name
        if attempt == 0:  # installed after matplotlib cached its font list: add the files themselves
            for pattern in CJK_FILES:
                for path in sorted(glob.glob(pattern, recursive=True)):
                    manager.addfont(path)
    raise ChartError("No CJK font is installed, so Chinese labels would print as boxes. Install one, e.g. `apt-get install fonts-wqy-zenhei`.")


def _cumulative(values: list[str | None]) -> list[float | None]:
    total, out = Decimal(0), list[float | None]()
    for value in values:
        if value is None:
            out.append(None)
            total = Decimal("NaN")
            continue
        total += Decimal(value)
        out.append(None if total.is_nan() else float(total))  # plotting coordinates only, never money
    return out


def render_chart(result: dict[str, Any], fmt: str = "png", lang: str | None = None) -> bytes:
    """Draw a planner result (``plan_cities``) as PNG or SVG bytes, labelled in ``lang`` (``zh`` or
    ``en``) or in both when it is None."""

    def say(zh: str, en: str) -> str:
        return f"{zh} {en}" if lang is None else zh if lang == "zh" else en

    if fmt not in ("png", "svg"):
        raise ChartError(f"Unknown chart format '{fmt}'; use png or svg.")
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator
    except ImportError:
        raise ChartError("Charts need matplotlib: install the charts extra, pip install 'subsidy-eligibility[charts]'.") from None

    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # weight fallbacks are not errors
    font = cjk_font()
    with rc_context({"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"], "svg.fonttype": "none", "axes.unicode_minus": False}):
        figure = Figure(figsize=(9, 5.5), dpi=100)
        axes = figure.add_subplot()
        plan = result["plan"]
        years = list(range(plan["start_year"], plan["start_year"] + plan["years"]))
        series = []
        for entry in result["ranking"]:
            low = _cumulative([y["total"]["min"] for y in entry["years"]])
            high = _cumulative([y["total"]["max"] for y in entry["years"]])
            series.append((entry, low, high))
        finite = [v for _, low, high in series for v in low + high if v is not None]
        top = max([*finite, 1.0]) * 1.15
        for index, (entry, low, high) in enumerate(series):
            colour = _COLOURS[index % len(_COLOURS)]
            name = entry["city_name"]
            label = say(name["zh"], name["en"]) if isinstance(name, dict) else str(name)
            guaranteed = [v or 0.0 for v in low]
            potential = [top if v is None else v for v in high]
            axes.fill_between(years, guaranteed, potential, color=colour, alpha=0.12, linewidth=0, gid=f"potential-{entry['city']}")
            axes.plot(
                years,
                guaranteed,
                marker="o",
                color=colour,
                linewidth=2,
                label=f"{label}{'：' if lang != 'en' else ': '}{say('保证', 'guaranteed')}",
                gid=f"guaranteed-{entry['city']}",
            )
            axes.plot(
                years,
                potential,
                color=colour,
                linewidth=1,
                linestyle="--",
                label=f"{label}{'：' if lang != 'en' else ': '}{say('可能', 'potential')}",
                gid=f"potential-line-{entry['city']}",
            )
        axes.set_title(say("累计奖励", "Cumulative awards"))
        axes.set_xlabel(say("年份", "Year"))
        axes.set_ylabel(say("累计金额（元）", "Cumulative amount (yuan)"))
        axes.set_ylim(0, top)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        axes.grid(True, alpha=0.3)
        axes.legend(loc="upper left", fontsize=8)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()
