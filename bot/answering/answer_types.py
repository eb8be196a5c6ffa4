"""What kind of answer a question asks for (an amount, a deadline, yes or no …) and whether a sentence carries it.

"얼마 받아요?" is answered by a sentence with an amount in it, "우편으로 내도 돼요?" by one that says 가능/불가, and a
sentence without what was asked does not answer, however similar its words. Korean and English.
"""

from __future__ import annotations

import re
from enum import StrEnum


class AnswerType(StrEnum):
    AMOUNT = "amount"
    DATE = "date"
    TIME = "time"
    DURATION = "duration"
    COUNT = "count"
    PERCENT = "percent"
    YES_NO = "yes_no"
    WHO = "who"
    WHERE = "where"
    HOW = "how"


# Types whose answer has a visible form (a number, a date, a verdict): evidence without it cannot answer.
CHECKED_TYPES = frozenset({
    AnswerType.AMOUNT, AnswerType.DATE, AnswerType.TIME, AnswerType.DURATION, AnswerType.COUNT,
    AnswerType.PERCENT, AnswerType.YES_NO,
})

_I = re.IGNORECASE
# Only words that ask for the value itself: "지원금 또 받을 수 있어요?" names money but asks yes or no.
_ASKS: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.AMOUNT: re.compile(r"얼마(?!나\s*(?:걸|오래|자주))|금액|액수|한도|\bhow much\b|\bamount\b", _I),
    AnswerType.DATE: re.compile(
        r"언제|마감(?!\s*(?:후|이후|뒤|전|이전))|기한|날짜|며칠까지|몇\s*월|몇\s*일까지|(?:신청|접수|모집|공모)\s*기간|"
        r"\bwhen\b|\bdeadline\b|"
        r"\bwhat date\b|\bdue\b|\bclose[sd]?\b", _I),
    AnswerType.TIME: re.compile(r"몇\s*시|몇시|\bwhat time\b|\bo'?clock\b", _I),
    AnswerType.DURATION: re.compile(
        r"얼마나\s*(?:걸|오래)|몇\s*(?:년|개월|달|주)|며칠\s*(?:안|이내|동안|걸|만)|\bhow long\b|"
        r"\bhow many (?:years|months|days|weeks)\b", _I),
    AnswerType.COUNT: re.compile(
        r"몇\s*(?:개|명|곳|군데|팀|번|회|쪽|페이지|장|배|점|단계|차)|\bhow many\b|\bnumber of\b", _I),
    AnswerType.PERCENT: re.compile(r"비율|퍼센트|몇\s*%|몇\s*프로|\bpercent|\bratio\b|\bproportion\b", _I),
    AnswerType.WHO: re.compile(r"누가|누구|어느\s*기관|어떤\s*기관|\bwho\b|\bwhich (?:organi[sz]ation|agency)", _I),
    AnswerType.WHERE: re.compile(
        r"어디|장소|위치|주소|어느\s*사이트|\bwhere\b|\bwhich (?:site|website)\b|\baddress\b", _I),
    AnswerType.HOW: re.compile(r"어떻게|방법|절차|\bhow (?:do|can|to|should)\b|\bprocess\b|\bsteps?\b", _I),
}
# A wh-word makes the question open, whatever its ending ("어떻게 하나요?" asks how, not whether).
_WH = re.compile(r"얼마|언제|어디|누가|누구|무엇|뭐|뭘|무슨|어떻게|어떤|어느|몇|왜|"
                 r"\b(?:what|when|where|who|whom|which|why|how)\b", _I)
_YES_NO_KO = re.compile(
    r"(?:가능|되나|돼|되요|됨|될까|되는지|있나|있어|있음|없나|없어|인가|맞나|맞아|해야\s*(?:하나|돼|되나|해|함)|"
    r"필요한가|필요해|해도|도\s*되|할\s*수\s*있|받을\s*수\s*있|괜찮|나요|까요|가요|죠|니|냐)\s*요?\s*[?？]*\s*$")
_YES_NO_EN = re.compile(r"^\s*(?:can|could|is|are|am|do|does|did|may|must|should|will|would|have|has)\b", _I)

# Documents state numbers many ways (3억원, 50%, 6일 이내, 16:00), so a numeric question is satisfied by any
# number; what the gate catches is evidence with no number at all.
_NUMBER = r"\d|[일이삼사오육칠팔구십백천만억]\s*(?:원|명|곳|개|년|개월|일|시)|" \
          r"한\s*(?:곳|명|개|번)|두\s*(?:곳|명|개|번)|" \
          r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice)\b"
_CARRIES: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.AMOUNT: re.compile(r"\d[\d,.]*\s*(?:억|만|천|백만|십억)?\s*원|\d\s*억|\d\s*%|퍼센트|\bwon\b|\bKRW\b|"
                                  r"\bmillion\b|\bbillion\b|무료|무상|전액|자부담|부담하지", _I),
    # A date, not any number: "’22~’24년 참여기업" names years, it does not say when.
    AnswerType.DATE: re.compile(
        r"\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?|[’']?\d{2,4}\s*\.\s*\d{1,2}\s*\.(?:\s*\d{1,2}\s*\.?)?|\d{4}\s*년|"
        r"\d{4}-\d{2}-\d{2}|\d{1,2}\s*:\s*\d{2}|\d+\s*일\s*(?:이내|전|후|까지|부터)|상시|수시|"
        r"(?:접수|신청|모집|협약)\s*기간\s*(?:내|중|안)|마감\s*(?:전|이전|후|이후|까지|일)|(?:종료|선정|통보)\s*(?:전|후|이후|까지)|[월화수목금토일]요일|매주|매월|매년|"
        r"첫째|둘째|셋째|넷째|마지막\s*주|주말|평일|연중|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|"
        r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekly|monthly)\b|\b(?:19|20)\d{2}\b", _I),
    AnswerType.TIME: re.compile(r"\d{1,2}\s*:\s*\d{2}|\d{1,2}\s*시(?!간|장|행|스템|설|작|범|기|점|도)|"
                                r"오전|오후|정오|자정|정각|"
                                r"\b\d{1,2}\s*(?:a\.?m\.?|p\.?m\.?)|\bnoon\b|\bmidnight\b", _I),
    AnswerType.DURATION: re.compile(rf"{_NUMBER}|이내|초과|미만|동안", _I),
    AnswerType.COUNT: re.compile(_NUMBER, _I),
    AnswerType.PERCENT: re.compile(rf"{_NUMBER}|절반|전액", _I),
    AnswerType.YES_NO: re.compile(
        r"가능|불가|없습니다|없음|없으며|없고|않습니다|않으며|않고|않음|안\s*됩니다|안됩니다|됩니다|되며|해야|하여야|필요|"
        r"제외|허용|금지|인정|제한|할\s*수\s*있|할\s*수\s*없|수\s*있습니다|네,|아니요|아닙니다|그렇습니다|받지\s*않|"
        r"\b(?:yes|no|not|cannot|can't|must|only|allowed|required|free)\b", _I),
}


def asked_types(question: str) -> set[AnswerType]:
    """The kinds of answer the question asks for (empty when it asks for nothing in particular)."""
    found = {kind for kind, pattern in _ASKS.items() if pattern.search(question)}
    if not _WH.search(question) and (_YES_NO_KO.search(question.strip()) or _YES_NO_EN.match(question)):
        found.add(AnswerType.YES_NO)
    # "몇 시" is a time, not a count; "얼마나 걸려" a duration, not an amount.
    if AnswerType.TIME in found:
        found.discard(AnswerType.COUNT)
    if AnswerType.DURATION in found:
        found.discard(AnswerType.AMOUNT)
        found.discard(AnswerType.COUNT)
    return found


# "[별첨3]", "[붙임 4]", "(6p)": numbers that point elsewhere, not values.
_REFERENCE = re.compile(r"\[[^\]]{0,12}\]|\(\s*\d+\s*p\s*\)|[①-⑳]|(?:붙임|별첨|참고|서식|별지)\s*\d+")


def carries(sentence: str, kind: AnswerType) -> bool:
    """Whether the sentence has the form of that kind of answer (types without a form always pass)."""
    pattern = _CARRIES.get(kind)
    return True if pattern is None else bool(pattern.search(_REFERENCE.sub(" ", sentence)))


def checked(types: set[AnswerType]) -> set[AnswerType]:
    """The asked types evidence must visibly carry."""
    return {t for t in types if t in CHECKED_TYPES}


def answers_all(sentence: str, types: set[AnswerType]) -> bool:
    """A sentence answers when it carries at least one of the checked types asked (or none were)."""
    wanted = checked(types)
    return not wanted or any(carries(sentence, t) for t in wanted)
