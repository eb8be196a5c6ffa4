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
from bot.consultations.service import SlotView
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


async def _offer(update: Update, context: Context, lang: str, ticket_id: int | None = None,
                 replace: CallbackQuery | None = None, head: str | None = None,
                 slots: list[SlotView] | None = None) -> None:
    """The open slots to book, as a new message (or in place of the pressed button's message)."""
    user = update.effective_user
    if user is None:
        return
    services = context.services
    own = await asyncio.to_thread(services.cafes.founder_cafe, user.id)
    if slots is None:
        slots = await asyncio.to_thread(services.consultations.open_slots, user.id, own, limit=SHOWN)
    rows: Buttons = []
    if not slots:
        text = "\n\n".join(filter(None, [head, t("cs.list.none", lang)]))
    else:
        notes = [t("cs.list.for_ticket", lang, ticket=ticket_id)] if ticket_id else []
        if own is None and len(await asyncio.to_thread(services.cafes.cafes)) > 1:
            notes.append(t("cs.list.pick_cafe", lang))
        text, rows = slot_list(slots, lang, own, Action.BOOK, ticket_id, head or t("cs.list.head", lang))
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
    lang = await resolve_language(update, context)
    if await _private(update, lang):
        await _offer(update, context, lang)


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
            await query.answer()
            options = [slot for slot in err.options if isinstance(slot, SlotView)]
            if press.action is Action.MOVE:
                await _offer_moves(update, context, lang, press.id, query, options, t("cs.err.slot_full", lang))
            else:
                await _offer(update, context, lang, press.extra, query, t("cs.err.slot_full", lang), options)
            return
        await tell(update, refusal_text(err, context, lang))


async def _act(update: Update, context: Context, query: CallbackQuery, press: Press, founder: int,
               lang: str) -> None:
    consultations = context.services.consultations
    if press.action is Action.LIST:
        await query.answer()
        await _offer(update, context, lang, press.id or None)
    elif press.action is Action.BOOK:
        own = await asyncio.to_thread(context.services.cafes.founder_cafe, founder)
        done = await asyncio.to_thread(consultations.book, press.id, founder, founder, press.extra, lang=lang,
                                       cafe_id=own)
        kick(context)
        await query.answer()
        await query.edit_message_text(t("cs.booking", lang, id=done.booking_id))
    elif press.action is Action.CANCEL:
        await query.answer()
        mine = {b.id: b for b in await asyncio.to_thread(consultations.founder_bookings, founder)}
        if (booking := mine.get(press.id)) is None:
            raise ConsultationError(Refusal.NO_BOOKING)
        await reply_to_press(query, t("cs.cancel.ask", lang, id=press.id, when=booking.slot.when(lang)),
                             inline_markup([[(t("cs.btn.cancel_yes", lang), buttons.data(Action.CANCEL_YES,
                                                                                         press.id))]]))
    elif press.action is Action.CANCEL_YES:
        await asyncio.to_thread(consultations.cancel, press.id, founder)
        kick(context)
        await query.answer()
        await query.edit_message_text(t("cs.cancelled", lang, id=press.id))
    elif press.action is Action.RESCHEDULE:
        await query.answer()
        await _offer_moves(update, context, lang, press.id)
    elif press.action is Action.MOVE and press.extra is not None:
        own = await asyncio.to_thread(context.services.cafes.founder_cafe, founder)
        await asyncio.to_thread(consultations.reschedule, press.id, founder, press.extra, cafe_id=own)
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


async def _offer_moves(update: Update, context: Context, lang: str, booking_id: int,
                       replace: CallbackQuery | None = None, slots: list[SlotView] | None = None,
                       head: str | None = None) -> None:
    """The open slots the booking can move to, each a MOVE button."""
    user = update.effective_user
    if user is None or update.callback_query is None:
        return
    services = context.services
    own = await asyncio.to_thread(services.cafes.founder_cafe, user.id)
    if slots is None:
        slots = await asyncio.to_thread(services.consultations.open_slots, user.id, own, limit=SHOWN)
    rows: Buttons = []
    if not slots:
        text = "\n\n".join(filter(None, [head, t("cs.list.none", lang)]))
    else:
        text, rows = slot_list(slots, lang, own, Action.MOVE, booking_id,
                               head or t("cs.resched.head", lang, id=booking_id))
    if replace is not None:
        await replace.edit_message_text(text, reply_markup=inline_markup(rows))
    else:
        await reply_to_press(update.callback_query, text, inline_markup(rows))


def register(app: App) -> None:
    app.add_handler(CommandHandler("book", on_book))
    app.add_handler(CommandHandler("mybookings", on_mybookings))
    app.add_handler(CallbackQueryHandler(on_press, pattern=buttons.pattern(FOUNDER_ACTIONS)))
