"""Questions passed to the cafe staff: what founders and staff read (bot.staff.questions, its Telegram handler)."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # Founders
    "sq.btn.ask": {"ko": "🙋 카페 직원에게 물어보기", "en": "🙋 Ask the cafe staff"},
    "sq.offer": {"ko": "답이 충분하지 않았다면 카페 직원에게 이 질문을 그대로 전달할 수 있습니다.",
                 "en": "If that did not answer you, I can pass your question on to the cafe staff as you asked it."},
    "sq.asked": {"ko": "카페 직원에게 질문을 전달했습니다. 보통 {hours}시간 안에 이 대화방으로 답변을 드립니다.",
                 "en": "I passed your question on to the cafe staff. You'll get their answer here, usually within "
                       "{hours} hours."},
    "sq.asked.closed": {"ko": "카페 직원에게 질문을 전달했습니다. 지금은 운영 시간이 아니라 {back}(한국 시간)부터 "
                              "확인하며, 보통 {hours}시간 안에 이 대화방으로 답변을 드립니다.",
                        "en": "I passed your question on to the cafe staff. They are out now and back at {back} "
                              "(Korea time); you'll get their answer here, usually within {hours} hours."},
    "sq.answer": {"ko": "🧑‍💼 카페 직원 답변 (#{id})\n\n{answer}\n\n더 궁금한 점은 이 메시지에 답장해 주세요.",
                  "en": "🧑‍💼 Answer from the cafe staff (#{id})\n\n{answer}\n\nReply to this message to ask more."},
    "sq.follow_up.sent": {"ko": "#{id} 추가 질문을 카페 직원에게 전달했습니다.",
                          "en": "Your follow-up to #{id} went to the cafe staff."},
    "sq.covered": {"ko": "🧑‍💼 카페 직원 안내: 이 내용은 문서에 있습니다.\n📄 {where}\n“{text}”",
                   "en": "🧑‍💼 From the cafe staff: the documents cover this.\n📄 {where}\n“{text}”"},
    "sq.redirected": {"ko": "🧑‍💼 카페 직원 안내: 이 질문은 창업카페에서 안내하기 어려운 주제입니다. 중소벤처기업부 "
                            "통합콜센터(국번 없이 1357)나 관련 기관에 문의해 주세요.",
                      "en": "🧑‍💼 From the cafe staff: this is outside what the startup cafes can advise on. The "
                            "SME ministry's call centre (1357 in Korea) or the agency concerned can help."},
    "sq.where.page": {"ko": "{title} {page}쪽", "en": "{title}, p. {page}"},
    # Staff
    "sq.card": {"ko": "❓ 창업자 질문 #{id} (문서에서 답을 찾지 못함)\n{question}",
                "en": "❓ Founder's question #{id} (not answered by the documents)\n{question}"},
    "sq.card.founder": {"ko": "창업자: {name}", "en": "Founder: {name}"},
    "sq.card.context": {"ko": "직전 대화\n질문: {question}\n봇: {answer}",
                        "en": "Just before\nQuestion: {question}\nBot: {answer}"},
    "sq.card.tried": {"ko": "봇이 찾은 문서 (답이 아니라고 판단함)\n{passages}",
                      "en": "What retrieval found (judged not to answer)\n{passages}"},
    "sq.card.tried_none": {"ko": "봇이 찾은 관련 문서가 없습니다.", "en": "Retrieval found nothing related."},
    "sq.card.how": {"ko": "이 메시지(또는 주제)에 답장하면 창업자에게 답변으로 전달됩니다.",
                    "en": "Reply to this message (or in this topic) to answer the founder."},
    "sq.btn.claim": {"ko": "맡기", "en": "Claim"},
    "sq.btn.answer_gap": {"ko": "{n}번 답변하기", "en": "Answer #{n}"},
    "sq.btn.answer": {"ko": "답변", "en": "Answer"},
    "sq.btn.covered": {"ko": "문서에 있음", "en": "Documents cover it"},
    "sq.btn.redirect": {"ko": "다른 기관 안내", "en": "Not our topic"},
    "sq.btn.close": {"ko": "종료", "en": "Close"},
    "sq.btn.save": {"ko": "💾 모두를 위한 답변으로 저장", "en": "💾 Save as an answer for everyone"},
    "sq.btn.edit_question": {"ko": "질문 고치기", "en": "Edit question"},
    "sq.btn.edit_answer": {"ko": "답변 고치기", "en": "Edit answer"},
    "sq.btn.programme": {"ko": "지원사업", "en": "Programme"},
    "sq.btn.valid_until": {"ko": "유효기간", "en": "Valid until"},
    "sq.btn.confirm": {"ko": "✅ 저장", "en": "✅ Save"},
    "sq.btn.cancel": {"ko": "✖ 취소", "en": "✖ Cancel"},
    "sq.prompt.answer": {"ko": "#{id} 창업자에게 보낼 답변을 이 메시지에 답장으로 보내 주세요.",
                         "en": "#{id}: reply to this message with the answer for the founder."},
    "sq.prompt.edit_q": {"ko": "#{id} 저장할 질문 문구를 답장으로 보내 주세요.",
                         "en": "#{id}: reply with the question as it should be saved."},
    "sq.prompt.edit_a": {"ko": "#{id} 저장할 답변 문구를 답장으로 보내 주세요.",
                         "en": "#{id}: reply with the answer as it should be saved."},
    "sq.prompt.programme": {"ko": "#{id} 지원사업 이름을 답장으로 보내 주세요(없으면 -).",
                            "en": "#{id}: reply with the programme's name (or - for none)."},
    "sq.prompt.until": {"ko": "#{id} 유효기간을 YYYY-MM-DD로 답장해 주세요(없으면 -).",
                        "en": "#{id}: reply with the date it is valid until, YYYY-MM-DD (or - for none)."},
    "sq.pick_passage": {"ko": "#{id} 답이 있는 문서를 고르세요. 창업자에게 그 부분을 안내합니다.",
                        "en": "#{id}: pick the passage that answers it; the founder is pointed to it."},
    "sq.claimed": {"ko": "#{id} {staff} 님이 맡았습니다.", "en": "#{id} claimed by {staff}."},
    "sq.answered": {"ko": "#{id} 답변을 창업자에게 보냈습니다. 다음 창업자도 이 답을 받도록 저장할 수 있습니다.",
                    "en": "#{id}: the answer went to the founder. Save it so the next founder gets it too."},
    "sq.follow_up": {"ko": "✉️ #{id} 창업자의 추가 질문\n\n{text}",
                     "en": "✉️ #{id} follow-up from the founder\n\n{text}"},
    "sq.covered.staff": {"ko": "#{id} 문서의 해당 부분을 창업자에게 안내했습니다(검색 누락으로 기록).",
                         "en": "#{id}: the founder was pointed to the passage (recorded as a retrieval miss)."},
    "sq.redirected.staff": {"ko": "#{id} 다른 기관 안내를 보냈습니다.", "en": "#{id}: the founder was redirected."},
    "sq.closed": {"ko": "#{id} 종료했습니다.", "en": "#{id} closed."},
    "sq.reminder": {"ko": "⏰ #{id} 질문이 아직 답변을 기다립니다: {question}",
                    "en": "⏰ #{id} is still waiting for an answer: {question}"},
    "sq.draft": {"ko": "💾 #{id} 모두를 위한 답변으로 저장\n질문: {question}\n답변: {answer}\n지원사업: {programme}\n"
                       "유효기간: {until}\n\n창업자의 질문 문구는 고치지 않으면 그대로 저장됩니다"
                       "(창업자 정보는 저장되지 않습니다).",
                 "en": "💾 #{id} save as an answer for everyone\nQuestion: {question}\nAnswer: {answer}\n"
                       "Programme: {programme}\nValid until: {until}\n\nThe founder's wording of the question is "
                       "saved unless you edit it (nothing about the founder is saved)."},
    "sq.saved": {"ko": "저장했습니다: {title}. 비슷한 질문에 이 답변이 인용됩니다.",
                 "en": "Saved: {title}. Similar questions will now get this answer."},
    "sq.cancelled": {"ko": "저장하지 않았습니다.", "en": "Not saved."},
    "sq.list": {"ko": "답변을 기다리는 질문 ({n}):\n{lines}",
                "en": "Questions waiting for an answer ({n}):\n{lines}"},
    "sq.list.empty": {"ko": "답변을 기다리는 질문이 없습니다.", "en": "No questions are waiting."},
    "sq.list.line": {"ko": "#{id} [{state}] {question}", "en": "#{id} [{state}] {question}"},
    "sq.state.open": {"ko": "대기", "en": "waiting"},
    "sq.state.claimed": {"ko": "처리 중", "en": "in hand"},
    # Refusals
    "sq.err.not_staff": {"ko": "카페 직원만 할 수 있습니다.", "en": "Only cafe staff can do this."},
    "sq.err.no_staff": {"ko": "아직 이 봇으로 답할 카페 직원이 없습니다. 가까운 서울창업카페에 직접 문의해 주세요.",
                        "en": "No cafe staff answer through this bot yet. Please ask at a Seoul Startup Cafe "
                              "directly."},
    "sq.err.no_question": {"ko": "해당 질문을 찾을 수 없습니다.", "en": "That question no longer exists."},
    "sq.err.closed": {"ko": "이미 종료된 질문입니다.", "en": "That question is closed."},
    "sq.err.not_yours": {"ko": "본인이 한 질문만 전달할 수 있습니다.", "en": "You can only pass on your own question."},
    "sq.err.no_answer": {"ko": "저장할 답변이 아직 없습니다.", "en": "There is no answer to save yet."},
    "sq.err.bad_date": {"ko": "날짜는 2026-12-31처럼 보내 주세요.", "en": "Send the date like 2026-12-31."},
    "sq.err.empty": {"ko": "내용이 비어 있습니다.", "en": "That was empty."},
}
