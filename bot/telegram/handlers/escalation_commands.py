"""Listing commands: /mytickets for founders, /queue for experts, /tickets (+ CSV) and /expert for staff."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler

from bot.escalation.enums import EscalationError, IntakeField, Refusal, TicketState
from bot.escalation.export import tickets_csv
from bot.escalation.tickets import Tickets
from bot.staff.roles import parse_user_id
from bot.storage.models.escalation import Ticket
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.guards import require_city_wide_staff, require_staff

log = logging.getLogger(__name__)


def _line(ticket: Ticket, lang: str) -> str:
    summary = ticket.fields.get(IntakeField.SUMMARY, "")[:60]
    return f"#{ticket.id} [{t(f'esc.state.{ticket.status}', lang)}] {summary}"


async def on_mytickets(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = await resolve_language(update, context)
    mine = await asyncio.to_thread(context.services.escalation.tickets.founder_tickets, user.id)
    if not mine:
        await message.reply_text(t("esc.mytickets.none", lang))
        return
    await message.reply_text(t("esc.mytickets", lang, lines="\n".join(_line(x, lang) for x in mine)))


async def on_queue(update: Update, context: Context) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    lang = await resolve_language(update, context)
    try:
        escalation = context.services.escalation
        mine, claimable = await asyncio.to_thread(escalation.tickets.queue, escalation.experts, user.id)
    except EscalationError as err:
        await message.reply_text(t(f"esc.err.{err.code}", lang))
        return
    await message.reply_text(t("esc.queue", lang, mine="\n".join(_line(x, lang) for x in mine) or "-",
                               claimable="\n".join(_line(x, lang) for x in claimable) or "-"))


def _breakdown(context: Context, found: list[Ticket], lang: str) -> str:
    """The per-cafe line above an admin's list: each cafe's tickets by state (blocking: run it off the loop)."""
    cafes = context.services.cafes
    counts = Tickets.by_cafe(found)
    if not counts or not cafes.any():
        return ""
    names = {c.id: c.name(lang) for c in cafes.cafes()}  # in the file's order
    order = {cafe_id: n for n, cafe_id in enumerate(names)}

    def place(cafe_id: str | None) -> tuple[bool, int, str]:  # the file's order, then cafes left out, then none
        return cafe_id is None, order.get(cafe_id or "", len(order)), cafe_id or ""

    parts = [t("esc.tickets.cafe_counts", lang, cafe=t("esc.tickets.no_cafe", lang) if cafe_id is None
               else names.get(cafe_id, cafe_id), **{str(s): counts[cafe_id].get(str(s), 0) for s in TicketState})
             for cafe_id in sorted(counts, key=place)]
    return t("esc.tickets.by_cafe", lang, cafes=" | ".join(parts))


async def on_tickets(update: Update, context: Context) -> None:
    """/tickets [state] [expert=ID] [age=days] [cafe=ID] [csv]: within the staff member's cafes (all for admins
    and staff of no cafe, who also get a line per cafe)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or (lang := await require_staff(update, context)) is None:
        return
    services = context.services
    state, expert, age, cafe, as_csv = None, None, None, None, False
    scope = await asyncio.to_thread(services.cafes.scope, user.id)
    try:
        for arg in context.args or []:
            if arg == "csv":
                as_csv = True
            elif arg.startswith("expert="):
                expert = int(arg.removeprefix("expert="))
            elif arg.startswith("age="):
                age = timedelta(days=float(arg.removeprefix("age=")))
            elif arg.startswith("cafe="):
                cafe = arg.removeprefix("cafe=") or None
                if cafe is None:
                    raise ValueError(arg)
            else:
                state = arg
        found = await asyncio.to_thread(services.escalation.tickets.search, state=state, expert_id=expert,
                                        older_than=age, cafe=cafe, cafes=scope.cafes, staff_id=user.id)
    except EscalationError as err:
        if err.code is Refusal.OTHER_CAFE:  # the domain logged it
            await message.reply_text(t("esc.tickets.other_cafe", lang, cafe=str(cafe)[:40],
                                       mine=", ".join(sorted(scope.cafes or ()))))
            return
        log.info("bad /tickets filter (%d arguments)", len(context.args or []))
        await message.reply_text(t("esc.usage.tickets", lang))
        return
    except ValueError:
        log.info("bad /tickets filter (%d arguments)", len(context.args or []))
        await message.reply_text(t("esc.usage.tickets", lang))
        return
    if as_csv:
        await message.reply_document(tickets_csv(found), filename="tickets.csv")
        return
    listing = "\n".join(_line(x, lang) for x in found) or "-"
    if scope.cafes is None or len(scope.cafes) > 1:
        if breakdown := await asyncio.to_thread(_breakdown, context, found, lang):
            listing = breakdown + "\n\n" + listing
    await message.reply_text(listing)


async def on_expert(update: Update, context: Context) -> None:
    """/expert add <id> <capacity> <specialties,comma> [alias...] | /expert remove <id> (city-wide staff: an expert
    added here has no cafe and may review any founder's idea)"""
    message = update.effective_message
    if message is None or (lang := await require_city_wide_staff(update, context)) is None:
        return
    services = context.services
    args = context.args or []
    experts = services.escalation.experts
    staff_id = update.effective_user.id if update.effective_user is not None else 0
    try:
        if len(args) >= 4 and args[0] == "add":
            expert_id, capacity = _user_id(args[1]), int(args[2])
            specialties = [s for s in args[3].split(",") if s]
            alias = " ".join(args[4:])
            await _require_manageable(context, expert_id, staff_id)
            await asyncio.to_thread(experts.register, expert_id, alias=alias, display_name=alias,
                                    specialties=specialties, capacity=capacity)
            await message.reply_text(t("esc.expert.saved", lang, id=expert_id))
            return
        if len(args) == 2 and args[0] == "remove":
            expert_id = _user_id(args[1])
            await _require_manageable(context, expert_id, staff_id)
            await asyncio.to_thread(experts.remove, expert_id)
            await message.reply_text(t("esc.expert.removed", lang, id=expert_id))
            return
    except EscalationError:  # an expert of another cafe (logged by the registry)
        await message.reply_text(t("esc.expert.other_cafe", lang, id=args[1]))
        return
    except ValueError:
        pass
    log.info("bad /expert (%d arguments)", len(args))  # the arguments may hold an expert's name
    await message.reply_text(t("esc.usage.expert", lang))


async def _require_manageable(context: Context, expert_id: int, staff_id: int) -> None:
    """A cafe's staff change only experts of their cafes (or of none); admins and staff of no cafe, any."""
    scope = await asyncio.to_thread(context.services.cafes.scope, staff_id)
    await asyncio.to_thread(context.services.escalation.experts.require_manageable, expert_id, scope.cafes, staff_id)


def _user_id(text: str) -> int:
    """A positive numeric Telegram user id; a username (which can change hands) or a chat id raises ValueError."""
    user_id = parse_user_id(text)
    if user_id is None:
        raise ValueError(text)
    return user_id


def register(app: App) -> None:
    app.add_handler(CommandHandler("mytickets", on_mytickets), group=-1)
    app.add_handler(CommandHandler("queue", on_queue), group=-1)
    app.add_handler(CommandHandler("tickets", on_tickets), group=-1)
    app.add_handler(CommandHandler("expert", on_expert), group=-1)
