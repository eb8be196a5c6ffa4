"""The words of the escalation: case cards and every notice a step sends, rendered before they are queued.

Experts and staff read the cafe's default language; founders read the language of their ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.consultations.buttons import book_for_ticket
from bot.escalation.buttons import card_buttons, rate_buttons
from bot.escalation.enums import INTAKE_FIELDS, ContentKind, IntakeField, Stage
from bot.escalation.outbox import Notice
from bot.storage.models.cafes import Cafe
from bot.storage.models.escalation import Expert, Ticket
from bot.strings import t


def fields_text(fields: dict[str, str], lang: str) -> str:
    """The intake's answers, one labelled line each (the stage in words)."""
    lines = []
    for name in INTAKE_FIELDS:
        value = fields.get(name) or "-"
        if name is IntakeField.STAGE and value in tuple(Stage):
            value = t(f"esc.stage.{value}", lang)
        lines.append(f"{t(f'esc.field.{name}', lang)}: {value}")
    return "\n".join(lines)


@dataclass(frozen=True)
class NoticeWriter:
    expert_lang: str  # experts' and staff's language: the cafe's default
    label_by_name: bool = False  # EXPERT_LABEL=name: founders see the expert's name rather than the alias
    show_founder_contact: bool = False  # EXPERT_SHOW_FOUNDER_CONTACT

    def expert_label(self, expert: Expert | None, lang: str) -> str:
        """What founders see: the alias or the display name, never a Telegram id."""
        if expert is None:
            return t("esc.expert.anonymous", lang)
        preferred, other = ((expert.display_name, expert.alias) if self.label_by_name
                            else (expert.alias, expert.display_name))
        return preferred or other or t("esc.expert.anonymous", lang)

    def cafe_name(self, cafe: Cafe) -> str:
        return cafe.name_en if self.expert_lang == "en" else cafe.name_ko

    def card(self, ticket: Ticket, chat_id: int, related: list[str], summary: str | None = None,
             founder_cafe: Cafe | None = None) -> list[Notice]:
        """The case card (and the attachment) for the experts; `founder_cafe` when they do not work there."""
        lang = self.expert_lang
        parts = [t("esc.card", lang, id=ticket.id, fields=fields_text(ticket.fields, lang))]
        if founder_cafe is not None:
            parts.append(t("esc.card.founder_cafe", lang, cafe=self.cafe_name(founder_cafe)))
        if self.show_founder_contact:
            contact = ticket.founder_name + (f" (@{ticket.founder_username})" if ticket.founder_username else "")
            parts.append(t("esc.card.founder", lang, name=contact))
        if related:
            parts.append(t("esc.card.related", lang, titles=", ".join(related)))
        if summary:
            parts.append(t("esc.card.summary", lang, summary=summary))
        parts.append(t("esc.card.how", lang, id=ticket.id))
        notices = [Notice(chat_id, "\n\n".join(parts), ticket_id=ticket.id, buttons=card_buttons(ticket.id, lang))]
        if ticket.attachment_file_id:
            notices.append(Notice(chat_id, f"#{ticket.id}", ticket_id=ticket.id,
                                  kind=ticket.attachment_kind or ContentKind.DOCUMENT,
                                  file_id=ticket.attachment_file_id))
        return notices

    def claimed(self, ticket: Ticket, expert: Expert | None, expert_name: str, chat_id: int,
                thread_id: int | None, lang: str | None = None) -> list[Notice]:
        """The founder hears who took it (as EXPERT_LABEL says); the chat where it was claimed, by whom."""
        note = t("esc.expert.claimed", lang or self.expert_lang, id=ticket.id, expert=expert_name)
        return [Notice(ticket.founder_chat_id, t("esc.ticket.claimed", ticket.lang, id=ticket.id,
                                                 expert=self.expert_label(expert, ticket.lang)), ticket_id=ticket.id),
                Notice(chat_id, note, thread_id=thread_id)]

    def to_founder(self, ticket: Ticket, expert: Expert | None, kind: ContentKind, text: str,
                   file_id: str | None) -> Notice:
        label = t("esc.ticket.feedback", ticket.lang, id=ticket.id, expert=self.expert_label(expert, ticket.lang))
        # The next step founders ask for after written feedback is meeting the expert.
        return Notice(ticket.founder_chat_id, f"{label}\n\n{text}".strip(), ticket_id=ticket.id, kind=kind,
                      file_id=file_id, buttons=[[book_for_ticket(ticket.id, ticket.lang)]])

    def to_experts(self, ticket: Ticket, chat_id: int, kind: ContentKind, text: str,
                   file_id: str | None) -> Notice:
        label = t("esc.expert.founder_msg", self.expert_lang, id=ticket.id)
        return Notice(chat_id, f"{label}\n\n{text}".strip(), ticket_id=ticket.id, kind=kind, file_id=file_id)

    def closed(self, ticket: Ticket, chat_id: int) -> list[Notice]:
        summary = ticket.close_summary or ""
        return [Notice(ticket.founder_chat_id, t("esc.ticket.closed", ticket.lang, id=ticket.id, summary=summary),
                       ticket_id=ticket.id,
                       buttons=[*rate_buttons(ticket.id), [book_for_ticket(ticket.id, ticket.lang)]]),
                Notice(chat_id, t("esc.expert.closed", self.expert_lang, id=ticket.id, summary=summary),
                       thread_id=ticket.route_thread_id if chat_id == ticket.route_chat_id else None)]

    def reminder(self, ticket: Ticket) -> Notice | None:
        if ticket.route_chat_id is None:
            return None
        return Notice(ticket.route_chat_id, t("esc.sla.reminder", self.expert_lang, id=ticket.id), ticket_id=ticket.id)

    def reassigned(self, ticket: Ticket, related: list[str], staff_ids: list[int], cafe: Cafe | None = None,
                   away: bool = False) -> list[Notice]:
        """After the SLA ran out: the new expert's card (or a reminder in the group), staff and the founder told.
        `cafe`: the ticket's cafe (named to staff); `away`: the new expert does not work there (named on the card)."""
        notices: list[Notice] = []
        if ticket.route_chat_id is not None and ticket.route_chat_id > 0:
            notices += self.card(ticket, ticket.route_chat_id, related, founder_cafe=cafe if away else None)
        elif (reminder := self.reminder(ticket)) is not None:
            notices.append(reminder)
        label = str(ticket.expert_id) if ticket.expert_id else "-"
        text = t("esc.sla.reassigned_staff", self.expert_lang, id=ticket.id, expert=label)
        if cafe is not None:
            text += "\n" + t("esc.card.founder_cafe", self.expert_lang, cafe=self.cafe_name(cafe))
        notices += [Notice(staff_id, text) for staff_id in staff_ids]
        notices.append(Notice(ticket.founder_chat_id, t("esc.ticket.reassigned_founder", ticket.lang, id=ticket.id),
                              ticket_id=ticket.id))
        return notices
