"""Bookings as CSV for staff (UTF-8 with BOM so Excel opens Korean text correctly), times in Asia/Seoul."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.consultations.forms import SEOUL
from bot.consultations.views import BookingView

COLUMNS = ["id", "slot", "starts_at_kst", "minutes", "mode", "cafe", "expert_id", "expert", "founder_id", "status",
           "ticket_id", "booked_at"]


def bookings_csv(bookings: Iterable[BookingView]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for b in bookings:
        slot = b.slot
        writer.writerow([b.id, slot.id, slot.starts_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M"), slot.minutes,
                         slot.mode, slot.cafe_id or "", slot.expert_id, slot.expert_alias, b.founder_id, b.status,
                         b.ticket_id or "", b.created_at.isoformat()])
    return out.getvalue().encode("utf-8-sig")
