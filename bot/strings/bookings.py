"""Staff's view of consultations: /bookings (date filter, CSV) and the consultations section of /stats."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
}
