"""The Bot API stand-in's model of Telegram: users, chats, messages, files, and the record of the bot's calls."""

from __future__ import annotations

import copy
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ._server import ChangeSignal
from .tg_format import EntityParseError, format_text, utf16_len

CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files unless the server runs with --local
CLOUD_UPLOAD_LIMIT = 50 * 1024 * 1024
MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)

# Form bodies carry every value as a string (PTB JSON-encodes objects and numbers into form fields);
# these tables say how to turn them back into what a JSON body would have carried.
JSON_FIELDS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "reply_parameters",
    "link_preview_options",
    "commands",
    "scope",
    "menu_button",
    "allowed_updates",
    "media",
    "permissions",
    "rights",
    "reaction",
    "message_ids",
}
INT_FIELDS = {
    "chat_id",
    "from_chat_id",
    "message_id",
    "user_id",
    "message_thread_id",
    "draft_id",
    "offset",
    "limit",
    "timeout",
    "reply_to_message_id",
    "duration",
    "cache_time",
    "max_connections",
    "icon_color",
    "width",
    "height",
    "until_date",
    "performer_id",
}
BOOL_FIELDS = {
    "show_alert",
    "disable_notification",
    "protect_content",
    "drop_pending_updates",
    "allow_sending_without_reply",
    "disable_web_page_preview",
    "has_spoiler",
    "only_if_banned",
    "disable_content_type_detection",
    "allow_paid_broadcast",
    "supports_streaming",
    "revoke_messages",
    "show_caption_above_media",
}
_TRUE = {"true", "1", "True"}
_FALSE = {"false", "0", "False"}


class BotApiError(Exception):
    """An unsuccessful Bot API reply: `{"ok": false, "error_code": code, "description": ..., "parameters"?}`."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> BotApiError:
    """400 with Telegram's "Bad Request: " prefix."""
    return BotApiError(400, f"Bad Request: {text}")


def too_many_requests(retry_after: int) -> BotApiError:
    """429 exactly as Telegram sends it; PTB turns it into telegram.error.RetryAfter."""
    return BotApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request (the bot uploaded bytes)."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {self.content_type!r}, {len(self.data)} bytes)"


def normalize_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Parameters as typed values whatever the body encoding was (JSON, urlencoded or multipart)."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in JSON_FIELDS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {key} JSON object") from None
            elif key in INT_FIELDS and re.fullmatch(r"-?\d+", value.strip()):
                value = int(value)
            elif key in BOOL_FIELDS and value in _TRUE | _FALSE:
                value = value in _TRUE
        params[key] = value
    # "attach://name" points at another multipart part; resolve it so handlers see the file itself.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            params[key] = params.get(value[len("attach://") :], value)
    return params


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made. Unpacks as `(method, params, timestamp)`; also has the reply."""

    method: str  # canonical spelling, e.g. "sendMessage", whatever case the bot used
    params: dict[str, Any]
    timestamp: float
    status: int = 200
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    def __iter__(self) -> Iterator[Any]:
        return iter((self.method, self.params, self.timestamp))


@dataclass
class TgUser:
    """A Telegram user (or the bot itself)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class TgChat:
    """A chat; for private chats `user` is the person on the other side."""

    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False
    user: TgUser | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass
class ChatState:
    """What Telegram keeps per chat."""

    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    last_message_id: int = 0
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, str] = field(default_factory=dict)  # user id → status
    pinned: list[int] = field(default_factory=list)
    blocked: bool = False  # private chats: the user blocked the bot
    send_times: deque[float] = field(default_factory=deque)  # for the optional flood limit
    drafts: list[dict[str, Any]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


@dataclass
class StoredFile:
    """A file Telegram holds: bytes plus the identifiers it hands out."""

    file_id: str
    file_unique_id: str
    content: bytes = field(repr=False)
    kind: str  # document, photo, voice, audio, video
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    reported_size: int | None = None  # lets a test fake a 30 MB file without allocating it

    @property
    def size(self) -> int:
        return self.reported_size if self.reported_size is not None else len(self.content)


@dataclass
class FailRule:
    """A scripted failure for the next call(s) of one method ("*" for any)."""

    method: str
    code: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None = None  # only calls to this chat


_FILE_DIRS = {"document": "documents", "photo": "photos", "voice": "voice", "audio": "music", "video": "videos"}
_DEFAULT_EXT = {"photo": ".jpg", "voice": ".oga", "audio": ".mp3", "video": ".mp4", "document": ""}


class BotApiState:
    """Everything the stand-in remembers, guarded by one lock so test code and server handlers can share it.

    The lock is never held across an `await`; every state change ends with `self.signal.notify()` so
    `wait_for*` wakes up.
    """

    def __init__(self, token: str, bot_username: str, bot_name: str, local_mode: bool, privacy_mode: bool) -> None:
        self.token = token
        self.local_mode = local_mode
        self.privacy_mode = privacy_mode
        self.bot_user = TgUser(int(token.split(":", 1)[0]), bot_name, username=bot_username, is_bot=True)
        self.calls: list[ApiCall] = []
        self.answered_callbacks: list[dict[str, Any]] = []
        self.signal = ChangeSignal()
        self._lock = threading.RLock()
        self._users: dict[int, TgUser] = {}
        self._chats: dict[int, TgChat] = {}
        self._state: dict[int, ChatState] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_counter = 0
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._fail_rules: list[FailRule] = []
        self._flood_limit: tuple[int, int] | None = None

    # -- lookups -----------------------------------------------------------------------------------------
    def _chat(self, chat_id: Any) -> TgChat:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise bad_request("chat not found")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise bad_request("chat not found" if chat_id else "chat_id is empty")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, chat_id: Any, *, counts_for_flood: bool = True) -> TgChat:
        """The target of a bot message, with the checks Telegram makes before sending."""
        chat = self._chat(chat_id)
        state = self._state[chat.id]
        if state.blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user")
        if chat.type != "private" and state.members.get(self.bot_user.id) in ("left", "kicked"):
            raise BotApiError(403, "Forbidden: bot is not a member of the group chat")
        if counts_for_flood and self._flood_limit is not None:
            limit, retry_after = self._flood_limit
            now = time.monotonic()
            while state.send_times and now - state.send_times[0] > 1.0:
                state.send_times.popleft()
            if len(state.send_times) >= limit:
                raise too_many_requests(retry_after)
            state.send_times.append(now)
        return chat

    def _message(self, chat_id: int, message_id: Any, missing: str) -> dict[str, Any]:
        message = self._state[chat_id].messages.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise bad_request(missing)
        return message

    # -- building messages -------------------------------------------------------------------------------
    def _new_message(
        self,
        chat: TgChat,
        sender: TgUser,
        *,
        thread_id: int | None = None,
        reply_to: dict | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        state = self._state[chat.id]
        state.last_message_id += 1
        message: dict[str, Any] = {
            "message_id": state.last_message_id,
            "from": sender.to_dict(),
            "chat": chat.to_dict(),
            "date": int(time.time()),
        }
        if thread_id:
            if chat.is_forum and thread_id not in state.topics:
                raise bad_request("message thread not found")
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        message.update({k: v for k, v in content.items() if v is not None and v != []})
        state.messages[message["message_id"]] = message
        if chat.type != "private":
            state.members.setdefault(sender.id, "member")
        return message

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, limit: int, empty: str | None, too_long: str
    ) -> tuple[str, list[dict[str, Any]]]:
        """Parse markup like Telegram and apply its length rules; `empty=None` allows empty text."""
        try:
            plain, found = format_text("" if text is None else str(text), parse_mode, entities)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        if not plain and empty is not None:
            raise bad_request(empty)
        if utf16_len(plain) > limit:
            raise bad_request(too_long)
        return plain, found

    def _reply_target(self, chat: TgChat, params: dict[str, Any]) -> dict[str, Any] | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        source_chat = self._chat(reply["chat_id"]) if reply.get("chat_id") is not None else chat
        found = self._state[source_chat.id].messages.get(message_id)
        if found is None and not (
            reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply")
        ):
            raise bad_request("message to be replied not found")
        return found

    @staticmethod
    def _inline_markup(markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup; only inline keyboards appear on the returned Message, as on Telegram."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    # -- files ---------------------------------------------------------------------------------------------
    def _store_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None, reported_size: int | None = None
    ) -> StoredFile:
        self._file_counter += 1
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        path = f"{_FILE_DIRS.get(kind, 'documents')}/file_{self._file_counter}{ext or _DEFAULT_EXT.get(kind, '')}"
        prefix = {"document": "BQACAgIAAxkBAAI", "photo": "AgACAgIAAxkBAAI", "voice": "AwACAgIAAxkBAAI"}
        stored = StoredFile(
            file_id=prefix.get(kind, "CQACAgIAAxkBAAI") + secrets.token_urlsafe(40),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            content=content,
            kind=kind,
            file_path=path,
            file_name=file_name,
            mime_type=mime_type,
            reported_size=reported_size,
        )
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _file_object(stored: StoredFile, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.kind in ("document", "audio", "video") and stored.file_name:
            data["file_name"] = stored.file_name
        if stored.kind != "photo" and stored.mime_type:
            data["mime_type"] = stored.mime_type
        data.update(extra or {})
        return data

    @staticmethod
    def _media_field(
        stored: StoredFile, duration: int | None = None, width: int | None = None, height: int | None = None
    ) -> Any:
        """The Message field for a file: a PhotoSize array for photos, one object otherwise."""
        if stored.kind == "photo":
            w, h = width or 0, height or 0
            if not (w and h):
                w, h = _image_size(stored.content) or (800, 600)
            return [BotApiState._file_object(stored, {"width": w, "height": h})]
        if stored.kind in ("voice", "audio"):
            return BotApiState._file_object(stored, {"duration": duration or 1})
        if stored.kind == "video":
            return BotApiState._file_object(
                stored, {"duration": duration or 1, "width": width or 640, "height": height or 360}
            )
        return BotApiState._file_object(stored)

    # -- recording ---------------------------------------------------------------------------------------
    def _record(self, call: ApiCall) -> None:
        with self._lock:
            self.calls.append(call)
        self.signal.notify()

    def _snapshot(self, value: Any) -> Any:
        with self._lock:
            return copy.deepcopy(value)


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, enough for a realistic PhotoSize."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker, size = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + size
    return None
