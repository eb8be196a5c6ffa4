"""Statistics for staff: questions per day, answered vs not found, votes, escalations and knowledge gaps."""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import BigInteger, String, Text, cast, inspect, select, text, update

from bot.storage.db import Database
from bot.storage.models import QuestionLog, utcnow
from bot.storage.types import UtcDateTime

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], list[list[float]]]
KST = timezone(timedelta(hours=9))
# Unanswered questions at least this close (cosine of their query embeddings) ask the same thing: one gap.
GAP_SIMILARITY = 0.85
# How far back answering a gap looks for the questions it settles: /stats shows the last 7 days; a month covers
# that with room. At most RESOLVE_DISTINCT different questions are embedded for it (a few seconds at most).
RESOLVE_LOOKBACK = timedelta(days=30)
RESOLVE_SCAN = 5000
RESOLVE_DISTINCT = 500


def _unit(vector: list[float]) -> list[float]:
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def resolve_gap(db: Database, question: str, embed: Embed | None = None, similarity: float = GAP_SIMILARITY,
                now: datetime | None = None, answered: Callable[[str], bool] | None = None) -> int:
    """Mark the unanswered questions of the log that `question` stands for as resolved: the same text, or (with
    `embed`) as close to it as the questions /stats groups into one gap — and, when `answered` is given, only
    those it says are now answered. Returns how many rows it marked.

    Called when staff save a curated answer (KnowledgeBase.save_curated_answer, whose `answered` checks that the
    curated answer is what the question now gets, so a different question /stats happened to group with it stays
    a gap) and by InsightService.resolve_gap. Resolved rows never count as knowledge gaps again, while the
    statistics keep counting them as not found."""
    question = question.strip()
    if not question:
        return 0
    now = now or datetime.now(UTC)
    with db.session() as s:
        rows = s.execute(
            select(QuestionLog.id, QuestionLog.question, QuestionLog.standalone_question)
            .where(QuestionLog.kind == "not_found", QuestionLog.resolved_at.is_(None),
                   QuestionLog.created_at >= now - RESOLVE_LOOKBACK)
            .order_by(QuestionLog.created_at.desc()).limit(RESOLVE_SCAN)
        ).all()
    if not rows:
        return 0
    matched = {row_id for row_id, asked, standalone in rows
               if _same_text(asked, question) or _same_text(standalone, question)}
    rest: dict[str, list[int]] = {}  # distinct question text → its rows, most recent first
    for row_id, asked, _ in rows:
        if row_id not in matched and asked.strip():
            rest.setdefault(asked.strip(), []).append(row_id)
    texts = list(rest)[:RESOLVE_DISTINCT]
    if embed is not None and texts:
        vectors = embed([question] + texts)
        centre = _unit(vectors[0])
        for asked, vector in zip(texts, vectors[1:], strict=True):
            if sum(a * b for a, b in zip(centre, _unit(vector), strict=True)) >= similarity and (
                    answered is None or answered(asked)):
                matched.update(rest[asked])
    if matched:
        with db.session() as s:
            s.execute(update(QuestionLog).where(QuestionLog.id.in_(sorted(matched))).values(resolved_at=utcnow()))
    log.info("answered for everyone: %d unanswered question(s) of the log no longer count as a knowledge gap",
             len(matched))
    return len(matched)


@dataclass(frozen=True)
class Gap:
    """Unanswered questions that ask the same thing: one example and how often it was asked."""

    example: str
    count: int


@dataclass(frozen=True)
class CitingQuestion:
    question: str
    asked_at: datetime


@dataclass
class Stats:
    days: list[date]
    per_day: dict[date, Counter[str]]  # kind → count, per Seoul day
    total: int = 0
    answered: int = 0
    not_found: int = 0
    up: int = 0
    down: int = 0
    escalations_open: int | None = None  # None: no escalation table in this deployment yet
    escalations_overdue: int | None = None
    median_first_reply_minutes: float | None = None
    gaps: list[Gap] = field(default_factory=list)


class InsightService:
    def __init__(self, db: Database, embed: Embed | None = None, gap_similarity: float = GAP_SIMILARITY,
                 overdue_after: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self.embed = embed
        self.gap_similarity = gap_similarity
        self.overdue_after = overdue_after

    def collect(self, days: int = 7, now: datetime | None = None) -> Stats:
        now = now or datetime.now(UTC)
        today = now.astimezone(KST).date()
        day_list = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
        since = datetime.combine(day_list[0], datetime.min.time(), KST)
        with self.db.session() as s:
            rows = s.execute(
                select(QuestionLog.kind, QuestionLog.vote, QuestionLog.created_at, QuestionLog.question,
                       QuestionLog.resolved_at)
                .where(QuestionLog.created_at >= since)
            ).all()
        stats = Stats(days=day_list, per_day={d: Counter() for d in day_list})
        unanswered: list[str] = []
        for kind, vote, created_at, question, resolved_at in rows:
            day = created_at.astimezone(KST).date()
            if day in stats.per_day:
                stats.per_day[day][kind] += 1
            stats.total += 1
            stats.answered += kind == "answer"
            stats.not_found += kind == "not_found"
            stats.up += vote == 1
            stats.down += vote == -1
            if kind == "not_found" and resolved_at is None:  # a gap staff have since answered is no gap
                unanswered.append(question)
        stats.gaps = self.group_gaps(unanswered)
        self._escalations(stats, now)
        return stats

    def citing_questions(self, document_id: str, limit: int = 5, scan: int = 2000) -> list[CitingQuestion]:
        """The most recent questions whose answers cited the document."""
        found: list[CitingQuestion] = []
        with self.db.session() as s:
            rows = s.execute(
                select(QuestionLog.question, QuestionLog.sources, QuestionLog.created_at)
                # A cheap pre-filter on the JSON text; the decoded sources decide below.
                .where(cast(QuestionLog.sources, Text).contains(document_id))
                .order_by(QuestionLog.created_at.desc()).limit(scan)
            ).all()
        for question, sources, created_at in rows:
            if document_id in {str(src.get("document_id")) for src in sources}:
                found.append(CitingQuestion(question, created_at))
                if len(found) >= limit:
                    break
        return found

    def resolve_gap(self, question: str) -> int:
        """Staff settled `question`: the unanswered questions of the log it stands for (the same text, or as close
        as the questions /stats groups into one gap) stop appearing among the knowledge gaps. Returns how many
        were marked.

        Saving a curated answer does this itself, more narrowly (KnowledgeBase.save_curated_answer); call this
        when a gap is settled another way (the documents do cover it, not the cafes' topic)."""
        return resolve_gap(self.db, question, self.embed, self.gap_similarity)

    def group_gaps(self, questions: list[str], top: int = 5) -> list[Gap]:
        """Greedy grouping by cosine similarity of the local embeddings; exact text when there is no model."""
        questions = [q.strip() for q in questions if q.strip()]
        if not questions:
            return []
        if self.embed is None:
            return [Gap(q, n) for q, n in Counter(questions).most_common(top)]
        vectors = self.embed(questions)
        groups: list[tuple[list[float], list[str]]] = []
        for q, v in zip(questions, vectors, strict=True):
            norm = sum(x * x for x in v) ** 0.5 or 1.0
            unit = [x / norm for x in v]
            for centre, members in groups:
                if sum(a * b for a, b in zip(centre, unit, strict=True)) >= self.gap_similarity:
                    members.append(q)
                    break
            else:
                groups.append((unit, [q]))
        groups.sort(key=lambda g: len(g[1]), reverse=True)
        return [Gap(Counter(m).most_common(1)[0][0], len(m)) for _, m in groups[:top]]

    def _escalations(self, stats: Stats, now: datetime) -> None:
        """Figures from the expert escalation tables (esc_tickets, esc_messages) when this deployment has them.

        Read by reflection rather than through that feature's models, so statistics keep working while it is
        absent or its schema moves; anything unexpected just leaves the figures out.
        """
        try:
            insp = inspect(self.db.engine)
            if not insp.has_table("esc_tickets"):
                return
            with self.db.engine.connect() as conn:
                tickets = [dict(r._mapping) for r in conn.execute(
                    text("SELECT id, status, created_at FROM esc_tickets")
                    .columns(id=BigInteger, status=String, created_at=UtcDateTime))]
                replies: dict[int, datetime] = {}
                if insp.has_table("esc_messages"):
                    for ticket_id, first in conn.execute(
                            text("SELECT ticket_id, MIN(created_at) AS first_reply FROM esc_messages "
                                 "WHERE direction = 'to_founder' GROUP BY ticket_id")
                            .columns(ticket_id=BigInteger, first_reply=UtcDateTime)):
                        if first is not None:
                            replies[int(ticket_id)] = first
        except Exception:
            log.warning("could not read escalation statistics", exc_info=True)
            return
        open_rows = [r for r in tickets if str(r["status"]) != "closed"]
        stats.escalations_open = len(open_rows)
        # Overdue: still open with no expert reply after the working day founders are promised.
        stats.escalations_overdue = sum(
            1 for r in open_rows
            if int(r["id"]) not in replies and now - r["created_at"] > self.overdue_after
        )
        waits = [(replies[int(r["id"])] - r["created_at"]).total_seconds() / 60 for r in tickets
                 if int(r["id"]) in replies]
        stats.median_first_reply_minutes = statistics.median(waits) if waits else None
