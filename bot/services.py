"""Builds the domain services from settings: one place that wires the database, indexes and answerers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError

from bot.answering.memory import ConversationStore
from bot.answering.service import AnswerService
from bot.cafes.registry import CafeRegistry
from bot.cafes.spec import load_cafes
from bot.config import Settings
from bot.consultations.service import Consultations
from bot.escalation.wiring import Escalation, build_escalation
from bot.knowledge.embeddings import CachedEmbeddings
from bot.knowledge.registry import DocumentInfo
from bot.knowledge.reindex import warn_if_vectors_missing
from bot.knowledge.service import KnowledgeBase
from bot.knowledge.shipped_sync import sync_shipped_folder
from bot.staff.announcements import AnnouncementService
from bot.staff.hours import OfficeHours
from bot.staff.insight import InsightService
from bot.staff.questions.drafts import Draft
from bot.staff.questions.notices import QuestionWriter, Tried
from bot.staff.questions.service import StaffQuestions
from bot.staff.roles import StaffRegistry
from bot.staff.uploads import UploadService
from bot.storage.db import Database
from bot.storage.state_store import StateStore

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    knowledge: KnowledgeBase
    store: ConversationStore
    answers: AnswerService
    staff: StaffRegistry
    uploads: UploadService
    announcements: AnnouncementService
    insight: InsightService
    escalation: Escalation
    state: StateStore  # PTB's conversations and user data, and pending prompts (bot.storage.state_store)
    questions: StaffQuestions  # founders' questions passed to the cafe staff
    cafes: CafeRegistry  # the cafes this deployment serves (CAFES_FILE)
    consultations: Consultations  # experts' slots and founders' bookings (bot.consultations)

    def close(self) -> None:
        self.db.dispose()


def build_services(settings: Settings, *, embeddings: CachedEmbeddings | None = None) -> Services:
    """Open the database (migrating it unless DB_AUTO_UPGRADE is off), the knowledge base and the answering service.

    `embeddings` lets several service sets in one process share one loaded model.
    """
    settings.ensure_dirs()
    db = Database(settings.sqlalchemy_url, migrate=settings.db_auto_upgrade)
    cafes = CafeRegistry(db, settings.admin_user_ids)
    if settings.cafes_file is not None:  # before anything routes work to a cafe's people
        specs = load_cafes(settings.cafes_file)
        try:
            cafes.sync(specs)
        except IntegrityError:  # another replica starting at the same moment inserted the same rows first
            log.info("cafes were being synced by another process; syncing again")
            cafes.sync(specs)
    knowledge = KnowledgeBase(settings, db, embeddings=embeddings)
    warn_if_vectors_missing(knowledge)
    store = ConversationStore(db)
    answers = AnswerService(settings, knowledge, store, cafes)
    return Services(
        settings=settings, db=db, knowledge=knowledge, store=store, answers=answers,
        staff=StaffRegistry(db, settings.configured_staff_ids), uploads=UploadService(settings, knowledge),
        announcements=AnnouncementService(db), insight=InsightService(
            db, knowledge.embeddings.embed_uncached,
            # "Overdue" in /stats is measured against the response time promised to the founder.
            overdue_after=timedelta(hours=settings.escalation_expected_response_hours)),
        escalation=build_escalation(settings, db, related=lambda query: related_titles(knowledge, query)),
        state=StateStore(db),
        questions=build_staff_questions(settings, db, knowledge, cafes),
        cafes=cafes,
        consultations=Consultations(db, cafes, per_founder=settings.bookings_per_founder,
                                    cancel_hours=settings.booking_cancel_hours, no_show_limit=settings.no_show_limit,
                                    expert_lang=settings.default_language),
    )


def build_staff_questions(settings: Settings, db: Database, knowledge: KnowledgeBase,
                          cafes: CafeRegistry) -> StaffQuestions:
    """Staff questions wired to the knowledge base: what retrieval found for the card, and curated answers saved."""

    def tried(question: str, cafe_id: str | None) -> list[Tried]:
        return [Tried(p.title, p.page, p.text) for p in knowledge.search(question, 3, cafe_id=cafe_id)]

    def save(draft: Draft, staff_id: int, lang: str) -> DocumentInfo:
        return knowledge.save_curated_answer(draft.question, draft.answer, saved_by=staff_id,
                                             programme=draft.programme, valid_until=draft.valid_until, lang=lang,
                                             cafe_id=draft.cafe_id)

    writer = QuestionWriter(settings.default_language, show_founder_name=settings.expert_show_founder_contact)
    return StaffQuestions(db, StaffRegistry(db, settings.configured_staff_ids), writer,
                          OfficeHours.parse(settings.staff_hours), answer_hours=settings.staff_answer_hours,
                          route_chat_id=settings.staff_chat_id, search=tried, save=save, cafes=cafes)


def related_titles(knowledge: KnowledgeBase, query: str, limit: int = 3) -> list[str]:
    """Titles of the documents the knowledge base finds for an idea, for the experts' case card."""
    return list(dict.fromkeys(p.title for p in knowledge.search(query, limit) if p.title))


def sync_knowledge_dir(services: Services, directory: Path | None = None) -> int:
    """Bring the knowledge base in step with the shipped knowledge folder (see bot.knowledge.shipped_sync).

    Everything on first start, only changed files later; documents whose file left the folder are removed.
    Returns the number of documents added or updated.
    """
    return sync_shipped_folder(services.knowledge, directory or services.settings.knowledge_dir).changed
