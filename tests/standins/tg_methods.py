"""Bot API methods about messages and files. Each `api_<method>` takes typed params.

Update delivery (getUpdates, webhooks) lives in bot_api.py with the server itself.
"""

from __future__ import annotations

import copy
import mimetypes
import time
import urllib.parse
from pathlib import Path
from typing import Any

import aiohttp

from .tg_chats import BotApiChatMethods
from .tg_state import (
    CLOUD_DOWNLOAD_LIMIT,
    CLOUD_UPLOAD_LIMIT,
    MAX_CAPTION,
    MAX_TEXT,
    NOT_MODIFIED,
    BotApiError,
    StoredFile,
    TgChat,
    UploadedFile,
    bad_request,
)

CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
MEDIA_KINDS = ("document", "photo", "voice", "audio", "video")
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities") + MEDIA_KINDS


class BotApiMethods(BotApiChatMethods):
    """Handlers for the Bot API methods that send, edit and delete messages, and move files."""

    _local_dir: Path | None = None

    # -- messages ---------------------------------------------------------------------------------------
    def _text_of(self, p: dict[str, Any], *, empty: str | None, too_long: str) -> tuple[str, list[dict[str, Any]]]:
        """The request's text and entities (from parse_mode or entities), checked against the text limit."""
        return self._formatted(
            p.get("text"), p.get("parse_mode"), p.get("entities"), limit=MAX_TEXT, empty=empty, too_long=too_long
        )

    def _caption_of(
        self, p: dict[str, Any], too_long: str = "message caption is too long"
    ) -> tuple[str, list[dict[str, Any]]]:
        """The request's caption and caption_entities, checked against the caption limit; it may be empty."""
        return self._formatted(
            p.get("caption"),
            p.get("parse_mode"),
            p.get("caption_entities"),
            limit=MAX_CAPTION,
            empty=None,
            too_long=too_long,
        )

    def _bot_sends(self, chat: TgChat, p: dict[str, Any], **content: Any) -> dict[str, Any]:
        """A new message from the bot in `chat`, in the request's topic, replying and with the keyboard it asks for."""
        return self._new_message(
            chat,
            self.bot_user,
            thread_id=p.get("message_thread_id"),
            reply_to=self._reply_target(chat, p),
            **content,
            reply_markup=self._inline_markup(p.get("reply_markup")),
        )

    async def api_sendMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._writable_chat(p.get("chat_id"))
            text, entities = self._text_of(p, empty="message text is empty", too_long="message is too long")
            message = self._bot_sends(
                chat, p, text=text, entities=entities, link_preview_options=p.get("link_preview_options")
            )
            return copy.deepcopy(message)

    async def api_sendMessageDraft(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._writable_chat(p.get("chat_id"), counts_for_flood=False)
            if chat.type != "private":
                raise bad_request("message drafts can be sent only to private chats")
            draft_id = p.get("draft_id")
            if not isinstance(draft_id, int) or draft_id == 0:
                raise bad_request("draft_id must be non-zero")
            # Bot API 10.0: text is optional; an empty draft shows a "Thinking..." placeholder.
            text, entities = self._text_of(p, empty=None, too_long="message is too long")
            self._state[chat.id].drafts.append(
                {
                    "draft_id": draft_id,
                    "text": text,
                    "entities": entities,
                    "raw_text": p.get("text"),
                    "parse_mode": p.get("parse_mode"),
                    "message_thread_id": p.get("message_thread_id"),
                    "timestamp": time.time(),
                }
            )
        return True

    def _bot_message(self, p: dict[str, Any], missing: str) -> tuple[TgChat, dict[str, Any]]:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not modelled
        chat = self._writable_chat(p.get("chat_id"))
        message = self._message(chat.id, p.get("message_id"), missing)
        if message["from"]["id"] != self.bot_user.id:
            raise bad_request("message can't be edited")
        return chat, message

    @staticmethod
    def _apply_edit(message: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        if all(message.get(key) == value or (not message.get(key) and not value) for key, value in changes.items()):
            raise BotApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    async def api_editMessageText(self, p: dict[str, Any]) -> Any:
        with self._lock:
            _, message = self._bot_message(p, "message to edit not found")
            if "text" not in message:
                raise bad_request("there is no text in the message to edit")
            text, entities = self._text_of(p, empty="message text is empty", too_long="MESSAGE_TOO_LONG")
            # Leaving reply_markup out removes the keyboard, as on Telegram.
            markup = self._inline_markup(p.get("reply_markup"))
            return self._apply_edit(message, {"text": text, "entities": entities, "reply_markup": markup})

    async def api_editMessageCaption(self, p: dict[str, Any]) -> Any:
        with self._lock:
            _, message = self._bot_message(p, "message to edit not found")
            if "text" in message:
                raise bad_request("there is no caption in the message to edit")
            caption, entities = self._caption_of(p, too_long="MEDIA_CAPTION_TOO_LONG")
            markup = self._inline_markup(p.get("reply_markup"))
            return self._apply_edit(message, {"caption": caption, "caption_entities": entities, "reply_markup": markup})

    async def api_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        with self._lock:
            _, message = self._bot_message(p, "message to edit not found")
            return self._apply_edit(message, {"reply_markup": self._inline_markup(p.get("reply_markup"))})

    async def api_deleteMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            self._message(chat.id, p.get("message_id"), "message to delete not found")
            del self._state[chat.id].messages[p["message_id"]]
        return True

    async def api_deleteMessages(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            for message_id in p.get("message_ids") or []:
                self._state[chat.id].messages.pop(message_id, None)
        return True

    async def api_sendChatAction(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._writable_chat(p.get("chat_id"), counts_for_flood=False)
            if p.get("action") not in CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            self._state[chat.id].actions.append(p["action"])
        return True

    async def api_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        with self._lock:
            query = self._callback_queries.get(str(p.get("callback_query_id")))
            if query is None or query.get("answered"):
                raise bad_request("query is too old and response timeout expired or query ID is invalid")
            query["answered"] = True
            self.answered_callbacks.append(
                {
                    "callback_query_id": str(p["callback_query_id"]),
                    "data": query.get("data"),
                    "text": p.get("text"),
                    "show_alert": bool(p.get("show_alert")),
                    "url": p.get("url"),
                    "cache_time": p.get("cache_time"),
                }
            )
        return True

    async def api_copyMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            source = self._message(
                self._chat(p.get("from_chat_id")).id, p.get("message_id"), "message to copy not found"
            )
            if not any(key in source for key in ("text",) + MEDIA_KINDS):
                raise bad_request("message can't be copied")
            chat = self._writable_chat(p.get("chat_id"))
            content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
            if p.get("caption") is not None and "text" not in source:
                content["caption"], content["caption_entities"] = self._caption_of(p)
            message = self._bot_sends(chat, p, **content)
            return {"message_id": message["message_id"]}

    async def api_forwardMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            source_chat = self._chat(p.get("from_chat_id"))
            source = self._message(source_chat.id, p.get("message_id"), "message to forward not found")
            chat = self._writable_chat(p.get("chat_id"))
            content = {key: copy.deepcopy(source[key]) for key in _CONTENT_KEYS if key in source}
            origin = {"type": "user", "sender_user": source["from"], "date": source["date"]}
            message = self._new_message(
                chat, self.bot_user, thread_id=p.get("message_thread_id"), forward_origin=origin, **content
            )
            return copy.deepcopy(message)

    # -- files ------------------------------------------------------------------------------------------
    async def api_sendDocument(self, p: dict[str, Any]) -> Any:
        return await self._send_media("document", p)

    async def api_sendPhoto(self, p: dict[str, Any]) -> Any:
        return await self._send_media("photo", p)

    async def api_sendVoice(self, p: dict[str, Any]) -> Any:
        return await self._send_media("voice", p)

    async def api_sendAudio(self, p: dict[str, Any]) -> Any:
        return await self._send_media("audio", p)

    async def api_sendVideo(self, p: dict[str, Any]) -> Any:
        return await self._send_media("video", p)

    async def _send_media(self, kind: str, p: dict[str, Any]) -> Any:
        with self._lock:
            self._writable_chat(p.get("chat_id"))
        if p.get(kind) is None:
            raise bad_request(f"there is no {kind} in the request")
        stored = await self._input_file(p[kind], kind)
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            caption, entities = self._caption_of(p)
            media = self._media_field(stored, p.get("duration"), p.get("width"), p.get("height"))
            message = self._bot_sends(chat, p, caption=caption or None, caption_entities=entities, **{kind: media})
            return copy.deepcopy(message)

    async def _input_file(self, value: Any, kind: str) -> StoredFile:
        """An InputFile as Telegram resolves it: uploaded bytes, a known file_id, an HTTP URL, or (local) a path."""
        if isinstance(value, UploadedFile):
            if len(value.data) > CLOUD_UPLOAD_LIMIT and not self.local_mode:
                raise BotApiError(413, "Request Entity Too Large")
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename)[0] or "application/octet-stream"
            with self._lock:
                return self._store_file(value.data, kind, value.filename, mime)
        text = str(value)
        with self._lock:
            if text in self._files:
                return self._files[text]
        if text.startswith("file://") and self.local_mode:
            path = Path(urllib.parse.unquote(urllib.parse.urlsplit(text).path))
            if not path.is_file():
                raise bad_request("file not found")
            with self._lock:
                return self._store_file(path.read_bytes(), kind, path.name, mimetypes.guess_type(path.name)[0])
        if text.startswith(("http://", "https://")):
            try:
                async with (
                    aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
                    session.get(text) as response,
                ):
                    response.raise_for_status()
                    data = await response.read()
                    mime = response.content_type
            except (aiohttp.ClientError, TimeoutError):
                raise bad_request("failed to get HTTP URL content") from None
            name = Path(urllib.parse.urlsplit(text).path).name or "file"
            with self._lock:
                return self._store_file(data, kind, name, mime)
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def api_getFile(self, p: dict[str, Any]) -> Any:
        with self._lock:
            stored = self._files.get(str(p.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if stored.size > CLOUD_DOWNLOAD_LIMIT and not self.local_mode:
            raise bad_request("file is too big")
        path = stored.file_path
        if self.local_mode and self._local_dir is not None:
            # A --local server hands out absolute paths on its own disk; PTB then reads the file directly.
            target = self._local_dir / self.token / stored.file_path
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.write_bytes(stored.content)
            path = str(target)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": path,
        }
