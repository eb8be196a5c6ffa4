"""cafes: the cafes one deployment serves, their staff, and a cafe id on founders, experts, tickets, staff
questions and documents

Every existing row gets NULL: no cafe (a single-cafe deployment, as before), or for documents, city-wide.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (table, whether the column gets an index)
CAFE_COLUMNS = (("chat_users", False), ("esc_experts", True), ("esc_tickets", True), ("staff_questions", True),
                ("kb_documents", True))


def upgrade() -> None:
    op.create_table(
        "cafes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name_ko", sa.Text, nullable=False),
        sa.Column("name_en", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("hours", sa.Text, nullable=False),
        sa.Column("edited_hours", sa.Text),
        sa.Column("edited_address", sa.Text),
        sa.Column("expert_chat_id", sa.BigInteger),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cafe_staff",
        sa.Column("cafe_id", sa.String(32), sa.ForeignKey("cafes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False, index=True),
    )
    for table, indexed in CAFE_COLUMNS:
        # Plain ADD COLUMN works on both databases; no batch copy of big tables on SQLite.
        op.add_column(table, sa.Column("cafe_id", sa.String(32)))
        if indexed:
            op.create_index(f"ix_{table}_cafe_id", table, ["cafe_id"])


def downgrade() -> None:
    for table, indexed in reversed(CAFE_COLUMNS):
        if indexed:
            op.drop_index(f"ix_{table}_cafe_id", table_name=table)
        op.drop_column(table, "cafe_id")
    op.drop_table("cafe_staff")
    op.drop_table("cafes")
