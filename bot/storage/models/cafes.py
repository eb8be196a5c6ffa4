"""The cafes one deployment serves (from CAFES_FILE) and their staff. Experts, tickets, staff questions, founders
and documents carry a cafe id (bot/storage/models/*: `cafe_id`, NULL meaning no cafe or every cafe)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow
from bot.storage.types import UtcDateTime


class Cafe(Base):
    """One startup cafe as the cafes file describes it; a cafe left out of the file stays, inactive, for history."""

    __tablename__ = "cafes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ko: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    hours: Mapped[str] = mapped_column(Text, default="")
    # Staff may correct the hours and address in chat (/cafe hours|address): their text wins over the file's until
    # they clear it, so a sync at the next start does not undo it.
    edited_hours: Mapped[str | None] = mapped_column(Text)
    edited_address: Mapped[str | None] = mapped_column(Text)
    expert_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)  # its place in the file: the order founders see
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class CafeStaff(Base):
    """A staff member of one cafe (from the file); they see and act on that cafe's work."""

    __tablename__ = "cafe_staff"

    cafe_id: Mapped[str] = mapped_column(ForeignKey("cafes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False, index=True)
