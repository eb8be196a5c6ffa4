"""Column types that hand the domain Python values the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import TypeCompiler
from sqlalchemy.types import TypeDecorator


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was about to be written or compared with a stored one."""


class UtcDateTime(TypeDecorator[datetime]):
    """An instant in time: aware datetimes in, aware UTC datetimes out, on every backend.

    Naive datetimes are refused rather than taken as UTC: every writer in the bot uses `utcnow()`, so a naive value
    is a bug (typically `datetime.now()`, which is the host's local time, Seoul in production), and guessing UTC
    would silently shift it by nine hours. Aware values are converted to UTC before binding because SQLite stores
    the wall-clock digits and drops the offset: a KST value would sort and compare wrongly against UTC ones.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime takes a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeError(f"naive datetime {value.isoformat()}: use an aware one (models.utcnow)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite returns the stored UTC digits without a zone; PostgreSQL returns the session's zone.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@compiles(JSON, "sqlite")
def _json_as_text_on_sqlite(type_: JSON, compiler: TypeCompiler, **kw: Any) -> str:
    """JSON columns are declared TEXT on SQLite, as the migrations created them.

    A column declared JSON gets NUMERIC affinity in SQLite (the type name matches none of its text rules), so a
    scalar document such as a conversation state `2`, or a big integer, would be stored converted to a number
    rather than as the JSON text written. TEXT keeps the text exactly; SQLAlchemy's JSON type does the encoding
    either way, and SQLite's JSON functions take TEXT.
    """
    return "TEXT"
