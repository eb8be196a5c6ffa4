"""Staff on Telegram: registry, uploads, documents, announcements, statistics."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # --- staff: registry, uploads, documents, announcements, statistics (bot/telegram/handlers/staff*.py) ---
    "staff.only": {"ko": "이 명령은 창업카페 직원만 쓸 수 있습니다.", "en": "This command is for cafe staff only."},
    "staff.usage": {
        "ko": "사용법: /staff add <사용자 ID>, /staff remove <사용자 ID>, /staff list\n사용자 ID는 숫자입니다(사용자명 "
              "불가).",
        "en": "Usage: /staff add <user id>, /staff remove <user id>, /staff list\nThe user id is a number "
              "(usernames are not accepted).",
    },
    "staff.bad_id": {
        "ko": "'{value}'은(는) 사용자 ID가 아닙니다. 숫자로 된 텔레그램 사용자 ID를 적어 주세요(사용자명은 바뀔 수 "
              "있어 받지 않습니다).",
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
        "ko": "파일을 보내 주셔서 감사합니다. 다만 자료 등록은 창업카페 직원만 할 수 있어 이 파일은 저장하지 "
              "않았습니다. 알리고 싶은 자료가 있으면 가까운 창업카페 직원에게 전해 주세요. 궁금한 점은 글로 물어보시면 "
              "답해 드립니다.",
        "en": "Thanks for the file. Documents are added by cafe staff only, so I haven't kept it. If it should be "
              "in the knowledge base, please pass it to the staff at your cafe. Ask me anything by text meanwhile.",
    },
    "staff.upload.downloading": {"ko": "📥 {file}\n내려받는 중…", "en": "📥 {file}\nDownloading…"},
    "staff.upload.reading": {"ko": "📄 {file}\n읽는 중…", "en": "📄 {file}\nReading…"},
    "staff.upload.read": {"ko": "📄 {file}\n{pages}쪽을 읽었습니다.", "en": "📄 {file}\nRead {pages} pages."},
    "staff.upload.chunked": {"ko": "✂️ {file}\n{chunks}개 조각으로 나눴습니다.",
                             "en": "✂️ {file}\nSplit into {chunks} chunks."},
    "staff.upload.embedding": {"ko": "🧠 {file}\n임베딩 {done}/{total}", "en": "🧠 {file}\nEmbedding {done}/{total}"},
    "staff.upload.indexing": {"ko": "🗂 {file}\n색인하는 중…", "en": "🗂 {file}\nIndexing…"},
    "staff.upload.done": {"ko": "✅ {file}\n완료 ({seconds:.1f}초). 지금부터 검색됩니다.",
                          "en": "✅ {file}\nDone in {seconds:.1f} s. It is searchable now."},
    "staff.upload.failed_progress": {"ko": "❌ {file}\n등록하지 못했습니다.", "en": "❌ {file}\nNot added."},
    "staff.upload.summary": {
        "ko": "{status}\n제목: {title}\n문서 ID: {id} (v{version})\n쪽수: {pages} · 조각: {chunks}\n지원사업: "
              "{programme}\n유효기한: {valid}",
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
        "ko": "{file}: 텔레그램에서 파일을 내려받지 못했습니다. 잠시 뒤 다시 보내 주세요. 지식베이스는 바뀌지 "
              "않았습니다.",
        "en": "{file}: the file could not be downloaded from Telegram. Send it again in a moment; the knowledge "
              "base is unchanged.",
    },
    "staff.upload.error": {
        "ko": "{file}: 등록 중 예상하지 못한 문제가 생겼습니다. 지식베이스는 바뀌지 않았습니다. 다시 보내도 안 되면 "
              "관리자에게 알려 주세요.",
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
    "staff.btn.cafe_only": {"ko": "📍 이 카페 전용 ({cafe})", "en": "📍 This cafe only ({cafe})"},
    "staff.btn.cafe_named": {"ko": "📍 {cafe} 전용", "en": "📍 {cafe} only"},
    "staff.btn.cafe_all": {"ko": "🌐 모든 카페 공통으로", "en": "🌐 Back to every cafe"},
    "staff.btn.prev": {"ko": "◀ 이전", "en": "◀ Previous"},
    "staff.btn.next": {"ko": "다음 ▶", "en": "Next ▶"},
    "staff.ask.title": {"ko": "새 제목을 보내 주세요.", "en": "Send the new title."},
    "staff.ask.programme": {"ko": "지원사업 이름을 보내 주세요(비우려면 -).",
                            "en": "Send the programme name (- to clear)."},
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
    "staff.replace.pick": {"ko": "'{title}'이(가) 어느 문서를 대체할까요?",
                           "en": "Which document should '{title}' replace?"},
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
    "staff.docs.line": {"ko": "• {title} (v{version}, ~{valid}) /doc_{id}",
                        "en": "• {title} (v{version}, until {valid}) /doc_{id}"},
    "staff.docs.cafe": {"ko": " 📍{cafe}", "en": " 📍{cafe}"},
    # Cafe notices: a document one cafe's own (bot/telegram/handlers/staff.py)
    "staff.doc.cafe_line": {"ko": "카페: {cafe} 전용", "en": "Cafe: {cafe} only"},
    "staff.doc.citywide_line": {"ko": "카페: 모든 카페 공통", "en": "Cafe: every cafe"},
    "staff.cafe.set": {
        "ko": "'{title}'은(는) 이제 {cafe} 전용입니다. {cafe}을(를) 고른 창업자의 질문에 답하고, 다른 카페를 고른 "
              "창업자에게는 쓰이지 않으며, 카페를 고르지 않은 분께는 '{cafe} 안내'로 표시됩니다. 구독자 알림도 {cafe} "
              "이용자에게만 갑니다.",
        "en": "'{title}' is now {cafe}'s own. It answers the founders who chose {cafe}, is not used for founders of "
              "other cafes, and is cited as '{cafe} notice' for founders who chose no cafe. Notifying subscribers "
              "reaches {cafe}'s founders only.",
    },
    "staff.cafe.cleared": {"ko": "'{title}'은(는) 이제 모든 카페 공통 문서입니다.",
                           "en": "'{title}' is for every cafe again."},
    "staff.cafe.other": {"ko": "다른 카페의 문서입니다. 그 카페 직원이 관리합니다.",
                         "en": "That is another cafe's document: its staff manage it."},
    "staff.docs.empty": {"ko": "등록된 문서가 없습니다. 파일을 보내면 등록됩니다.",
                         "en": "No documents yet. Send a file to add one."},
    "staff.doc.usage": {"ko": "사용법: /doc <문서 ID> (/docs 에서 확인)",
                        "en": "Usage: /doc <document id> (see /docs)"},
    "staff.doc.unknown": {"ko": "문서를 찾을 수 없습니다: {id}", "en": "No such document: {id}"},
    "staff.doc.detail": {
        "ko": "{title}\nID: {id} · v{version} · {file}\n지원사업: {programme}\n유효기한: {valid}\n쪽수: {pages} · "
              "조각: {chunks}\n\n최근 이 문서를 인용한 질문:\n{questions}",
        "en": "{title}\nId: {id} · v{version} · {file}\nProgramme: {programme}\nValid until: {valid}\n"
              "Pages: {pages} · Chunks: {chunks}\n\nRecent questions that cited it:\n{questions}",
    },
    "staff.doc.no_questions": {"ko": "(아직 없음)", "en": "(none yet)"},
    "staff.expired": {
        "ko": "⏰ '{title}'의 유효기한({valid})이 지나 이제 답변에 인용되지 않습니다. 새 공고가 있으면 파일을 보내 "
              "주세요. (/doc {id})",
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
        "ko": "어떤 소식을 받을까요? 관심 분야를 누르세요(다시 누르면 해제). 새 지원사업 자료가 올라오면 알려 "
              "드립니다.\n선택: {chosen}",
        "en": "Which news would you like? Tap your interests (tap again to drop one). I'll tell you when staff "
              "publish a matching programme document.\nChosen: {chosen}",
    },
    "staff.sub.topic.funding": {"ko": "지원사업·공고", "en": "Funding calls"},
    "staff.sub.topic.education": {"ko": "교육", "en": "Training"},
    "staff.sub.topic.events": {"ko": "행사", "en": "Events"},
    "staff.sub.topic.cafe": {"ko": "창업카페 소식", "en": "Cafe news"},
    "staff.sub.topic.all": {"ko": "전체", "en": "Everything"},
    "staff.sub.nothing": {"ko": "(없음)", "en": "(none)"},
    "staff.sub.off": {"ko": "알림 구독을 해지했습니다. 다시 받으려면 /subscribe",
                      "en": "Unsubscribed. To subscribe again: /subscribe"},
    "staff.sub.not_subscribed": {"ko": "구독 중이 아닙니다. 받으려면 /subscribe",
                                 "en": "You are not subscribed. To subscribe: /subscribe"},
    "staff.announce.message": {"ko": "📢 새 자료: {title}{deadline}\n이 봇에게 바로 물어보세요.",
                               "en": "📢 New: {title}{deadline}\nAsk me about it right here."},
    "staff.announce.deadline": {"ko": "\n마감: {date}", "en": "\nDeadline: {date}"},
    "staff.announce.ask": {"ko": "이 공고에 대해 묻기", "en": "Ask about it"},
    "staff.announce.unsubscribe": {"ko": "알림 끄기", "en": "Unsubscribe"},
    "staff.announce.ask_prompt": {"ko": "'{title}'에 대해 무엇이 궁금하신가요? 질문을 보내 주세요.",
                                  "en": "What would you like to know about '{title}'? Send your question."},
    "staff.stats.text": {
        "ko": "📊 최근 {days}일\n질문: {total}\n자료로 답변: {answered} ({answered_pct}%) · 못 찾음: {not_found} "
              "({not_found_pct}%)\n평가: 👍 {up} · 👎 {down}\n{escalations}\n\n자료가 없는 질문(추가할 문서 "
              "후보):\n{gaps}",
        "en": "📊 Last {days} days\nQuestions: {total}\nAnswered from documents: {answered} ({answered_pct}%) · Not "
              "found: {not_found} ({not_found_pct}%)\nRatings: 👍 {up} · 👎 {down}\n{escalations}\n\n"
              "Questions the documents don't answer (documents to add next):\n{gaps}",
    },
    "staff.stats.cafe": {"ko": "🏠 {cafes}", "en": "🏠 {cafes}"},
    "staff.stats.by_cafe": {"ko": "카페별 (질문 · 자료로 답변 · 못 찾음 · 진행 중 전문가 연결):\n{lines}",
                            "en": "By cafe (questions · answered from documents · not found · open escalations):\n"
                                  "{lines}"},
    "staff.stats.cafe_line": {"ko": "{cafe}: {total} · {answered_pct}% · {not_found} · {open}",
                              "en": "{cafe}: {total} · {answered_pct}% · {not_found} · {open}"},
    "staff.stats.no_cafe": {"ko": "카페 미선택", "en": "no cafe chosen"},
    "staff.stats.other_cafe": {"ko": "{cafe} 카페의 통계는 볼 수 없습니다. 담당 카페({mine})의 통계만 볼 수 있어요.",
                               "en": "You cannot see the statistics of cafe {cafe}: only your cafes' ({mine})."},
    "staff.stats.unknown_cafe": {"ko": "{cafe}라는 카페가 없습니다. 카페 ID: {ids}",
                                 "en": "There is no cafe {cafe}. Cafe ids: {ids}"},
    "staff.stats.per_day": {"ko": "일별 질문: {days}", "en": "Questions per day: {days}"},
    "staff.stats.escalations": {
        "ko": "전문가 연결: 진행 중 {open} · 기한 초과 {overdue} · 첫 답변까지 중앙값 {median}",
        "en": "Expert escalations: open {open} · overdue {overdue} · median time to first reply {median}",
    },
    "staff.stats.no_escalations": {"ko": "전문가 연결: 아직 기록 없음", "en": "Expert escalations: not recorded yet"},
    "staff.stats.gap": {"ko": "{n}. {example} ({count}회)", "en": "{n}. {example} ({count}×)"},
    "staff.stats.no_gaps": {"ko": "(없음)", "en": "(none)"},
    "staff.stats.chart_title": {"ko": "최근 7일 질문", "en": "Questions, last 7 days"},
    "staff.stats.label.answer": {"ko": "자료로 답변", "en": "Answered"},
    "staff.stats.label.not_found": {"ko": "못 찾음", "en": "Not found"},
    "staff.stats.label.other": {"ko": "기타", "en": "Other"},
    "staff.cmd.docs": {"ko": "문서 목록", "en": "List documents"},
    "staff.cmd.doc": {"ko": "문서 보기: /doc <ID>", "en": "Show a document: /doc <id>"},
    "staff.cmd.stats": {"ko": "질문 통계와 차트", "en": "Question statistics and chart"},
    "staff.city_wide_only": {"ko": "모든 카페를 관리하는 직원(관리자)만 할 수 있습니다. "
                                   "카페 직원과 전문가는 카페 파일에서 정합니다.",
                             "en": "Only city-wide staff (admins) can do this; each cafe's staff and experts are set "
                                   "in the cafes file."},
    "staff.cmd.questions": {"ko": "답변을 기다리는 창업자 질문", "en": "Founders' questions waiting for an answer"},
    "staff.cmd.bookings": {"ko": "카페 상담 예약 (날짜, CSV)", "en": "The cafe's consultations (dates, CSV)"},
    "staff.cmd.outbox": {"ko": "전달 실패 메시지: 다시 보내기·버리기", "en": "Undelivered messages: retry or drop"},
    "staff.cmd.staff": {"ko": "직원 추가·제외: /staff add|remove <ID>",
                        "en": "Add or remove staff: /staff add|remove <id>"},
    "staff.cmd.subscribe": {"ko": "새 지원사업 알림 받기", "en": "Get news of new programmes"},
    "staff.cmd.unsubscribe": {"ko": "알림 끄기", "en": "Stop the news"},
}
