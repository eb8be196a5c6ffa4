"""Document rejections, the command line, answers and the console chat."""

from __future__ import annotations

from bot.strings.types import Lang

MESSAGES: dict[str, dict[Lang, str]] = {
    # --- document rejections (CLI, staff uploads) ---
    "reject.unsupported_type": {
        "ko": "{file}: 지원하지 않는 파일 형식입니다. PDF, HWP, HWPX, DOCX, Markdown, 텍스트, HTML 파일을 보내 주세요.",
        "en": "{file}: this file type is not supported. Send PDF, HWP, HWPX, DOCX, Markdown, text or HTML.",
    },
    "reject.corrupt": {
        "ko": "{file}: 파일이 손상되었거나 형식이 올바르지 않아 읽을 수 없습니다. 원본 파일을 다시 저장해 보내 주세요.",
        "en": "{file}: the file is damaged or not what its name says, so it cannot be read. Save the original again "
              "and resend it.",
    },
    "reject.encrypted": {
        "ko": "{file}: 암호가 걸린(또는 배포용) 문서라 읽을 수 없습니다. 암호를 해제한 파일을 보내 주세요.",
        "en": "{file}: the document is password-protected (or a distribution copy). Send a copy without the password.",
    },
    "reject.no_text": {
        "ko": "{file}: 추출할 수 있는 글자가 없습니다(스캔 이미지 PDF 등). 텍스트가 들어 있는 원본이나 OCR 처리된 "
              "파일을 보내 주세요.",
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
    "answer.cafes_near": {"ko": "말씀하신 지역의 서울창업카페입니다.\n{cafes}\n\n/cafe 로 이용 카페를 정하면 그 카페의 "
                                "전문가와 직원이 도와드립니다.",
                          "en": "The Seoul Startup Cafe in that area:\n{cafes}\n\nChoose it with /cafe: its experts "
                                "and staff will help you."},
    "answer.cafes_all": {"ko": "어느 구에 계신지 알려 주시면 가까운 카페를 찾아 드립니다. "
                               "서울창업카페 목록입니다.\n{cafes}",
                         "en": "Tell me your district and I'll find the nearest one. "
                               "The Seoul Startup Cafes:\n{cafes}"},
    "answer.cafe_line": {"ko": "• {name} ({district}) — {address}, {hours}",
                         "en": "• {name} ({district}) — {address}, {hours}"},
    # Another cafe's own notice, as a citation and as the title the model sees (bot/answering/citations.py).
    "answer.cafe_notice": {"ko": "{cafe} 안내: {title}", "en": "{cafe} notice: {title}"},
    "cli.cafes.no_file": {"ko": "CAFES_FILE이 설정되지 않았습니다.", "en": "CAFES_FILE is not set."},
    "cli.cafes.synced": {"ko": "카페 동기화: 추가 {added} / 갱신 {updated} / 비활성 {deactivated}",
                         "en": "cafes synced: added {added} / updated {updated} / deactivated {deactivated}"},
    "cli.cafes.bad_file": {"ko": "카페 파일을 쓸 수 없습니다: {problem}",
                           "en": "The cafes file cannot be used: {problem}"},
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
        "ko": "데이터베이스 스키마({current})가 이 cafebot(최신 {head})보다 새 버전입니다. 마이그레이션한 버전의 "
              "cafebot을 실행하세요.",
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
    "answer.extractive_intro_korean": {
        "ko": "자료에서 찾은 내용입니다:",
        "en": "The documents are in Korean; here is the passage that answers this, quoted as written:",
    },
    "answer.refused": {
        "ko": "그 요청은 따를 수 없습니다. 서울창업카페와 창업 지원사업에 관해 궁금한 점을 물어봐 주세요.",
        "en": "I can't follow that request. Ask me about Seoul's startup cafes and startup support programmes.",
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
    # A curated answer (bot/knowledge/curated.py) as a source under an answer, with the day staff saved it.
    "answer.curated_source": {"ko": "카페 직원 답변 ({date})", "en": "Cafe staff answer ({date})"},
    # The title of a curated answer's document in /docs.
    "kb.curated_title": {"ko": "카페 직원 답변: {question}", "en": "Cafe staff answer: {question}"},
    "kb.seeding": {"ko": "기본 지식 베이스를 불러오는 중입니다: {path}",
                   "en": "Loading the default knowledge base from {path}"},
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
