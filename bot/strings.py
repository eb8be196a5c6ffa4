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
}


def t(key: str, lang: str = "ko", /, **fields: object) -> str:
    """The message `key` in `lang` (Korean if the language is unknown), with `fields` filled in."""
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["ko"]  # type: ignore[call-overload]
    return text.format(**fields) if fields else text


def reject_message(reason: str, lang: str, file: str, *, size_mb: float = 0, limit_mb: int = 20) -> str:
    """The message for a DocumentRejected reason."""
    return t(f"reject.{reason}", lang, file=file, size_mb=round(size_mb, 1), limit_mb=limit_mb)
