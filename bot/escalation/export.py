"""Tickets as CSV for staff (UTF-8 with BOM so Excel opens Korean text correctly)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.escalation.enums import IntakeField
from bot.storage.models.escalation import Ticket

COLUMNS = ["id", "status", "created_at", "founder_id", "founder_name", "expert_id", "specialty", "stage",
           "summary", "reassign_count", "claimed_at", "closed_at", "close_summary", "rating", "rating_comment",
           "cafe"]


def tickets_csv(tickets: Iterable[Ticket]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for t in tickets:
        fields = t.fields
        writer.writerow([t.id, t.status, t.created_at.isoformat(), t.founder_id, t.founder_name, t.expert_id or "",
                         t.specialty or "", fields.get(IntakeField.STAGE, ""), fields.get(IntakeField.SUMMARY, ""),
                         t.reassign_count,
                         t.claimed_at.isoformat() if t.claimed_at else "",
                         t.closed_at.isoformat() if t.closed_at else "", t.close_summary or "",
                         t.rating or "", t.rating_comment or "", t.cafe_id or ""])
    return out.getvalue().encode("utf-8-sig")
