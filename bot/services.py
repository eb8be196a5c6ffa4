"""Builds the domain services from settings: one place that wires the database, indexes and answerers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings
from bot.knowledge.service import KnowledgeBase
from bot.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    knowledge: KnowledgeBase

    def close(self) -> None:
        self.db.dispose()


def build_services(settings: Settings) -> Services:
    """Open the database (migrating it) and the knowledge base."""
    settings.ensure_dirs()
    db = Database(settings.sqlalchemy_url)
    knowledge = KnowledgeBase(settings, db)
    return Services(settings=settings, db=db, knowledge=knowledge)


def sync_knowledge_dir(services: Services, directory: Path | None = None) -> int:
    """Ingest the shipped knowledge folder: everything on first start, only changed files later.

    Returns the number of documents added or updated.
    """
    directory = directory or services.settings.knowledge_dir
    if not directory.is_dir():
        log.warning("knowledge folder %s not found; starting with what the database has", directory)
        return 0
    changed = 0
    for result in services.knowledge.ingest_paths([directory]):
        if getattr(result, "status", "unchanged") != "unchanged":
            changed += 1
    services.knowledge.sweep()
    return changed
