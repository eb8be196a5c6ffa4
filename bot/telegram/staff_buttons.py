"""Buttons of the staff areas and their callback data: documents, announcements and founders' subscriptions.

Each button's data is built and parsed here, next to the pattern its handler is registered with, so the two
cannot drift apart. Callback data is at most 64 bytes: only actions and ids travel.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.knowledge.registry import DocumentInfo
from bot.staff.announcements import ALL, TOPICS, Delivery
from bot.strings import t

# --- documents: the buttons under an upload's summary, /doc and /docs ---------------------------------------

_DOC = "sd"


class DocAction(StrEnum):
    """What a document button does."""

    TITLE = "title"
    PROGRAMME = "prog"
    VALID = "valid"
    UNDO = "undo"
    REPLACE = "repl"  # pick the document this upload replaces
    REPLACE_TO = "rto"  # one picked: ask to confirm
    REPLACE_OK = "rok"
    REMOVE = "rm"
    REMOVE_OK = "rmok"
    NEW_VERSION = "new"  # the staff member's next file becomes this document's new version: ask to confirm
    NEW_VERSION_OK = "newok"
    PAGE = "page"  # a page of /docs, its number in hex
    CAFE = "cafe"  # make the document the cafe's own notice (the cafe id follows), or city-wide (no cafe id)
    CANCEL = "no"
    NOTIFY = "notify"  # tell subscribers; the announcements handler takes it, hence its own pattern


# Values staff were asked to type after TITLE, PROGRAMME or VALID.
ASK_VALUE_ACTIONS = (DocAction.TITLE, DocAction.PROGRAMME, DocAction.VALID)

# The third part is another document's id (hex) or, for CAFE, a cafe id (bot.cafes.spec.CafeId).
DOC_PATTERN = (rf"^{_DOC}:({'|'.join(a for a in DocAction if a is not DocAction.NOTIFY)}):?([0-9a-f]*)"
               r":?([a-z0-9_-]*)$")
NOTIFY_PATTERN = rf"^{_DOC}:{DocAction.NOTIFY}:([0-9a-f]+)$"


class DocButton(NamedTuple):
    """A pressed document button: the action, its document and, when replacing, the document replaced."""

    action: DocAction
    doc_id: str
    other: str

    @property
    def page(self) -> int:
        return int(self.doc_id or "0", 16)


def doc_data(action: DocAction, doc_id: str = "", other: str = "") -> str:
    """A document button: the action, then the document and the one it replaces where they apply."""
    return ":".join([_DOC, action, *(part for part in (doc_id, other) if part)])


def parse_doc(data: str | None) -> DocButton | None:
    """The button behind callback data matching DOC_PATTERN, else None."""
    found = re.match(DOC_PATTERN, data or "")
    if found is None:
        return None
    action, doc_id, other = found.groups()
    return DocButton(DocAction(action), doc_id, other)


def notified_doc(data: str | None) -> str:
    """The document id of callback data matching NOTIFY_PATTERN ("" for any other)."""
    found = re.match(NOTIFY_PATTERN, data or "")
    return found.group(1) if found else ""


class CafeChoice(NamedTuple):
    """A cafe a staff member may make a document's own: its id and name."""

    id: str
    name: str


def cafe_rows(doc_id: str, current: str | None, choices: Sequence[CafeChoice],
              lang: str) -> list[list[InlineKeyboardButton]]:
    """The cafe notice toggle: "this cafe only" (one button, or one per cafe when the staff member may pick among
    several), or back to every cafe for a cafe's notice. No rows without choices (no cafes file, or a document of a
    cafe the staff member does not work at)."""
    if not choices:
        return []
    if current is not None:
        return [[InlineKeyboardButton(t("staff.btn.cafe_all", lang), callback_data=doc_data(DocAction.CAFE, doc_id))]]
    if len(choices) == 1:
        return [[InlineKeyboardButton(t("staff.btn.cafe_only", lang, cafe=choices[0].name),
                                      callback_data=doc_data(DocAction.CAFE, doc_id, choices[0].id))]]
    buttons = [InlineKeyboardButton(t("staff.btn.cafe_named", lang, cafe=c.name),
                                    callback_data=doc_data(DocAction.CAFE, doc_id, c.id)) for c in choices]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def is_cafe_row(row: Sequence[InlineKeyboardButton]) -> bool:
    """Whether a keyboard row is cafe_rows' (to swap it after a press)."""
    prefix = f"{_DOC}:{DocAction.CAFE}:"
    return any(isinstance(b.callback_data, str) and b.callback_data.startswith(prefix) for b in row)


def summary_keyboard(doc_id: str, lang: str, undo: bool,
                     cafes: Sequence[list[InlineKeyboardButton]] = ()) -> InlineKeyboardMarkup:
    """Under an upload's summary: edit the details, replace another document, notify subscribers, undo a new one;
    then `cafes` (cafe_rows: this cafe only / every cafe)."""
    rows = [
        [InlineKeyboardButton(t("staff.btn.title", lang), callback_data=doc_data(DocAction.TITLE, doc_id)),
         InlineKeyboardButton(t("staff.btn.programme", lang), callback_data=doc_data(DocAction.PROGRAMME, doc_id)),
         InlineKeyboardButton(t("staff.btn.valid", lang), callback_data=doc_data(DocAction.VALID, doc_id))],
        [InlineKeyboardButton(t("staff.btn.replace", lang), callback_data=doc_data(DocAction.REPLACE, doc_id)),
         InlineKeyboardButton(t("staff.btn.notify", lang), callback_data=doc_data(DocAction.NOTIFY, doc_id))],
    ]
    if undo:
        rows[1].append(InlineKeyboardButton(t("staff.btn.undo", lang), callback_data=doc_data(DocAction.UNDO, doc_id)))
    return InlineKeyboardMarkup([*rows, *cafes])


def document_keyboard(doc_id: str, lang: str,
                      cafes: Sequence[list[InlineKeyboardButton]] = ()) -> InlineKeyboardMarkup:
    """Under /doc: the details row of an upload's summary, then a new version or removal, then `cafes`."""
    details = summary_keyboard(doc_id, lang, undo=False).inline_keyboard[0]
    return InlineKeyboardMarkup([list(details), [
        InlineKeyboardButton(t("staff.btn.new_version", lang), callback_data=doc_data(DocAction.NEW_VERSION, doc_id)),
        InlineKeyboardButton(t("staff.btn.remove", lang), callback_data=doc_data(DocAction.REMOVE, doc_id)),
    ], *cafes])


def with_cafe_rows(markup: InlineKeyboardMarkup | None,
                   cafes: Sequence[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    """A pressed keyboard with its cafe rows swapped for `cafes` (the toggle now offers the other way)."""
    rows = [list(row) for row in (markup.inline_keyboard if markup is not None else ()) if not is_cafe_row(row)]
    return InlineKeyboardMarkup([*rows, *cafes])


def page_keyboard(page: int, pages: int, lang: str) -> InlineKeyboardMarkup | None:
    """Previous / next under a page of /docs; None when there is only one page."""
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton(t("staff.btn.prev", lang), callback_data=doc_data(DocAction.PAGE,
                                                                                          f"{page - 1:x}")))
    if page < pages - 1:
        nav.append(InlineKeyboardButton(t("staff.btn.next", lang), callback_data=doc_data(DocAction.PAGE,
                                                                                          f"{page + 1:x}")))
    return InlineKeyboardMarkup([nav]) if nav else None


def replace_keyboard(doc_id: str, others: Sequence[DocumentInfo]) -> InlineKeyboardMarkup:
    """One button per document the upload `doc_id` may replace."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(d.title[:60],
                                                       callback_data=doc_data(DocAction.REPLACE_TO, doc_id, d.id))]
                                 for d in others])


def confirm_keyboard(lang: str, action: DocAction, doc_id: str, other: str = "") -> InlineKeyboardMarkup:
    """Yes (the confirmed action) / cancel."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("staff.btn.yes", lang), callback_data=doc_data(action, doc_id, other)),
        InlineKeyboardButton(t("staff.btn.cancel", lang), callback_data=doc_data(DocAction.CANCEL)),
    ]])


# --- founders' subscriptions and the announcements they receive ---------------------------------------------

SUB_PATTERN = r"^sub:(\w+)$"
UNSUBSCRIBE = "off"  # not a topic: stop every announcement
ASK_DOC_PATTERN = r"^adoc:([0-9a-f]+)$"


def topic_data(topic: str) -> str:
    """A subscription topic (or UNSUBSCRIBE) to toggle."""
    return f"sub:{topic}"


def parse_topic(data: str | None) -> str:
    """The topic (or UNSUBSCRIBE) of callback data matching SUB_PATTERN."""
    return (data or "").removeprefix("sub:")


def topics_keyboard(chosen: set[str], lang: str) -> InlineKeyboardMarkup:
    """Two topics a row, a tick on those chosen, "everything" last."""
    def button(topic: str) -> InlineKeyboardButton:
        mark = "✅ " if topic in chosen else ""
        return InlineKeyboardButton(mark + t(f"staff.sub.topic.{topic}", lang), callback_data=topic_data(topic))

    names = [*TOPICS, ALL]
    return InlineKeyboardMarkup([[button(n) for n in names[i:i + 2]] for i in range(0, len(names), 2)])


def ask_doc_data(doc_id: str) -> str:
    """"Ask about this" under an announcement of the document."""
    return f"adoc:{doc_id}"


def asked_doc(data: str | None) -> str:
    """The document id of callback data matching ASK_DOC_PATTERN ("" for any other)."""
    found = re.match(ASK_DOC_PATTERN, data or "")
    return found.group(1) if found else ""


def announcement_keyboard(delivery: Delivery) -> InlineKeyboardMarkup:
    """Under an announcement: ask about the document, or stop announcements."""
    lang = delivery.lang
    return InlineKeyboardMarkup([
        [InlineKeyboardButton(t("staff.announce.ask", lang), callback_data=ask_doc_data(delivery.document_id))],
        [InlineKeyboardButton(t("staff.announce.unsubscribe", lang), callback_data=topic_data(UNSUBSCRIBE))],
    ])
