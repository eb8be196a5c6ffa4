"""The founders' Telegram front end: commands, menus, privacy, errors."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # --- Telegram front end ---
    "tg.start": {
        "ko": "안녕하세요, {name}님! 서울창업카페 안내 도우미입니다.\n\n"
              "할 수 있는 일\n"
              "• 창업 지원사업, 서울창업카페 이용, 교육 프로그램에 관한 질문에 카페가 등록한 문서를 근거로 "
              "답하고, 출처를 함께 알려 드립니다.\n"
              "• \"그럼 신청 기간은?\"처럼 이어지는 질문도 앞의 대화를 이어서 이해합니다.\n\n"
              "할 수 없는 일\n"
              "• 사업 아이디어의 사업성을 평가하지 않습니다. 평가는 카페의 사람 전문가가 합니다.\n"
              "• 문서에 없는 내용은 추측해서 답하지 않습니다.\n\n"
              "궁금한 점을 메시지로 보내 주세요. 명령어는 /help 에서 볼 수 있습니다.",
        "en": "Hello, {name}! I'm the Seoul Startup Cafe assistant.\n\n"
              "What I can do\n"
              "• Answer questions about startup support programmes, the startup cafes and training programmes "
              "from the documents the cafes have registered, and show you the sources.\n"
              "• Follow up: questions like \"and the deadline?\" continue the conversation.\n\n"
              "What I can't do\n"
              "• I don't evaluate business ideas: the cafe's human experts do that.\n"
              "• I don't guess when the documents don't say.\n\n"
              "Just send me your question. /help lists the commands.",
    },
    "tg.privacy.notice": {
        "ko": "개인정보 안내: 이어지는 질문을 이해하고 답변 품질을 살피기 위해 대화 내용(질문과 답변), 질문 기록과 "
              "👍/👎 평가, 선택한 언어를 저장합니다. 기록은 저장된 날로부터 {period} 동안 보관한 뒤 자동으로 삭제되며, "
              "/deletemydata 로 언제든 바로 지울 수 있습니다. 자세한 내용은 /privacy 를 보세요.",
        "en": "Privacy: to follow up on your questions and check answer quality, I store the conversation "
              "(your questions and my answers), a log of questions with your 👍/👎 ratings, and your chosen language. "
              "Records are kept for {period} from when they were saved and then deleted automatically; "
              "/deletemydata deletes them at once. Details: /privacy",
    },
    "tg.privacy.full": {
        "ko": "개인정보 처리 안내\n\n"
              "저장하는 정보\n"
              "• 대화 내용: 이어지는 질문의 맥락을 이해하기 위해 질문과 답변을 저장하며, 답변할 때는 최근 몇 차례만 "
              "참고합니다.\n"
              "• 질문 기록과 평가: 답변 품질을 살피기 위해 질문, 답변, 출처와 👍/👎 평가를 저장합니다.\n"
              "• 설정: 텔레그램 사용자 번호와 선택한 언어, 알림 구독 주제.\n"
              "• 전문가 진단 요청(/idea): 요청서, 첨부파일 정보, 전문가와 주고받은 메시지와 평가.\n"
              "• 상담 예약(/book): 예약한 시간, 연결한 진단 요청, 참석 여부. 상담 전문가는 예약 시간과 연결한 요청서를 "
              "봅니다.\n\n"
              "보관 기간: 저장된 날로부터 {period}(진단 요청은 완료된 날부터, 상담 예약은 상담 날부터). 그 뒤에는 "
              "자동으로 삭제합니다.\n\n"
              "외부 언어 모델을 쓰도록 설정된 경우 질문과 최근 대화, 관련 문서 구절, 전문가용 요약을 만들 진단 요청서 "
              "내용을 그 모델에 보내며, 이름이나 연락처는 보내지 않습니다. "
              "다른 이용자의 대화는 답변 자료로 쓰지 않습니다.\n\n"
              "/reset 은 대화 맥락만 비웁니다. /deletemydata 는 저장된 기록을 모두 지웁니다(되돌릴 수 없음).",
        "en": "How your data is handled\n\n"
              "What is stored\n"
              "• The conversation: your questions and my answers, so follow-up questions make sense; only the "
              "last few turns are used when answering.\n"
              "• The question log with ratings: questions, answers, sources and your 👍/👎, to check answer quality.\n"
              "• Settings: your Telegram user number, chosen language and announcement topics.\n"
              "• Expert reviews (/idea): your request, its attachment's details, the messages with the experts and "
              "your rating.\n"
              "• Consultations (/book): the times you booked, the review request you tied to one, and whether you "
              "came. The consultation's expert sees the time and that request.\n\n"
              "How long: {period} from when each record was saved (a review: from when it was closed; a "
              "consultation: from its date), then it is deleted automatically.\n\n"
              "When an external language model is configured, it receives your question with the recent "
              "conversation, the relevant document passages, and a review request's answers (to summarise it for "
              "the experts), never your name or contact details. Other users' conversations are never used "
              "to answer you.\n\n"
              "/reset only clears the conversation context. /deletemydata deletes everything stored about you "
              "(this cannot be undone).",
    },
    "tg.help": {
        "ko": "질문을 메시지로 보내면 카페 문서를 근거로 답하고 출처를 알려 드립니다. 그룹에서는 저를 @로 부르거나 "
              "제 메시지에 답장으로 질문해 주세요.\n\n"
              "/idea 전문가에게 아이디어 진단 요청\n/mytickets 내 진단 요청 보기\n"
              "/book 전문가 상담 예약\n/mybookings 내 상담 예약 보기·취소·변경\n"
              "/subscribe 새 지원사업 알림 받기\n/unsubscribe 알림 끄기\n"
              "/lang 답변 언어 바꾸기\n/reset 대화 맥락 비우기\n/privacy 개인정보 안내\n"
              "/deletemydata 내 기록 삭제\n/help 이 도움말",
        "en": "Send your question as a message: I answer from the cafe's documents and show the sources. In groups, "
              "mention me with @ or reply to one of my messages.\n\n"
              "/idea ask the cafe's experts to review your idea\n/mytickets your review requests\n"
              "/book book a consultation with an expert\n/mybookings your consultations: see, cancel, reschedule\n"
              "/subscribe news of new programmes\n/unsubscribe stop the news\n"
              "/lang change the answer language\n/reset clear the conversation context\n/privacy how your data "
              "is handled\n/deletemydata delete your records\n/help this help",
    },
    "tg.lang.choose": {"ko": "답변 언어를 고르세요. / Choose your language.",
                       "en": "Choose your language. / 답변 언어를 고르세요."},
    "tg.lang.set": {"ko": "이제 한국어로 안내합니다.", "en": "From now on I'll reply in English."},
    "tg.lang.ko": {"ko": "한국어", "en": "한국어"},
    "tg.lang.en": {"ko": "English", "en": "English"},
    "tg.reset.done": {
        "ko": "대화 맥락을 비웠습니다. 새 주제로 질문해 주세요. (저장된 기록까지 지우려면 /deletemydata)",
        "en": "I've cleared the conversation context; ask about something new. (To delete your stored records, "
              "use /deletemydata.)",
    },
    "tg.delete.confirm": {
        "ko": "대화 기록, 질문 기록과 평가, 언어 설정, 알림 구독, 전문가 진단 요청(티켓)과 첨부파일 기록, 상담 예약을 "
              "모두 삭제할까요? 진행 중인 요청과 예정된 상담은 취소되고 전문가에게 그 사실만 알립니다. 삭제하면 되돌릴 "
              "수 없습니다.",
        "en": "Delete your conversation, question log with ratings, language setting, announcement subscription, "
              "expert review requests (tickets) with their attachments and consultation bookings? Open requests and "
              "upcoming consultations are withdrawn and the experts are told only that. This cannot be undone.",
    },
    "tg.privacy.period.year": {"ko": "1년", "en": "one year"},
    "tg.privacy.period.years": {"ko": "{n}년", "en": "{n} years"},
    "tg.privacy.period.days": {"ko": "{n}일", "en": "{n} days"},
    "tg.delete.yes": {"ko": "삭제하기", "en": "Delete"},
    "tg.delete.no": {"ko": "취소", "en": "Cancel"},
    "tg.delete.done": {
        "ko": "삭제했습니다({count}건). 언제든 /start 로 다시 시작할 수 있습니다.",
        "en": "Deleted ({count} records). You can start again any time with /start.",
    },
    "tg.delete.cancelled": {"ko": "삭제를 취소했습니다. 아무것도 지우지 않았습니다.",
                            "en": "Cancelled: nothing was deleted."},
    "tg.delete.not_yours": {"ko": "삭제를 요청한 분만 누를 수 있습니다.",
                            "en": "Only the person who asked for the deletion can press this."},
    "tg.answer.header": {"ko": "답변", "en": "Answer"},
    "tg.answer.header_not_found": {"ko": "자료에서 찾지 못했습니다", "en": "Not in the documents"},
    "tg.answer.header_expert": {"ko": "전문가 안내", "en": "Our experts can help"},
    "tg.button.helpful": {"ko": "👍", "en": "👍"},
    "tg.button.unhelpful": {"ko": "👎", "en": "👎"},
    "tg.button.ask_expert": {"ko": "전문가에게 묻기", "en": "Ask an expert"},
    "tg.feedback.thanks": {"ko": "평가해 주셔서 감사합니다!", "en": "Thanks for your feedback!"},
    "tg.feedback.not_yours": {"ko": "질문하신 분만 이 답변을 평가할 수 있습니다.",
                              "en": "Only the person who asked can rate this answer."},
    "tg.feedback.gone": {"ko": "이 답변의 기록이 없어 평가를 저장할 수 없습니다.",
                         "en": "This answer is no longer on record, so the rating can't be saved."},
    # Replaced by the expert escalation feature; until then, tell founders where people can help.
    "tg.expert.pending": {
        "ko": "전문가에게 직접 묻는 기능은 곧 이 챗봇에 열립니다. 그동안은 가까운 서울창업카페를 방문해 주세요. "
              "카페마다 벤처투자자 등 민간 전문가가 있어 아이디어와 사업 준비를 함께 살펴 드립니다.",
        "en": "Asking an expert right here in the chat is coming soon. Meanwhile, please visit one of Seoul's "
              "startup cafes: each has private-sector experts, such as venture investors, who can go over your "
              "idea and plans with you.",
    },
    "tg.ratelimit": {
        "ko": "질문이 너무 빠르게 이어지고 있어요. 1분에 {limit}개까지 답할 수 있으니 {seconds}초 뒤에 다시 보내 "
              "주세요.",
        "en": "That's a lot of questions at once: I can answer {limit} a minute. Please send it again in {seconds} s.",
    },
    "tg.error": {
        "ko": "죄송합니다. 답변을 준비하다가 문제가 생겼습니다. 잠시 뒤 다시 시도해 주세요.",
        "en": "Sorry, something went wrong while preparing the answer. Please try again in a moment.",
    },
    "tg.group.empty": {"ko": "무엇이 궁금하신가요? 저를 부르면서 질문을 함께 적어 주세요.",
                       "en": "What would you like to know? Mention me together with your question."},
    "tg.text_only": {"ko": "지금은 글로 보낸 질문에만 답할 수 있습니다. 궁금한 점을 메시지로 적어 주세요.",
                     "en": "I can only answer questions sent as text. Please type your question."},
    "tg.cmd.start": {"ko": "시작 안내", "en": "Introduction"},
    "tg.cmd.help": {"ko": "도움말", "en": "Help"},
    "tg.cmd.idea": {"ko": "전문가에게 아이디어 진단 요청", "en": "Ask the experts to review your idea"},
    "tg.cmd.cafe": {"ko": "이용하는 창업카페 선택", "en": "Choose the startup cafe you use"},
    "tg.cmd.mytickets": {"ko": "내 진단 요청 보기", "en": "Your review requests"},
    "tg.cmd.book": {"ko": "전문가 상담 예약", "en": "Book a consultation with an expert"},
    "tg.cmd.mybookings": {"ko": "내 상담 예약 보기·취소·변경", "en": "Your consultations: see, cancel, reschedule"},
    "tg.cmd.subscribe": {"ko": "새 지원사업 알림 받기", "en": "News of new programmes"},
    "tg.cmd.unsubscribe": {"ko": "알림 끄기", "en": "Stop the news"},
    "tg.cmd.lang": {"ko": "답변 언어 바꾸기", "en": "Change the language"},
    "tg.cmd.reset": {"ko": "대화 맥락 비우기", "en": "Clear the conversation context"},
    "tg.cmd.privacy": {"ko": "개인정보 안내", "en": "How your data is handled"},
    "tg.cmd.deletemydata": {"ko": "내 기록 삭제", "en": "Delete my records"},
}
