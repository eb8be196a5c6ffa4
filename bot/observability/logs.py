"""Logging: text or JSON lines, the ids of the update being handled on every line, secrets redacted.

Log lines carry ids and pseudonyms, never message text or personal data: a founder is `user=<12 hex>`, an
HMAC of the Telegram id under a per-deployment key, so one founder's lines can be followed without the
logs naming them (Korea's PIPA; the logs are kept and shipped elsewhere, the database is not).
Refused attempts (a non-staff /tickets, a non-expert's ticket action) are logged with the pseudonym as well,
not the numeric id: whoever is refused is most likely a founder, and an operator investigating a known id can
compare `user_ref(id)` under the deployment's key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

if TYPE_CHECKING:
    from bot.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries whose routine INFO lines would drown ours.
_NOISY = ("httpx", "httpx2", "httpcore", "chromadb", "apscheduler")  # httpx2: the openai client's HTTP layer
# The ids a context may carry, in the order text lines show them.
CONTEXT_FIELDS = ("update_id", "chat_type", "user", "ticket_id", "document_id")

# One dict per update being handled. It is mutated in place by bind(), so ids learnt inside a worker thread
# (asyncio.to_thread copies the context, not the dict) still reach the update's later lines.
_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("cafebot_log_context", default=None)

_pseudonym_key: bytes = secrets.token_bytes(32)  # until configure_logging derives the deployment's key


# --- context --------------------------------------------------------------------------------------------------


@contextmanager
def log_context(**ids: Any) -> Iterator[dict[str, Any]]:
    """A fresh context for one unit of work (an update); every line logged inside it carries `ids`."""
    token = _CONTEXT.set({k: v for k, v in ids.items() if v is not None})
    try:
        yield _CONTEXT.get() or {}
    finally:
        _CONTEXT.reset(token)


def bind(**ids: Any) -> None:
    """Add ids (ticket_id, document_id, ...) to the current unit of work's context, e.g. once a handler knows
    the ticket. Outside one (start-up, the command line) it does nothing, so ids never stick to later lines."""
    current = _CONTEXT.get()
    if current is not None:
        current.update({k: v for k, v in ids.items() if v is not None})


def current_context() -> dict[str, Any]:
    return dict(_CONTEXT.get() or {})


def user_ref(user_id: int | str | None) -> str | None:
    """A stable pseudonym for a Telegram user or chat id: the first 12 hex digits of an HMAC-SHA256.

    The same in every replica of a deployment (the key comes from its settings), meaningless elsewhere.
    """
    if user_id is None:
        return None
    return hmac.new(_pseudonym_key, str(user_id).encode(), hashlib.sha256).hexdigest()[:12]


def _derive_key(settings: Settings) -> bytes:
    base = settings.log_pseudonym_key or settings.telegram_bot_token
    if not base:
        return secrets.token_bytes(32)  # the console: nothing to correlate across processes
    return hashlib.sha256(b"cafebot-log-pseudonym\0" + base.encode()).digest()


# --- redaction ------------------------------------------------------------------------------------------------


class Redactor:
    """Replaces known secrets by `***` in text."""

    MIN_LENGTH = 4  # shorter "secrets" would blank out ordinary words

    def __init__(self, values: Iterable[str | None] = ()) -> None:
        self._secrets: list[str] = []
        self.add(*values)

    def add(self, *values: str | None) -> None:
        found = set(self._secrets)
        for value in values:
            if not value or len(value) < self.MIN_LENGTH:
                continue
            found.add(value)
            found.add(quote(value, safe=""))  # as it appears inside a URL
            # The part of a bot token after "123456:" is the secret; the bot id before it is public.
            _, sep, tail = value.partition(":")
            if sep and len(tail) >= 8:
                found.add(tail)
        self._secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._secrets:
            if value in text:
                text = text.replace(value, "***")
        return text


_redactor = Redactor()


def redact(text: str) -> str:
    """`text` with every configured secret replaced by `***`."""
    return _redactor(text)


def register_secret(*values: str | None) -> None:
    """Make the redaction filter hide more values (anything secret a module learns at run time)."""
    _redactor.add(*values)


def settings_secrets(settings: Settings) -> list[str | None]:
    """The bot token, OpenAI key, webhook secret, pseudonym key and the database password."""
    password = None
    if settings.database_url:
        from sqlalchemy.engine import make_url

        try:
            password = make_url(settings.sqlalchemy_url).password
        except Exception:  # noqa: BLE001 - a malformed URL fails later with its own message
            password = None
    return [settings.telegram_bot_token, settings.openai_api_key, settings.webhook_secret,
            settings.log_pseudonym_key, password]


class _CafebotHandler(logging.StreamHandler[TextIO]):
    """The handler configure_logging installs, told apart from others' so a second call replaces only it."""


class RedactingFilter(logging.Filter):
    """On every handler: redacts the formatted message and the exception text, and pins the context ids."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if not hasattr(record, "ctx"):
            record.ctx = current_context()  # read here: the emitting thread still has the context
        return True


# --- formatters -----------------------------------------------------------------------------------------------


def _context_of(record: logging.LogRecord) -> dict[str, Any]:
    ctx = getattr(record, "ctx", None)
    return ctx if isinstance(ctx, dict) else current_context()


class TextFormatter(logging.Formatter):
    """The classic one-line format, with the context ids appended in brackets."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ctx = _context_of(record)
        if not ctx:
            return line
        ids = " ".join(f"{k}={ctx[k]}" for k in (*CONTEXT_FIELDS, *sorted(set(ctx) - set(CONTEXT_FIELDS)))
                       if k in ctx)
        first, nl, rest = line.partition("\n")
        return f"{first} [{ids}]{nl}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the context ids, and exc for a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in _context_of(record).items():
            entry.setdefault(key, value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- setup ----------------------------------------------------------------------------------------------------


def configure_logging(settings: Settings | None, verbose: bool = False) -> None:
    """Log to stderr in LOG_FORMAT (text or json), redacting the settings' secrets from every record.

    `verbose` shows the bot's own debug lines and every HTTP request line (with the token redacted).
    Third-party debug output stays off even then: PTB's carries whole updates (message text, names)
    and openai's whole prompts.
    """
    global _pseudonym_key
    if settings is not None:
        register_secret(*settings_secrets(settings))
        _pseudonym_key = _derive_key(settings)
    json_lines = settings is not None and settings.log_format == "json"
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CafebotHandler)]:
        root.removeHandler(old)
    handler = _CafebotHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("bot").setLevel(logging.DEBUG if verbose else logging.NOTSET)
    for noisy in _NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if verbose:
        logging.getLogger("httpx").setLevel(logging.INFO)
        logging.getLogger("httpx2").setLevel(logging.INFO)
    # Python warnings and uncaught exceptions become log lines too: redacted, and JSON stays one object a line.
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda args: _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)


def _log_uncaught(exc_type: Any, exc: Any, tb: Any) -> None:
    if issubclass(exc_type, SystemExit):
        return  # a thread's sys.exit(): not an error, as in Python's own hook
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    logging.getLogger("bot").critical("uncaught %s", exc_type.__name__, exc_info=(exc_type, exc, tb))
