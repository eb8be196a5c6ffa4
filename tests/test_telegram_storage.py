"""What Telegram founders store and delete, checked in the database on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from telegram_harness import (
    BOT_USERNAME,
    KO_QUESTION,
    bot_fixture,
    bot_services,
    buttons,
    is_answer,
    tg_fixture,
)

from bot.services import Services
from bot.storage.models import ChatUser, ConversationTurn, QuestionLog
from bot.strings import t


@pytest.fixture
def services(database_url, tmp_path, embedding_cache_dir) -> Services:
    with bot_services(tmp_path / "data", embedding_cache_dir, database_url=database_url) as built:
        yield built


tg = tg_fixture()
bot = bot_fixture()


def rows_of(services: Services, user_id: int) -> dict[str, int]:
    with services.db.session() as s:
        return {
            model.__tablename__: s.scalar(select(func.count()).select_from(model).where(model.user_id == user_id))
            for model in (ConversationTurn, QuestionLog, ChatUser)
        }


async def test_votes_are_stored_on_the_question(tg, bot, services):
    chat = tg.private_chat(6001, "보람")
    await tg.send_text(chat, chat.user, KO_QUESTION)
    answer = await tg.wait_for_message(chat, is_answer, timeout=15)
    qid = int(buttons(answer)[0].split(":")[2])
    await tg.press_button(chat, chat.user, answer, f"fb:up:{qid}")
    await tg.wait_for("answerCallbackQuery")
    assert services.store.get_question(qid).vote == 1
    await tg.press_button(chat, chat.user, answer, f"fb:down:{qid}")
    await tg.wait_for("answerCallbackQuery")
    assert services.store.get_question(qid).vote == -1  # a founder may change their mind


async def test_deletemydata_removes_only_that_founders_rows(tg, bot, services):
    me, other = tg.private_chat(6101, "지수"), tg.private_chat(6102, "현우")
    group = tg.group_chat(-100610, "창업 모임")
    await tg.send_text(me, me.user, KO_QUESTION)
    answer = await tg.wait_for_message(me, is_answer, timeout=15)
    await tg.press_button(me, me.user, answer, buttons(answer)[0])
    await tg.wait_for("answerCallbackQuery")
    await tg.send_text(group, me.user, f"@{BOT_USERNAME} 서울창업카페 운영 시간은?")
    await tg.wait_for_message(group, is_answer, timeout=15)
    await tg.send_text(other, other.user, KO_QUESTION)
    await tg.wait_for_message(other, is_answer, timeout=15)
    before = rows_of(services, me.id)
    assert all(n > 0 for n in before.values()), before

    await tg.send_command(me, me.user, "deletemydata")
    confirm = await tg.wait_for_message(me, lambda m: m["text"] == t("tg.delete.confirm", "ko"))
    assert buttons(confirm) == [f"del:yes:{me.id}", f"del:no:{me.id}"]
    assert rows_of(services, me.id) == before  # nothing happens before the founder confirms
    await tg.press_button(me, me.user, confirm, f"del:yes:{me.id}")
    done = await tg.wait_for_message(me, lambda m: m["text"].startswith("삭제했습니다"), edits=True)
    assert done["text"] == t("tg.delete.done", "ko", count=sum(before.values()))
    assert rows_of(services, me.id) == {k: 0 for k in before}
    assert all(n > 0 for n in rows_of(services, other.id).values())
    assert services.store.history(f"tg:{me.id}", 6) == []


async def test_deletion_is_confirmed_only_by_the_founder_who_asked(tg, bot, services):
    group = tg.group_chat(-100620, "창업 모임")
    asker, bystander = tg.user(6201, "민호"), tg.user(6202, "수아")
    await tg.send_text(group, asker, f"@{BOT_USERNAME} {KO_QUESTION}")
    await tg.wait_for_message(group, is_answer, timeout=15)
    before = rows_of(services, asker.id)
    await tg.send_command(group, asker, "deletemydata", at_bot=True)
    confirm = await tg.wait_for_message(group, lambda m: m["text"] == t("tg.delete.confirm", "ko"))
    await tg.press_button(group, bystander, confirm, f"del:yes:{asker.id}")
    refusal = await tg.wait_for("answerCallbackQuery", lambda p: p.get("show_alert"))
    assert refusal["text"] == t("tg.delete.not_yours", "ko")
    await tg.press_button(group, asker, confirm, f"del:no:{asker.id}")
    await tg.wait_for_message(group, lambda m: m["text"] == t("tg.delete.cancelled", "ko"), edits=True)
    assert rows_of(services, asker.id) == before
