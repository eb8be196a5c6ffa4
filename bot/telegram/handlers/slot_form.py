"""The guided slot form of /slots: date (or weekday and weeks), start, length, in person or online, seats, then a
summary to publish. A persistent ConversationHandler whose answers live in the expert's PTB user_data (kept in the
database by our persistence), so a restart or another replica continues mid-form."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.cafes.registry import CafeInfo
from bot.consultations import buttons, render
from bot.consultations.enums import ConsultationError, Refusal, SlotMode
from bot.consultations.forms import SlotFormError
from bot.consultations.render import weekday_name
from bot.consultations.slot_draft import STEPS, Field, Kind, normalise, past_field, to_form, to_rule
from bot.consultations.slot_form_buttons import (
    ANY_PATTERN,
    BACK,
    CANCEL,
    PUBLISH,
    START_PATTERN,
    answer_buttons,
    answer_pattern,
    parse_start,
    summary_buttons,
)
from bot.storage.models.base import utcnow
from bot.strings import t
from bot.telegram.context import Context, resolve_language, store_draft
from bot.telegram.delivery import inline_markup, tell
from bot.telegram.slot_replies import form_problem, published, published_weekly, refusal

log = logging.getLogger(__name__)

DRAFT_KEY = "slot_draft"  # in user_data: {"kind": "one" | "weekly", "values": {field: word}}; JSON, as persisted
# Conversation states by name, not number: a persisted form still means the same step after a release adds one.
STATE = {field: field.value for field in Field}
CONFIRM = "confirm"
State = str | int  # a step's name, or ConversationHandler.END


def _draft(context: Context) -> dict[str, Any] | None:
    user_data = context.user_data if context.user_data is not None else {}
    draft = user_data.get(DRAFT_KEY)
    return draft if isinstance(draft, dict) and draft.get("kind") in set(Kind) else None


async def _say(update: Update, text: str, markup: buttons.Buttons | None = None) -> None:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(text, reply_markup=inline_markup(markup or []))


async def _answered(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


async def _ask(update: Update, context: Context, kind: Kind, field: Field, lang: str) -> State:
    """Ask for one answer (buttons, or type it) and wait for it there."""
    cafe = await _cafe(update, context) if field is Field.MODE else None
    if field is Field.MODE and cafe is None:
        question = t("slots.ask.mode_online", lang)
    else:
        question = t(f"slots.ask.{field}", lang, cafe=cafe.name(lang) if cafe is not None else "")
    await _say(update, question, answer_buttons(field, lang, utcnow(), cafe))
    return STATE[field]


async def _cafe(update: Update, context: Context) -> CafeInfo | None:
    """The expert's cafe for in-person slots; None without one (or if they stopped being an expert mid-form,
    which publishing then tells them)."""
    try:
        return await asyncio.to_thread(context.services.consultations.expert_cafe, _expert(update))
    except ConsultationError:
        return None


def _expert(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def _summary(update: Update, context: Context, draft: dict[str, Any], lang: str) -> State:
    kind, values = Kind(draft["kind"]), draft["values"]
    cafe = await _cafe(update, context)
    if kind is Kind.ONE:
        form = to_form(values)
        text = t("slots.summary.one", lang, when=render.when(form.starts_at, form.minutes, lang),
                 place=render.place(form.mode, cafe, lang), seats=form.capacity)
    else:
        rule = to_rule(values)
        dates = ", ".join(f"{s.starts_at.month}/{s.starts_at.day}" for s in rule.slots(utcnow()))
        text = t("slots.summary.weekly", lang, weekday=weekday_name(rule.weekday, lang),
                 start=rule.start.strftime("%H:%M"), minutes=rule.minutes, weeks=rule.weeks, dates=dates,
                 place=render.place(rule.mode, cafe, lang), seats=rule.capacity)
    await _say(update, text, summary_buttons(lang))
    return CONFIRM


async def on_start(update: Update, context: Context) -> State:
    """"One slot" or "weekly office hours": an active expert, in a private chat, starts a fresh form."""
    query, chat = update.callback_query, update.effective_chat
    kind = parse_start(query.data if query is not None else None)
    if query is None or chat is None or kind is None:
        return ConversationHandler.END
    lang = await resolve_language(update, context)
    if chat.type != ChatType.PRIVATE:
        await tell(update, t("slots.private_only", lang))
        return ConversationHandler.END
    try:
        await asyncio.to_thread(context.services.consultations.expert_cafe, query.from_user.id)
    except ConsultationError as err:
        store_draft(context, DRAFT_KEY, None)
        await tell(update, refusal(err.refusal, lang, publishing=True))
        return ConversationHandler.END
    await query.answer()
    store_draft(context, DRAFT_KEY, {"kind": kind.value, "values": {}})
    await _say(update, t(f"slots.start.{kind}", lang))
    return await _ask(update, context, kind, STEPS[kind][0], lang)


async def _resume(update: Update, context: Context) -> tuple[str, dict[str, Any] | None]:
    """The expert's language and their form in progress; None, and they are told the form is over, when it is
    gone (finished, or erased meanwhile by /deletemydata)."""
    lang = await resolve_language(update, context)
    draft = _draft(context)
    if draft is None:
        await _say(update, t("slots.form_over", lang))
    return lang, draft


async def _take(update: Update, context: Context, field: Field, word: str) -> State:
    """A tapped or typed answer: checked as the quick form checks it; a wrong one is explained and asked again,
    with every earlier answer kept."""
    lang, draft = await _resume(update, context)
    if draft is None:
        return ConversationHandler.END
    kind = Kind(draft["kind"])
    try:
        value = normalise(field, word)
    except SlotFormError as err:
        log.info("slot form: a wrong %s", field)
        await _say(update, form_problem(err, lang))
        return await _ask(update, context, kind, field, lang)
    values = {**draft["values"], field.value: value}
    if field is Field.MODE and value == SlotMode.OFFLINE and await _cafe(update, context) is None:
        await _say(update, t("cs.err.no_cafe", lang))
        return await _ask(update, context, kind, field, lang)
    if kind is Kind.ONE and (past := past_field(values, utcnow())) is not None:
        await _say(update, t("cs.err.slot_past", lang))
        values.pop(past.value, None)
        draft["values"] = values
        store_draft(context, DRAFT_KEY, draft)
        return await _ask(update, context, kind, past, lang)
    draft["values"] = values
    store_draft(context, DRAFT_KEY, draft)
    steps = STEPS[kind]
    following = steps.index(field) + 1
    if following < len(steps):
        return await _ask(update, context, kind, steps[following], lang)
    return await _summary(update, context, draft, lang)


def _on_pick(field: Field) -> Callable[[Update, Context], Coroutine[Any, Any, State]]:
    async def on_pick(update: Update, context: Context) -> State:
        await _answered(update)
        assert context.match is not None
        return await _take(update, context, field, context.match.group(1))
    return on_pick


def _on_text(field: Field) -> Callable[[Update, Context], Coroutine[Any, Any, State]]:
    async def on_text(update: Update, context: Context) -> State:
        message = update.effective_message
        return await _take(update, context, field, (message.text or "") if message is not None else "")
    return on_text


def _on_back(at: Field | None) -> Callable[[Update, Context], Coroutine[Any, Any, State]]:
    """Back from a step (None: from the summary) to the one before it; the answers stay."""
    async def on_back(update: Update, context: Context) -> State:
        await _answered(update)
        lang, draft = await _resume(update, context)
        if draft is None:
            return ConversationHandler.END
        kind = Kind(draft["kind"])
        steps = STEPS[kind]
        if at is None:
            return await _ask(update, context, kind, steps[-1], lang)
        here = steps.index(at) if at in steps else 0
        return await _ask(update, context, kind, steps[max(here - 1, 0)], lang)
    return on_back


async def on_publish(update: Update, context: Context) -> State:
    """Publish what the summary showed; a refusal (the time passed or overlaps, no cafe) asks that step again."""
    await _answered(update)
    lang, draft = await _resume(update, context)
    if draft is None:
        return ConversationHandler.END
    kind = Kind(draft["kind"])
    cs = context.services.consultations
    expert_id = _expert(update)
    try:
        if kind is Kind.ONE:
            view = await asyncio.to_thread(cs.publish, expert_id, to_form(draft["values"]))
            text = published(view, lang)
        else:
            rule = to_rule(draft["values"])
            text = published_weekly(await asyncio.to_thread(cs.publish_weekly, expert_id, rule), rule.weeks, lang)
    except SlotFormError as err:  # a draft saved by an older release, say: ask again from the start
        await _say(update, form_problem(err, lang))
        return await _ask(update, context, kind, STEPS[kind][0], lang)
    except ConsultationError as err:
        await _say(update, refusal(err.refusal, lang, publishing=True))
        again = {Refusal.SLOT_PAST: STEPS[kind][0], Refusal.OVERLAP: STEPS[kind][0], Refusal.NO_CAFE: Field.MODE}
        if err.refusal in again:
            return await _ask(update, context, kind, again[err.refusal], lang)
        store_draft(context, DRAFT_KEY, None)
        return ConversationHandler.END
    store_draft(context, DRAFT_KEY, None)
    await _say(update, text)
    return ConversationHandler.END


async def on_cancel(update: Update, context: Context) -> State:
    await _answered(update)
    store_draft(context, DRAFT_KEY, None)
    await _say(update, t("slots.cancelled", await resolve_language(update, context)))
    return ConversationHandler.END


async def on_not_text(update: Update, context: Context) -> None:
    await _say(update, t("slots.need_text", await resolve_language(update, context)))


async def on_confirm_first(update: Update, context: Context) -> None:
    await _say(update, t("slots.confirm_first", await resolve_language(update, context)))


async def on_stale(update: Update, context: Context) -> None:
    """A button of an earlier question, mid-form: the form waits for the current one."""
    await tell(update, t("slots.stale", await resolve_language(update, context)))


async def on_form_over(update: Update, context: Context) -> None:
    """A form's button once the form is over (published, cancelled, or started before a restart lost it)."""
    await tell(update, t("slots.form_over", await resolve_language(update, context)))


Step = BaseHandler[Update, Context, object]


def build_form() -> ConversationHandler[Context]:
    typed = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND & ~filters.TEXT & ~filters.StatusUpdate.ALL
    states: dict[object, list[Step]] = {
        STATE[field]: [CallbackQueryHandler(_on_pick(field), pattern=answer_pattern(field)),
                       MessageHandler(typed, _on_text(field)), MessageHandler(other, on_not_text),
                       CallbackQueryHandler(_on_back(field), pattern=f"^{BACK}$")]
        for field in Field}
    states[CONFIRM] = [CallbackQueryHandler(on_publish, pattern=f"^{PUBLISH}$"),
                       CallbackQueryHandler(_on_back(None), pattern=f"^{BACK}$"),
                       MessageHandler(typed | other, on_confirm_first)]
    start: Step = CallbackQueryHandler(on_start, pattern=START_PATTERN)
    with warnings.catch_warnings():
        # Tracked per user and chat, not per message: the expert answers by typing as well as by tapping.
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=[start],
            states=states,
            # The start buttons begin a fresh form from any step; any other form button is an earlier question's.
            fallbacks=[CallbackQueryHandler(on_cancel, pattern=f"^{CANCEL}$"), CommandHandler("cancel", on_cancel),
                       start, CallbackQueryHandler(on_stale, pattern=ANY_PATTERN)],
            name="slot_form", persistent=True, allow_reentry=False, per_message=False,
        )
