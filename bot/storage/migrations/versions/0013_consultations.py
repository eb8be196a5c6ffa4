"""consultations: the slots experts publish and founders' bookings of them

A booking holds one seat of its slot while active, and (slot_id, seat) is unique: two founders racing for the last
seat cannot both get it, on any number of replicas. New tables only: nothing existing changes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consult_slots",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("expert_id", sa.BigInteger, nullable=False),
        sa.Column("cafe_id", sa.String(32)),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("booked", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_consult_slots_booked"),
    )
    op.create_index("ix_consult_slots_expert_id", "consult_slots", ["expert_id"])
    op.create_index("ix_consult_slots_cafe_id", "consult_slots", ["cafe_id"])
    op.create_index("ix_consult_slots_starts_at", "consult_slots", ["starts_at"])
    op.create_index("ix_consult_slots_status", "consult_slots", ["status"])
    op.create_table(
        "consult_bookings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("slot_id", sa.Integer, sa.ForeignKey("consult_slots.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seat", sa.Integer),
        sa.Column("founder_id", sa.BigInteger, nullable=False),
        sa.Column("founder_chat_id", sa.BigInteger, nullable=False),
        sa.Column("ticket_id", sa.Integer),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reminded_24h_at", sa.DateTime(timezone=True)),
        sa.Column("reminded_1h_at", sa.DateTime(timezone=True)),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.Column("marked_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("slot_id", "seat", name="uq_consult_bookings_seat"),
        sa.CheckConstraint("seat IS NULL OR seat >= 1", name="ck_consult_bookings_seat"),
    )
    op.create_index("ix_consult_bookings_slot_id", "consult_bookings", ["slot_id"])
    op.create_index("ix_consult_bookings_founder_id", "consult_bookings", ["founder_id"])
    op.create_index("ix_consult_bookings_status", "consult_bookings", ["status"])


def downgrade() -> None:
    op.drop_table("consult_bookings")
    op.drop_table("consult_slots")
