"""`cafebot chat`: the founders' Q&A pipeline in a terminal, one line per question (pipe-friendly)."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from bot.answering.types import Answer
from bot.config import Settings
from bot.services import Services, build_services, sync_knowledge_dir
from bot.strings import LANGS, t

log = logging.getLogger(__name__)

CONVERSATION_ID = "console"


def format_answer(answer: Answer) -> str:
    """The answer text, then its numbered sources, as plain text."""
    lines = [answer.text]
    if answer.sources:
        lines += ["", t("answer.sources", answer.lang) + ":"]
        lines += [f"[{s.number}] {s.label()}" for s in answer.sources]
    return "\n".join(lines)


class Console:
    """Reads questions from `stdin` and prints answers to `stdout` until /quit or end of input."""

    def __init__(self, services: Services, lang: str, stdin: TextIO, stdout: TextIO) -> None:
        self.services, self.lang, self.stdin, self.stdout = services, lang, stdin, stdout
        self.interactive = stdin.isatty()

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    async def run(self) -> int:
        self.say(t("console.welcome", self.lang))
        while True:
            if self.interactive:
                print("> ", end="", file=self.stdout, flush=True)
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                if not await self.command(text):
                    break
                continue
            await self.ask(text)
        self.say(t("console.bye", self.lang))
        return 0

    async def command(self, text: str) -> bool:
        """Handle a /command; False means quit."""
        name, _, arg = text.partition(" ")
        name, arg = name.lower(), arg.strip().lower()
        if name in ("/quit", "/exit"):
            return False
        if name == "/reset":
            await asyncio.to_thread(self.services.answers.reset, CONVERSATION_ID)
            self.say(t("console.reset", self.lang))
        elif name == "/lang":
            if arg in LANGS:
                self.lang = arg
                self.say(t("console.lang_set", self.lang))
            else:
                self.say(t("console.lang_usage", self.lang))
        else:
            self.say(t("console.unknown_command", self.lang))
        return True

    async def ask(self, question: str) -> None:
        try:
            answer = await self.services.answers.answer(CONVERSATION_ID, question, lang=self.lang)
        except Exception:
            # Same promise as in Telegram: a trace goes to the log (stderr), never into the conversation.
            log.exception("answering failed")
            self.say(t("console.error", self.lang))
            return
        self.say(format_answer(answer))
        self.say("")


def run_console(settings: Settings, lang: str = "ko", stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """`cafebot chat`: ingest knowledge/ (changed files only), then answer questions line by line."""
    services = build_services(settings)
    try:
        sync_knowledge_dir(services)
        console = Console(services, lang if lang in LANGS else settings.default_language,
                          stdin or sys.stdin, stdout or sys.stdout)
        return asyncio.run(console.run())
    except KeyboardInterrupt:
        return 130
    finally:
        services.close()
