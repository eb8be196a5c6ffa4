"""Document loaders: every format, tables kept as rows, the real programme files, and every reject reason."""

from __future__ import annotations

import io
import random
import shutil
import struct
import zipfile
from pathlib import Path

import olefile
import pytest
from langchain_core.document_loaders import BaseLoader

from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.loaders import SUPPORTED_EXTENSIONS, LoadedFile, load_file, loader_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The shared fixtures live beside the project: /work/main/tests → /work/shared/fixtures/startup-leap-2025.
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "startup-leap-2025"
ANNOUNCEMENT = REAL / "[공고문] 2025년도 창업도약패키지(일반형) 창업기업 모집 수정공고.pdf"
FAQ = REAL / "[참고 3] 2025년도 창업도약패키지(일반형) 창업기업 모집 공고 주요 질의응답.pdf"
BROCHURE = REAL / "[별첨 3] 2025년도 창업도약패키지(일반형) 주관기관 소개자료.pdf"
MANUAL = REAL / "[참고 1] 온라인 사업신청 매뉴얼(일반형).pdf"
PLAN_HWP = REAL / "[별첨 1] 2025년도 창업도약패키지(일반형) 창업기업 사업계획서 양식.hwp"
PLAN_DOCX = REAL / "[별첨 1] 2025년도 창업도약패키지(일반형) 창업기업 사업계획서 양식.docx"
EVIDENCE_HWP = REAL / "[별첨 2] 2025년도 창업도약패키지(일반형) 창업기업 사업계획서 증빙서류 제출목록 양식.hwp"

needs_real = pytest.mark.skipif(not ANNOUNCEMENT.exists(), reason="shared fixtures not present")

_cache: dict[Path, LoadedFile] = {}


def load(path: Path) -> LoadedFile:
    """Real files are loaded once per test run (the FAQ takes about a second)."""
    if path not in _cache:
        _cache[path] = load_file(path)
    return _cache[path]


def text_of(loaded: LoadedFile) -> str:
    return "\n".join(p.page_content for p in loaded.pages)


def rejected(path: Path, **kwargs: object) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as info:
        load_file(path, **kwargs)  # type: ignore[arg-type]
    return info.value


# ---------------------------------------------------------------- contract


def test_supported_extensions() -> None:
    assert SUPPORTED_EXTENSIONS == frozenset(
        {".pdf", ".hwp", ".hwpx", ".docx", ".md", ".markdown", ".txt", ".html", ".htm"}
    )


@pytest.mark.parametrize("ext", sorted(SUPPORTED_EXTENSIONS))
def test_every_loader_is_a_langchain_loader(ext: str, tmp_path: Path) -> None:
    assert isinstance(loader_for(tmp_path / f"x{ext}"), BaseLoader)


def test_loaders_work_through_the_langchain_api() -> None:
    docs = loader_for(FIXTURES / "sample.hwpx").load()
    assert [d.metadata["section"] for d in docs] == ["", "1. 지원내용"]
    assert [d.metadata for d in loader_for(FIXTURES / "table.pdf").load()] == [{"page": 1}]


def test_loaded_file_is_frozen() -> None:
    loaded = load_file(FIXTURES / "sample.docx")
    with pytest.raises(AttributeError):
        loaded.title = "x"  # type: ignore[misc]


def test_display_name_is_used_for_name_and_type(tmp_path: Path) -> None:
    upload = tmp_path / "upload.bin"
    shutil.copy(FIXTURES / "sample.hwpx", upload)
    loaded = load_file(upload, display_name="[안내] 창업카페 운영 안내.hwpx")
    assert loaded.file_name == "[안내] 창업카페 운영 안내.hwpx"
    assert loaded.kind == "hwpx"
    assert loaded.title == "창업카페 운영 안내"


# ---------------------------------------------------------------- real files


@needs_real
def test_announcement_has_25_numbered_pages() -> None:
    loaded = load(ANNOUNCEMENT)
    assert loaded.kind == "pdf"
    assert loaded.page_count == 25
    assert [p.metadata["page"] for p in loaded.pages] == list(range(1, 26))
    assert loaded.title == "2025년도 창업도약패키지(일반형) 창업기업 모집 수정공고"
    assert "창업기업의 성장과 도약을 지원하는 『2025년도 창업도약패키지(일반형)』에" in text_of(loaded)


@needs_real
def test_announcement_tables_keep_their_rows() -> None:
    lines = text_of(load(ANNOUNCEMENT)).splitlines()
    for row in (
        "순번 | 주관기관명 | 선정규모 | 순번 | 주관기관명 | 선정규모",
        "1 | 경남창조경제혁신센터 | 22개사 | 6 | 울산경제일자리진흥원 | 19개사",
        "5 | 서원대학교 산학협력단 | 37개사 | 10 | 한국탄소산업진흥원 | 19개사",
        "215백만원 | 150백만원 | 22백만원 | 43백만원",
        "100% | 69.8% | 10.2% | 20.0%",
        "선정 규모 | 253개사 (성공환원형은 일반형 중 선정) | 100개사 | 20개사",
    ):
        assert row in lines


@needs_real
def test_faq_answer_box_is_one_row() -> None:
    text = text_of(load(FAQ))
    assert (
        "답변 | ☞ 사업 신청은 K-스타트업 누리집(홈페이지)을 통해 가능하며 방문 또는 우편 접수는 불가합니다."
        in text
    )
    assert "1 | 사업 신청은 어떻게 하나요?" in text
    assert load(FAQ).page_count == 22


@needs_real
def test_brochure_and_manual() -> None:
    brochure = text_of(load(BROCHURE))
    assert "홈페이지 | https://ccei.creativekorea.or.kr/gyeongnam/" in brochure
    assert "1 | 투자유치 | G-Start Up 인베스트 브릿지 |" in brochure
    manual = text_of(load(MANUAL))
    assert "□ K-스타트업 누리집(https://www.k-startup.go.kr) 접속 및 로그인" in manual


@needs_real
def test_business_plan_hwp_is_readable() -> None:
    loaded = load(PLAN_HWP)
    text = text_of(loaded)
    assert loaded.kind == "hwp"
    assert loaded.title == "2025년도 창업도약패키지(일반형) 창업기업 사업계획서 양식"
    for phrase in (
        "창업도약패키지 사업계획서 작성 목차 (일반형)",
        "항목 | 세부항목",
        "1. 문제인식 (Problem) | 1. 창업아이템 개발 동기(필요성) 및 현황",
        "□ 신청 및 일반현황",
        "기업명 | OOOOO (법인등기부등본 및 사업자등록증 상의 ‘본사(점)’ 명칭과 동일하게 기입)",
        "지원 분야 (택 1) | 제조 | 지식서비스",
    ):
        assert phrase in text
    sections = [p.metadata["section"] for p in loaded.pages]
    assert "2. 실현가능성 (Solution)" in sections
    assert all("page" not in p.metadata for p in loaded.pages)


@needs_real
def test_evidence_list_hwp_is_readable() -> None:
    text = text_of(load(EVIDENCE_HWP))
    for phrase in (
        "증빙서류 제출목록 안내(일반형)",
        "구 분 | 제출 서류",
        "(필수) 대표자(신청자) 신분증 사본",
        "4대사회보험료완납증명서",
        "개인(기업) 정보제공 및 신용조회 동의",
    ):
        assert phrase in text


@needs_real
def test_business_plan_docx_matches_hwp_content() -> None:
    loaded = load(PLAN_DOCX)
    text = text_of(loaded)
    assert loaded.kind == "docx"
    assert "항목 | 세부항목" in text
    assert "창업아이템명 | OO기술이 적용된 OO기능의 (혜택을 제공하는) OO제품·서비스 등" in text
    assert "□ 신청 및 일반현황" in text


# ---------------------------------------------------------------- small fixtures per format


def test_pdf_table_rows_and_doubled_text() -> None:
    loaded = load_file(FIXTURES / "table.pdf")
    lines = loaded.pages[0].page_content.splitlines()
    assert "Item | Amount | Note" in lines
    assert "Grant | 300 million | up to three years" in lines  # the two-line cell stays in its row
    assert "Cash share | 10 percent | minimum" in lines
    assert "Deadline is March 13" in lines  # drawn twice for bold, read once
    assert loaded.pages[0].metadata == {"page": 1}


def test_hwpx_paragraphs_headings_and_table() -> None:
    loaded = load_file(FIXTURES / "sample.hwpx")
    assert loaded.kind == "hwpx"
    assert loaded.title == "2025년 서울 창업카페 운영 안내"
    section = next(p for p in loaded.pages if p.metadata["section"] == "1. 지원내용")
    assert section.page_content.splitlines() == [
        "# 1. 지원내용",
        "창업기업의 성장과 도약을 지원합니다.",
        "둘째 줄입니다.",
        "구분 | 지원금액",
        "사업화 자금 | 최대 3억원",
        "※ 세부 내용은 공고문을 참고",
    ]


def test_docx_body_order_tables_and_heading_sections() -> None:
    loaded = load_file(FIXTURES / "sample.docx")
    assert loaded.title == "청년 창업 지원 안내"
    assert [p.metadata["section"] for p in loaded.pages] == ["지원 개요", "신청 방법"]
    assert loaded.pages[0].page_content.splitlines() == [
        "# 지원 개요",
        "서울 창업카페는 예비창업자에게 무료 상담을 제공합니다.",
        "구분 | 내용",
        "상담 | 매주 화요일",
        "교육 | 월 2회",
        "표 다음 문단입니다.",
    ]
    assert loaded.pages[1].page_content.startswith("## 신청 방법\n")


def test_markdown_front_matter_and_sections(tmp_path: Path) -> None:
    md = tmp_path / "guide.md"
    md.write_text(
        "---\ntitle: 서울 창업카페 이용 안내\nprogramme: 창업카페\nsource: https://example.org/cafe\n"
        "valid_until: 2025-12-31\nlang: ko\nunknown: ignored\n---\n"
        "# 이용 시간\n평일 09:00~18:00 운영합니다.\n\n## 예약\n온라인 예약이 필요합니다.\n"
        "```\n# 코드 블록 안의 샵은 제목이 아님\n```\n",
        encoding="utf-8",
    )
    loaded = load_file(md)
    assert loaded.front_matter == {
        "title": "서울 창업카페 이용 안내", "programme": "창업카페", "source": "https://example.org/cafe",
        "valid_until": "2025-12-31", "lang": "ko",
    }
    assert loaded.title == "서울 창업카페 이용 안내"
    assert [p.metadata["section"] for p in loaded.pages] == ["이용 시간", "예약"]
    assert "# 코드 블록 안의 샵은 제목이 아님" in loaded.pages[1].page_content


def test_markdown_bad_front_matter_values(tmp_path: Path) -> None:
    md = tmp_path / "notes.markdown"
    body = "# 안내\n창업 상담은 매주 화요일 오후에 카페 2층에서 진행합니다.\n"
    md.write_text("---\ntitle: [broken\nvalid_until: next year\n---\n" + body)
    loaded = load_file(md)
    # Not YAML (unclosed bracket): read leniently as key: value lines; the non-date valid_until is dropped.
    assert loaded.front_matter == {"title": "[broken"}
    assert "valid_until" not in loaded.front_matter


def test_legacy_cp949_text() -> None:
    loaded = load_file(FIXTURES / "legacy_cp949.txt")
    assert loaded.kind == "text"
    assert "상담은 매주 화요일 오후 2시에 진행합니다." in loaded.pages[0].page_content


def test_html_strips_scripts_and_keeps_table_rows(tmp_path: Path) -> None:
    page = tmp_path / "notice.html"
    page.write_text(
        "<html><head><title>창업카페 공지</title><style>p{color:red}</style></head><body>"
        "<script>alert('x')</script><h1>운영 안내</h1><p>매주 <b>화요일</b> 상담&amp;교육</p>"
        "<table><tr><th>구분</th><th>시간</th></tr><tr><td>상담</td><td>14:00</td></tr></table>"
        "<h2>문의</h2><p>02-123-4567</p></body></html>",
        encoding="utf-8",
    )
    loaded = load_file(page)
    assert loaded.title == "창업카페 공지"
    first = loaded.pages[0].page_content
    assert first.splitlines() == ["# 운영 안내", "매주 화요일 상담&교육", "구분 | 시간", "상담 | 14:00"]
    assert "alert" not in first and "color" not in first
    assert loaded.pages[1].metadata == {"section": "문의"}


# ---------------------------------------------------------------- rejections


def test_not_found(tmp_path: Path) -> None:
    assert rejected(tmp_path / "missing.pdf").reason is RejectReason.NOT_FOUND


def test_too_large_is_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.pdf"
    big.write_bytes(b"not even a pdf" * 100)
    assert rejected(big, max_bytes=100).reason is RejectReason.TOO_LARGE


@pytest.mark.parametrize("name", ["sheet.xlsx", "setup.exe", "README"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"data")
    assert rejected(tmp_path / name).reason is RejectReason.UNSUPPORTED_TYPE


def test_hwp3_and_legacy_doc_are_unsupported(tmp_path: Path) -> None:
    old = tmp_path / "old.hwp"
    old.write_bytes(b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\x00" * 100)
    assert rejected(old).reason is RejectReason.UNSUPPORTED_TYPE


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("fake.pdf", "이것은 PDF가 아닙니다".encode()),
        ("fake.docx", b"%PDF-1.4 not a zip"),
        ("fake.hwp", b"PK\x03\x04 a zip, not OLE"),
        ("fake.hwpx", b"plain text"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 200),
        ("binary.txt", b"\x00\x01\x02\x03" * 50),
        ("renamed.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\n" * 5),
    ],
)
def test_content_not_matching_the_extension_is_corrupt(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    assert rejected(tmp_path / name).reason is RejectReason.CORRUPT


def test_corrupt_and_truncated_pdf() -> None:
    assert rejected(FIXTURES / "corrupt.pdf").reason is RejectReason.CORRUPT


@needs_real
def test_truncated_hwp_is_corrupt(tmp_path: Path) -> None:
    cut = tmp_path / "cut.hwp"
    cut.write_bytes(PLAN_HWP.read_bytes()[:20000])
    assert rejected(cut).reason is RejectReason.CORRUPT


def test_encrypted_pdf_and_docx() -> None:
    assert rejected(FIXTURES / "encrypted.pdf").reason is RejectReason.ENCRYPTED
    assert rejected(FIXTURES / "encrypted.docx").reason is RejectReason.ENCRYPTED


def _hwp_with_flags(tmp_path: Path, flags: int) -> Path:
    target = tmp_path / "patched.hwp"
    shutil.copy(PLAN_HWP, target)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        header = bytearray(ole.openstream("FileHeader").read())
        struct.pack_into("<I", header, 36, struct.unpack_from("<I", header, 36)[0] | flags)
        ole.write_stream("FileHeader", bytes(header))
    return target


@needs_real
def test_password_hwp_is_encrypted(tmp_path: Path) -> None:
    error = rejected(_hwp_with_flags(tmp_path, 0x2))
    assert error.reason is RejectReason.ENCRYPTED and "password" in error.detail


@needs_real
def test_distribution_hwp_is_encrypted(tmp_path: Path) -> None:
    error = rejected(_hwp_with_flags(tmp_path, 0x4))
    assert error.reason is RejectReason.ENCRYPTED and "distribution" in error.detail


def test_scanned_pdf_has_no_text() -> None:
    assert rejected(FIXTURES / "scanned.pdf").reason is RejectReason.NO_TEXT


@pytest.mark.parametrize("content", ["", "   \n\n", "---\ntitle: 빈 문서\n---\n", "# 제목\n- -\n"])
def test_text_without_meaningful_content(tmp_path: Path, content: str) -> None:
    md = tmp_path / "empty.md"
    md.write_text(content, encoding="utf-8")
    assert rejected(md).reason is RejectReason.NO_TEXT


def test_forged_zip_sizes_are_a_bomb() -> None:
    assert rejected(FIXTURES / "bomb.docx").reason is RejectReason.ARCHIVE_BOMB


def test_highly_compressed_member_is_a_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "ratio.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (20 * 1024 * 1024))
    assert bomb.stat().st_size < 100_000
    assert rejected(bomb).reason is RejectReason.ARCHIVE_BOMB


def test_too_many_members_is_a_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "many.hwpx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(2100):
            zf.writestr(f"Contents/p{i}.xml", b"")
    bomb.write_bytes(buffer.getvalue())
    assert rejected(bomb).reason is RejectReason.ARCHIVE_BOMB


@needs_real
@pytest.mark.parametrize("source", [PLAN_HWP, PLAN_DOCX, MANUAL], ids=["hwp", "docx", "pdf"])
def test_damaged_files_never_raise_anything_else(tmp_path: Path, source: Path) -> None:
    data = source.read_bytes()
    rng = random.Random(source.name)
    for i in range(12):
        damaged = bytearray(data[: rng.randrange(len(data) // 3, len(data))] if i % 2 else data)
        for _ in range(20):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        target = tmp_path / f"damaged{i}{source.suffix}"
        target.write_bytes(bytes(damaged))
        try:
            result = load_file(target)
        except DocumentRejected:
            continue
        assert isinstance(result, LoadedFile)
