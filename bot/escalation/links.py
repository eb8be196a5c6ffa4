"""Which ticket a message belongs to: messages the bot sent for a ticket, forum topics, and pending prompts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.escalation.enums import PromptKind
from bot.storage.db import Database
from bot.storage.models.escalation import MessageLink, Ticket
from bot.storage.state_store import StateName, StateStore, prompt_key


@dataclass(frozen=True)
class Prompt:
    """A message the bot sent asking for a typed reply (a closing summary, a rating comment)."""

    kind: PromptKind
    ticket_id: int
    message_id: int = 0  # the prompt's own message, once sent


@dataclass(frozen=True)
class Where:
    """Where a message was written, as far as finding its ticket goes."""

    chat_id: int
    reply_to: int | None = None  # the message it replies to (a forum topic's own first message does not count)
    thread_id: int | None = None  # its forum topic


class MessageLinks:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def link(session: Session, chat_id: int, message_id: int, ticket_id: int) -> None:
        session.merge(MessageLink(chat_id=chat_id, message_id=message_id, ticket_id=ticket_id))

    @staticmethod
    def expect(session: Session, chat_id: int, message_id: int, prompt: Prompt, *, link: bool = True) -> None:
        """The bot's message `message_id` asked for a typed reply; a reply to it is read as `prompt.kind`.

        With `link`, the prompt also belongs to the ticket's conversation (an expert's prompt in the ticket's chat).
        """
        if link:
            MessageLinks.link(session, chat_id, message_id, prompt.ticket_id)
        StateStore.put_in(session, StateName.PROMPT, prompt_key(chat_id, message_id),
                          {"kind": prompt.kind.value, "ticket": prompt.ticket_id})

    @staticmethod
    def answered(session: Session, chat_id: int, message_id: int) -> None:
        StateStore.put_in(session, StateName.PROMPT, prompt_key(chat_id, message_id), None)

    def locate(self, where: Where) -> tuple[int | None, Prompt | None]:
        """The ticket a message belongs to, and the prompt it answers if any."""
        with self.db.session() as s:
            if where.reply_to is not None:
                stored = StateStore.get_in(s, StateName.PROMPT, prompt_key(where.chat_id, where.reply_to))
                prompt = Prompt(PromptKind(stored["kind"]), int(stored["ticket"]), where.reply_to) if stored else None
                link = s.get(MessageLink, (where.chat_id, where.reply_to))
                if link is not None or prompt is not None:
                    return (link.ticket_id if link is not None else prompt.ticket_id if prompt else None), prompt
            if where.thread_id is not None:
                return s.scalar(select(Ticket.id).where(Ticket.route_chat_id == where.chat_id,
                                                        Ticket.route_thread_id == where.thread_id)), None
            return None, None
