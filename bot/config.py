"""Settings from the environment and `.env` (pydantic-settings). Every field is documented in README and
.env.example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.shipped import shipped_dir
from bot.staff.hours import OfficeHours

IdList = Annotated[list[int], NoDecode]


class Settings(BaseSettings):
    # env_ignore_empty: `VAR=` (as in a copied .env.example) means "use the default", not an empty value.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      env_ignore_empty=True)

    # Storage
    cafebot_data_dir: Path = Path("./data")
    # repr=False: settings get logged and exported; a secret (or a password inside a URL) must never show.
    database_url: str | None = Field(default=None, repr=False)
    # Migrate the schema on start. Replicas set it false and run `cafebot db upgrade` once per release.
    db_auto_upgrade: bool = True
    # Default: the knowledge/ shipped with the bot (the checkout's, or the wheel's copy), whatever the working dir.
    knowledge_dir: Path = Field(default_factory=lambda: shipped_dir("knowledge"))

    # Chroma: embedded PersistentClient unless a host is given
    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_collection: str = "cafebot"

    # Embeddings
    embeddings_provider: Literal["local", "openai"] = "local"
    # Passage vectors are cached by text hash; point several data dirs at one cache to share it.
    embedding_cache_dir: Path | None = None
    openai_embeddings_model: str = "text-embedding-3-small"

    # LLM (unset model or key: extractive answers)
    openai_api_key: str | None = Field(default=None, repr=False)
    openai_base_url: str | None = None
    openai_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_retry_delay_seconds: float = 1.0

    # Telegram
    telegram_bot_token: str | None = Field(default=None, repr=False)
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = Field(default=None, repr=False)
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    staff_user_ids: IdList = Field(default_factory=list)
    expert_user_ids: IdList = Field(default_factory=list)
    expert_chat_id: int | None = None
    # Chats answered at once (each chat's own updates always run one at a time, in order)
    telegram_concurrent_chats: int = 32
    # Times a request that got 429 is retried after Telegram's retry_after before giving up
    telegram_rate_limit_retries: int = 5
    # Streaming: at most one draft per interval in private chats, one edit per interval in groups
    telegram_draft_interval_seconds: float = 0.4
    telegram_group_edit_interval_seconds: float = 3.0
    # A self-hosted Bot API server (`telegram-bot-api --local`): no 20 MB download limit, MAX_UPLOAD_MB applies
    telegram_local_mode: bool = False
    # Staff upload progress: at most one edit of the progress message per interval
    staff_progress_interval_seconds: float = 1.5
    # Announcements: sends per second across all founders (Telegram allows about 30)
    broadcast_per_second: float = 25.0

    # Questions the documents did not answer, passed to the cafe staff: where they arrive (a forum supergroup gets
    # one topic per question, a plain group a card; unset: each staff member's private chat), the staff's office
    # hours in Asia/Seoul ("mon-fri 10:00-18:00"; days mon..sun, a range or a comma list), and the answer time
    # founders are promised (a reminder goes to staff when a question waits longer)
    staff_chat_id: int | None = None
    # The cafes one deployment serves (YAML, see cafes.example.yaml); unset: one cafe, as configured above.
    # City-wide admins see and manage every cafe (they are staff too).
    cafes_file: Path | None = None
    admin_user_ids: IdList = Field(default_factory=list)
    staff_hours: str = "mon-fri 10:00-18:00"
    staff_answer_hours: float = 24.0
    staff_sla_check_seconds: float = 60.0

    # Expert escalation (issue 4): service levels in hours (fractions allowed), how experts are named to founders
    escalation_reminder_hours: float = 4.0
    escalation_reassign_hours: float = 24.0
    escalation_expected_response_hours: int = 48
    escalation_sla_check_seconds: float = 60.0
    escalation_outbox_interval_seconds: float = 5.0
    escalation_retry_base_seconds: float = 2.0
    # Tries before a send is given up ("dead"): staff are then told and can retry it with /outbox
    outbox_max_attempts: int = Field(default=20, ge=1)
    expert_label: Literal["alias", "name"] = "alias"
    expert_show_founder_contact: bool = False
    expert_default_capacity: int = 5

    # Consultations (bot.consultations): upcoming bookings a founder may hold, the cut-off for cancelling or
    # rescheduling (hours before the start), and the no-shows in 90 days that pause booking (0: never)
    bookings_per_founder: int = Field(default=2, ge=1)
    booking_cancel_hours: float = Field(default=24.0, ge=0)
    no_show_limit: int = Field(default=2, ge=0)
    consultation_check_seconds: float = 60.0  # how often reminders and "attended?" questions are looked for

    # Limits and tuning
    max_upload_mb: int = 20
    chunk_tokens: int = 380
    retrieval_k: int = 5
    # Passages whose dense similarity to the question falls below this are not evidence (calibrated in bench/).
    relevance_min_similarity: float = 0.82
    # An English question and a Korean passage are never as close as two texts in one language.
    relevance_min_similarity_en: float = 0.79
    # The quoted sentence itself must be at least this close to a Korean question (bench/founder_eval.py, dev
    # split: 0.87 halves the wrong quotes for a loss of one correct answer in twelve) …
    quote_min_similarity: float = 0.87
    # … or this close when it asks for a value (an amount, a date …) and the sentence carries one …
    quote_min_similarity_typed: float = 0.85
    # … to an English one (an English question and a Korean sentence are never as close as two Korean texts) …
    quote_min_similarity_en: float = 0.79
    # … and this much closer when a Korean question uses a noun no document does (often what it asks about).
    quote_unknown_noun_margin: float = 0.02
    user_rate_per_minute: int = 20
    history_turns: int = 6
    default_language: Literal["ko", "en"] = "ko"
    # Founders' records are destroyed this many days after they were written (closed tickets: after closing;
    # language and subscription: after this long without using the bot). The privacy notices quote it.
    retention_days: int = Field(default=365, ge=1)

    # Operations (issue 6): /healthz, /readyz and /metrics on their own port (0: no ops server); log format
    ops_listen: str = "127.0.0.1"
    ops_port: int = 9090
    log_format: Literal["text", "json"] = "text"
    # Key of the pseudonymous user refs in logs (HMAC); unset: derived from the bot token, so rotating the token
    # changes every ref. Replicas must share it.
    log_pseudonym_key: str | None = Field(default=None, repr=False)

    @field_validator("staff_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        OfficeHours.parse(value)  # a typo is refused at start, not when the first founder asks
        return value

    @field_validator("staff_user_ids", "expert_user_ids", "admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(v) for v in value.replace(";", ",").split(",") if v.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def data_dir(self) -> Path:
        return self.cafebot_data_dir

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def embedding_cache_path(self) -> Path:
        return self.embedding_cache_dir or self.data_dir / "embedding-cache"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Deployments often hand out plain postgres:// URLs; we drive PostgreSQL through psycopg 3.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix):]
            return url
        return f"sqlite:///{(self.data_dir / 'cafebot.sqlite3').resolve()}"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.openai_model and (self.openai_api_key or self.openai_base_url))

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def configured_staff_ids(self) -> list[int]:
        """Staff from the settings: STAFF_USER_IDS and the city-wide admins."""
        return list(dict.fromkeys([*self.staff_user_ids, *self.admin_user_ids]))

    def ensure_dirs(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment and `.env`, with explicit overrides winning."""
    return Settings(**overrides)  # pydantic validates each value against its field
