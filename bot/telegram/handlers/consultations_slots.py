"""/slots: experts publish and manage their consultation slots, and mark attendance.

`/slots` lists an expert's upcoming slots (close / cancel buttons) and the bookings still to mark; `/slots add ...`
and `/slots weekly ...` publish in one line; the "one slot" and "weekly office hours" buttons start the guided form
(bot.telegram.handlers.slot_form). Thin: each handler parses, makes one call to bot.consultations off the event
loop, and replies.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.consultations import buttons
from bot.consultations.buttons import EXPERT_ACTIONS, Action
from bot.consultations.enums import ConsultationError, Refusal, SlotState
from bot.consultations.forms import SlotFormError, parse_slot, parse_weekly
from bot.consultations.slot_form_buttons import ANY_PATTERN, start_buttons
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import inline_markup, reply_to_press, tell
from bot.telegram.handlers.slot_form import build_form, on_form_over
from bot.telegram.outbox_sender import kick
from bot.telegram.slot_replies import form_problem, published, published_weekly, refusal

log = logging.getLogger(__name__)

LIST_MAX = 15  # slots listed with their buttons; weekly office hours can make dozens
MARK_MAX = 10  # bookings to mark shown, oldest first


# --- /slots: the list and the quick form -------------------------------------------------------------------


async def on_slots(update: Update, context: Context) -> None:
    """/slots: the expert's upcoming slots and bookings to mark; `/slots add ...` or `/slots weekly ...` publish."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return
    lang = await resolve_language(update, context)
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(t("slots.private_only", lang))
        return
    args = context.args or []
    if not args:
        await _list(update, context, user.id, lang)
    elif args[0].lower() in ("add", "weekly"):
        await _quick(update, context, user.id, " ".join(args), lang)
    else:
        log.info("bad /slots (%d arguments)", len(args))
        await message.reply_text(t("cs.form.usage", lang))


async def _list(update: Update, context: Context, expert_id: int, lang: str) -> None:
    message = update.effective_message
    assert message is not None
    try:
        slots, to_mark = await asyncio.to_thread(context.services.consultations.agenda, expert_id)
    except ConsultationError as err:
        await message.reply_text(refusal(err.refusal, lang, publishing=True))
        return
    for booking in to_mark[:MARK_MAX]:
        await message.reply_text(t("cs.expert.mark", lang, id=booking.id, when=booking.slot.when(lang)),
                                 reply_markup=inline_markup(buttons.mark_buttons(booking.id, lang)))
    rows: buttons.Buttons = []
    if slots:
        lines = [t("slots.list.line", lang, id=s.id, when=s.when(lang), place=s.place(lang), booked=s.booked,
                   capacity=s.capacity, state=t(f"slots.state.{s.status}", lang)) for s in slots[:LIST_MAX]]
        if len(slots) > LIST_MAX:
            lines.append(t("slots.list.more", lang, n=len(slots) - LIST_MAX))
        text = t("slots.list", lang, n=len(slots), lines="\n".join(lines))
        for s in slots[:LIST_MAX]:
            rows += buttons.slot_buttons(s.id, s.status == SlotState.OPEN, lang)
    else:
        text = t("slots.list.empty", lang)
    await message.reply_text(f"{text}\n\n{t('slots.list.add', lang)}",
                             reply_markup=inline_markup(rows + start_buttons(lang)))


async def _quick(update: Update, context: Context, expert_id: int, text: str, lang: str) -> None:
    message = update.effective_message
    assert message is not None
    weekly = text.split()[0].lower() == "weekly"
    try:
        if weekly:
            rule = parse_weekly(text)
            made = await asyncio.to_thread(context.services.consultations.publish_weekly, expert_id, rule)
            await message.reply_text(published_weekly(made, rule.weeks, lang))
        else:
            form = parse_slot(text)
            view = await asyncio.to_thread(context.services.consultations.publish, expert_id, form)
            await message.reply_text(published(view, lang))
    except SlotFormError as err:
        log.info("bad /slots %s: %s", "weekly" if weekly else "add", err.problem)
        await message.reply_text(form_problem(err, lang))
    except ConsultationError as err:
        await message.reply_text(refusal(err.refusal, lang, publishing=True))


# --- a slot's and a booking's buttons ----------------------------------------------------------------------


async def on_button(update: Update, context: Context) -> None:
    """Close, cancel (asked first, saying how many founders will be told), attended, no-show."""
    query = update.callback_query
    press = buttons.parse(query.data if query is not None else None)
    if query is None or press is None:
        return
    lang = await resolve_language(update, context)
    cs, expert_id = context.services.consultations, query.from_user.id
    try:
        if press.action is Action.CLOSE:
            view = await asyncio.to_thread(cs.close_slot, press.id, expert_id)
            await query.answer()
            await reply_to_press(query, t("slots.closed", lang, id=view.id, when=view.when(lang), booked=view.booked))
        elif press.action is Action.WITHDRAW:
            view = await asyncio.to_thread(cs.expert_slot, press.id, expert_id)
            if view.status == SlotState.CANCELLED:
                raise ConsultationError(Refusal.NO_SLOT)
            await query.answer()
            await reply_to_press(query, t("slots.withdraw.ask", lang, id=view.id, when=view.when(lang),
                                          n=view.booked),
                                 inline_markup(buttons.withdraw_buttons(view.id, lang)))
        elif press.action is Action.WITHDRAW_YES:
            told = await asyncio.to_thread(cs.cancel_slot, press.id, expert_id)
            await query.answer()
            await reply_to_press(query, t("slots.withdrawn", lang, id=press.id, n=told))
            kick(context)  # the founders' notices were queued with the cancellation
        else:
            attended = press.action is Action.ATTENDED
            await asyncio.to_thread(cs.mark, press.id, expert_id, attended)
            await query.answer()
            await reply_to_press(query, t("slots.marked.attended" if attended else "slots.marked.no_show", lang,
                                          id=press.id))
    except ConsultationError as err:
        await tell(update, refusal(err.refusal, lang))


def register(app: App) -> None:
    app.add_handler(build_form())  # before the buttons: a form's own buttons are the conversation's
    app.add_handler(CommandHandler("slots", on_slots))
    app.add_handler(CallbackQueryHandler(on_button, pattern=buttons.pattern(EXPERT_ACTIONS)))
    app.add_handler(CallbackQueryHandler(on_form_over, pattern=ANY_PATTERN))
