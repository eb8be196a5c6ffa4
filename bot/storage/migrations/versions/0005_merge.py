"""merge the escalation (0003) and staff (0004) branches into one head

Both were written in parallel on top of 0002 and touch disjoint tables, so the merge has nothing to do; it
exists so `alembic upgrade head` (and `cafebot db upgrade`) has exactly one target.

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-22
"""

revision = "0005"
down_revision = ("0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
