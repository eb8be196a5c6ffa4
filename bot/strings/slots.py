"""Experts' office hours in Telegram (/slots): publishing, listing, closing and cancelling slots, marking attendance."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # The experts' command menu (bot.telegram.command_menu.EXPERT_COMMANDS)
    "slots.cmd.slots": {"ko": "상담 시간 열기·관리, 참석 표시",
                        "en": "Open and manage consultation slots, mark attendance"},
    "slots.cmd.queue": {"ko": "맡은 진단 요청과 맡을 수 있는 요청",
                        "en": "Your review requests and those you can take"},
    # Who may use /slots, and where
    "slots.not_expert": {"ko": "상담 시간은 카페에 등록된 전문가만 열 수 있습니다. 상담을 예약하려면 /book 을 "
                               "이용해 주세요.",
                         "en": "Only the cafes' registered experts open consultation slots. To book a consultation, "
                               "use /book."},
    "slots.private_only": {"ko": "상담 시간 관리는 저와의 1:1 대화에서 /slots 로 해 주세요.",
                           "en": "Please manage your consultation slots in a private chat with me: /slots."},
    # The list
    "slots.list": {"ko": "🗓 다가오는 상담 시간 ({n}개)\n{lines}",
                   "en": "🗓 Your upcoming consultation slots ({n})\n{lines}"},
    "slots.list.line": {"ko": "#{id} {when}\n   {place} · 예약 {booked}/{capacity} · {state}",
                        "en": "#{id} {when}\n   {place} · {booked}/{capacity} booked · {state}"},
    "slots.list.more": {"ko": "…외 {n}개", "en": "…and {n} more"},
    "slots.list.empty": {"ko": "🗓 다가오는 상담 시간이 없습니다.", "en": "🗓 You have no upcoming consultation slots."},
    "slots.list.add": {"ko": "아래 버튼으로 새 상담 시간을 열거나, 한 줄로 입력하세요:\n"
                             "/slots add 2026-12-10 14:00 60 offline [인원]\n"
                             "/slots weekly tue 14:00 60 online 4 [인원]",
                       "en": "Open new slots with the buttons below, or in one line:\n"
                             "/slots add 2026-12-10 14:00 60 offline [seats]\n"
                             "/slots weekly tue 14:00 60 online 4 [seats]"},
    "slots.state.open": {"ko": "예약 가능", "en": "open"},
    "slots.state.closed": {"ko": "예약 마감", "en": "closed"},
    # Buttons
    "slots.btn.one": {"ko": "➕ 상담 시간 1개", "en": "➕ One slot"},
    "slots.btn.weekly": {"ko": "🔁 매주 정기 상담", "en": "🔁 Weekly office hours"},
    "slots.btn.close": {"ko": "⏸ #{id} 예약 마감", "en": "⏸ Close #{id}"},
    "slots.btn.withdraw": {"ko": "🗑 #{id} 취소", "en": "🗑 Cancel #{id}"},
    "slots.btn.withdraw_yes": {"ko": "🗑 네, 취소하고 알리기", "en": "🗑 Yes, cancel it and tell them"},
    "slots.btn.offline": {"ko": "🏢 대면 ({cafe})", "en": "🏢 In person ({cafe})"},
    "slots.btn.online": {"ko": "💻 온라인", "en": "💻 Online"},
    "slots.btn.publish": {"ko": "✅ 공개하기", "en": "✅ Publish"},
    "slots.btn.back": {"ko": "◀ 이전", "en": "◀ Back"},
    "slots.btn.cancel": {"ko": "✖ 그만두기", "en": "✖ Cancel"},
    "slots.minutes": {"ko": "{n}분", "en": "{n} min"},
    "slots.weeks": {"ko": "{n}주", "en": "{n} weeks"},
    # Closing, cancelling, marking
    "slots.closed": {"ko": "상담 시간 #{id} ({when})의 새 예약을 마감했습니다. 이미 예약한 {booked}명은 그대로입니다.",
                     "en": "Slot #{id} ({when}) is closed to new bookings; the {booked} founder(s) booked keep their "
                           "seats."},
    "slots.withdraw.ask": {"ko": "상담 시간 #{id} ({when})을 취소할까요? 예약한 창업자 {n}명에게 취소 안내가 "
                                 "갑니다.",
                           "en": "Cancel slot #{id} ({when})? The {n} founder(s) booked will be told it is "
                                 "cancelled."},
    "slots.withdrawn": {"ko": "상담 시간 #{id}을 취소했습니다. 창업자 {n}명에게 알렸습니다.",
                        "en": "Slot #{id} is cancelled; {n} founder(s) told."},
    "slots.marked.attended": {"ko": "예약 #{id}: 참석으로 표시했습니다.", "en": "Booking #{id}: marked attended."},
    "slots.marked.no_show": {"ko": "예약 #{id}: 불참으로 표시했습니다.", "en": "Booking #{id}: marked no-show."},
    # The guided flow
    "slots.start.one": {"ko": "새 상담 시간을 엽니다. 언제든 /cancel 로 그만둘 수 있습니다.",
                        "en": "Let's open a consultation slot. /cancel stops at any step."},
    "slots.start.weekly": {"ko": "매주 정기 상담 시간을 엽니다. 언제든 /cancel 로 그만둘 수 있습니다.",
                           "en": "Let's set weekly office hours. /cancel stops at any step."},
    "slots.ask.date": {"ko": "어느 날인가요? 고르거나 2026-12-10 형식으로 입력하세요 (한국 시간).",
                       "en": "Which day? Pick one or type a date like 2026-12-10 (Korea time)."},
    "slots.ask.weekday": {"ko": "매주 무슨 요일인가요?", "en": "Which day of the week?"},
    "slots.ask.time": {"ko": "몇 시에 시작하나요? 고르거나 14:00 형식으로 입력하세요 (한국 시간).",
                       "en": "What time does it start? Pick one or type it like 14:00 (Korea time)."},
    "slots.ask.minutes": {"ko": "몇 분 동안인가요? 고르거나 10~480 사이 숫자로 입력하세요.",
                          "en": "How long, in minutes? Pick one or type 10 to 480."},
    "slots.ask.mode": {"ko": "대면({cafe})인가요, 온라인인가요?", "en": "In person ({cafe}) or online?"},
    "slots.ask.mode_online": {"ko": "소속 카페가 없어 온라인 상담만 열 수 있습니다. '온라인'을 눌러 주세요.",
                              "en": "You have no cafe to meet at, so slots are online. Tap 'Online'."},
    "slots.ask.weeks": {"ko": "앞으로 몇 주 동안 열까요? 고르거나 1~26 사이 숫자로 입력하세요.",
                        "en": "For how many weeks? Pick one or type 1 to 26."},
    "slots.ask.seats": {"ko": "몇 명까지 참여할 수 있나요? 고르거나 1~50 사이 숫자로 입력하세요.",
                        "en": "How many founders can join? Pick one or type 1 to 50."},
    "slots.need_text": {"ko": "버튼을 누르거나 답을 글로 입력해 주세요.",
                        "en": "Please tap a button or type the answer."},
    "slots.stale": {"ko": "이전 질문의 버튼입니다. 마지막 질문에 답해 주세요.",
                    "en": "That button belongs to an earlier question; please answer the last one."},
    "slots.confirm_first": {"ko": "'공개하기', '이전' 또는 '그만두기'를 눌러 주세요.",
                            "en": "Please tap Publish, Back or Cancel."},
    "slots.summary.one": {"ko": "이대로 공개할까요?\n일시: {when}\n장소: {place}\n인원: {seats}명",
                          "en": "Publish this slot?\nWhen: {when}\nWhere: {place}\nSeats: {seats}"},
    "slots.summary.weekly": {"ko": "매주 정기 상담을 이대로 공개할까요?\n매주 {weekday} {start} "
                                   "({minutes}분, 한국 시간), {weeks}주\n날짜: {dates}\n장소: {place}\n인원: {seats}명",
                             "en": "Publish these weekly office hours?\nEvery {weekday} at {start} ({minutes} min, "
                                   "Korea time), {weeks} weeks\nDates: {dates}\nWhere: {place}\nSeats: {seats}"},
    "slots.published": {"ko": "✅ 상담 시간 #{id}을 공개했습니다: {when}, {place}, {seats}명. 이제 창업자들이 "
                              "예약할 수 있습니다.",
                        "en": "✅ Slot #{id} is published: {when}, {place}, {seats} seat(s). Founders can book it "
                              "now."},
    "slots.published.weekly": {"ko": "✅ 정기 상담 {n}개를 공개했습니다:\n{lines}",
                               "en": "✅ {n} weekly slots are published:\n{lines}"},
    "slots.published.skipped": {"ko": "\n({n}주는 이미 그 시간에 상담이 있어 건너뛰었습니다.)",
                                "en": "\n({n} week(s) skipped: you already have a slot then.)"},
    "slots.published.none": {"ko": "공개된 상담 시간이 없습니다. 그 시간마다 이미 상담 시간이 있습니다.",
                             "en": "Nothing was published: you already have slots at all those times."},
    "slots.cancelled": {"ko": "그만두었습니다. 아무것도 공개하지 않았습니다.",
                        "en": "Stopped; nothing was published."},
    "slots.form_over": {"ko": "이 입력은 이미 끝났습니다. /slots 로 다시 시작해 주세요.",
                        "en": "That form is over. Start again with /slots."},
}
