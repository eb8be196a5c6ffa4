"""Listing commands: /mytickets for founders, /queue for experts, /tickets (+ CSV) and /expert for staff."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler

from bot.escalation.enums import EscalationError, IntakeField
from bot.escalation.export import tickets_csv
from bot.staff.roles import parse_user_id
from bot.storage.models.escalation import Ticket
from bot.strings import t
from bot.telegram.context import App, Context, resolve_language
from bot.telegram.guards import require_staff

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


async def on_tickets(update: Update, context: Context) -> None:
    """/tickets [state] [expert=ID] [age=days] [csv]"""
    message = update.effective_message
    if message is None or (lang := await require_staff(update, context)) is None:
        return
    services = context.services
    state, expert, age, as_csv = None, None, None, False
    try:
        for arg in context.args or []:
            if arg == "csv":
                as_csv = True
            elif arg.startswith("expert="):
                expert = int(arg.removeprefix("expert="))
            elif arg.startswith("age="):
                age = timedelta(days=float(arg.removeprefix("age=")))
            else:
                state = arg
        found = await asyncio.to_thread(services.escalation.tickets.search, state=state, expert_id=expert,
                                        older_than=age)
    except (ValueError, EscalationError):
        log.info("bad /tickets filter (%d arguments)", len(context.args or []))
        await message.reply_text(t("esc.usage.tickets", lang))
        return
    if as_csv:
        await message.reply_document(tickets_csv(found), filename="tickets.csv")
        return
    await message.reply_text("\n".join(_line(x, lang) for x in found) or "-")


async def on_expert(update: Update, context: Context) -> None:
    """/expert add <id> <capacity> <specialties,comma> [alias...] | /expert remove <id>"""
    message = update.effective_message
    if message is None or (lang := await require_staff(update, context)) is None:
        return
    services = context.services
    args = context.args or []
    experts = services.escalation.experts
    try:
        if len(args) >= 4 and args[0] == "add":
            expert_id, capacity = _user_id(args[1]), int(args[2])
            specialties = [s for s in args[3].split(",") if s]
            alias = " ".join(args[4:])
            await asyncio.to_thread(experts.register, expert_id, alias=alias, display_name=alias,
                                    specialties=specialties, capacity=capacity)
            await message.reply_text(t("esc.expert.saved", lang, id=expert_id))
            return
        if len(args) == 2 and args[0] == "remove":
            expert_id = _user_id(args[1])
            await asyncio.to_thread(experts.remove, expert_id)
            await message.reply_text(t("esc.expert.removed", lang, id=expert_id))
            return
    except ValueError:
        pass
    log.info("bad /expert (%d arguments)", len(args))  # the arguments may hold an expert's name
    await message.reply_text(t("esc.usage.expert", lang))


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
