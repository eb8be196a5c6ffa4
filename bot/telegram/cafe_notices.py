"""Cafe notices on the staff side: which "this cafe only" buttons a staff member gets under a document, and the
line saying whose a document is (blocking: run these off the event loop)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.knowledge.registry import DocumentInfo
from bot.services import Services
from bot.strings import t
from bot.telegram.staff_buttons import CafeChoice, cafe_rows


def cafe_name(services: Services, cafe_id: str, lang: str) -> str:
    """The cafe's name in `lang` (its id when the cafes file no longer has it)."""
    cafe = services.cafes.get(cafe_id)
    return cafe.name(lang) if cafe is not None else cafe_id


def cafe_choices(services: Services, doc: DocumentInfo, staff_id: int, lang: str) -> list[CafeChoice]:
    """The cafes this staff member may make `doc` the notice of: a cafe's staff their cafes, city-wide admins and
    staff of no cafe any cafe. None without a cafes file, nor for another cafe's document."""
    cafes = services.cafes.cafes()
    if not cafes:
        return []
    scope = services.cafes.scope(staff_id)
    if not scope.allows(doc.cafe_id):
        return []
    return [CafeChoice(c.id, c.name(lang)) for c in cafes if scope.cafes is None or c.id in scope.cafes]


def cafe_buttons(services: Services, doc: DocumentInfo, staff_id: int, lang: str) -> list[list[InlineKeyboardButton]]:
    """The cafe toggle under `doc` for this staff member (staff_buttons.cafe_rows over cafe_choices): "this cafe
    only" for a city-wide document, "back to every cafe" for a cafe's notice."""
    return cafe_rows(doc.id, doc.cafe_id, cafe_choices(services, doc, staff_id, lang), lang)


def cafe_line(services: Services, doc: DocumentInfo, lang: str) -> str:
    """"Cafe: 성수 창업카페 only" / "Cafe: every cafe"; "" without a cafes file (and no cafe on the document)."""
    if doc.cafe_id is not None:
        return t("staff.doc.cafe_line", lang, cafe=cafe_name(services, doc.cafe_id, lang))
    return t("staff.doc.citywide_line", lang) if services.cafes.any() else ""
