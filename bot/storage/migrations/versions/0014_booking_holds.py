"""consultations: a founder's future bookings each hold one of BOOKINGS_PER_FOUNDER numbered places

(founder_id, hold) is unique, so two bookings of one founder made at the same instant on two replicas cannot both
pass the per-founder limit. `mark_asked_at`: when the expert was asked "attended or no-show?" after the slot.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
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


def downgrade() -> None:
    op.drop_index("uq_consult_bookings_hold", table_name="consult_bookings")
    op.drop_column("consult_bookings", "mark_asked_at")
    op.drop_column("consult_bookings", "hold")
