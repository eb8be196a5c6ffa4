"""question cafe: question_log.cafe_id

Each logged question records the cafe its founder used when asking (chat_users.cafe_id at that moment), so /stats
counts a cafe's questions even after a founder moves to another cafe, and a question stays with its cafe. Existing
rows get the asker's current cafe (the best there is: cafes arrived in 0011, so a founder's choice is recent); rows
of founders who chose none stay NULL: no cafe.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, as in 0011: no batch copy of the log on SQLite.
    op.add_column("question_log", sa.Column("cafe_id", sa.String(32)))
    op.execute("UPDATE question_log SET cafe_id = (SELECT chat_users.cafe_id FROM chat_users "
               "WHERE chat_users.user_id = question_log.user_id) WHERE user_id IS NOT NULL")
    op.create_index("ix_question_log_cafe_id", "question_log", ["cafe_id"])


def downgrade() -> None:
    op.drop_index("ix_question_log_cafe_id", table_name="question_log")
    op.drop_column("question_log", "cafe_id")
