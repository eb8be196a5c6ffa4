"""Staff's view of consultations: /bookings (date filter, CSV) and the consultations section of /stats."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    "bookings.private_only": {"ko": "상담 예약 목록에는 창업자 정보가 있어 봇과의 1:1 대화에서만 볼 수 있습니다.",
                              "en": "The bookings name founders: ask for them in a private chat with the bot."},
    # /bookings
    "bookings.usage": {
        "ko": "사용법: /bookings [시작일] [종료일] [cafe=카페ID] [csv]\n"
              "날짜는 2026-12-10 형식(한국 시간), today(오늘) 또는 week(오늘부터 7일). 날짜를 하나만 주면 그날, "
              "주지 않으면 오늘부터 14일입니다. csv: 목록을 파일로 받기.",
        "en": "Usage: /bookings [from] [to] [cafe=cafe id] [csv]\n"
              "Dates as 2026-12-10 (Korea time), today, or week (7 days from today). One date: that day only; no "
              "date: 14 days from today. csv: the list as a file.",
    },
    "bookings.err.word": {"ko": "알 수 없는 값입니다: {word}", "en": "I don't understand: {word}"},
    "bookings.err.order": {"ko": "종료일({end})이 시작일({start})보다 앞입니다.",
                           "en": "The end date ({end}) is before the start date ({start})."},
    "bookings.err.dates": {"ko": "날짜는 두 개까지, week는 날짜 없이 씁니다.",
                           "en": "Give at most two dates, and week without a date."},
    "bookings.unknown_cafe": {"ko": "{cafe}라는 카페가 없습니다. 카페 ID: {ids}",
                              "en": "There is no cafe {cafe}. Cafe ids: {ids}"},
    "bookings.none": {"ko": "📅 {period} 상담 예약이 없습니다.", "en": "📅 No consultations booked for {period}."},
    "bookings.header": {"ko": "📅 상담 예약 {period} (한국 시간): {count}건",
                        "en": "📅 Consultations {period} (Korea time): {count}"},
    "bookings.period": {"ko": "{start} ~ {end}", "en": "{start} to {end}"},
    "bookings.cafe": {"ko": "🏠 {cafe}", "en": "🏠 {cafe}"},
    "bookings.no_cafe": {"ko": "소속 카페 없는 전문가", "en": "Experts of no cafe"},
    "bookings.day": {"ko": "▪ {date} ({weekday})", "en": "▪ {weekday} {date}"},
    "bookings.line": {"ko": "{start}–{end} #{id} {expert} · 창업자 {founder} · {status}{ticket}{online}",
                      "en": "{start}–{end} #{id} {expert} · founder {founder} · {status}{ticket}{online}"},
    "bookings.ticket": {"ko": " · 티켓 #{ticket}", "en": " · ticket #{ticket}"},
    "bookings.online": {"ko": " · 온라인", "en": " · online"},
    "bookings.status.booked": {"ko": "예약", "en": "booked"},
    "bookings.status.cancelled": {"ko": "취소", "en": "cancelled"},
    "bookings.status.attended": {"ko": "참석", "en": "attended"},
    "bookings.status.no_show": {"ko": "불참", "en": "no-show"},
    "bookings.more": {"ko": "… 외 {n}건은 생략했습니다. 전체 목록은 같은 명령에 csv를 붙여 받으세요.",
                      "en": "… {n} more not shown. Add csv to the same command for the full list."},
    "bookings.csv": {"ko": "상담 예약 {period} (한국 시간): {count}건",
                     "en": "Consultations {period} (Korea time): {count}"},
    # /stats
    "bookings.stats": {"ko": "상담 (최근 {days}일 진행 · 불참률 · 다음 빈 시간까지):\n{lines}",
                       "en": "Consultations (held in the last {days} days · no-show rate · time to the next free "
                             "slot):\n{lines}"},
    "bookings.stats.line": {"ko": "{cafe}: {held}건 · {rate} · {lead}", "en": "{cafe}: {held} · {rate} · {lead}"},
    "bookings.stats.no_slot": {"ko": "열린 시간 없음", "en": "no open slot"},
    "bookings.lead.days_hours": {"ko": "{days}일 {hours}시간", "en": "{days} d {hours} h"},
    "bookings.lead.days": {"ko": "{days}일", "en": "{days} d"},
    "bookings.lead.hours": {"ko": "{hours}시간", "en": "{hours} h"},
    "bookings.lead.minutes": {"ko": "{minutes}분", "en": "{minutes} min"},
}
