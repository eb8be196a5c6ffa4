"""Korean text cleanup: synthetic strings for each fix, and the fixes at work on the real programme PDFs."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from bot.knowledge.loaders import load_file
from bot.knowledge.textclean import (
    clean_text,
    collapse_whitespace,
    drop_page_furniture,
    drop_repeated_lines,
    fix_hyphenation,
    needs_spacing,
    normalize_unicode,
    remove_control_chars,
    restore_spacing,
    undouble_chars,
    undouble_runs,
)

# The shared fixtures live beside the project: /work/main/tests → /work/shared/fixtures/startup-leap-2025.
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "startup-leap-2025"
ANNOUNCEMENT = REAL / "[공고문] 2025년도 창업도약패키지(일반형) 창업기업 모집 수정공고.pdf"
FAQ = REAL / "[참고 3] 2025년도 창업도약패키지(일반형) 창업기업 모집 공고 주요 질의응답.pdf"

needs_real = pytest.mark.skipif(not ANNOUNCEMENT.exists(), reason="shared fixtures not present")


# ---------------------------------------------------------------- synthetic


def test_nfkc_keeps_korean_bullets_and_circled_numbers() -> None:
    text = "① 신청 ② 접수 ㉮ 항목 □ 개요 ○ 목적 ※ 참고 ◦ 세부 ▪ 기타 ㅇ 점검"
    assert normalize_unicode(text) == text


def test_nfkc_normalises_fullwidth_and_compatibility_forms() -> None:
    assert normalize_unicode("ＡＢＣ１２３（주）") == "ABC123(주)"
    assert normalize_unicode("㈜창업") == "(주)창업"
    assert normalize_unicode("ｈｔｔｐｓ") == "https"


def test_control_characters_and_line_endings() -> None:
    assert remove_control_chars("창업\x00카페\u200b안내\r\n둘째\x07줄\ufeff") == "창업카페안내\n둘째줄"
    assert remove_control_chars("탭\t유지\n줄") == "탭\t유지\n줄"


def test_hyphenation_is_fixed_only_for_latin_words() -> None:
    assert fix_hyphenation("commer-\ncialisation") == "commercialisation"
    assert fix_hyphenation("2025-\n03") == "2025-\n03"
    assert fix_hyphenation("창업-\n도약") == "창업-\n도약"


def test_whitespace_runs_and_blank_lines_collapse() -> None:
    assert collapse_whitespace("  창업   카페\t\t안내  \n\n\n\n둘째\u3000 줄 \n\n") == "창업 카페 안내\n\n둘째 줄"


def test_every_character_doubled_is_undone() -> None:
    assert undouble_chars("창창업업도도약약패패키키지지") == "창업도약패키지"
    assert undouble_chars("□□  지지원원내내용용") == "□ 지원내용"


def test_legitimate_repeats_survive_character_undoubling() -> None:
    for text in ("하하하하 재미있다", "ㅋㅋㅋㅋㅋㅋㅋㅋ", "1122 3344", "쑥쑥 자라는 기업", "빨리빨리 처리"):
        assert undouble_chars(text) == text


def test_doubled_runs_and_lines_are_undone() -> None:
    assert undouble_runs("창업도약패키지창업도약패키지 신청") == "창업도약패키지 신청"
    title = "창업기업 모집공고 주요 질의응답"
    assert undouble_runs(title + title) == title
    assert undouble_runs("참고자료 참고자료") == "참고자료"


def test_legitimate_repeated_words_survive_run_undoubling() -> None:
    for text in ("하나하나 점검", "사업 신청 사업 신청내역조회", "가나가나", "2025.2025."):
        assert undouble_runs(text) == text


def test_repeated_lines_dropped_but_short_cells_kept() -> None:
    text = "사업 신청은 온라인으로 가능합니다\n사업 신청은 온라인으로 가능합니다\n-\n-\n해당 없음\n해당 없음"
    assert drop_repeated_lines(text) == "사업 신청은 온라인으로 가능합니다\n-\n-\n해당 없음\n해당 없음"


def test_page_numbers_removed() -> None:
    assert drop_page_furniture("본문\n- 12 -\n다음") == "본문\n다음"
    assert drop_page_furniture("- 항목 설명") == "- 항목 설명"


def test_spacing_detection_only_for_lines_that_lost_spaces() -> None:
    assert needs_spacing("창업기업의성장과도약을지원하는사업에참여할기업을모집합니다")
    assert not needs_spacing("창업기업의 성장과 도약을 지원하는 사업에 참여할 기업을 모집합니다")
    assert not needs_spacing("4대사회보험료완납증명서(국민건강보험공단)")  # a real compound noun
    assert not needs_spacing("https://www.k-startup.go.kr/web/contents/bizpbanc-ongoing.do")


def test_spacing_restored_with_kiwi() -> None:
    fixed = restore_spacing("창업기업의성장과도약을지원하는사업에참여할기업을모집합니다.\n둘째 줄은 그대로")
    assert "성장과 도약을 지원하는" in fixed
    assert fixed.endswith("\n둘째 줄은 그대로")


def test_clean_text_end_to_end() -> None:
    raw = "\ufeff  ① 신청\x00 대상 :  창창업업도도약약패패키키지지 \r\n\r\n\r\n- 3 -\n（주）창업\n"
    assert clean_text(raw) == "① 신청 대상 : 창업도약패키지\n\n(주)창업"


def test_clean_text_is_idempotent() -> None:
    once = clean_text("창업도약패키지창업도약패키지\n\n\n① 신청   안내")
    assert clean_text(once) == once


# ---------------------------------------------------------------- real files


@needs_real
def test_real_pdf_lost_spacing_is_restored() -> None:
    # pypdf drops the word spaces of Hancom PDFs; the cleanup must put them back.
    raw = pypdf.PdfReader(str(ANNOUNCEMENT)).pages[0].extract_text()
    assert "창업기업의성장과도약을지원하는" in raw
    cleaned = clean_text(raw)
    assert "성장과 도약을 지원하는" in cleaned
    assert "창업기업의성장과" not in cleaned


@needs_real
def test_real_faq_doubled_title_is_not_doubled_after_loading() -> None:
    # PDFium's plain text repeats the cover title (a hidden copy under the visible one).
    with pdfium.PdfDocument(str(FAQ)) as doc:
        plain = doc[0].get_textpage().get_text_range()
    assert "창업도약패키지 창업도약패키지" in plain
    loaded = load_file(FAQ)
    assert "창업도약패키지 창업도약패키지" not in loaded.pages[0].page_content
    assert "「’25년 창업도약패키지(일반형) 창업기업 모집공고」" in loaded.pages[0].page_content


@needs_real
@pytest.mark.parametrize("path", [ANNOUNCEMENT, FAQ], ids=["announcement", "faq"])
def test_real_pdf_has_no_doubled_lines_or_runs(path: Path) -> None:
    for page in load_file(path).pages:
        lines = page.page_content.splitlines()
        for a, b in pairwise(lines):
            assert not (a == b and len(a) >= 8), f"doubled line on page {page.metadata['page']}: {a}"
        for line in lines:
            assert undouble_runs(line) == line
            assert undouble_chars(line) == line


@needs_real
def test_real_announcement_keeps_bullets_and_spacing() -> None:
    text = "\n".join(p.page_content for p in load_file(ANNOUNCEMENT).pages)
    for phrase in (
        "① 실명등록 대상 : 개명인, 외국인, 미성년자 등 인터넷 실명 확인 불가능자",
        "□ 사업목적 : 유망 기술창업 아이템을 보유한 도약기 창업기업의",
        "◦ (도약기 기업)",
        "※ 주관기관별 세부 지원내용은 [별첨 3] 주관기관 소개자료 참고",
        "중소벤처기업부 공고 제2025–147호",
    ):
        assert phrase in text
    assert "\x00" not in text
    assert "- 4 -" not in text.splitlines()
