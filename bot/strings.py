"""Every user-facing string, in Korean and English. Look up with `t(key, lang, **fields)`."""

from __future__ import annotations

from typing import Literal

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")

MESSAGES: dict[str, dict[Lang, str]] = {
    # --- document rejections (CLI, staff uploads) ---
    "reject.unsupported_type": {
        "ko": "{file}: 지원하지 않는 파일 형식입니다. PDF, HWP, HWPX, DOCX, Markdown, 텍스트, HTML 파일을 보내 주세요.",
        "en": "{file}: this file type is not supported. Send PDF, HWP, HWPX, DOCX, Markdown, text or HTML.",
    },
    "reject.corrupt": {
        "ko": "{file}: 파일이 손상되었거나 형식이 올바르지 않아 읽을 수 없습니다. 원본 파일을 다시 저장해 보내 주세요.",
        "en": "{file}: the file is damaged or not what its name says, so it cannot be read. Save the original again and resend it.",
    },
    "reject.encrypted": {
        "ko": "{file}: 암호가 걸린(또는 배포용) 문서라 읽을 수 없습니다. 암호를 해제한 파일을 보내 주세요.",
        "en": "{file}: the document is password-protected (or a distribution copy). Send a copy without the password.",
    },
    "reject.no_text": {
        "ko": "{file}: 추출할 수 있는 글자가 없습니다(스캔 이미지 PDF 등). 텍스트가 들어 있는 원본이나 OCR 처리된 파일을 보내 주세요.",
        "en": "{file}: no text could be extracted (a scanned image?). Send the original with text, or an OCR'd copy.",
    },
    "reject.too_large": {
        "ko": "{file}: 파일이 너무 큽니다({size_mb} MB, 최대 {limit_mb} MB). 파일을 나누거나 용량을 줄여 주세요.",
        "en": "{file}: the file is too large ({size_mb} MB; the limit is {limit_mb} MB). Split it or make it smaller.",
    },
    "reject.archive_bomb": {
        "ko": "{file}: 압축을 풀면 비정상적으로 커지는 파일이라 안전을 위해 거부했습니다.",
        "en": "{file}: refused for safety: it would expand to an abnormal size when unpacked.",
    },
    "reject.not_found": {
        "ko": "{file}: 파일을 찾을 수 없습니다.",
        "en": "{file}: file not found.",
    },
    # --- CLI ---
    "cli.ingest.added": {"ko": "추가: {title} (v{version}, {pages}쪽, {chunks}개 조각, {seconds:.1f}초)",
                         "en": "added: {title} (v{version}, {pages} pages, {chunks} chunks, {seconds:.1f}s)"},
    "cli.ingest.updated": {"ko": "새 버전: {title} (v{version}, {pages}쪽, {chunks}개 조각, {seconds:.1f}초)",
                           "en": "new version: {title} (v{version}, {pages} pages, {chunks} chunks, {seconds:.1f}s)"},
    "cli.ingest.unchanged": {"ko": "변경 없음: {title} (v{version})", "en": "unchanged: {title} (v{version})"},
    "cli.search.none": {"ko": "관련 문서를 찾지 못했습니다.", "en": "No relevant passages found."},
    "cli.docs.none": {"ko": "등록된 문서가 없습니다.", "en": "The knowledge base has no documents."},
    "cli.removed": {"ko": "삭제: {title}", "en": "removed: {title}"},
    "cli.unknown_document": {"ko": "문서를 찾을 수 없습니다: {id}", "en": "No such document: {id}"},
    # --- CLI: schema, export/import, reindex (operators) ---
    "cli.db.current": {"ko": "스키마 리비전: {current} (최신: {head}) — {state}",
                       "en": "schema revision: {current} (head: {head}) — {state}"},
    "cli.db.at_head": {"ko": "최신 상태입니다", "en": "at head"},
    "cli.db.behind": {"ko": "업그레이드가 필요합니다: cafebot db upgrade", "en": "behind: run `cafebot db upgrade`"},
    "cli.db.newer": {"ko": "이 cafebot보다 새 버전이 만든 스키마입니다", "en": "newer than this cafebot"},
    "cli.db.none": {"ko": "없음", "en": "none"},
    "cli.db.upgraded": {"ko": "스키마를 {revision}(으)로 올렸습니다.", "en": "schema upgraded to {revision}."},
    "cli.db.downgraded": {"ko": "스키마를 {revision}(으)로 내렸습니다.", "en": "schema downgraded to {revision}."},
    "cli.db.out_of_date": {
        "ko": "데이터베이스 스키마({current})가 이 버전에 필요한 {head}가 아닌데 DB_AUTO_UPGRADE가 꺼져 있습니다. "
              "먼저 `cafebot db upgrade`를 실행하세요.",
        "en": "The database schema ({current}) is not the {head} this cafebot needs, and DB_AUTO_UPGRADE is off: "
              "run `cafebot db upgrade` first.",
    },
    "cli.db.too_new": {
        "ko": "데이터베이스 스키마({current})가 이 cafebot(최신 {head})보다 새 버전입니다. 마이그레이션한 버전의 cafebot을 실행하세요.",
        "en": "The database schema ({current}) is newer than this cafebot (head {head}): run the cafebot release "
              "that migrated it.",
    },
    "cli.export.done": {"ko": "내보냄: {path} (스키마 {revision}, 행 {rows}개)",
                        "en": "exported {path} (schema {revision}, {rows} rows)"},
    "cli.export.table": {"ko": "  {table}: {count}", "en": "  {table}: {count}"},
    "cli.export.exists": {"ko": "{path} 파일이 이미 있습니다. 다른 이름을 지정하세요.",
                          "en": "{path} already exists: choose another name."},
    "cli.import.bad_archive": {"ko": "{path}: cafebot 내보내기 파일이 아니거나 손상되었습니다 ({detail}).",
                               "en": "{path}: not a cafebot export, or damaged ({detail})."},
    "cli.import.not_empty": {
        "ko": "데이터베이스에 이미 데이터가 있습니다({counts}). 빈 데이터베이스로 가져오거나, 기존 데이터를 지우려면 "
              "--replace를 붙이세요.",
        "en": "The database already holds data ({counts}). Import into an empty database, or add --replace to "
              "delete that data first.",
    },
    "cli.import.done": {"ko": "가져옴: 행 {rows}개 ({created_at}에 cafebot {version}에서 내보냄, 스키마 {revision})",
                        "en": "imported {rows} rows (exported {created_at} by cafebot {version}, schema {revision})"},
    "cli.import.replaced": {"ko": "기존 데이터를 지웠습니다: {counts}", "en": "deleted the existing data: {counts}"},
    "cli.import.settings_same": {"ko": "설정: 내보낸 설정과 현재 환경이 같습니다.",
                                 "en": "settings: the archive's match this environment."},
    "cli.import.settings_diff": {
        "ko": "설정이 다릅니다(적용하지 않음: 설정은 환경 변수에서 읽습니다):",
        "en": "settings that differ (not applied: settings come from the environment):",
    },
    "cli.import.setting": {"ko": "  {name}: 내보낸 값 {archived} · 현재 {current}",
                           "en": "  {name}: archive {archived} · here {current}"},
    "cli.reindex.progress": {"ko": "임베딩 {done}/{total}", "en": "embedding {done}/{total}"},
    "cli.reindex.done": {
        "ko": "다시 색인함: 문서 {documents}개, 조각 {chunks}개 → {collection} ({seconds:.1f}초)",
        "en": "reindexed {chunks} chunks of {documents} documents into {collection} in {seconds:.1f}s",
    },
    # --- answers (every front end) ---
    "answer.not_found": {
        "ko": "죄송합니다. 가지고 있는 자료에서는 이 질문에 대한 답을 찾지 못했습니다. 추측으로 답하지 않겠습니다. "
              "창업카페 전문가나 직원에게 직접 물어보시겠어요?",
        "en": "Sorry, the cafe's documents do not answer this question, and I won't guess. "
              "Would you like to ask a cafe expert or staff member instead?",
    },
    "answer.extractive_intro": {
        "ko": "자료에서 찾은 내용입니다:",
        "en": "Here is what the documents say (quoted as written):",
    },
    "answer.idea_review": {
        "ko": "사업 아이디어에 대한 평가는 AI가 하지 않습니다. 창업카페의 벤처투자자 등 민간 전문가가 직접 검토하고 "
              "답변을 드립니다. /idea 로 아이디어를 접수해 주세요.",
        "en": "I don't evaluate business ideas myself: the cafe's human experts, such as venture investors, review "
              "them and answer you here. Send /idea to submit your idea.",
    },
    "answer.human": {
        "ko": "전문가나 직원과 상담을 원하시면 /idea 로 내용을 남겨 주세요. 담당자가 이 대화방으로 답변드립니다.",
        "en": "To talk to an expert or staff member, send /idea and leave your request; they will reply in this chat.",
    },
    "answer.smalltalk": {
        "ko": "안녕하세요! 서울창업카페 도우미입니다. 창업 지원사업, 창업카페 이용, 교육 프로그램에 대해 물어보세요.",
        "en": "Hello! I'm the Seoul Startup Cafe assistant. Ask me about startup support programmes, the cafes, "
              "or training programmes.",
    },
    "answer.out_of_scope": {
        "ko": "죄송하지만 그 요청은 도와드리기 어렵습니다. 저는 서울창업카페와 창업 지원사업에 관한 질문에 답합니다.",
        "en": "Sorry, I can't help with that. I answer questions about Seoul's startup cafes and startup support "
              "programmes.",
    },
    "answer.sources": {"ko": "출처", "en": "Sources"},
    "kb.seeding": {"ko": "기본 지식 베이스를 불러오는 중입니다: {path}", "en": "Loading the default knowledge base from {path}"},
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
              "• 대화 내용: 이어지는 질문의 맥락을 이해하기 위해 질문과 답변을 저장하며, 답변할 때는 최근 몇 차례만 참고합니다.\n"
              "• 질문 기록과 평가: 답변 품질을 살피기 위해 질문, 답변, 출처와 👍/👎 평가를 저장합니다.\n"
              "• 설정: 텔레그램 사용자 번호와 선택한 언어, 알림 구독 주제.\n"
              "• 전문가 진단 요청(/idea): 요청서, 첨부파일 정보, 전문가와 주고받은 메시지와 평가.\n\n"
              "보관 기간: 저장된 날로부터 {period}(진단 요청은 완료된 날부터). 그 뒤에는 자동으로 삭제합니다.\n\n"
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
              "your rating.\n\n"
              "How long: {period} from when each record was saved (a review: from when it was closed), then it is "
              "deleted automatically.\n\n"
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
              "/subscribe 새 지원사업 알림 받기\n/unsubscribe 알림 끄기\n"
              "/lang 답변 언어 바꾸기\n/reset 대화 맥락 비우기\n/privacy 개인정보 안내\n"
              "/deletemydata 내 기록 삭제\n/help 이 도움말",
        "en": "Send your question as a message: I answer from the cafe's documents and show the sources. In groups, "
              "mention me with @ or reply to one of my messages.\n\n"
              "/idea ask the cafe's experts to review your idea\n/mytickets your review requests\n"
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
        "ko": "대화 기록, 질문 기록과 평가, 언어 설정, 알림 구독, 전문가 진단 요청(티켓)과 첨부파일 기록을 모두 "
              "삭제할까요? 진행 중인 요청은 철회되고 전문가에게 그 사실만 알립니다. 삭제하면 되돌릴 수 없습니다.",
        "en": "Delete your conversation, question log with ratings, language setting, announcement subscription and "
              "expert review requests (tickets) with their attachments? Open requests are withdrawn and the experts "
              "are told only that. This cannot be undone.",
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
        "ko": "질문이 너무 빠르게 이어지고 있어요. 1분에 {limit}개까지 답할 수 있으니 {seconds}초 뒤에 다시 보내 주세요.",
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
    "tg.cmd.mytickets": {"ko": "내 진단 요청 보기", "en": "Your review requests"},
    "tg.cmd.subscribe": {"ko": "새 지원사업 알림 받기", "en": "News of new programmes"},
    "tg.cmd.unsubscribe": {"ko": "알림 끄기", "en": "Stop the news"},
    "tg.cmd.lang": {"ko": "답변 언어 바꾸기", "en": "Change the language"},
    "tg.cmd.reset": {"ko": "대화 맥락 비우기", "en": "Clear the conversation context"},
    "tg.cmd.privacy": {"ko": "개인정보 안내", "en": "How your data is handled"},
    "tg.cmd.deletemydata": {"ko": "내 기록 삭제", "en": "Delete my records"},
    # --- staff: registry, uploads, documents, announcements, statistics (bot/telegram/handlers/staff*.py) ---
    "staff.only": {"ko": "이 명령은 창업카페 직원만 쓸 수 있습니다.", "en": "This command is for cafe staff only."},
    "staff.usage": {
        "ko": "사용법: /staff add <사용자 ID>, /staff remove <사용자 ID>, /staff list\n사용자 ID는 숫자입니다(사용자명 불가).",
        "en": "Usage: /staff add <user id>, /staff remove <user id>, /staff list\nThe user id is a number "
              "(usernames are not accepted).",
    },
    "staff.bad_id": {
        "ko": "'{value}'은(는) 사용자 ID가 아닙니다. 숫자로 된 텔레그램 사용자 ID를 적어 주세요(사용자명은 바뀔 수 있어 받지 않습니다).",
        "en": "'{value}' is not a user id. Give the numeric Telegram user id (usernames can change, so they are not "
              "accepted).",
    },
    "staff.added": {"ko": "{id}님을 직원으로 추가했습니다.", "en": "Added {id} as staff."},
    "staff.already": {"ko": "{id}님은 이미 직원입니다.", "en": "{id} is already staff."},
    "staff.removed": {"ko": "{id}님을 직원에서 제외했습니다.", "en": "Removed {id} from staff."},
    "staff.remove_configured": {
        "ko": "{id}님은 설정(STAFF_USER_IDS)에 등록된 직원이라 봇에서 뺄 수 없습니다. 배포 설정을 바꿔 주세요.",
        "en": "{id} is staff by configuration (STAFF_USER_IDS); change the deployment's settings to remove them.",
    },
    "staff.remove_unknown": {"ko": "{id}님은 직원 목록에 없습니다.", "en": "{id} is not on the staff list."},
    "staff.list": {"ko": "직원 ({count}명):\n{ids}", "en": "Staff ({count}):\n{ids}"},
    "staff.upload.founder": {
        "ko": "파일을 보내 주셔서 감사합니다. 다만 자료 등록은 창업카페 직원만 할 수 있어 이 파일은 저장하지 않았습니다. "
              "알리고 싶은 자료가 있으면 가까운 창업카페 직원에게 전해 주세요. 궁금한 점은 글로 물어보시면 답해 드립니다.",
        "en": "Thanks for the file. Documents are added by cafe staff only, so I haven't kept it. If it should be "
              "in the knowledge base, please pass it to the staff at your cafe. Ask me anything by text meanwhile.",
    },
    "staff.upload.downloading": {"ko": "📥 {file}\n내려받는 중…", "en": "📥 {file}\nDownloading…"},
    "staff.upload.reading": {"ko": "📄 {file}\n읽는 중…", "en": "📄 {file}\nReading…"},
    "staff.upload.read": {"ko": "📄 {file}\n{pages}쪽을 읽었습니다.", "en": "📄 {file}\nRead {pages} pages."},
    "staff.upload.chunked": {"ko": "✂️ {file}\n{chunks}개 조각으로 나눴습니다.", "en": "✂️ {file}\nSplit into {chunks} chunks."},
    "staff.upload.embedding": {"ko": "🧠 {file}\n임베딩 {done}/{total}", "en": "🧠 {file}\nEmbedding {done}/{total}"},
    "staff.upload.indexing": {"ko": "🗂 {file}\n색인하는 중…", "en": "🗂 {file}\nIndexing…"},
    "staff.upload.done": {"ko": "✅ {file}\n완료 ({seconds:.1f}초). 지금부터 검색됩니다.",
                          "en": "✅ {file}\nDone in {seconds:.1f} s. It is searchable now."},
    "staff.upload.failed_progress": {"ko": "❌ {file}\n등록하지 못했습니다.", "en": "❌ {file}\nNot added."},
    "staff.upload.summary": {
        "ko": "{status}\n제목: {title}\n문서 ID: {id} (v{version})\n쪽수: {pages} · 조각: {chunks}\n지원사업: {programme}\n유효기한: {valid}",
        "en": "{status}\nTitle: {title}\nDocument id: {id} (v{version})\nPages: {pages} · Chunks: {chunks}\n"
              "Programme: {programme}\nValid until: {valid}",
    },
    "staff.upload.status.added": {"ko": "새 문서로 등록했습니다.", "en": "Added as a new document."},
    "staff.upload.status.updated": {"ko": "기존 문서의 새 버전으로 등록했습니다.",
                                    "en": "Added as a new version of an existing document."},
    "staff.upload.status.unchanged": {"ko": "이미 같은 파일이 등록되어 있어 바꾸지 않았습니다.",
                                      "en": "The same file is already in the knowledge base; nothing changed."},
    "staff.upload.none": {"ko": "(없음)", "en": "(none)"},
    "staff.upload.too_large_hint": {
        "ko": "텔레그램 봇은 {limit_mb} MB보다 큰 파일을 내려받을 수 없습니다. 더 큰 파일은 자체 Bot API 서버"
              "(TELEGRAM_LOCAL_MODE)를 쓰거나 관리자가 명령줄(cafebot ingest)로 등록해 주세요.",
        "en": "Telegram bots cannot download files over {limit_mb} MB. For bigger files use a self-hosted Bot API "
              "server (TELEGRAM_LOCAL_MODE) or ask an administrator to add it on the command line (cafebot ingest).",
    },
    "staff.upload.download_failed": {
        "ko": "{file}: 텔레그램에서 파일을 내려받지 못했습니다. 잠시 뒤 다시 보내 주세요. 지식베이스는 바뀌지 않았습니다.",
        "en": "{file}: the file could not be downloaded from Telegram. Send it again in a moment; the knowledge "
              "base is unchanged.",
    },
    "staff.upload.error": {
        "ko": "{file}: 등록 중 예상하지 못한 문제가 생겼습니다. 지식베이스는 바뀌지 않았습니다. 다시 보내도 안 되면 관리자에게 알려 주세요.",
        "en": "{file}: something unexpected went wrong while adding it; the knowledge base is unchanged. If "
              "resending does not help, tell the administrator.",
    },
    "staff.kb_unchanged": {"ko": "지식베이스는 바뀌지 않았습니다.", "en": "The knowledge base is unchanged."},
    "staff.btn.title": {"ko": "제목 바꾸기", "en": "Set title"},
    "staff.btn.programme": {"ko": "지원사업 지정", "en": "Set programme"},
    "staff.btn.valid": {"ko": "유효기한", "en": "Valid until"},
    "staff.btn.replace": {"ko": "기존 문서 대체", "en": "Replace a document"},
    "staff.btn.undo": {"ko": "되돌리기", "en": "Undo"},
    "staff.btn.notify": {"ko": "구독자에게 알리기", "en": "Notify subscribers"},
    "staff.btn.remove": {"ko": "삭제", "en": "Remove"},
    "staff.btn.new_version": {"ko": "새 파일로 교체", "en": "Replace with a new file"},
    "staff.btn.yes": {"ko": "예", "en": "Yes"},
    "staff.btn.cancel": {"ko": "취소", "en": "Cancel"},
    "staff.btn.prev": {"ko": "◀ 이전", "en": "◀ Previous"},
    "staff.btn.next": {"ko": "다음 ▶", "en": "Next ▶"},
    "staff.ask.title": {"ko": "새 제목을 보내 주세요.", "en": "Send the new title."},
    "staff.ask.programme": {"ko": "지원사업 이름을 보내 주세요(비우려면 -).", "en": "Send the programme name (- to clear)."},
    "staff.ask.valid": {"ko": "유효기한을 YYYY-MM-DD로 보내 주세요(없애려면 -).",
                        "en": "Send the valid-until date as YYYY-MM-DD (- to clear)."},
    "staff.meta.bad_date": {"ko": "'{value}'은(는) 날짜가 아닙니다. 2025-03-31처럼 보내 주세요.",
                            "en": "'{value}' is not a date. Send it like 2025-03-31."},
    "staff.meta.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "staff.doc.gone": {"ko": "이 문서는 더 이상 없습니다.", "en": "This document no longer exists."},
    "staff.undo.done": {"ko": "되돌렸습니다: '{title}'을(를) 지식베이스에서 뺐습니다.",
                        "en": "Undone: '{title}' is out of the knowledge base."},
    "staff.undo.only_new": {"ko": "새 버전은 되돌릴 수 없습니다. 이전 파일을 다시 보내 주세요.",
                            "en": "A new version cannot be undone; send the previous file again instead."},
    "staff.replace.pick": {"ko": "'{title}'이(가) 어느 문서를 대체할까요?", "en": "Which document should '{title}' replace?"},
    "staff.replace.none": {"ko": "대체할 다른 문서가 없습니다.", "en": "There is no other document to replace."},
    "staff.replace.confirm": {
        "ko": "'{old}'을(를) 방금 올린 파일로 교체할까요? 이전 버전은 더 이상 인용되지 않습니다.",
        "en": "Replace '{old}' with the file you just uploaded? The previous version will no longer be cited.",
    },
    "staff.replace.done": {"ko": "교체했습니다: '{title}' v{version}", "en": "Replaced: '{title}' is now v{version}"},
    "staff.replace.next_file": {
        "ko": "'{title}'을(를) 다음에 보내는 파일로 교체할까요?",
        "en": "Replace '{title}' with the next file you send?",
    },
    "staff.replace.send_now": {"ko": "좋습니다. '{title}'의 새 파일을 보내 주세요.",
                               "en": "OK: send the new file for '{title}'."},
    "staff.remove.confirm": {"ko": "'{title}'을(를) 삭제할까요? 창업자 답변에 더 이상 쓰이지 않습니다.",
                             "en": "Remove '{title}'? Founders' answers will no longer use it."},
    "staff.remove.done": {"ko": "삭제했습니다: {title}", "en": "Removed: {title}"},
    "staff.cancelled": {"ko": "취소했습니다. 바뀐 것은 없습니다.", "en": "Cancelled; nothing changed."},
    "staff.docs.header": {"ko": "문서 {start}–{end} / {total}", "en": "Documents {start}–{end} of {total}"},
    "staff.docs.line": {"ko": "• {title} (v{version}, ~{valid}) /doc_{id}", "en": "• {title} (v{version}, until {valid}) /doc_{id}"},
    "staff.docs.empty": {"ko": "등록된 문서가 없습니다. 파일을 보내면 등록됩니다.",
                         "en": "No documents yet. Send a file to add one."},
    "staff.doc.usage": {"ko": "사용법: /doc <문서 ID> (/docs 에서 확인)", "en": "Usage: /doc <document id> (see /docs)"},
    "staff.doc.unknown": {"ko": "문서를 찾을 수 없습니다: {id}", "en": "No such document: {id}"},
    "staff.doc.detail": {
        "ko": "{title}\nID: {id} · v{version} · {file}\n지원사업: {programme}\n유효기한: {valid}\n쪽수: {pages} · 조각: {chunks}\n\n최근 이 문서를 인용한 질문:\n{questions}",
        "en": "{title}\nId: {id} · v{version} · {file}\nProgramme: {programme}\nValid until: {valid}\n"
              "Pages: {pages} · Chunks: {chunks}\n\nRecent questions that cited it:\n{questions}",
    },
    "staff.doc.no_questions": {"ko": "(아직 없음)", "en": "(none yet)"},
    "staff.expired": {
        "ko": "⏰ '{title}'의 유효기한({valid})이 지나 이제 답변에 인용되지 않습니다. 새 공고가 있으면 파일을 보내 주세요. (/doc {id})",
        "en": "⏰ '{title}' passed its valid-until date ({valid}) and is no longer cited. Send the new call if there "
              "is one. (/doc {id})",
    },
    "staff.notify.done": {"ko": "구독자 {count}명에게 알림을 보내고 있습니다.",
                          "en": "Notifying {count} subscribers."},
    "staff.notify.none": {"ko": "이 문서에 맞는 관심 분야를 구독한 사람이 없습니다.",
                          "en": "No subscriber's interests match this document."},
    "staff.notify.already": {"ko": "이 버전은 이미 알렸습니다. 같은 알림은 두 번 보내지 않습니다.",
                             "en": "This version was announced already; the same announcement is never sent twice."},
    "staff.sub.pick": {
        "ko": "어떤 소식을 받을까요? 관심 분야를 누르세요(다시 누르면 해제). 새 지원사업 자료가 올라오면 알려 드립니다.\n선택: {chosen}",
        "en": "Which news would you like? Tap your interests (tap again to drop one). I'll tell you when staff "
              "publish a matching programme document.\nChosen: {chosen}",
    },
    "staff.sub.topic.funding": {"ko": "지원사업·공고", "en": "Funding calls"},
    "staff.sub.topic.education": {"ko": "교육", "en": "Training"},
    "staff.sub.topic.events": {"ko": "행사", "en": "Events"},
    "staff.sub.topic.cafe": {"ko": "창업카페 소식", "en": "Cafe news"},
    "staff.sub.topic.all": {"ko": "전체", "en": "Everything"},
    "staff.sub.nothing": {"ko": "(없음)", "en": "(none)"},
    "staff.sub.off": {"ko": "알림 구독을 해지했습니다. 다시 받으려면 /subscribe", "en": "Unsubscribed. To subscribe again: /subscribe"},
    "staff.sub.not_subscribed": {"ko": "구독 중이 아닙니다. 받으려면 /subscribe", "en": "You are not subscribed. To subscribe: /subscribe"},
    "staff.announce.message": {"ko": "📢 새 자료: {title}{deadline}\n이 봇에게 바로 물어보세요.",
                               "en": "📢 New: {title}{deadline}\nAsk me about it right here."},
    "staff.announce.deadline": {"ko": "\n마감: {date}", "en": "\nDeadline: {date}"},
    "staff.announce.ask": {"ko": "이 공고에 대해 묻기", "en": "Ask about it"},
    "staff.announce.unsubscribe": {"ko": "알림 끄기", "en": "Unsubscribe"},
    "staff.announce.ask_prompt": {"ko": "'{title}'에 대해 무엇이 궁금하신가요? 질문을 보내 주세요.",
                                  "en": "What would you like to know about '{title}'? Send your question."},
    "staff.stats.text": {
        "ko": "📊 최근 {days}일\n질문: {total}\n자료로 답변: {answered} ({answered_pct}%) · 못 찾음: {not_found} ({not_found_pct}%)\n"
              "평가: 👍 {up} · 👎 {down}\n{escalations}\n\n자료가 없는 질문(추가할 문서 후보):\n{gaps}",
        "en": "📊 Last {days} days\nQuestions: {total}\nAnswered from documents: {answered} ({answered_pct}%) · Not "
              "found: {not_found} ({not_found_pct}%)\nRatings: 👍 {up} · 👎 {down}\n{escalations}\n\n"
              "Questions the documents don't answer (documents to add next):\n{gaps}",
    },
    "staff.stats.per_day": {"ko": "일별 질문: {days}", "en": "Questions per day: {days}"},
    "staff.stats.escalations": {
        "ko": "전문가 연결: 진행 중 {open} · 기한 초과 {overdue} · 첫 답변까지 중앙값 {median}",
        "en": "Expert escalations: open {open} · overdue {overdue} · median time to first reply {median}",
    },
    "staff.stats.no_escalations": {"ko": "전문가 연결: 아직 기록 없음", "en": "Expert escalations: not recorded yet"},
    "staff.stats.gap": {"ko": "• {example} ({count}회)", "en": "• {example} ({count}×)"},
    "staff.stats.no_gaps": {"ko": "(없음)", "en": "(none)"},
    "staff.stats.chart_title": {"ko": "최근 7일 질문", "en": "Questions, last 7 days"},
    "staff.stats.label.answer": {"ko": "자료로 답변", "en": "Answered"},
    "staff.stats.label.not_found": {"ko": "못 찾음", "en": "Not found"},
    "staff.stats.label.other": {"ko": "기타", "en": "Other"},
    "staff.cmd.docs": {"ko": "문서 목록", "en": "List documents"},
    "staff.cmd.doc": {"ko": "문서 보기: /doc <ID>", "en": "Show a document: /doc <id>"},
    "staff.cmd.stats": {"ko": "질문 통계와 차트", "en": "Question statistics and chart"},
    "staff.cmd.staff": {"ko": "직원 추가·제외: /staff add|remove <ID>", "en": "Add or remove staff: /staff add|remove <id>"},
    "staff.cmd.subscribe": {"ko": "새 지원사업 알림 받기", "en": "Get news of new programmes"},
    "staff.cmd.unsubscribe": {"ko": "알림 끄기", "en": "Stop the news"},
    # --- console chat ---
    "console.welcome": {
        "ko": "서울창업카페 도우미 콘솔입니다. 질문을 입력하세요. 명령: /reset, /lang ko|en, /quit",
        "en": "Seoul Startup Cafe assistant console. Type a question. Commands: /reset, /lang ko|en, /quit",
    },
    "console.reset": {"ko": "대화 맥락을 비웠습니다.", "en": "Conversation context cleared."},
    "console.lang_set": {"ko": "언어: 한국어", "en": "Language: English"},
    "console.lang_usage": {"ko": "사용법: /lang ko 또는 /lang en", "en": "Usage: /lang ko or /lang en"},
    "console.unknown_command": {"ko": "알 수 없는 명령입니다. /reset, /lang ko|en, /quit 를 쓸 수 있습니다.",
                                "en": "Unknown command. Available: /reset, /lang ko|en, /quit"},
    "console.error": {"ko": "죄송합니다. 답변을 준비하다가 문제가 생겼습니다. 다시 시도해 주세요.",
                      "en": "Sorry, something went wrong while preparing the answer. Please try again."},
    "console.bye": {"ko": "안녕히 가세요.", "en": "Goodbye."},
}


def t(key: str, lang: str = "ko", /, **fields: object) -> str:
    """The message `key` in `lang` (Korean if the language is unknown), with `fields` filled in."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["ko"]  # type: ignore[call-overload]
    return text.format(**fields) if fields else text


def retention_period(days: int, lang: str) -> str:
    """RETENTION_DAYS as the privacy notices say it: "1년" / "one year" for 365 days."""
    if days == 365:
        return t("tg.privacy.period.year", lang)
    if days % 365 == 0:
        return t("tg.privacy.period.years", lang, n=days // 365)
    return t("tg.privacy.period.days", lang, n=days)


def reject_message(reason: str, lang: str, file: str, *, size_mb: float = 0, limit_mb: int = 20) -> str:
    """The message for a DocumentRejected reason."""
    return t(f"reject.{reason}", lang, file=file, size_mb=round(size_mb, 1), limit_mb=limit_mb)


# --- expert escalation (issue 4): intake, tickets, experts' cards, service levels ---
MESSAGES.update({
    "esc.intake.start": {"ko": "전문가 검토를 위해 아이디어를 몇 가지 여쭙겠습니다. 언제든 ◀ 이전, ✖ 취소를 누를 수 있어요.",
                         "en": "A few questions so an expert can review your idea. Tap ◀ Back or ✖ Cancel any time."},
    "esc.ask.summary": {"ko": "1/8 아이디어를 한 줄로 요약해 주세요.", "en": "1/8 Your idea in one line?"},
    "esc.ask.problem": {"ko": "2/8 어떤 문제를 해결하나요?", "en": "2/8 What problem does it solve?"},
    "esc.ask.customers": {"ko": "3/8 목표 고객은 누구인가요?", "en": "3/8 Who are the target customers?"},
    "esc.ask.solution": {"ko": "4/8 해결 방법과 기존 대안과의 차이는 무엇인가요?",
                         "en": "4/8 Your solution, and what is different from existing options?"},
    "esc.ask.stage": {"ko": "5/8 현재 단계를 골라 주세요.", "en": "5/8 Pick your current stage."},
    "esc.ask.team": {"ko": "6/8 팀 구성은 어떻게 되나요?", "en": "6/8 Who is on the team?"},
    "esc.ask.feedback": {"ko": "7/8 어떤 피드백을 원하시나요?", "en": "7/8 What feedback do you want?"},
    "esc.ask.attachment": {"ko": "8/8 사업계획서(PDF)나 이미지를 보내 주세요(최대 20MB). 없으면 건너뛰기를 누르세요.",
                           "en": "8/8 Send a pitch deck (PDF) or image (max 20 MB), or tap Skip."},
    "esc.field.summary": {"ko": "한 줄 요약", "en": "Summary"},
    "esc.field.problem": {"ko": "문제", "en": "Problem"},
    "esc.field.customers": {"ko": "목표 고객", "en": "Target customers"},
    "esc.field.solution": {"ko": "해결 방법·차별점", "en": "Solution & difference"},
    "esc.field.stage": {"ko": "단계", "en": "Stage"},
    "esc.field.team": {"ko": "팀", "en": "Team"},
    "esc.field.feedback": {"ko": "원하는 피드백", "en": "Feedback wanted"},
    "esc.field.attachment": {"ko": "첨부", "en": "Attachment"},
    "esc.stage.idea": {"ko": "아이디어", "en": "Idea"},
    "esc.stage.mvp": {"ko": "MVP", "en": "MVP"},
    "esc.stage.revenue": {"ko": "매출 발생", "en": "Revenue"},
    "esc.btn.back": {"ko": "◀ 이전", "en": "◀ Back"},
    "esc.btn.cancel": {"ko": "✖ 취소", "en": "✖ Cancel"},
    "esc.btn.skip": {"ko": "건너뛰기", "en": "Skip"},
    "esc.btn.confirm": {"ko": "✅ 제출", "en": "✅ Submit"},
    "esc.btn.edit": {"ko": "✏️ 수정", "en": "✏️ Edit"},
    "esc.btn.claim": {"ko": "맡기", "en": "Claim"},
    "esc.btn.info": {"ko": "추가 정보 요청", "en": "Ask for info"},
    "esc.btn.answer": {"ko": "답변", "en": "Answer"},
    "esc.btn.close": {"ko": "종료", "en": "Close"},
    "esc.btn.pass": {"ko": "다른 전문가에게", "en": "Pass"},
    "esc.intake.card": {"ko": "입력하신 내용을 확인해 주세요.\n\n{fields}", "en": "Please check what you entered.\n\n{fields}"},
    "esc.intake.pick_field": {"ko": "어떤 항목을 고칠까요?", "en": "Which field do you want to change?"},
    "esc.intake.cancelled": {"ko": "아이디어 접수를 취소했습니다.", "en": "Idea submission cancelled."},
    "esc.intake.need_text": {"ko": "글로 입력해 주세요.", "en": "Please answer in text."},
    "esc.intake.need_file": {"ko": "PDF 문서나 이미지를 보내거나 건너뛰기를 눌러 주세요.",
                             "en": "Send a PDF document or an image, or tap Skip."},
    "esc.intake.too_large": {"ko": "파일이 20MB를 넘습니다. 더 작은 파일을 보내 주세요.",
                             "en": "The file is over 20 MB. Please send a smaller one."},
    "esc.intake.attached": {"ko": "첨부됨: {name}", "en": "Attached: {name}"},
    "esc.intake.none": {"ko": "없음", "en": "none"},
    "esc.ticket.created": {"ko": "접수번호 #{id}로 전문가에게 보냈습니다. 담당 전문가가 확인하면 알려 드리며, 보통 {hours}시간 안에 답변을 받습니다. "
                                 "전문가 메시지에 답장하거나 /ticket {id} 내용 으로 추가 메시지를 보낼 수 있습니다.",
                           "en": "Sent to the experts as ticket #{id}. We'll tell you when an expert picks it up; expect an answer within "
                                 "{hours} hours. Reply to an expert's message or use /ticket {id} <text> to add more."},
    "esc.ticket.claimed": {"ko": "#{id} {expert}이(가) 아이디어를 검토하기 시작했습니다.",
                           "en": "#{id}: {expert} has started reviewing your idea."},
    "esc.ticket.feedback": {"ko": "💬 #{id} {expert}의 피드백", "en": "💬 #{id} Feedback from {expert}"},
    "esc.ticket.closed": {"ko": "#{id} 검토가 끝났습니다.\n요약: {summary}\n\n도움이 되었는지 1~5점으로 평가해 주세요.",
                          "en": "#{id} review finished.\nSummary: {summary}\n\nPlease rate it from 1 to 5."},
    "esc.ticket.rated": {"ko": "평가 감사합니다. 남기실 의견이 있으면 이 메시지에 답장해 주세요.",
                         "en": "Thanks for rating. Reply to this message if you'd like to add a comment."},
    "esc.ticket.comment_saved": {"ko": "의견을 저장했습니다. 감사합니다.", "en": "Comment saved. Thank you."},
    "esc.ticket.withdrawn": {
        "ko": "#{id} 요청은 창업자가 개인정보 삭제를 요청해 철회되었습니다. 더 답하지 않으셔도 되며, 받은 요청서와 "
              "첨부파일은 따로 보관하지 말아 주세요.",
        "en": "#{id} was withdrawn: the founder asked for their data to be deleted. No answer is needed; please do "
              "not keep the request or its attachment.",
    },
    "esc.ticket.reassigned_founder": {"ko": "#{id} 더 빠른 답변을 위해 다른 전문가에게 다시 배정했습니다.",
                                      "en": "#{id} was passed to another expert to get you an answer sooner."},
    "esc.ticket.sent": {"ko": "#{id}에 전달했습니다.", "en": "Added to #{id}."},
    "esc.mytickets": {"ko": "내 접수 내역:\n{lines}", "en": "Your tickets:\n{lines}"},
    "esc.mytickets.none": {"ko": "접수한 아이디어가 없습니다. /idea 로 시작하세요.",
                           "en": "You have no tickets. Start with /idea."},
    "esc.state.open": {"ko": "대기", "en": "waiting"},
    "esc.state.claimed": {"ko": "검토 중", "en": "in review"},
    "esc.state.closed": {"ko": "완료", "en": "closed"},
    "esc.usage.ticket": {"ko": "사용법: /ticket 번호 내용", "en": "Usage: /ticket <number> <text>"},
    "esc.usage.reply": {"ko": "사용법: /reply 번호 내용", "en": "Usage: /reply <number> <text>"},
    "esc.usage.tickets": {"ko": "사용법: /tickets [open|claimed|closed] [expert=ID] [age=일수] [csv]",
                          "en": "Usage: /tickets [open|claimed|closed] [expert=ID] [age=days] [csv]"},
    "esc.usage.expert": {"ko": "사용법: /expert add ID 수용량 분야1,분야2 [별칭] 또는 /expert remove ID",
                         "en": "Usage: /expert add ID capacity field1,field2 [alias] or /expert remove ID"},
    "esc.expert.saved": {"ko": "전문가 {id}를 등록했습니다.", "en": "Expert {id} saved."},
    "esc.expert.removed": {"ko": "전문가 {id}를 해제했습니다.", "en": "Expert {id} removed."},
    "esc.card": {"ko": "🆕 아이디어 검토 요청 #{id}\n{fields}", "en": "🆕 Idea review request #{id}\n{fields}"},
    "esc.card.founder": {"ko": "창업자: {name}", "en": "Founder: {name}"},
    "esc.card.related": {"ko": "관련 지원사업(검색 결과): {titles}", "en": "Related programmes (retrieved): {titles}"},
    "esc.card.summary": {"ko": "🤖 AI 정리(평가 아님, 제출 내용 기준)\n{summary}",
                         "en": "🤖 AI digest (not an assessment; from the submission only)\n{summary}"},
    "esc.card.how": {"ko": "이 메시지(또는 주제)에 답장하면 창업자에게 전달됩니다. 비공개 대화에서는 /reply {id} 내용.",
                     "en": "Reply to this message (or in this topic) to answer the founder; in private use /reply {id} <text>."},
    "esc.expert.founder_msg": {"ko": "✉️ #{id} 창업자 메시지", "en": "✉️ #{id} message from the founder"},
    "esc.expert.prompt_answer": {"ko": "#{id} 창업자에게 보낼 답변을 이 메시지에 답장으로 보내 주세요.",
                                 "en": "#{id}: reply to this message with your answer to the founder."},
    "esc.expert.prompt_info": {"ko": "#{id} 창업자에게 요청할 추가 정보를 이 메시지에 답장으로 보내 주세요.",
                               "en": "#{id}: reply to this message with what you need from the founder."},
    "esc.expert.prompt_close": {"ko": "#{id} 종료 요약을 이 메시지에 답장으로 보내 주세요.",
                                "en": "#{id}: reply to this message with a short closing summary."},
    "esc.expert.claimed": {"ko": "#{id}를 {expert}이(가) 맡았습니다.", "en": "#{id} claimed by {expert}."},
    "esc.expert.closed": {"ko": "#{id} 종료됨: {summary}", "en": "#{id} closed: {summary}"},
    "esc.expert.passed": {"ko": "#{id}를 다른 전문가에게 넘겼습니다.", "en": "#{id} passed on."},
    "esc.expert.anonymous": {"ko": "전문가", "en": "Expert"},
    "esc.expert.relayed": {"ko": "창업자에게 전달했습니다.", "en": "Sent to the founder."},
    "esc.queue": {"ko": "내 담당:\n{mine}\n\n맡을 수 있는 건:\n{claimable}", "en": "Yours:\n{mine}\n\nClaimable:\n{claimable}"},
    "esc.sla.reminder": {"ko": "⏰ #{id}가 아직 담당자가 없습니다.", "en": "⏰ #{id} is still unclaimed."},
    "esc.sla.reassigned_staff": {"ko": "⚠️ #{id}가 기한 내에 처리되지 않아 다시 배정했습니다(→ {expert}).",
                                 "en": "⚠️ #{id} was not claimed in time and was reassigned (→ {expert})."},
    "esc.err.not_expert": {"ko": "등록된 전문가만 할 수 있습니다.", "en": "Only registered experts can do this."},
    "esc.err.not_staff": {"ko": "운영진만 쓸 수 있는 명령입니다.", "en": "This command is for staff only."},
    "esc.err.no_ticket": {"ko": "그런 접수번호가 없습니다.", "en": "No such ticket."},
    "esc.err.taken": {"ko": "다른 전문가가 맡은 건입니다.", "en": "Another expert has this ticket."},
    "esc.err.closed": {"ko": "이미 종료된 건입니다.", "en": "This ticket is already closed."},
    "esc.err.not_yours": {"ko": "본인의 접수 건이 아닙니다.", "en": "This is not your ticket."},
    "esc.err.bad_rating": {"ko": "1~5점 중에서 골라 주세요.", "en": "Pick a rating from 1 to 5."},
    "esc.err.not_closed": {"ko": "아직 종료되지 않은 건입니다.", "en": "This ticket is not closed yet."},
    "esc.err.empty_summary": {"ko": "요약을 적어 주세요.", "en": "Please write a summary."},
    "esc.err.bad_filter": {"ko": "알 수 없는 필터입니다.", "en": "Unknown filter."},
    "esc.err.missing_fields": {"ko": "빠진 항목이 있습니다.", "en": "Some fields are missing."},
    "esc.err.bad_stage": {"ko": "단계를 버튼으로 골라 주세요.", "en": "Pick the stage with the buttons."},
    "esc.err.unsupported": {"ko": "글, 문서, 음성만 전달할 수 있습니다.", "en": "Only text, documents and voice can be relayed."},
})
