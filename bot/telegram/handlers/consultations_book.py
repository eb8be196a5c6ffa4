"""/book and /mybookings: founders book, cancel and move consultations with their cafe's experts.

Thin: each handler parses the update, calls one step of bot.consultations off the event loop, answers, and kicks the
outbox, which delivers what the step queued (the confirmation with its calendar file, the expert's notice).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, InputFile, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.consultations import buttons, render
from bot.consultations.buttons import FOUNDER_ACTIONS, Action, Buttons, Press
from bot.consultations.enums import ConsultationError, Refusal
from bot.consultations.views import Offer, SlotView
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.delivery import inline_markup, reply_to_press, tell
from bot.telegram.outbox_sender import kick

log = logging.getLogger(__name__)

SHOWN = 8  # open slots per list: more does not fit a phone's screen of buttons


def refusal_text(err: ConsultationError, context: Context, lang: str) -> str:
    """The founder-facing reason, with the configured figure where it has one."""
    settings = context.services.settings
    n = settings.no_show_limit if err.refusal is Refusal.NO_SHOWS else settings.bookings_per_founder
    return t(f"cs.err.{err.refusal.value}", lang, n=n, hours=render.hours(settings.booking_cancel_hours))


def slot_list(slots: list[SlotView], lang: str, own_cafe: str | None, choose: Action, booking_or_ticket: int | None,
              head: str) -> tuple[str, Buttons]:
    """The open slots as text (grouped: the founder's cafe, then others) and one button each.

    `choose` BOOK: each button books (tied to the ticket `booking_or_ticket`, if any); MOVE: moves that booking.
    """
    lines, rows = [head], []
    group: str | None = "-"
    for n, slot in enumerate(slots, 1):
        here = slot.cafe_id if own_cafe is not None and slot.cafe_id == own_cafe else None
        if own_cafe is not None and here != group:
            group = here
            lines.append(t("cs.list.your_cafe", lang, cafe=slot.cafe.name(lang)) if here and slot.cafe
                         else t("cs.list.other_cafes", lang))
        lines.append(render.slot_line(n, slot, lang))
        if choose is Action.MOVE and booking_or_ticket is not None:
            data = buttons.data(Action.MOVE, booking_or_ticket, slot.id)
        else:
            data = buttons.data(Action.BOOK, slot.id, booking_or_ticket)
        rows.append([(render.slot_label(n, slot, lang), data)])
    return "\n".join(lines), rows


async def _show(update: Update, lang: str, offer: Offer, choose: Action, target: int | None,
                head: str | None = None, replace: CallbackQuery | None = None) -> None:
    """Open slots as buttons: to book (`target`: the ticket tied) or to move the booking `target` to. A new
    message, or in place of the pressed button's message (`replace`)."""
    rows: Buttons = []
    if not offer.slots:
        text = "\n\n".join(filter(None, [head, t("cs.list.none", lang)]))
    else:
        default_head = t("cs.resched.head", lang, id=target) if choose is Action.MOVE else t("cs.list.head", lang)
        text, rows = slot_list(offer.slots, lang, offer.own_cafe, choose, target, head or default_head)
        notes = [t("cs.list.for_ticket", lang, ticket=target)] if choose is Action.BOOK and target else []
        if offer.pick_cafe:
            notes.append(t("cs.list.pick_cafe", lang))
        text = "\n\n".join([text, *notes])
    if replace is not None:
        await replace.edit_message_text(text, reply_markup=inline_markup(rows))
    elif update.callback_query is not None:
        await reply_to_press(update.callback_query, text, inline_markup(rows))
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=inline_markup(rows))


async def _private(update: Update, lang: str) -> bool:
    """Bookings are personal: made in the founder's own chat with the bot, where the confirmation goes."""
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE:
        return True
    await tell(update, t("cs.private_only", lang))
    return False


async def on_book(update: Update, context: Context) -> None:
    """/book: the open slots, the founder's cafe first, as buttons."""
    lang, user = await resolve_language(update, context), update.effective_user
    if user is not None and await _private(update, lang):
        offer = await asyncio.to_thread(context.services.consultations.offer, user.id, limit=SHOWN)
        await _show(update, lang, offer, Action.BOOK, None)


async def on_mybookings(update: Update, context: Context) -> None:
    """/mybookings: each upcoming booking with its calendar file, reschedule and cancel buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    lang = await resolve_language(update, context)
    if not await _private(update, lang):
        return
    mine = await asyncio.to_thread(context.services.consultations.founder_bookings, user.id)
    if not mine:
        await message.reply_text(t("cs.mine.none", lang))
        return
    await message.reply_text(t("cs.mine.head", lang))
    for booking in mine:
        await message.reply_text(
            t("cs.mine.item", lang, id=booking.id, when=booking.slot.when(lang), place=booking.slot.place(lang),
              expert=booking.slot.expert_alias or "-"),
            reply_markup=inline_markup(buttons.booking_buttons(booking.id, lang)))


async def on_press(update: Update, context: Context) -> None:
    """A founder's consultation button: list, book, cancel, move, or the calendar file again."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    press = buttons.parse(query.data if query is not None else None)
    if query is None or user is None or chat is None or press is None:
        return
    lang = await resolve_language(update, context)
    if not await _private(update, lang):
        return
    try:
        await _act(update, context, query, press, user.id, lang)
    except ConsultationError as err:
        if err.refusal is Refusal.SLOT_FULL:  # lost the seat: the next options at once, in place of the old list
            lost = press.extra if press.action is Action.MOVE else press.id
            offer = await asyncio.to_thread(context.services.consultations.offer, user.id, limit=SHOWN,
                                            exclude=[lost] if lost is not None else [])
            await query.answer()
            target = press.id if press.action is Action.MOVE else press.extra
            await _show(update, lang, offer, press.action, target, t("cs.err.slot_full", lang), query)
            return
        await tell(update, refusal_text(err, context, lang))


async def _act(update: Update, context: Context, query: CallbackQuery, press: Press, founder: int,
               lang: str) -> None:
    consultations = context.services.consultations
    if press.action is Action.LIST:
        offer = await asyncio.to_thread(consultations.offer, founder, limit=SHOWN)
        await query.answer()
        await _show(update, lang, offer, Action.BOOK, press.id or None)
    elif press.action is Action.BOOK:
        done = await asyncio.to_thread(consultations.book, press.id, founder, founder, press.extra, lang=lang)
        kick(context)
        await query.answer()
        await query.edit_message_text(t("cs.booking", lang, id=done.booking_id))
    elif press.action is Action.CANCEL:
        mine = {b.id: b for b in await asyncio.to_thread(consultations.founder_bookings, founder)}
        if (booking := mine.get(press.id)) is None:  # before answering: the refusal is the press's answer
            raise ConsultationError(Refusal.NO_BOOKING)
        await query.answer()
        await reply_to_press(query, t("cs.cancel.ask", lang, id=press.id, when=booking.slot.when(lang)),
                             inline_markup([[(t("cs.btn.cancel_yes", lang), buttons.data(Action.CANCEL_YES,
                                                                                         press.id))]]))
    elif press.action is Action.CANCEL_YES:
        await asyncio.to_thread(consultations.cancel, press.id, founder)
        kick(context)
        await query.answer()
        await query.edit_message_text(t("cs.cancelled", lang, id=press.id))
    elif press.action is Action.RESCHEDULE:
        offer = await asyncio.to_thread(consultations.offer, founder, limit=SHOWN)
        await query.answer()
        await _show(update, lang, offer, Action.MOVE, press.id)
    elif press.action is Action.MOVE and press.extra is not None:
        await asyncio.to_thread(consultations.reschedule, press.id, founder, press.extra)
        kick(context)
        await query.answer()
        await query.edit_message_text(t("cs.moved", lang, id=press.id))
    elif press.action is Action.CALENDAR:
        made = await asyncio.to_thread(consultations.calendar, press.id, founder)
        if made is None:
            raise ConsultationError(Refusal.NO_BOOKING)
        await query.answer()
        name, ics = made
        await context.bot.send_document(founder, InputFile(ics, filename=name))


def register(app: App) -> None:
    app.add_handler(CommandHandler("book", on_book))
    app.add_handler(CommandHandler("mybookings", on_mybookings))
    app.add_handler(CallbackQueryHandler(on_press, pattern=buttons.pattern(FOUNDER_ACTIONS)))
