"""Alembic environment: runs on the connection handed over by bot.storage.db.upgrade_schema, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from bot.config import load_settings

    engine = create_engine(load_settings().sqlalchemy_url)
    with engine.begin() as conn:
        _run(conn)
