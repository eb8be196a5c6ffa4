"""knowledge base: documents, versions, chunks, revision

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("title_key", sa.String(300), nullable=False, unique=True),
        sa.Column("programme", sa.String(120)),
        sa.Column("valid_until", sa.Date),
        sa.Column("lang", sa.String(8)),
        sa.Column("source", sa.String(500)),
        sa.Column("active_version_id", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("document_id", sa.String(32), sa.ForeignKey("kb_documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("page_count", sa.Integer, nullable=False),
        sa.Column("chunk_count", sa.Integer, nullable=False),
        sa.Column("uploaded_by", sa.BigInteger),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kb_versions_document_id", "kb_versions", ["document_id"])
    op.create_index("ix_kb_versions_content_hash", "kb_versions", ["content_hash"])
    op.create_table(
        "kb_chunks",
        sa.Column("id", sa.String(48), primary_key=True),
        sa.Column("version_id", sa.String(32), sa.ForeignKey("kb_versions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("page", sa.Integer),
        sa.Column("section", sa.String(300)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("tokens", sa.Text, nullable=False),
        sa.UniqueConstraint("version_id", "ordinal"),
    )
    op.create_index("ix_kb_chunks_version_id", "kb_chunks", ["version_id"])
    op.create_table(
        "kb_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "kb_vector_gc",
        sa.Column("version_id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_vector_gc")
    op.drop_table("kb_state")
    op.drop_table("kb_chunks")
    op.drop_table("kb_versions")
    op.drop_table("kb_documents")
