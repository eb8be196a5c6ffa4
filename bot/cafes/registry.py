"""The cafes in the database: synced from the cafes file, the cafe each founder uses, and who works where."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.cafes.spec import CafeSpec
from bot.observability.logs import user_ref
from bot.storage.db import Database
from bot.storage.models.base import utcnow
from bot.storage.models.cafes import Cafe, CafeStaff
from bot.storage.models.conversations import ChatUser
from bot.storage.models.escalation import Expert

log = logging.getLogger(__name__)


class CafeField(StrEnum):
    """What staff may correct in chat."""

    HOURS = "hours"
    ADDRESS = "address"


@dataclass(frozen=True)
class CafeInfo:
    id: str
    name_ko: str
    name_en: str
    district: str
    address: str
    hours: str
    expert_chat_id: int | None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ko

    @classmethod
    def of(cls, row: Cafe) -> CafeInfo:
        return cls(row.id, row.name_ko, row.name_en, row.district, row.edited_address or row.address,
                   row.edited_hours or row.hours, row.expert_chat_id)


@dataclass(frozen=True)
class SyncReport:
    added: list[str]
    updated: list[str]
    deactivated: list[str]


@dataclass(frozen=True)
class StaffScope:
    """What a staff member may see and act on: every cafe (city-wide admins, or a deployment without cafes) or the
    cafes they work at."""

    cafes: frozenset[str] | None  # None: all

    def allows(self, cafe_id: str | None) -> bool:
        """Whether work of `cafe_id` is theirs; work with no cafe (from before cafes) is everyone's."""
        return self.cafes is None or cafe_id is None or cafe_id in self.cafes


class CafeRegistry:
    def __init__(self, db: Database, admins: Iterable[int] = ()) -> None:
        self.db = db
        self.admins = frozenset(admins)

    def sync(self, specs: list[CafeSpec]) -> SyncReport:
        """Make the database say what the file says, in one transaction. A cafe left out is kept (inactive) with its
        tickets; experts listed in the file get its cafe, specialties and capacity; each cafe's staff are replaced."""
        added, updated = [], []
        with self.db.session() as s:
            known = {c.id: c for c in s.scalars(select(Cafe))}
            for position, spec in enumerate(specs):
                row = known.get(spec.id)
                if row is None:
                    row = Cafe(id=spec.id)
                    s.add(row)
                    added.append(spec.id)
                else:
                    updated.append(spec.id)
                row.name_ko = spec.name.ko
                row.name_en = spec.name.en
                row.district = spec.district
                row.address = spec.address
                row.hours = spec.hours
                row.expert_chat_id = spec.expert_chat_id
                row.position = position
                row.active = True
                row.updated_at = utcnow()
                s.flush()
                self._sync_people(s, spec)
            listed = {spec.id for spec in specs}
            deactivated = [cafe_id for cafe_id, row in known.items() if cafe_id not in listed and row.active]
            if deactivated:
                s.execute(update(Cafe).where(Cafe.id.in_(deactivated)).values(active=False))
                s.execute(delete(CafeStaff).where(CafeStaff.cafe_id.in_(deactivated)))
            # Experts the file gave a cafe and no longer lists stop receiving tickets (their tickets stay).
            in_file = {e.user_id for spec in specs for e in spec.experts}
            s.execute(update(Expert).where(Expert.cafe_id.is_not(None), Expert.user_id.not_in(in_file or {0}))
                      .values(active=False))
        log.info("cafes synced: %d added, %d updated, %d deactivated", len(added), len(updated), len(deactivated))
        return SyncReport(added, updated, deactivated)

    @staticmethod
    def _sync_people(session: Session, spec: CafeSpec) -> None:
        for listed in spec.experts:
            expert = session.get(Expert, listed.user_id)
            if expert is None:
                expert = Expert(user_id=listed.user_id, display_name="", alias="")
                session.add(expert)
            expert.cafe_id = spec.id
            expert.specialties = list(listed.specialties)
            expert.capacity = listed.capacity
            expert.alias = listed.alias or expert.alias or ""
            expert.active = True
        session.execute(delete(CafeStaff).where(CafeStaff.cafe_id == spec.id))
        session.add_all(CafeStaff(cafe_id=spec.id, user_id=user_id) for user_id in dict.fromkeys(spec.staff))

    # Reading
    def cafes(self) -> list[CafeInfo]:
        """The active cafes in the file's order."""
        with self.db.session() as s:
            return [CafeInfo.of(c) for c in s.scalars(select(Cafe).where(Cafe.active.is_(True))
                                                       .order_by(Cafe.position, Cafe.id))]

    def any(self) -> bool:
        """Whether this deployment serves several cafes (a cafes file was loaded)."""
        with self.db.session() as s:
            return s.scalar(select(Cafe.id).where(Cafe.active.is_(True)).limit(1)) is not None

    def get(self, cafe_id: str | None) -> CafeInfo | None:
        if cafe_id is None:
            return None
        with self.db.session() as s:
            row = s.get(Cafe, cafe_id)
            return CafeInfo.of(row) if row is not None else None

    def near(self, text: str) -> list[CafeInfo]:
        """Cafes whose district the text names ("성동구", or "성동" alone): the nearest cafe, from the file."""
        found = []
        for cafe in self.cafes():
            district = cafe.district.strip()
            stem = district[:-1] if len(district) > 2 and district.endswith(("구", "동")) else district
            if district and (district in text or (stem and stem in text)):
                found.append(cafe)
        return found

    # Founders
    def founder_cafe(self, user_id: int) -> str | None:
        with self.db.session() as s:
            row = s.get(ChatUser, user_id)
            return row.cafe_id if row is not None else None

    def choose(self, user_id: int, cafe_id: str) -> CafeInfo:
        """Remember the founder's cafe; raises KeyError for a cafe that is not (or no longer) offered."""
        with self.db.session() as s:
            cafe = s.get(Cafe, cafe_id)
            if cafe is None or not cafe.active:
                raise KeyError(cafe_id)
            row = s.get(ChatUser, user_id)
            if row is None:
                row = ChatUser(user_id=user_id)
                s.add(row)
            row.cafe_id = cafe_id
            log.info("founder %s chose cafe %s", user_ref(user_id), cafe_id)
            return CafeInfo.of(cafe)

    def edit(self, cafe_id: str, field: CafeField, value: str, staff_id: int) -> CafeInfo:
        """A cafe's staff (or an admin, or staff of no cafe) correct its hours or address; "-" goes back to the
        file's. The caller checked they are staff. Raises KeyError for an unknown cafe, PermissionError for staff of
        another cafe."""
        if not self.scope(staff_id).allows(cafe_id):
            log.warning("refused editing cafe %s: staff %s works at another cafe", cafe_id, staff_id)
            raise PermissionError(cafe_id)
        with self.db.session() as s:
            row = s.get(Cafe, cafe_id)
            if row is None:
                raise KeyError(cafe_id)
            text = None if value.strip() in ("", "-") else value.strip()
            if field is CafeField.HOURS:
                row.edited_hours = text
            else:
                row.edited_address = text
            log.info("staff %s set the %s of cafe %s", staff_id, field, cafe_id)
            return CafeInfo.of(row)

    # Staff
    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    def staff_cafes(self, user_id: int) -> frozenset[str]:
        with self.db.session() as s:
            return frozenset(s.scalars(select(CafeStaff.cafe_id).where(CafeStaff.user_id == user_id)))

    def cafe_staff(self, cafe_id: str) -> list[int]:
        with self.db.session() as s:
            return self.cafe_staff_in(s, cafe_id)

    @staticmethod
    def cafe_staff_in(session: Session, cafe_id: str) -> list[int]:
        return sorted(session.scalars(select(CafeStaff.user_id).where(CafeStaff.cafe_id == cafe_id)))

    def scope(self, user_id: int) -> StaffScope:
        """City-wide admins and staff without a cafe see every cafe; a cafe's staff see their cafes."""
        if self.is_admin(user_id):
            return StaffScope(None)
        cafes = self.staff_cafes(user_id)
        return StaffScope(cafes or None)
