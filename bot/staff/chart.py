"""The weekly chart staff get with /stats: a PNG sized and lettered for a phone screen."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on servers; must be chosen before pyplot loads
import matplotlib.pyplot as plt
from matplotlib.ticker import AutoLocator

from bot.staff.insight import Stats

# Fonts with Hangul, best first; without one, Korean labels would render as boxes.
HANGUL_FONTS = ("Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "Noto Sans KR")


def hangul_font() -> str | None:
    """A Hangul-capable font installed on this machine, if any (callers fall back to English labels)."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in HANGUL_FONTS if name in names), None)


COLOURS = {"answer": "#2e7d32", "not_found": "#c62828", "other": "#9e9e9e"}


def weekly_chart(stats: Stats, labels: dict[str, str], title: str) -> bytes:
    """Stacked bars per day: answered from documents, not found, other (small talk, ideas, ...)."""
    answered = [stats.per_day[d]["answer"] for d in stats.days]
    missing = [stats.per_day[d]["not_found"] for d in stats.days]
    other = [sum(stats.per_day[d].values()) - a - m for d, a, m in zip(stats.days, answered, missing, strict=True)]
    x = [d.strftime("%m/%d") for d in stats.days]
    # Portrait-ish 1080 px wide with large type: readable without zooming on a phone.
    font = hangul_font()
    with plt.rc_context({"font.family": font} if font else {}):
        return _draw(stats, x, answered, missing, other, labels, title)


def _draw(stats: Stats, x: list[str], answered: list[int], missing: list[int], other: list[int],
          labels: dict[str, str], title: str) -> bytes:
    fig, ax = plt.subplots(figsize=(7.2, 6.0), dpi=150)
    try:
        ax.bar(x, answered, color=COLOURS["answer"], label=labels["answer"])
        ax.bar(x, missing, bottom=answered, color=COLOURS["not_found"], label=labels["not_found"])
        ax.bar(x, other, bottom=[a + m for a, m in zip(answered, missing, strict=True)], color=COLOURS["other"],
               label=labels["other"])
        ax.set_title(title, fontsize=18)
        ax.tick_params(labelsize=13)
        ticks = AutoLocator()  # the default locator, on whole numbers only: the bars count questions
        ticks.set_params(integer=True)
        ax.yaxis.set_major_locator(ticks)
        ax.legend(fontsize=13, loc="upper left")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)
