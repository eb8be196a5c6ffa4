"""consultations: a founder's future bookings each hold one of BOOKINGS_PER_FOUNDER numbered places

(founder_id, hold) is unique, so two bookings of one founder made at the same instant on two replicas cannot both
pass the per-founder limit. Bookings made before this revision get their places numbered here, so they count.
`mark_asked_at`: when the expert was asked "attended or no-show?" after the slot.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("consult_bookings", sa.Column("hold", sa.Integer))
    op.add_column("consult_bookings", sa.Column("mark_asked_at", sa.DateTime(timezone=True)))
    op.create_index("uq_consult_bookings_hold", "consult_bookings", ["founder_id", "hold"], unique=True)
    # Each founder's upcoming active bookings hold places 1, 2, ... in start order (more than the limit, if an
    # operator lowered it: the founder then books again only once enough of them are over).
    bookings, slots = sa.table("consult_bookings", sa.column("id"), sa.column("founder_id"), sa.column("slot_id"),
                               sa.column("status"), sa.column("hold")), \
        sa.table("consult_slots", sa.column("id"), sa.column("starts_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    rows = bind.execute(sa.select(bookings.c.id, bookings.c.founder_id)
                        .join(slots, slots.c.id == bookings.c.slot_id)
                        .where(bookings.c.status == "booked", slots.c.starts_at > datetime.now(UTC))
                        .order_by(bookings.c.founder_id, slots.c.starts_at, bookings.c.id)).all()
    held: dict[int, int] = {}
    for booking_id, founder_id in rows:
        held[founder_id] = held.get(founder_id, 0) + 1
        bind.execute(sa.update(bookings).where(bookings.c.id == booking_id).values(hold=held[founder_id]))


def downgrade() -> None:
    op.drop_index("uq_consult_bookings_hold", table_name="consult_bookings")
    op.drop_column("consult_bookings", "mark_asked_at")
    op.drop_column("consult_bookings", "hold")
