"""Who is staff: STAFF_USER_IDS (and ADMIN_USER_IDS) from the settings, members added in the bot, and each cafe's
staff from the cafes file (all stored in the database)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.db import Database
from bot.storage.models import CafeStaff, StaffMember

log = logging.getLogger(__name__)


class StaffRegistry:
    """Identity is always the numeric Telegram user id, never a username (usernames can change hands)."""

    def __init__(self, db: Database, configured: list[int]) -> None:
        self.db = db
        self.configured = frozenset(configured)

    def is_staff(self, user_id: int | None) -> bool:
        if user_id is None:
            return False
        if user_id in self.configured:
            return True
        with self.db.session() as s:
            return s.get(StaffMember, user_id) is not None or s.scalar(
                select(CafeStaff.user_id).where(CafeStaff.user_id == user_id).limit(1)) is not None

    def all_ids(self, session: Session | None = None) -> list[int]:
        """Every staff member's id; with `session`, read inside that (already open) transaction."""
        if session is not None:
            return sorted(set(session.scalars(select(StaffMember.user_id))) | self.configured
                          | set(session.scalars(select(CafeStaff.user_id))))
        with self.db.session() as s:
            return self.all_ids(s)

    def city_wide_ids(self, session: Session) -> list[int]:
        """Staff who see every cafe: the configured ones and those added in the bot (not a cafe's staff)."""
        return sorted(set(session.scalars(select(StaffMember.user_id))) | self.configured)

    def add(self, user_id: int, added_by: int) -> bool:
        """Add a staff member; False if they already were staff."""
        if self.is_staff(user_id):
            return False
        with self.db.session() as s:
            s.add(StaffMember(user_id=user_id, added_by=added_by))
        log.info("staff %s added staff member %s", added_by, user_id)
        return True

    def remove(self, user_id: int, removed_by: int) -> str:
        """"removed", "configured" (in STAFF_USER_IDS: only the deployment can change that) or "unknown"."""
        if user_id in self.configured:
            return "configured"
        with self.db.session() as s:
            member = s.get(StaffMember, user_id)
            if member is None:
                return "unknown"
            s.delete(member)
        log.info("staff %s removed staff member %s", removed_by, user_id)
        return "removed"


def parse_user_id(text: str) -> int | None:
    """A positive numeric user id, or None (usernames are refused on purpose)."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None
