"""Gauges read from the database at scrape time: escalations by state and cafe, and the outbox depth.

Several replicas share one database; each reports the same database-wide numbers, so dashboards should
use max() (not sum()) across instances for these two.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.escalation.enums import OutboxStatus, TicketState
from bot.observability.metrics import NO_CAFE
from bot.storage.db import Database
from bot.storage.models.cafes import Cafe
from bot.storage.models.escalation import OutboxItem, Ticket

log = logging.getLogger(__name__)

OUTBOX_STATES = (OutboxStatus.PENDING, OutboxStatus.DEAD)


class DatabaseCollector(Collector):
    """Counts rows by status in one short read; a database that does not answer yields no samples."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            with self.db.session() as s:
                tickets = {(status, cafe or NO_CAFE): n for status, cafe, n in s.execute(
                    select(Ticket.status, Ticket.cafe_id, func.count()).group_by(Ticket.status, Ticket.cafe_id))}
                cafes = [NO_CAFE, *s.scalars(select(Cafe.id).where(Cafe.active.is_(True)).order_by(Cafe.id))]
                outbox = dict(s.execute(select(OutboxItem.status, func.count())
                                        .where(OutboxItem.status.in_(OUTBOX_STATES))
                                        .group_by(OutboxItem.status)).all())
        except Exception as exc:  # noqa: BLE001 - /readyz reports the database; /metrics keeps the rest
            log.warning("metrics: could not read the database (%s)", type(exc).__name__)
            return
        escalations = GaugeMetricFamily("cafebot_escalations", "Expert tickets in the database, by state and the "
                                        "founder's cafe (- for none)", labels=["state", "cafe"])
        # Every active cafe has every state (zero too), and so has each cafe left out of the file that has tickets.
        for cafe in dict.fromkeys([*cafes, *(c for _, c in tickets)]):
            for state in TicketState:
                escalations.add_metric([state, cafe], tickets.get((state, cafe), 0))
        yield escalations
        depth = GaugeMetricFamily("cafebot_outbox_messages", "Stored notifications not yet delivered (pending) and "
                                  "given up after the last retry (dead)", labels=["state"])
        for status in OUTBOX_STATES:
            depth.add_metric([status], outbox.get(status, 0))
        yield depth
