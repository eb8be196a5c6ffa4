"""files removed by hand: kb_removed_files

A shipped document that staff (or an operator) removed came back at the next start, because its file is still
in the knowledge folder. The removal now records the bytes of every version the document had; the start-up sync
(bot/knowledge/shipped_sync.py) does not ingest a file with those bytes again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_removed_files",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("origin_path", sa.String(500)),
        sa.Column("removed_by", sa.String(32), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_removed_files")
