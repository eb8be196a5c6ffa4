"""The test side of the Bot API stand-in: the users and chats of the test world, and what the users do.

Every user action becomes a real Update (update_id incrementing) that the bot receives through getUpdates
or its webhook, exactly as if someone had typed it in a Telegram app.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from .tg_format import detect_entities
from .tg_state import ChatState, TgChat, TgUser
from .tg_updates import BotApiUpdates


class BotApiUsers(BotApiUpdates):
    """Users, chats, files and user actions (send_text, press_button, ...)."""

    # -- the people and chats of the test world ---------------------------------------------------------------
    @property
    def bot_mention(self) -> str:
        """The bot's @username, for group messages that address the bot."""
        return f"@{self.bot_user.username}"

    def user(
        self,
        user_id: int,
        first_name: str = "Tester",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ko",
    ) -> TgUser:
        """A Telegram user (created once per id; later calls return the same user)."""
        with self._lock:
            if user_id not in self._users:
                self._users[user_id] = TgUser(user_id, first_name, last_name, username, language_code)
            return self._users[user_id]

    def private_chat(
        self,
        user_id: int,
        first_name: str = "Tester",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ko",
    ) -> TgChat:
        """The private chat between the bot and a user; `chat.user` is that user, `chat.id == user_id`."""
        if user_id <= 0:
            raise ValueError("private chat ids are user ids, which are positive")
        user = self.user(user_id, first_name, last_name=last_name, username=username, language_code=language_code)
        with self._lock:
            if user_id not in self._chats:
                self._chats[user_id] = TgChat(
                    user_id, "private", username=username, first_name=first_name, last_name=last_name, user=user
                )
                self._state[user_id] = ChatState()
            return self._chats[user_id]

    def group_chat(
        self,
        chat_id: int,
        title: str,
        *,
        is_forum: bool = False,
        username: str | None = None,
        bot_status: str = "administrator",
    ) -> TgChat:
        """A group (ids like -100… or forums are supergroups) with the bot in it as `bot_status`."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = "supergroup" if is_forum or str(chat_id).startswith("-100") else "group"
        with self._lock:
            if chat_id not in self._chats:
                self._chats[chat_id] = TgChat(chat_id, kind, title=title, username=username, is_forum=is_forum)
                self._state[chat_id] = ChatState(members={self.bot_user.id: bot_status})
            return self._chats[chat_id]

    def set_member_status(self, chat: TgChat, user: TgUser, status: str) -> None:
        """creator / administrator / member / left / kicked, as getChatMember reports it."""
        with self._lock:
            self._state[chat.id].members[user.id] = status

    def block_bot(self, chat: TgChat) -> None:
        """The user blocks the bot: sends to this private chat fail with 403 from now on."""
        with self._lock:
            self._state[chat.id].blocked = True

    def unblock_bot(self, chat: TgChat) -> None:
        """The user unblocks the bot (Restart): sends to this private chat succeed again."""
        with self._lock:
            self._state[chat.id].blocked = False

    async def create_topic(self, chat: TgChat, name: str, user: TgUser | None = None) -> int:
        """A forum topic opened by a user (or the bot); returns its message_thread_id.

        A user's topic reaches the bot as a message update with `forum_topic_created`, as on Telegram.
        """
        with self._lock:
            state = self._state[chat.id]
            thread_id = self._open_topic(chat, state.topics, name, 7322096, user or self.bot_user)["message_thread_id"]
            if user is not None:
                self._push_update({"message": state.messages[thread_id]})
            return thread_id

    def register_file(
        self,
        content: bytes,
        file_name: str = "file.bin",
        mime_type: str = "application/octet-stream",
        *,
        kind: str = "document",
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """Put a file on "Telegram's servers"; returns the Document (or Voice/...) object for a message.

        `file_size` reports a size without allocating it (e.g. 30 MB to test getFile's 20 MB limit).
        """
        with self._lock:
            stored = self._store_file(content, kind, file_name, mime_type, file_size)
            return self._file_object(stored)

    # -- the users act ------------------------------------------------------------------------------------------
    async def send_text(
        self,
        chat: TgChat,
        user: TgUser,
        text: str,
        *,
        reply_to: dict | int | None = None,
        message_thread_id: int | None = None,
        entities: list[dict] | None = None,
    ) -> dict[str, Any]:
        """The user sends a text message; commands, @mentions and URLs get their entities like in the apps."""
        return self._user_message(
            chat,
            user,
            reply_to,
            message_thread_id,
            text=text,
            entities=detect_entities(text) if entities is None else entities,
        )

    async def send_command(
        self,
        chat: TgChat,
        user: TgUser,
        command: str,
        args: str = "",
        *,
        at_bot: bool = False,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """`/command[@bot] args` with a bot_command entity; `at_bot=True` adds "@<bot username>" as group clients do."""
        text = "/" + command.lstrip("/") + (self.bot_mention if at_bot else "") + (f" {args}" if args else "")
        return await self.send_text(chat, user, text, message_thread_id=message_thread_id)

    async def send_document(
        self,
        chat: TgChat,
        user: TgUser,
        content: bytes,
        file_name: str,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        reply_to: dict | int | None = None,
        message_thread_id: int | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a file as a document."""
        return self._user_media(
            chat,
            user,
            "document",
            content,
            file_name,
            mime_type,
            caption,
            reply_to,
            message_thread_id,
            file_size=file_size,
        )

    async def send_photo(
        self,
        chat: TgChat,
        user: TgUser,
        content: bytes,
        *,
        caption: str | None = None,
        reply_to: dict | int | None = None,
        message_thread_id: int | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (width and height are read from PNG/JPEG headers)."""
        return self._user_media(
            chat, user, "photo", content, "photo.jpg", "image/jpeg", caption, reply_to, message_thread_id
        )

    async def send_voice(
        self,
        chat: TgChat,
        user: TgUser,
        content: bytes,
        *,
        duration: int = 1,
        mime_type: str = "audio/ogg",
        caption: str | None = None,
        reply_to: dict | int | None = None,
    ) -> dict[str, Any]:
        """The user sends a voice note."""
        return self._user_media(
            chat, user, "voice", content, None, mime_type, caption, reply_to, None, duration=duration
        )

    async def press_button(self, chat: TgChat, user: TgUser, message: dict | int, callback_data: str) -> str:
        """The user taps an inline button of a bot message; returns the callback query id.

        Raises ValueError if the message (as it is now, after edits) has no such button: a real user couldn't tap it.
        """
        with self._lock:
            message_id = message if isinstance(message, int) else message["message_id"]
            current = self._state[chat.id].messages.get(message_id)
            if current is None:
                raise ValueError(f"no message {message_id} in chat {chat.id}")
            rows = (current.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = [button for row in rows for button in row]
            if not any(button.get("callback_data") == callback_data for button in buttons):
                raise ValueError(f"message {message_id} has no button {callback_data!r}; buttons: {buttons}")
            query_id = str(secrets.randbelow(10**18) + 10**18)
            self._callback_queries[query_id] = {"data": callback_data, "answered": False}
            self._push_update(
                {
                    "callback_query": {
                        "id": query_id,
                        "from": user.to_dict(),
                        "message": copy.deepcopy(current),
                        "chat_instance": str(abs(hash((chat.id, self.token))) % 10**19),
                        "data": callback_data,
                    }
                }
            )
        return query_id

    async def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue any raw update (without update_id), e.g. `{"my_chat_member": {...}}`; returns it with its id."""
        with self._lock:
            return self._push_update(body)

    def _user_message(
        self, chat: TgChat, user: TgUser, reply_to: dict | int | None, thread_id: int | None, **content: Any
    ) -> dict[str, Any]:
        if chat.type == "private" and user.id != chat.id:
            raise ValueError(f"user {user.id} is not the other side of private chat {chat.id}")
        with self._lock:
            target = None
            if reply_to is not None:
                reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
                target = self._state[chat.id].messages.get(reply_id)
                if target is None:
                    raise ValueError(f"no message {reply_id} in chat {chat.id} to reply to")
            message = self._new_message(chat, user, thread_id=thread_id, reply_to=target, **content)
            if chat.type == "private" or not self.privacy_mode or self._bot_sees(message):
                self._push_update({"message": message})
            return copy.deepcopy(message)

    def _user_media(
        self,
        chat: TgChat,
        user: TgUser,
        kind: str,
        content: bytes,
        file_name: str | None,
        mime_type: str | None,
        caption: str | None,
        reply_to: dict | int | None,
        thread_id: int | None,
        duration: int | None = None,
        file_size: int | None = None,
    ) -> dict[str, Any]:
        with self._lock:
            stored = self._store_file(content, kind, file_name, mime_type, file_size)
            media = self._media_field(stored, duration)
        return self._user_message(
            chat,
            user,
            reply_to,
            thread_id,
            caption=caption,
            **{kind: media},
            caption_entities=detect_entities(caption) if caption else None,
        )

    def _bot_sees(self, message: dict[str, Any]) -> bool:
        """Privacy mode: commands (to any or this bot), mentions of the bot, replies to the bot."""
        text = message.get("text") or message.get("caption") or ""
        name = (self.bot_user.username or "").lower()
        if re.match(rf"/\w+(@{re.escape(name)})?(\s|$)", text, re.IGNORECASE):
            return True
        if self.bot_mention.lower() in text.lower():
            return True
        return (message.get("reply_to_message") or {}).get("from", {}).get("id") == self.bot_user.id
