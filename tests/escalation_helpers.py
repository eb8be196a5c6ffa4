"""Building the escalation domain over a test database, and submitting ideas the way a confirmed intake does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.escalation.notices import NoticeWriter
from bot.escalation.sla import SlaPolicy
from bot.escalation.wiring import Escalation, assemble
from bot.escalation.workflow import Founder
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
