"""Bot API methods about the bot itself, chats, members and forum topics. Each `api_<method>` takes typed params."""

from __future__ import annotations

import copy
import json
from typing import Any

from .tg_state import BotApiState, TgChat, bad_request

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_COMMAND_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


class BotApiChatMethods(BotApiState):
    """Handlers for getMe, commands, menu buttons, chats, members, pins and forum topics."""

    _commands: dict[tuple[str, str], list[dict[str, Any]]]
    _menu_buttons: dict[int | None, dict[str, Any]]

    # -- the bot itself ---------------------------------------------------------------------------------
    async def api_getMe(self, p: dict[str, Any]) -> Any:
        return {
            **self.bot_user.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def api_logOut(self, p: dict[str, Any]) -> Any:
        return True

    async def api_close(self, p: dict[str, Any]) -> Any:
        return True

    async def api_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            name, description = str(command.get("command", "")), str(command.get("description", ""))
            if not 1 <= len(name) <= 32 or not set(name) <= _COMMAND_CHARS:
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self._commands[self._command_key(p)] = [dict(c) for c in commands]
        return True

    async def api_getMyCommands(self, p: dict[str, Any]) -> Any:
        with self._lock:
            return copy.deepcopy(self._commands.get(self._command_key(p), []))

    async def api_deleteMyCommands(self, p: dict[str, Any]) -> Any:
        with self._lock:
            self._commands.pop(self._command_key(p), None)
        return True

    @staticmethod
    def _command_key(p: dict[str, Any]) -> tuple[str, str]:
        return json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True), str(p.get("language_code") or "")

    async def api_setChatMenuButton(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat_id = self._chat(p["chat_id"]).id if p.get("chat_id") is not None else None
            self._menu_buttons[chat_id] = p.get("menu_button") or {"type": "default"}
        return True

    async def api_getChatMenuButton(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat_id = self._chat(p["chat_id"]).id if p.get("chat_id") is not None else None
            return copy.deepcopy(self._menu_buttons.get(chat_id, self._menu_buttons.get(None, {"type": "default"})))

    async def api_setMyDescription(self, p: dict[str, Any]) -> Any:
        return True

    async def api_setMyShortDescription(self, p: dict[str, Any]) -> Any:
        return True

    async def api_setMyName(self, p: dict[str, Any]) -> Any:
        return True

    # -- chats and forum topics -------------------------------------------------------------------------
    async def api_getChat(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            info = chat.to_dict()
            pinned = self._state[chat.id].pinned
            if pinned and pinned[-1] in self._state[chat.id].messages:
                info["pinned_message"] = copy.deepcopy(self._state[chat.id].messages[pinned[-1]])
        gifts = dict.fromkeys(
            ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), False
        )
        return {**info, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def _member(self, chat: TgChat, user_id: int, status: str) -> dict[str, Any]:
        user = self.bot_user if user_id == self.bot_user.id else self._users[user_id]
        member: dict[str, Any] = {"status": status, "user": user.to_dict()}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update({"can_be_edited": False, "is_anonymous": False}, **dict.fromkeys(_ADMIN_RIGHTS, True))
        elif status == "kicked":
            member["until_date"] = 0
        return member

    async def api_getChatMember(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            user_id = p.get("user_id")
            if user_id != self.bot_user.id and user_id not in self._users:
                raise bad_request("user not found")
            if chat.type == "private":
                status = "member" if user_id in (chat.id, self.bot_user.id) else "left"
            else:
                status = self._state[chat.id].members.get(user_id, "left")
            return self._member(chat, user_id, status)

    async def api_getChatAdministrators(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            members = self._state[chat.id].members.items()
            return [self._member(chat, uid, s) for uid, s in members if s in ("creator", "administrator")]

    async def api_leaveChat(self, p: dict[str, Any]) -> Any:
        with self._lock:
            self._state[self._chat(p.get("chat_id")).id].members[self.bot_user.id] = "left"
        return True

    async def api_pinChatMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            self._message(chat.id, p.get("message_id"), "message to pin not found")
            self._state[chat.id].pinned.append(p["message_id"])
        return True

    async def api_unpinChatMessage(self, p: dict[str, Any]) -> Any:
        with self._lock:
            pinned = self._state[self._chat(p.get("chat_id")).id].pinned
            if p.get("message_id") in pinned:
                pinned.remove(p["message_id"])
            elif pinned and p.get("message_id") is None:
                pinned.pop()
        return True

    async def api_setMessageReaction(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat = self._chat(p.get("chat_id"))
            self._message(chat.id, p.get("message_id"), "message to react not found")
        return True

    def _forum(self, p: dict[str, Any]) -> tuple[TgChat, dict[int, dict[str, Any]]]:
        chat = self._chat(p.get("chat_id"))
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat, self._state[chat.id].topics

    def _topic(self, p: dict[str, Any]) -> dict[str, Any]:
        _, topics = self._forum(p)
        topic = topics.get(p.get("message_thread_id"))  # type: ignore[arg-type]
        if topic is None:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    async def api_createForumTopic(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat, topics = self._forum(p)
            name = str(p.get("name") or "")
            if not 1 <= len(name) <= 128:
                raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
            return self._open_topic(chat, topics, name, p.get("icon_color") or 7322096, self.bot_user)

    def _open_topic(
        self, chat: TgChat, topics: dict[int, dict[str, Any]], name: str, icon_color: int, creator: Any
    ) -> dict[str, Any]:
        # The topic's id is the id of its "topic created" service message, as on Telegram.
        thread_id = self._state[chat.id].last_message_id + 1
        topics[thread_id] = {"message_thread_id": thread_id, "name": name, "icon_color": icon_color, "is_closed": False}
        self._new_message(
            chat, creator, thread_id=thread_id, forum_topic_created={"name": name, "icon_color": icon_color}
        )
        return {"message_thread_id": thread_id, "name": name, "icon_color": icon_color}

    async def api_editForumTopic(self, p: dict[str, Any]) -> Any:
        with self._lock:
            topic = self._topic(p)
            changes = {k: p[k] for k in ("name", "icon_custom_emoji_id") if p.get(k) is not None}
            if all(topic.get(k) == v for k, v in changes.items()):
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic.update(changes)
        return True

    async def api_closeForumTopic(self, p: dict[str, Any]) -> Any:
        return self._set_topic_closed(p, True)

    async def api_reopenForumTopic(self, p: dict[str, Any]) -> Any:
        return self._set_topic_closed(p, False)

    def _set_topic_closed(self, p: dict[str, Any], closed: bool) -> bool:
        with self._lock:
            topic = self._topic(p)
            if topic["is_closed"] == closed:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic["is_closed"] = closed
        return True

    async def api_deleteForumTopic(self, p: dict[str, Any]) -> Any:
        with self._lock:
            chat, topics = self._forum(p)
            self._topic(p)
            thread_id = p["message_thread_id"]
            del topics[thread_id]
            messages = self._state[chat.id].messages
            for message_id in [m for m, msg in messages.items() if msg.get("message_thread_id") == thread_id]:
                del messages[message_id]
        return True
