"""The registry of experts: who they are, what they know, how much they take, and who gets the next ticket."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.escalation.enums import OPEN_STATES, EscalationError, Refusal
from bot.escalation.routing import Candidate, choose_expert
from bot.observability.logs import user_ref
from bot.storage.db import Database
from bot.storage.models.escalation import Expert, Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CafePick:
    """Who gets a ticket (None: nobody is free), and whether they work at the founder's cafe (a fallback to
    another cafe's expert, or one without a cafe, is not: their card names the founder's cafe)."""

    expert_id: int | None
    home: bool


class ExpertRegistry:
    def __init__(self, db: Database) -> None:
        self.db = db

    def register(self, user_id: int, *, display_name: str = "", alias: str = "", specialties: Iterable[str] = (),
                 capacity: int = 5, keep_existing: bool = False) -> None:
        """Add or update an expert; with keep_existing an existing row is left as staff set it."""
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            if row is not None and keep_existing:
                return
            if row is None:
                row = Expert(user_id=user_id)
                s.add(row)
            row.display_name = display_name or row.display_name or ""
            row.alias = alias or row.alias or ""
            row.specialties = list(specialties) or list(row.specialties or [])
            row.capacity, row.active = capacity, True

    def note_name(self, session: Session, user_id: int, name: str) -> None:
        """Experts from EXPERT_USER_IDS start nameless; their Telegram name fills in when they first act."""
        row = session.get(Expert, user_id)
        if row is not None and not row.display_name and name:
            row.display_name = name

    def remove(self, user_id: int) -> bool:
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            if row is None or not row.active:
                return False
            row.active = False
            return True

    def get(self, user_id: int) -> Expert | None:
        with self.db.session() as s:
            return self.active_in(s, user_id)

    @staticmethod
    def active_in(session: Session, user_id: int | None) -> Expert | None:
        row = session.get(Expert, user_id) if user_id is not None else None
        return row if row is not None and row.active else None

    def any_active(self) -> bool:
        """Whether anyone can review ideas (without one, founders are pointed to a cafe instead)."""
        with self.db.session() as s:
            return s.scalar(select(Expert.user_id).where(Expert.active.is_(True)).limit(1)) is not None

    def all(self) -> list[Expert]:
        with self.db.session() as s:
            return self.all_in(s)

    @staticmethod
    def all_in(session: Session) -> list[Expert]:
        return list(session.scalars(select(Expert).where(Expert.active.is_(True)).order_by(Expert.user_id)))

    def require(self, session: Session, user_id: int, action: str, ticket_id: int | None = None) -> None:
        if self.active_in(session, user_id) is None:
            log.warning("refused %s on ticket %s by non-expert %s", action, ticket_id, user_ref(user_id))
            raise EscalationError(Refusal.NOT_EXPERT)

    def require_manageable(self, user_id: int, cafes: frozenset[str] | None, staff_id: int) -> None:
        """/expert add or remove by a staff member whose scope is `cafes` (None: every cafe): an expert of another
        cafe (the cafes file places them) is not theirs to change; refused (OTHER_CAFE) and logged."""
        if cafes is None:
            return
        with self.db.session() as s:
            row = s.get(Expert, user_id)
            cafe_id = row.cafe_id if row is not None else None
        if cafe_id is not None and cafe_id not in cafes:
            log.warning("refused changing expert %s of cafe %s by staff %s of %s", user_ref(user_id), cafe_id,
                        staff_id, ",".join(sorted(cafes)))
            raise EscalationError(Refusal.OTHER_CAFE)

    @staticmethod
    def infer_specialty(session: Session, fields: dict[str, str]) -> str | None:
        """The first registered specialty the founder's own words mention (the intake does not ask for one)."""
        text = " ".join(fields.values()).lower()
        for expert in ExpertRegistry.all_in(session):
            for specialty in expert.specialties:
                if specialty and specialty.lower() in text:
                    return str(specialty)
        return None

    @staticmethod
    def pick(session: Session, specialty: str | None, exclude: Iterable[int] = (), *,
             within: Callable[[Expert], bool] | None = None) -> int | None:
        """The expert to receive a ticket: specialty first, then the least open load, within capacity; `within`
        narrows the candidates (one cafe's experts, say)."""
        rows = session.execute(select(Ticket.expert_id, func.count())
                               .where(Ticket.status.in_(OPEN_STATES), Ticket.expert_id.is_not(None))
                               .group_by(Ticket.expert_id)).all()
        load = {int(e): int(n) for e, n in rows if e is not None}
        candidates = [Candidate(e.user_id, tuple(e.specialties), e.capacity, load.get(e.user_id, 0))
                      for e in ExpertRegistry.all_in(session) if within is None or within(e)]
        return choose_expert(candidates, specialty, exclude)

    @staticmethod
    def pick_for_cafe(session: Session, cafe_id: str | None, specialty: str | None,
                      exclude: Iterable[int] = ()) -> CafePick:
        """The expert for a ticket of `cafe_id`. A ticket without a cafe may go to any expert (as before cafes).
        A cafe's ticket goes to one of that cafe's experts; when none is free (full, or all passed), to an expert
        of another cafe, and last to an expert without a cafe (EXPERT_USER_IDS, /expert add); each time by
        specialty, then load, within capacity."""
        if cafe_id is None:
            return CafePick(ExpertRegistry.pick(session, specialty, exclude), home=True)
        excluded = set(exclude)
        tiers: tuple[Callable[[Expert], bool], ...] = (
            lambda e: e.cafe_id == cafe_id,
            lambda e: e.cafe_id is not None and e.cafe_id != cafe_id,
            lambda e: e.cafe_id is None,
        )
        for home, within in zip((True, False, False), tiers, strict=True):
            chosen = ExpertRegistry.pick(session, specialty, excluded, within=within)
            if chosen is not None:
                return CafePick(chosen, home=home)
        return CafePick(None, home=False)
