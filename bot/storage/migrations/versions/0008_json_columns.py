"""JSON columns: the JSON the bot kept in TEXT columns becomes the database's JSON type

Expert specialties, a ticket's intake fields and passing experts, outbox buttons, conversation state, the cited
sources of a logged question and a subscriber's interests were JSON text that every reader decoded by hand. The
models now declare sqlalchemy.JSON, which hands back Python lists and dicts.

PostgreSQL: ALTER ... TYPE json USING col::json keeps every row (json stores the text as written). SQLite: no DDL.
Its columns stay declared TEXT (bot.storage.types renders JSON as TEXT there): a column declared JSON would get
NUMERIC affinity and store scalar documents converted to numbers. On both, an empty string (never valid JSON)
becomes the column's empty value first, so no row fails to decode.

The datetime columns' new type (bot.storage.types.UtcDateTime) changes only how values are bound and loaded; its
DDL is the DateTime(timezone=True) the earlier migrations created, so it needs nothing here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (table, column, the JSON an empty string stands for)
COLUMNS = (
    ("esc_experts", "specialties", "[]"),
    ("esc_tickets", "fields", "{}"),
    ("esc_tickets", "passed_by", "[]"),
    ("esc_outbox", "buttons", "[]"),
    ("esc_conversation_state", "value", "null"),
    ("question_log", "sources", "[]"),
    ("subscriptions", "interests", "[]"),
)


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    for table, column, empty in COLUMNS:
        op.execute(sa.text(f'UPDATE {table} SET "{column}" = :empty WHERE trim("{column}") = \'\'')
                   .bindparams(empty=empty))
        if postgresql:
            op.alter_column(table, column, type_=sa.JSON(), existing_type=sa.Text(), existing_nullable=False,
                            postgresql_using=f'"{column}"::json')


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table, column, _empty in COLUMNS:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=False,
                        postgresql_using=f'"{column}"::text')
