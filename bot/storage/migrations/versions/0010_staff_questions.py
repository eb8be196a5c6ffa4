"""staff questions: founders' questions the documents did not answer, answered by the cafe staff

Adds staff_questions, staff_question_links (messages that belong to a question) and esc_outbox.staff_question_id
(a send for a question; once delivered, a reply to it finds the question).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("founder_id", sa.BigInteger, index=True),
        sa.Column("founder_chat_id", sa.BigInteger),
        sa.Column("founder_name", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("question_log_id", sa.Integer),
        sa.Column("tried", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("outcome", sa.String(16)),
        sa.Column("claimed_by", sa.BigInteger),
        sa.Column("answer", sa.Text),
        sa.Column("answered_by", sa.BigInteger),
        sa.Column("answered_at", sa.DateTime(timezone=True)),
        sa.Column("route_chat_id", sa.BigInteger),
        sa.Column("route_thread_id", sa.BigInteger),
        sa.Column("reminded_at", sa.DateTime(timezone=True)),
        sa.Column("draft", sa.JSON, nullable=False),
        sa.Column("saved_document_id", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "staff_question_links",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("question_id", sa.Integer, sa.ForeignKey("staff_questions.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("purpose", sa.String(16), nullable=False),
    )
    with op.batch_alter_table("esc_outbox") as batch:
        batch.add_column(sa.Column("staff_question_id", sa.Integer, sa.ForeignKey(
            "staff_questions.id", name="fk_esc_outbox_staff_question", ondelete="CASCADE")))
        batch.create_index("ix_esc_outbox_staff_question_id", ["staff_question_id"])


def downgrade() -> None:
    with op.batch_alter_table("esc_outbox") as batch:
        batch.drop_index("ix_esc_outbox_staff_question_id")
        batch.drop_constraint("fk_esc_outbox_staff_question", type_="foreignkey")
        batch.drop_column("staff_question_id")
    op.drop_table("staff_question_links")
    op.drop_table("staff_questions")
