"""The named things a question is about (programmes, organisations, places, years), and whether a piece of
evidence speaks of them.

"초기창업패키지는 얼마예요?" is not answered by a sentence about 창업도약패키지's amounts, however close the words:
a quote answers only if the statement it comes from, its heading or its document names every key entity of the
question. Names come from the question's own form (a compound ending in 패키지, 사관학교, 센터 …; a proper noun; an
acronym; a year); English names also match a Korean document whose programme has a document titled with them
("Startup Leap Package" → 창업도약패키지), so the vocabulary grows with what staff upload.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.knowledge.morphemes import kiwi

# Compounds ending like a programme's or organisation's name.
_KO_NAME_SUFFIX = re.compile(
    r"(?:패키지|사관학교|아카데미|센터|펀드|챌린지|캠퍼스|허브|대학교?|진흥원|재단|공단|공사|테크노파크|플랫폼|"
    r"트레이드온|경진대회|보증|바우처|지원단)$"
)
_EN_NAME_SUFFIX = r"(?:package|programme|program|academy|cent(?:er|re)|fund|hub|school|campus|platform|voucher|" \
                  r"challenge|contest|university)"
_EN_NAME = re.compile(rf"\b((?:[a-z0-9][\w'-]*\s+){{1,3}}{_EN_NAME_SUFFIX})\b", re.IGNORECASE)
_EN_CAPITALISED = re.compile(r"\b([A-Z][\w'-]+(?:\s+(?:[A-Z][\w'-]+|of|and|for))*\s+[A-Z][\w'-]+)\b")
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9&]{1,9})\b")
_YEAR = re.compile(r"(?<!\d)(20[12]\d)\s*년?|[’'‘](\d{2})\s*년")
_PARTICLE = re.compile(r"(?:은|는|이|가|을|를|의|에|에서|으로|로|와|과|랑|이랑|도|만|까지|부터|요|이요|이에요|예요)$")
_HANGUL_WORD = re.compile(r"^[가-힣]+$")
# Names that are the whole domain, not a particular thing in it: every document speaks of them.
_GENERIC = frozenset({
    "창업카페", "서울창업카페", "카페", "센터", "패키지", "플랫폼", "대학", "대학교", "지원단", "프로그램",
    "서울", "서울시", "한국", "대한민국", "정부", "중기부", "중소벤처기업부", "창업", "스타트업",
    "startupcafe", "seoulstartupcafe", "startupcafes", "seoulstartupcafes", "thisprogramme", "theprogramme",
    "thisprogram", "theprogram", "aprogram", "aprogramme", "ai", "ok", "faq", "pdf", "id", "i", "q", "a",
    "kstartup", "k스타트업",
})
_EN_STOP_LEADS = frozenset({"the", "a", "an", "this", "that", "your", "my", "our", "any", "which", "what", "for",
                            "of", "in", "to", "from", "about", "and", "or", "is", "are", "can", "i", "do", "does",
                            "did", "was", "were", "will", "would", "could", "should", "when", "where", "how", "who",
                            "why", "at", "on", "by", "with", "join", "joined", "apply", "get"})
_PROPER_TAGS = frozenset({"NNP"})
# Capitalised inside a sentence, yet not a particular thing the documents must name.
_EN_COMMON_CAPITALISED = frozenset({"seoul", "korea", "korean", "english", "monday", "tuesday", "wednesday", "thursday",
                                    "friday", "saturday", "sunday", "january", "february", "march", "april", "may",
                                    "june", "july", "august", "september", "october", "november", "december", "ceo",
                                    "cto", "telegram", "google", "internet"})


def normalise(text: str) -> str:
    """Lower case without spaces, hyphens or dots: "K-스타트업" and "k 스타트업" compare equal."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\-‐–·ㆍ∙.,'’‘()\[\]「」『』“”\"]+", "", text)


@dataclass(frozen=True)
class Entity:
    text: str
    kind: str  # "name", "english_name" (several English words), "year"
    parts: tuple[str, ...] = ()  # the words a Korean name was typed as ("답십리 센터"): each must be named

    @property
    def key(self) -> str:
        return normalise(self.text)


def _strip_particle(word: str) -> str:
    stripped = _PARTICLE.sub("", word)
    return stripped if len(stripped) >= 2 else word


def _korean_names(question: str) -> list[str]:
    """Names as typed; a name typed in several words keeps them apart with spaces ("재도전 성공패키지")."""
    words = [_strip_particle(w.strip("?？!.,~\"'()")) for w in question.split()]
    names: list[str] = []
    for i, word in enumerate(words):
        if not _KO_NAME_SUFFIX.search(word) or not re.search(r"[가-힣]", word):
            continue
        name = word
        # "재도전 성공패키지", "창업 도약 패키지": the name was typed with spaces.
        j = i - 1
        while j >= 0 and i - j <= 2 and len(_KO_NAME_SUFFIX.sub("", name.replace(" ", ""))) < 4 \
                and _HANGUL_WORD.match(words[j]):
            name = f"{words[j]} {name}"
            j -= 1
        names.append(name)
    for token in kiwi().tokenize(question):
        if token.tag in _PROPER_TAGS and len(token.form) >= 2:
            names.append(token.form)
    return names


def _english_names(question: str) -> list[str]:
    names = [m.group(1) for m in _EN_CAPITALISED.finditer(question)]
    for m in _EN_NAME.finditer(question):
        words = m.group(1).split()
        while words and words[0].lower() in _EN_STOP_LEADS:
            words = words[1:]
        if len(words) >= 2:
            names.append(" ".join(words))
    return names


def _acronyms(question: str) -> list[str]:
    """Acronyms (TIPS, KVIC) and single capitalised words inside an English sentence (Busan): named things."""
    names = [m.group(1) for m in _ACRONYM.finditer(question)]
    if not re.search(r"[가-힣]", question):
        words = re.findall(r"(?<=[a-z,]\s)([A-Z][a-z]{2,})\b(?!\s+[A-Z])", question)
        names += [w for w in words if w.lower() not in _EN_COMMON_CAPITALISED]
    return names


def key_entities(question: str) -> list[Entity]:
    """The named things the question is about; an answer must speak of each."""
    return list(_key_entities(question))


@lru_cache(maxsize=2048)
def _key_entities(question: str) -> tuple[Entity, ...]:
    seen: set[str] = set()
    out: list[Entity] = []
    named = [(n, "name") for n in _korean_names(question) + _acronyms(question)]
    named += [(n, "english_name") for n in _english_names(question)]
    for name, kind in named:
        key = normalise(name)
        if len(key) < 2 or key in _GENERIC or key in seen:
            continue
        # A longer name already taken covers its parts ("재도전성공패키지" covers "성공패키지").
        if any(key in other for other in seen):
            continue
        seen.add(key)
        parts = tuple(normalise(p) for p in name.split()) if kind == "name" and " " in name else ()
        out.append(Entity(name.replace(" ", "") if kind == "name" else name, kind, parts))
    for m in _YEAR.finditer(question):
        year = m.group(1) or f"20{m.group(2)}"
        if year not in seen:
            seen.add(year)
            out.append(Entity(year, "year"))
    # Drop shorter names a longer one contains.
    return tuple(e for e in out if not any(e.key != o.key and e.key in o.key for o in out))


_PROGRAMME_YEAR = re.compile(
    r"(?<!\d)(20[12]\d)\s*년?\s*도?\s*(?:의\s*)?\S*(?:패키지|공고|모집|사업|선정|call|programme|program)"
    r"|(?:package|programme|program|call|round|cohort)\s+(?:in|for|of)\s+(20[12]\d)\b", re.IGNORECASE)
_ANY_YEAR = re.compile(r"(?<!\d)20[12]\d(?!\d)")


def programme_year(question: str) -> str | None:
    """The year of the call asked about ("2024년 창업도약패키지"), None when no year qualifies a programme."""
    m = _PROGRAMME_YEAR.search(question)
    return (m.group(1) or m.group(2)) if m else None


def other_year(title: str, year: str) -> bool:
    """The document is dated, and not with that year: a 2025 call does not answer for 2024."""
    years = set(_ANY_YEAR.findall(title))
    return bool(years) and year not in years


def _year_pattern(year: str) -> re.Pattern[str]:
    short = year[2:]
    return re.compile(rf"(?<!\d){year}(?!\d)|[’'‘]{short}(?!\d)|(?<!\d){short}\s*년")


def speaks_of(entity: Entity, evidence: str, aliases: str = "") -> bool:
    """Whether the evidence text (its statement, heading and document title) names the entity; `aliases` holds
    the `normalise`d names of the evidence's programme (its documents' titles), which English names may match."""
    if entity.kind == "year":
        return bool(_year_pattern(entity.text).search(evidence))
    text = normalise(evidence)
    if entity.key in text or (bool(aliases) and entity.key in aliases):
        return True
    return bool(entity.parts) and all(part in text for part in entity.parts)
