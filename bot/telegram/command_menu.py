"""The command menu Telegram shows next to the text field: founders' commands for everyone, with staff's and
experts' on top in their own chats."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.strings import LANGS, t

log = logging.getLogger(__name__)

# Each name has a `tg.cmd.<name>` description in bot/strings/telegram.py.
COMMANDS: list[str] = [
    "start", "help", "idea", "mytickets", "book", "mybookings", "cafe", "subscribe", "unsubscribe", "lang", "reset",
    "privacy", "deletemydata",
]
# Each name has a `staff.cmd.<name>` description in bot/strings/staff.py.
STAFF_COMMANDS: list[str] = ["docs", "doc", "stats", "questions", "bookings", "outbox", "staff", "subscribe",
                             "unsubscribe"]

# Each name has a `slots.cmd.<name>` description in bot/strings/slots.py.
EXPERT_COMMANDS: list[str] = ["queue", "slots"]


def founder_commands(lang: str) -> list[BotCommand]:
    """The founders' menu in one language."""
    return [BotCommand(name, t(f"tg.cmd.{name}", lang)) for name in COMMANDS]


def role_commands(lang: str, *, staff: bool = True, expert: bool = False) -> list[BotCommand]:
    """A person's menu in one language: the founders' commands, then the staff ones and the expert ones."""
    commands = founder_commands(lang)
    if staff:
        commands += [BotCommand(name, t(f"staff.cmd.{name}", lang)) for name in STAFF_COMMANDS]
    if expert:
        commands += [BotCommand(name, t(f"slots.cmd.{name}", lang)) for name in EXPERT_COMMANDS
                     if not (staff and name in STAFF_COMMANDS)]
    return commands


async def publish_menu(bot: Bot, default_lang: str) -> None:
    """The founders' menu for every chat, in each language and in the default one for other app languages."""
    try:
        await bot.set_my_commands(founder_commands(default_lang))
        for lang in LANGS:
            await bot.set_my_commands(founder_commands(lang), language_code=lang)
    except TelegramError:
        log.warning("could not set the command menu; continuing without it", exc_info=True)


async def set_role_menu(bot: Bot, user_id: int, default_lang: str, staff: bool = True, expert: bool = False) -> None:
    """Staff and experts see their commands in the menu of their own chat (others keep the founders' menu)."""
    scope = BotCommandScopeChat(user_id)
    try:
        if not staff and not expert:
            for code in (None, *LANGS):
                await bot.delete_my_commands(scope=scope, language_code=code)
            return
        for code in (None, *LANGS):
            await bot.set_my_commands(role_commands(code or default_lang, staff=staff, expert=expert), scope=scope,
                                      language_code=code)
    except TelegramError as err:  # e.g. a staff member who never opened the bot: the commands still work
        log.warning("could not set the staff menu for %s: %s", user_id, err)
