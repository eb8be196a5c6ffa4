"""expert escalation: experts, tickets, relayed messages, message links, outbox, seen updates, conversation state

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "esc_experts",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.Column("specialties", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "esc_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("founder_id", sa.BigInteger, nullable=False, index=True),
        sa.Column("founder_chat_id", sa.BigInteger, nullable=False),
        sa.Column("founder_name", sa.Text, nullable=False),
        sa.Column("founder_username", sa.Text),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("specialty", sa.Text),
        sa.Column("attachment_file_id", sa.Text),
        sa.Column("attachment_kind", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("expert_id", sa.BigInteger, index=True),
        sa.Column("route_chat_id", sa.BigInteger),
        sa.Column("route_thread_id", sa.BigInteger),
        sa.Column("reassign_count", sa.Integer, nullable=False),
        sa.Column("passed_by", sa.Text, nullable=False),
        sa.Column("routed_at", TS, nullable=False),
        sa.Column("reminded_at", TS),
        sa.Column("claimed_at", TS),
        sa.Column("closed_at", TS),
        sa.Column("close_summary", sa.Text),
        sa.Column("rating", sa.Integer),
        sa.Column("rating_comment", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "esc_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("esc_tickets.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("author_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("file_id", sa.Text),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "esc_message_links",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("message_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("esc_tickets.id", ondelete="CASCADE"), nullable=False,
                  index=True),
    )
    op.create_table(
        "esc_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("esc_tickets.id", ondelete="CASCADE"), index=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("thread_id", sa.BigInteger),
        sa.Column("reply_to", sa.BigInteger),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("file_id", sa.Text),
        sa.Column("buttons", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_message_id", sa.BigInteger),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "esc_seen_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "esc_conversation_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("esc_conversation_state", "esc_seen_updates", "esc_outbox", "esc_message_links",
                  "esc_messages", "esc_tickets", "esc_experts"):
        op.drop_table(table)
