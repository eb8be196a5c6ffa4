"""/stats for staff: the last seven days in numbers and a chart, per cafe in the staff member's scope, with the
knowledge gaps to answer and each cafe's consultations."""

from __future__ import annotations

import asyncio
from datetime import datetime
from datetime import time as dtime

from telegram import Update
from telegram.ext import CommandHandler

from bot.consultations.forms import SEOUL
from bot.staff.chart import hangul_font, weekly_chart
from bot.staff.insight import Stats
from bot.staff.questions.buttons import gap_buttons
from bot.strings import t
from bot.telegram.bookings_text import stats_section
from bot.telegram.context import App, Context
from bot.telegram.delivery import inline_markup
from bot.telegram.guards import require_staff


def _stats_cafes(context: Context, stats: Stats, lang: str) -> tuple[str, str]:
    """(header, breakdown) of /stats with cafes: which cafes the figures are of (a cafe's staff, a cafe filter),
    and for a view of every cafe or several (admins, staff of no cafe or of several cafes) a line per cafe. Both
    empty without a cafes file. Blocking: run it off the loop."""
    names = {c.id: c.name(lang) for c in context.services.cafes.cafes()}
    if not names and all(f.cafe_id is None for f in stats.by_cafe):
        return "", ""

    def name(cafe_id: str | None) -> str:
        return t("staff.stats.no_cafe", lang) if cafe_id is None else names.get(cafe_id, cafe_id)

    header = breakdown = ""
    if stats.cafes is not None:
        header = t("staff.stats.cafe", lang, cafes=", ".join(name(c) for c in sorted(stats.cafes)))
    if stats.cafes is None or len(stats.cafes) > 1:
        lines = "\n".join(t("staff.stats.cafe_line", lang, cafe=name(f.cafe_id), total=f.total,
                            answered_pct=f.answered_pct, not_found=f.not_found, open=f.open_tickets)
                          for f in stats.by_cafe)
        breakdown = t("staff.stats.by_cafe", lang, lines=lines)
    return header, breakdown


def _stats_consultations(context: Context, stats: Stats, lang: str) -> str:
    """The consultations line of each cafe the figures are of: held and no-shows over the same days, and the
    lead time to the next free slot. Empty without a cafes file. Blocking: run it off the loop."""
    services = context.services
    since = datetime.combine(stats.days[0], dtime(0), SEOUL)
    figures = services.consultations.stats(stats.cafes, since=since)
    return stats_section(figures, services.cafes.cafes(), len(stats.days), lang)


async def stats_command(update: Update, context: Context) -> None:
    """/stats [cafe id]: the last seven days in numbers and a chart, and each cafe's consultations; a cafe's staff
    get their cafes', admins everyone's with a line per cafe."""
    message, user = update.effective_message, update.effective_user
    if (lang := await require_staff(update, context)) is None or message is None or user is None:
        return
    services = context.services
    cafe = context.args[0] if context.args else None
    scope = await asyncio.to_thread(services.cafes.scope, user.id)
    try:
        stats = await asyncio.to_thread(services.insight.collect, 7, cafe=cafe, scope=scope.cafes,
                                        staff_id=user.id)
    except KeyError:
        ids = ", ".join(c.id for c in await asyncio.to_thread(services.cafes.cafes)) or "-"
        await message.reply_text(t("staff.stats.unknown_cafe", lang, cafe=str(cafe)[:40], ids=ids))
        return
    except PermissionError:
        await message.reply_text(t("staff.stats.other_cafe", lang, cafe=str(cafe)[:40],
                                   mine=", ".join(sorted(scope.cafes or ()))))
        return

    def pct(n: int) -> int:
        return round(100 * n / stats.total) if stats.total else 0

    if stats.escalations_open is None:
        escalations = t("staff.stats.no_escalations", lang)
    else:
        median = stats.median_first_reply_minutes
        escalations = t("staff.stats.escalations", lang, open=stats.escalations_open,
                        overdue="-" if stats.escalations_overdue is None else stats.escalations_overdue,
                        median="-" if median is None else f"{median:.0f} min")
    gaps = "\n".join(t("staff.stats.gap", lang, n=n, example=g.example[:100], count=g.count)
                     for n, g in enumerate(stats.gaps, 1))
    per_day = ", ".join(f"{d:%m/%d} {sum(stats.per_day[d].values())}" for d in stats.days)
    text = t("staff.stats.text", lang, days=len(stats.days), total=stats.total, answered=stats.answered,
             answered_pct=pct(stats.answered), not_found=stats.not_found, not_found_pct=pct(stats.not_found),
             up=stats.up, down=stats.down, escalations=escalations, gaps=gaps or t("staff.stats.no_gaps", lang))
    header, breakdown = await asyncio.to_thread(_stats_cafes, context, stats, lang)
    consultations = await asyncio.to_thread(_stats_consultations, context, stats, lang)
    text = "\n\n".join(part for part in (header, text, breakdown, consultations) if part)
    # "Answer this" under each gap opens the staff-question flow (bot.staff.questions) for it.
    references = await asyncio.to_thread(services.questions.gap_references, [g.example for g in stats.gaps])
    answerable = [(n, ref) for n, ref in enumerate(references, 1) if ref is not None]
    await message.reply_text(text + "\n\n" + t("staff.stats.per_day", lang, days=per_day),
                             reply_markup=inline_markup(gap_buttons(answerable, lang)))
    chart_lang = lang if hangul_font() or lang == "en" else "en"  # no Hangul font: English beats boxes
    labels = {k: t(f"staff.stats.label.{k}", chart_lang) for k in ("answer", "not_found", "other")}
    png = await asyncio.to_thread(weekly_chart, stats, labels, t("staff.stats.chart_title", chart_lang))
    await message.reply_photo(png)


def register(app: App) -> None:
    app.add_handler(CommandHandler("stats", stats_command))
