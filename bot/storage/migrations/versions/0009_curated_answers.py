"""curated answers: question_log.resolved_at

When staff save an answer for everyone (a curated answer, bot/knowledge/curated.py), the logged questions it
answers (the same question, or one close to it by the grouping /stats uses) are marked resolved: the knowledge
gaps of /stats leave them out. NULL, what every existing row gets, means not resolved. Curated answers themselves
need no schema: they are documents with kb_documents.origin "curated".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("question_log", sa.Column("resolved_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not batch mode, as in 0006.
    op.drop_column("question_log", "resolved_at")
