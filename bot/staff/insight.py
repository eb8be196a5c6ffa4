"""Statistics for staff: questions per day, answered vs not found, votes, escalations and knowledge gaps, for every
cafe or some (a cafe's staff see their cafes'), with a per-cafe breakdown."""

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
from bot.storage.models.cafes import Cafe
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
class CafeFigures:
    """One cafe's line of the breakdown: its founders' questions (the cafe they used when asking) and its open
    expert tickets. cafe_id None: founders who chose no cafe, tickets without one."""

    cafe_id: str | None
    total: int = 0
    answered: int = 0
    not_found: int = 0
    open_tickets: int = 0

    @property
    def answered_pct(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


@dataclass
class Stats:
    days: list[date]
    per_day: dict[date, Counter[str]]  # kind → count, per Seoul day
    cafes: frozenset[str] | None = None  # the cafes counted; None: all, and questions and tickets of no cafe
    total: int = 0
    answered: int = 0
    not_found: int = 0
    up: int = 0
    down: int = 0
    escalations_open: int | None = None  # None: no escalation table in this deployment yet
    escalations_overdue: int | None = None
    median_first_reply_minutes: float | None = None
    gaps: list[Gap] = field(default_factory=list)
    by_cafe: list[CafeFigures] = field(default_factory=list)  # the active cafes in the file's order, then the rest


class InsightService:
    def __init__(self, db: Database, embed: Embed | None = None, gap_similarity: float = GAP_SIMILARITY,
                 overdue_after: timedelta = timedelta(hours=24)) -> None:
        self.db = db
        self.embed = embed
        self.gap_similarity = gap_similarity
        self.overdue_after = overdue_after

    def collect(self, days: int = 7, now: datetime | None = None, *, cafe: str | None = None,
                scope: frozenset[str] | None = None, staff_id: int | None = None) -> Stats:
        """The last `days` days of `cafe` (one cafe) or, without one, of the staff member's `scope` (their
        StaffScope's cafes; None: everything). A question counts for the cafe its founder used when asking.
        Raises KeyError for an unknown cafe and PermissionError (logged with `staff_id`) for one outside `scope`."""
        now = now or datetime.now(UTC)
        today = now.astimezone(KST).date()
        day_list = [today - timedelta(days=i) for i in range(days - 1, -1, -1)]
        since = datetime.combine(day_list[0], datetime.min.time(), KST)
        cafes = self._view(cafe, scope, staff_id)
        query = select(QuestionLog.kind, QuestionLog.vote, QuestionLog.created_at, QuestionLog.question,
                       QuestionLog.resolved_at, QuestionLog.cafe_id).where(QuestionLog.created_at >= since)
        if cafes is not None:
            query = query.where(QuestionLog.cafe_id.in_(sorted(cafes)))
        with self.db.session() as s:
            rows = s.execute(query).all()
            listed = [c for c in s.scalars(select(Cafe.id).where(Cafe.active.is_(True)).order_by(Cafe.position,
                                                                                                 Cafe.id))
                      if cafes is None or c in cafes]
        stats = Stats(days=day_list, per_day={d: Counter() for d in day_list}, cafes=cafes)
        figures: dict[str | None, CafeFigures] = {cafe_id: CafeFigures(cafe_id) for cafe_id in listed}
        unanswered: list[str] = []
        for kind, vote, created_at, question, resolved_at, cafe_id in rows:
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
            line = figures.setdefault(cafe_id, CafeFigures(cafe_id))
            line.total += 1
            line.answered += kind == "answer"
            line.not_found += kind == "not_found"
        stats.gaps = self.group_gaps(unanswered)
        self._escalations(stats, now, figures)
        # The file's cafes first (in its order), then cafes no longer in it, then no cafe.
        order: dict[str | None, int] = {cafe_id: n for n, cafe_id in enumerate(listed)}
        stats.by_cafe = sorted(figures.values(), key=lambda f: (f.cafe_id is None, order.get(f.cafe_id, len(order)),
                                                                f.cafe_id or ""))
        return stats

    def _view(self, cafe: str | None, scope: frozenset[str] | None, staff_id: int | None) -> frozenset[str] | None:
        """The cafes /stats counts: `cafe` alone if the staff member's `scope` allows it, else the whole scope."""
        if cafe is None:
            return scope
        with self.db.session() as s:
            if s.get(Cafe, cafe) is None:
                raise KeyError(cafe)
        if scope is not None and cafe not in scope:
            log.warning("refused /stats of cafe %s to staff %s: their cafes are %s", cafe, staff_id,
                        ",".join(sorted(scope)))
            raise PermissionError(cafe)
        return frozenset({cafe})

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

    def _escalations(self, stats: Stats, now: datetime, figures: dict[str | None, CafeFigures]) -> None:
        """Figures from the expert escalation tables (esc_tickets, esc_messages) when this deployment has them,
        for the tickets of `stats.cafes` (None: all), and each cafe's open tickets into `figures`.

        Read by reflection rather than through that feature's models, so statistics keep working while it is
        absent or its schema moves; anything unexpected just leaves the figures out.
        """
        try:
            insp = inspect(self.db.engine)
            if not insp.has_table("esc_tickets"):
                return
            has_cafe = "cafe_id" in {c["name"] for c in insp.get_columns("esc_tickets")}
            with self.db.engine.connect() as conn:
                tickets = [dict(r._mapping) for r in conn.execute(
                    text(f"SELECT id, status, created_at, {'cafe_id' if has_cafe else 'NULL'} AS cafe_id "
                         "FROM esc_tickets")
                    .columns(id=BigInteger, status=String, created_at=UtcDateTime, cafe_id=String))]
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
        if stats.cafes is not None:
            tickets = [r for r in tickets if r["cafe_id"] in stats.cafes]
        open_rows = [r for r in tickets if str(r["status"]) != "closed"]
        stats.escalations_open = len(open_rows)
        for r in open_rows:
            cafe_id = None if r["cafe_id"] is None else str(r["cafe_id"])
            figures.setdefault(cafe_id, CafeFigures(cafe_id)).open_tickets += 1
        # Overdue: still open with no expert reply after the working day founders are promised.
        stats.escalations_overdue = sum(
            1 for r in open_rows
            if int(r["id"]) not in replies and now - r["created_at"] > self.overdue_after
        )
        waits = [(replies[int(r["id"])] - r["created_at"]).total_seconds() / 60 for r in tickets
                 if int(r["id"]) in replies]
        stats.median_first_reply_minutes = statistics.median(waits) if waits else None
