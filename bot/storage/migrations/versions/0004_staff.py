"""staff tools: staff registry, subscriptions, announcements with per-recipient deliveries, expiry notices

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_members",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("added_by", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "subscriptions",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("interests", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(32), nullable=False),
        sa.Column("version_id", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("created_by", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("version_id", name="uq_announcements_version"),
    )
    op.create_index("ix_announcements_document_id", "announcements", ["document_id"])
    op.create_table(
        "announcement_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("announcement_id", sa.Integer, sa.ForeignKey("announcements.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("announcement_id", "user_id", name="uq_delivery_recipient"),
    )
    op.create_index("ix_announcement_deliveries_announcement_id", "announcement_deliveries", ["announcement_id"])
    op.create_index("ix_announcement_deliveries_status", "announcement_deliveries", ["status"])
    op.create_table(
        "expiry_notices",
        sa.Column("document_id", sa.String(32), primary_key=True),
        sa.Column("valid_until", sa.Date, primary_key=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("expiry_notices")
    op.drop_table("announcement_deliveries")
    op.drop_table("announcements")
    op.drop_table("subscriptions")
    op.drop_table("staff_members")
