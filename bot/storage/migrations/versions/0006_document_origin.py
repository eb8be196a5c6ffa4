"""where each document came from: kb_documents.origin and origin_path

The start-up sync of the shipped knowledge folder removes the documents whose file a release dropped; it may
only touch documents it ingested itself, so each document records its origin ("knowledge_dir" with the file's
path relative to the folder, "upload" or "cli").

Existing rows: a document whose active version was uploaded by a staff member (kb_versions.uploaded_by set) is
certainly an upload and is marked so here. The rest stay NULL: folder and `cafebot ingest` documents cannot be
told apart from the database alone. The next sync claims those whose active version's file name is a file of the
folder (bot/knowledge/shipped_sync.py); the others are never removed automatically.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kb_documents", sa.Column("origin", sa.String(16)))
    op.add_column("kb_documents", sa.Column("origin_path", sa.String(500)))
    op.execute(
        "UPDATE kb_documents SET origin = 'upload' WHERE active_version_id IN "
        "(SELECT id FROM kb_versions WHERE uploaded_by IS NOT NULL)"
    )


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not batch mode: batch mode recreates the table, and
    # with foreign_keys=ON dropping the old kb_documents would cascade-delete every version and chunk.
    op.drop_column("kb_documents", "origin_path")
    op.drop_column("kb_documents", "origin")
