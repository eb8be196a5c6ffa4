"""Gaps closed in the security review (docs/threat-model.md): founders' files and media count against the
message rate limit like questions do, and experts are registered by numeric user id only."""

from __future__ import annotations

import pytest
from telegram_harness import DOCS, assert_nothing_sent, bot_fixture, bot_services, tg_fixture

from bot.services import Services
from bot.strings import t

pytestmark = pytest.mark.asyncio(loop_scope="module")
STAFF = 9501


@pytest.fixture(scope="module")
def services(tmp_path_factory, embedding_cache_dir) -> Services:
    with bot_services(tmp_path_factory.mktemp("security"), embedding_cache_dir, docs={"cafe.md": DOCS["cafe.md"]},
                      staff_user_ids=[STAFF], user_rate_per_minute=2) as built:
        yield built


tg = tg_fixture(loop_scope="module")
bot = bot_fixture(loop_scope="module")


async def test_a_stream_of_files_from_a_founder_hits_the_rate_limit(tg, bot):
    founder = tg.private_chat(9601, "도윤", language_code="ko")
    for n in range(2):
        await tg.send_document(founder, founder.user, b"%PDF-1.4 spam", f"spam{n}.pdf", "application/pdf")
        assert (await tg.wait_for_message(founder))["text"] == t("staff.upload.founder", "ko")
    await tg.send_photo(founder, founder.user, b"\xff\xd8\xff\xe0 not really a photo")
    warning = await tg.wait_for_message(founder)
    assert warning["text"] in {t("tg.ratelimit", "ko", limit=2, seconds=s) for s in range(1, 61)}
    mark = tg.mark()
    await tg.send_document(founder, founder.user, b"%PDF-1.4 spam", "spam3.pdf", "application/pdf")
    await assert_nothing_sent(bot, tg, founder, since=mark)  # warned once per window, then silence


async def test_experts_are_added_and_removed_by_numeric_id_only(tg, bot, services):
    staff = tg.private_chat(STAFF, "직원", language_code="ko")
    for bad in ("@kim_vc", "-1001234", "0"):
        await tg.send_command(staff, staff.user, "expert", f"add {bad} 3 핀테크 김심사")
        assert (await tg.wait_for_message(staff))["text"] == t("esc.usage.expert", "ko")
    assert services.escalation.experts.all() == []
    await tg.send_command(staff, staff.user, "expert", "add 9701 3 핀테크 김심사")
    await tg.wait_for_message(staff, lambda m: m["text"] == t("esc.expert.saved", "ko", id=9701))
    assert [e.user_id for e in services.escalation.experts.all()] == [9701]
    await tg.send_command(staff, staff.user, "expert", "remove @kim_vc")
    assert (await tg.wait_for_message(staff))["text"] == t("esc.usage.expert", "ko")
    assert [e.user_id for e in services.escalation.experts.all()] == [9701]
