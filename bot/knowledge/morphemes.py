"""Korean morpheme analysis with Kiwi: BM25 terms and sentence boundaries, from one shared analyser."""

from __future__ import annotations

import re
import threading
import unicodedata

from kiwipiepy import Kiwi

# Content-bearing parts of speech: nouns, verb/adjective stems, roots, foreign words, numbers, hanja.
_KEEP_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "SL", "SN", "SH", "MAG"})
_STOP_FORMS = frozenset({"하", "되", "있", "없", "것", "수", "등", "및", "이", "그", "저", "때"})
_LATIN = re.compile(r"[A-Za-z]")

_kiwi: Kiwi | None = None
_kiwi_lock = threading.Lock()


def kiwi() -> Kiwi:
    """The process-wide Kiwi instance (building one takes over a second)."""
    global _kiwi
    with _kiwi_lock:
        if _kiwi is None:
            _kiwi = Kiwi(num_workers=0)
        return _kiwi


def terms(text: str) -> list[str]:
    """BM25 terms of `text`: lower-cased content morphemes; English words stay whole."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for tok in kiwi().tokenize(text):
        if tok.tag not in _KEEP_TAGS or tok.form in _STOP_FORMS:
            continue
        form = tok.form.lower()
        # Single Hangul syllables other than nouns are mostly noise (stems like 하/되 are filtered above).
        if len(form) == 1 and not _LATIN.match(form) and tok.tag not in {"NNG", "NNP", "SN", "SH"}:
            continue
        out.append(form)
    return out


def terms_batch(texts: list[str]) -> list[list[str]]:
    """`terms` for many texts."""
    return [terms(t) for t in texts]


def sentences(text: str) -> list[str]:
    """Korean-aware sentence split (Kiwi), keeping the text of each sentence as written."""
    return [s.text.strip() for s in kiwi().split_into_sents(text) if s.text.strip()]


def proper_names(text: str) -> list[str]:
    """Proper nouns and foreign words (부산, TIPS): the names a question is about."""
    text = unicodedata.normalize("NFKC", text)
    return [t.form.lower() for t in kiwi().tokenize(text) if t.tag in {"NNP", "SL"} and len(t.form) >= 2]


# Nouns of any question that say nothing about what it asks ("나중에", "며칠", "혹시") …
VAGUE_NOUNS = frozenset({
    "나중", "며칠", "혹시", "정도", "경우", "관련", "내용", "질문", "이번", "작년", "올해", "내년", "요즘",
    "지금", "이거", "저거", "그거", "여기", "거기", "뭐", "누구", "언제", "어디", "얼마", "부분", "쪽", "때문",
    "후반", "초반", "중반",
})
# … or name the kind of answer asked for, not what it is about: the evidence need not repeat them.
ASKING_NOUNS = frozenset({"금액", "액수", "한도", "기간", "날짜", "일정", "방법", "절차", "시간", "마감", "장소",
                          "위치", "주소", "가능", "여부", "문의", "진행", "관리", "처리", "이용", "사용"})


def topic_nouns(text: str) -> list[str]:
    """The nouns of a Korean question that say what it is about, as BM25 terms (so they compare with the index)."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for t in kiwi().tokenize(text):
        form = t.form.lower()
        if t.tag in {"NNG", "NNP"} and len(form) >= 2 and form not in VAGUE_NOUNS and form not in ASKING_NOUNS:
            out.append(form)
    return out
