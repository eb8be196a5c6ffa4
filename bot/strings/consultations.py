"""Consultations with a cafe's expert (bot.consultations): what founders, experts and staff read."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # Places and times
    "cs.online": {"ko": "온라인 (화상)", "en": "Online (video)"},
    "cs.when": {"ko": "{date} ({weekday}) {start}–{end} (한국 시간)",
                "en": "{weekday} {date}, {start}–{end} (Korea time)"},
    "cs.ics.summary": {"ko": "창업카페 전문가 상담", "en": "Startup cafe consultation"},
    "cs.ics.file": {"ko": "상담-{id}.ics", "en": "consultation-{id}.ics"},
    # Founders
    "cs.confirmed": {"ko": "✅ 상담 예약이 확정되었습니다 (#{id})\n일시: {when}\n장소: {place}\n전문가: {expert}\n"
                           "일정 파일을 캘린더에 추가하세요. 취소·변경은 시작 {hours}시간 전까지 가능합니다.",
                     "en": "✅ Your consultation is booked (#{id})\nWhen: {when}\nWhere: {place}\nExpert: {expert}\n"
                           "Add the calendar file to your calendar. You can cancel or reschedule up to {hours} hours "
                           "before."},
    "cs.cancelled": {"ko": "상담 예약 #{id}을(를) 취소했습니다.", "en": "Your booking #{id} is cancelled."},
    "cs.slot_cancelled": {"ko": "죄송합니다. 전문가 사정으로 {when} 상담(예약 #{id})이 취소되었습니다. /book 으로 다른 "
                                "시간을 예약해 주세요.",
                          "en": "Sorry: the expert cancelled the consultation at {when} (booking #{id}). Book another "
                                "time with /book."},
    "cs.remind.24h": {"ko": "⏰ 내일 상담이 있습니다 (#{id})\n일시: {when}\n장소: {place}",
                      "en": "⏰ Your consultation is tomorrow (#{id})\nWhen: {when}\nWhere: {place}"},
    "cs.remind.1h": {"ko": "⏰ 1시간 뒤 상담이 시작됩니다 (#{id})\n일시: {when}\n장소: {place}",
                     "en": "⏰ Your consultation starts in an hour (#{id})\nWhen: {when}\nWhere: {place}"},
    "cs.private_only": {"ko": "상담 예약은 봇과의 1:1 대화에서 해 주세요.",
                        "en": "Please book consultations in a private chat with the bot."},
    "cs.list.head": {"ko": "예약할 상담 시간을 고르세요 (한국 시간):", "en": "Pick a consultation time (Korea time):"},
    "cs.list.your_cafe": {"ko": "— {cafe} —", "en": "— {cafe} —"},
    "cs.list.other_cafes": {"ko": "— 다른 카페 —", "en": "— Other cafes —"},
    "cs.list.line": {"ko": "{n}. {when}\n   {place} · {expert} · 남은 자리 {seats}",
                     "en": "{n}. {when}\n   {place} · {expert} · {seats} seat(s) left"},
    "cs.list.for_ticket": {"ko": "예약하면 전문가가 티켓 #{ticket}의 아이디어를 미리 읽습니다.",
                           "en": "The expert will read your idea (ticket #{ticket}) before you meet."},
    "cs.list.pick_cafe": {"ko": "/cafe 로 이용하는 카페를 고르면 그 카페의 시간이 먼저 보입니다.",
                          "en": "Choose your cafe with /cafe to see its times first."},
    "cs.list.none": {"ko": "지금은 예약할 수 있는 상담 시간이 없습니다. 전문가가 시간을 열면 /book 에서 "
                           "보실 수 있습니다. 아이디어 서면 진단은 /idea 로 언제든 요청할 수 있어요.",
                     "en": "No consultation times are open right now. When an expert opens some, /book shows them. "
                           "You can ask for a written review of your idea with /idea at any time."},
    "cs.booking": {"ko": "⏳ 예약 #{id} 확정: 확인 메시지와 일정 파일을 보내 드립니다.",
                   "en": "⏳ Booking #{id} confirmed: the confirmation and calendar file follow."},
    "cs.mine.head": {"ko": "예정된 상담 예약:", "en": "Your upcoming consultations:"},
    "cs.mine.item": {"ko": "#{id} · {when}\n장소: {place}\n전문가: {expert}",
                     "en": "#{id} · {when}\nWhere: {place}\nExpert: {expert}"},
    "cs.mine.none": {"ko": "예정된 상담 예약이 없습니다. /book 으로 예약하세요.",
                     "en": "You have no upcoming consultations. Book one with /book."},
    "cs.cancel.ask": {"ko": "#{id} ({when}) 예약을 취소할까요?", "en": "Cancel booking #{id} ({when})?"},
    "cs.resched.head": {"ko": "#{id} 예약을 옮길 시간을 고르세요 (한국 시간). 새 시간이 확정되어야 기존 "
                               "예약이 취소됩니다.",
                        "en": "Pick the time to move booking #{id} to (Korea time). The old booking is cancelled "
                              "only once the new one is confirmed."},
    "cs.moved": {"ko": "🔁 #{id} 예약을 옮겼습니다. 새 확인 메시지와 일정 파일을 보내 드립니다.",
                 "en": "🔁 Booking #{id} is moved; the new confirmation and calendar file follow."},
    # Experts
    "cs.expert.booked": {"ko": "📅 새 상담 예약 #{id}: {when}, {place}{ticket}",
                         "en": "📅 New booking #{id}: {when}, {place}{ticket}"},
    "cs.expert.ticket": {"ko": "\n\n상담 전에 읽어 주세요. 창업자의 아이디어 (티켓 #{ticket}):\n{fields}",
                         "en": "\n\nPlease read before you meet. The founder's idea (ticket #{ticket}):\n{fields}"},
    "cs.expert.cancelled": {"ko": "상담 예약 #{id} ({when})이(가) 취소되어 자리가 다시 열렸습니다.",
                            "en": "Booking #{id} ({when}) was cancelled; the seat is open again."},
    "cs.expert.withdrawn": {"ko": "상담 예약 #{id} ({when})이(가) 창업자의 개인정보 삭제 요청으로 취소되어 자리가 다시 "
                                  "열렸습니다.",
                            "en": "Booking #{id} ({when}) was withdrawn (the founder erased their data); the seat is "
                                  "open again."},
    "cs.expert.remind.24h": {"ko": "⏰ 내일 상담 (예약 #{id}): {when}, {place}",
                             "en": "⏰ Consultation tomorrow (booking #{id}): {when}, {place}"},
    "cs.expert.remind.1h": {"ko": "⏰ 1시간 뒤 상담 (예약 #{id}): {when}, {place}",
                            "en": "⏰ Consultation in an hour (booking #{id}): {when}, {place}"},
    "cs.expert.mark": {"ko": "상담 예약 #{id} ({when})은 어떻게 되었나요? 참석 여부를 표시해 주세요.",
                       "en": "How did booking #{id} ({when}) go? Please mark whether the founder came."},
    # Buttons
    "cs.btn.book": {"ko": "📅 전문가 상담 예약", "en": "📅 Book a consultation"},
    "cs.btn.calendar": {"ko": "📎 일정 파일", "en": "📎 Calendar file"},
    "cs.btn.reschedule": {"ko": "🔁 시간 변경", "en": "🔁 Reschedule"},
    "cs.btn.cancel": {"ko": "✖ 예약 취소", "en": "✖ Cancel booking"},
    "cs.btn.cancel_yes": {"ko": "네, 취소합니다", "en": "Yes, cancel it"},
    "cs.btn.attended": {"ko": "✅ 참석", "en": "✅ Attended"},
    "cs.btn.no_show": {"ko": "🚫 불참", "en": "🚫 No-show"},
    # Refusals
    "cs.err.no_slot": {"ko": "그 상담 시간을 찾을 수 없습니다.", "en": "There is no such consultation slot."},
    "cs.err.slot_full": {"ko": "아쉽게도 방금 다른 분이 그 시간을 예약했습니다. 다른 시간을 골라 주세요.",
                         "en": "Sorry, someone else just took that time. Please pick another one."},
    "cs.err.slot_past": {"ko": "이미 시작했거나 지난 시간입니다.", "en": "That time has already started or passed."},
    "cs.err.already_booked": {"ko": "이미 그 시간을 예약하셨습니다.", "en": "You have already booked that time."},
    "cs.err.too_many": {"ko": "예정된 상담은 최대 {n}건까지 예약할 수 있습니다. 기존 예약을 취소한 뒤 다시 시도해 "
                              "주세요.",
                        "en": "You can hold at most {n} upcoming consultations. Cancel one first."},
    "cs.err.no_shows": {"ko": "최근 90일 동안 예약 후 참석하지 않은 상담이 {n}건 있어 지금은 예약할 수 없습니다. 카페 "
                              "직원에게 문의해 주세요.",
                        "en": "You missed {n} booked consultations in the last 90 days, so booking is paused. "
                              "Please talk to the cafe staff."},
    "cs.err.no_booking": {"ko": "그 예약을 찾을 수 없습니다.", "en": "There is no such booking of yours."},
    "cs.err.too_late": {"ko": "시작 {hours}시간 전부터는 취소·변경할 수 없습니다. 카페로 연락해 주세요.",
                        "en": "Bookings can't be cancelled or moved within {hours} hours of the start. Please "
                              "contact the cafe."},
    "cs.err.not_started": {"ko": "상담이 시작된 뒤에 참석 여부를 표시할 수 있습니다.",
                           "en": "Attendance can be marked once the consultation has started."},
    "cs.err.not_expert": {"ko": "이 상담 시간의 전문가만 할 수 있습니다.",
                          "en": "Only this slot's expert can do that."},
    "cs.err.no_cafe": {"ko": "대면 상담은 소속 카페가 있어야 열 수 있습니다. 온라인으로 열어 주세요.",
                       "en": "In-person slots need your cafe; open an online slot instead."},
    "cs.err.overlap": {"ko": "그 시간에 이미 다른 상담 시간이 있습니다.",
                       "en": "You already have a slot at that time."},
    "cs.err.other_cafe": {"ko": "다른 카페의 예약은 볼 수 없습니다.", "en": "Those are another cafe's bookings."},
    # The quick form
    "cs.form.usage": {"ko": "사용법: /slots add 2026-12-10 14:00 60 offline [인원]\n"
                            "매주: /slots weekly tue 14:00 60 online 4 [인원] (앞으로 4주)",
                      "en": "Usage: /slots add 2026-12-10 14:00 60 offline [seats]\n"
                            "Weekly: /slots weekly tue 14:00 60 online 4 [seats] (the next 4 weeks)"},
    "cs.form.date": {"ko": "날짜는 2026-12-10 형식으로 적어 주세요: {word}",
                     "en": "Write the date as 2026-12-10: {word}"},
    "cs.form.weekday": {"ko": "요일은 mon..sun 또는 월..일: {word}", "en": "The weekday is mon..sun: {word}"},
    "cs.form.time": {"ko": "시작 시각은 14:00 형식으로 (한국 시간): {word}",
                     "en": "Write the start as 14:00 (Korea time): {word}"},
    "cs.form.minutes": {"ko": "상담 길이는 10~480분: {word}", "en": "The length is 10 to 480 minutes: {word}"},
    "cs.form.mode": {"ko": "offline(대면) 또는 online(온라인): {word}", "en": "offline (in person) or online: {word}"},
    "cs.form.capacity": {"ko": "인원은 1~50명: {word}", "en": "Seats: 1 to 50: {word}"},
    "cs.form.weeks": {"ko": "반복 주 수는 1~26: {word}", "en": "Weeks: 1 to 26: {word}"},
}
