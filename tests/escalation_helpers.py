"""Building the escalation domain over a test database, and submitting ideas the way a confirmed intake does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.escalation.enums import ContentKind
from bot.escalation.links import Prompt
from bot.escalation.notices import NoticeWriter
from bot.escalation.sla import SlaPolicy
from bot.escalation.wiring import Escalation, assemble
from bot.escalation.workflow import Founder, Incoming
from bot.staff.roles import StaffRegistry
from bot.storage.db import Database
from bot.storage.models.escalation import Ticket

SLA = SlaPolicy(timedelta(hours=2), timedelta(hours=6))
FIELDS = {"summary": "소상공인 간편 정산 앱", "problem": "정산이 늦다", "customers": "동네 가게",
          "solution": "카드 매출 당일 정산", "stage": "mvp", "team": "2명", "feedback": "수익 모델"}


def build(db: Database, sla: SlaPolicy = SLA, staff: tuple[int, ...] = ()) -> Escalation:
    return assemble(db, sla, StaffRegistry(db, list(staff)), NoticeWriter("ko"))


def submit(esc: Escalation, founder: int, *, fields: Mapping[str, str] = FIELDS, specialty: str | None = None,
           group: int | None = None, name: str = "") -> Ticket:
    return esc.workflow.submit(Founder(founder, founder, name), fields, lang="ko", group_chat_id=group,
                               specialty=specialty)


def message(ticket_id: int, user_id: int, text: str, *, private: bool, chat_id: int | None = None,
            message_id: int = 1, prompt: Prompt | None = None, kind: ContentKind = ContentKind.TEXT,
            file_id: str | None = None) -> Incoming:
    """A message that belongs to a ticket, as the relay gets it (in the writer's private chat unless `chat_id`)."""
    return Incoming(ticket_id=ticket_id, user_id=user_id, user_name="", private=private, kind=kind, text=text,
                    file_id=file_id, chat_id=chat_id if chat_id is not None else user_id, message_id=message_id,
                    prompt=prompt)
