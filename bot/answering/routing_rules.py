"""Rules that route a founder's message before any model sees it: prompt injection, and a request for a
judgement of the founder's own idea.

An idea review goes to people, so it must be asked for: a judgement (사업성, 괜찮을까요, 봐 주세요, viable …) of
something that is the founder's own (제 아이디어, 내 사업계획서, "…을 만들려는데", my plan). A question that only
mentions 사업계획서, 평가 or 아이디어 ("사업계획서 몇 쪽까지 써요?", "평가는 누가 해요?") asks about the programme and
is answered from the documents. Both checks are plain patterns, cheap enough for a Telegram update filter.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

_INJECTION = re.compile(
    r"(?:이전|위의|앞의|앞선|기존|모든|원래|지금까지의?)\s*(?:의\s*)?(?:지시|명령|지침|규칙|프롬프트|설정|대화)\w*\s*"
    r"(?:은|는|을|를|다|모두|전부|싹)?\s*(?:모두|전부|다)?\s*(?:무시|잊어|잊고|무효)"
    r"|시스템\s*프롬프트|system\s*prompt|(?:너|네|당신)(?:의|가\s*받은)?\s*(?:지시\s*사항|지시문|지시|설정|프롬프트|규칙|지침|명령어?)"
    r"|프롬프트\w*\s*(?:를|을)?\s*(?:그대로\s*)?(?:보여|출력|알려|공개|말해)"
    r"|개발자\s*모드|관리자\s*모드|탈옥|jailbreak|\bDAN\b|제한\s*없이\s*(?:대답|답|말)|검열\s*없이"
    r"|ignore\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|your)\s+(?:instructions|prompts?|rules|directions)"
    r"|disregard\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|your)\s+\w+"
    r"|forget\s+(?:all\s+)?(?:your|previous|prior)\s+(?:instructions|rules)"
    r"|(?:reveal|show|print|repeat|output|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+|hidden\s+|initial\s+)?"
    r"(?:instructions|prompt|rules|configuration)"
    r"|developer\s+mode|without\s+(?:any\s+)?restrictions|you\s+are\s+now\s+(?:a|an|in)\b"
    r"|프롬프트.{0,15}(?:보여|출력|알려|공개|말해|읽어)|(?:설정|지시|지침|규칙)\w*.{0,12}(?:원문|그대로|전부|몽땅).{0,10}(?:출력|보여|공개|알려|읽어)"
    r"|숨겨진\s*(?:지시|설정|규칙|명령|프롬프트)|제한\s*(?:없는|없이)\s*(?:챗봇|AI|모드|대답|답)|역할극.{0,20}(?:제한|규칙|지시)"
    r"|(?:your|the)\s+(?:hidden\s+|system\s+)?instructions\s+verbatim|showing\s+your\s+(?:instructions|prompt|rules)"
    r"|forget\s+(?:the|all|your)\s+(?:documents|rules|instructions)|answer\s+anything\s+I\s+ask",
    _I,
)

# Something of the founder's own: "제 아이디어", "우리 서비스", "이 아이템", or a plan described ("…하려는데").
_OWN = re.compile(
    r"(?:제|내|저의|나의|우리|저희|우리\s*회사)\s*(?:사업\s*)?(?:아이디어|아이템|사업|계획|사업계획서?|계획서|서비스|앱|어플|"
    r"플랫폼|제품|비즈니스|모델|BM|피치|피칭|IR|발표\s*자료|창업|회사|스타트업|구상|기획)"
    r"|(?:이|이런|요런|이\s*같은)\s*(?:사업\s*)?(?:아이디어|아이템|사업\s*모델|비즈니스|서비스|계획)"
    r"|(?:하려|만들려|시작하려|창업하려|팔려|운영하려|개발하려|출시하려|론칭하려)(?:고\s*하)?(?:는데|고\s*해요|고\s*합니다|는\s*중)"
    r"|(?:하려|만들려|창업하려)고\s*(?:생각|준비|계획)"
    r"|(?:하|만들|개발하|준비하|운영하|구상하|팔|기획하)고\s*있(?:는데|어요|습니다|음)|(?:준비|구상|기획|개발|생각)\s*중"
    r"|(?:써|작성해)\s*(?:놨|놓았|뒀)|초안|아이템(?:은|이|는)\s"
    r"|\b(?:my|our)\s+(?:\w+\s+){0,2}(?:idea|plan|pitch|deck|startup|business|app|product|service|concept|model)"
    r"|\bthis\s+(?:\w+\s+)?(?:idea|plan|concept)\b"
    r"|\bI(?:'m| am|'ve| have)\s+(?:been\s+)?(?:building|planning|developing|making|starting|working\s+on|got)"
    r"|\b(?:is|would)\s+(?:a|an)\s+[\w\s-]{3,60}\b(?:still\s+)?(?:a\s+)?(?:good|viable|profitable)\b"
    r"|\bI\s+(?:want|plan|intend)\s+to\s+(?:build|start|launch|make|open|sell)",
    _I,
)
# A judgement asked for.
_JUDGEMENT = re.compile(
    r"사업성|될까|될지|될\s*것\s*같|괜찮(?:을까|은가|나요|아요\?|은\s*(?:아이디어|아이템)|을지)|어때|어떤가요|어떨까|어떻게\s*생각"
    r"|가능성\s*(?:이\s*)?(?:있|봐|평가)|성공할|성공\s*가능|망할|승산|경쟁력\s*(?:이\s*)?있|시장성"
    r"|평가해|평가\s*좀|평가받|평가를\s*받|봐\s*주|봐주|봐줄|검토해|검토\s*좀|검토받|검토를\s*받|피드백|조언|진단해|진단받|진단\s*좀"
    r"|투자\s*받을\s*수\s*있을|투자받을\s*수\s*있을|점수|냉정하게|솔직하게|어떻게\s*보세요|팔릴까|먹힐까|비싼가|비쌀까"
    r"|첨삭|고치면|보완할|돈\s*(?:이\s*)?될까|돈\s*될|가망|해볼\s*만|할\s*만한가|괜찮을지"
    r"|\bviab|\bfeedback\b|\breview\b|\bevaluate\b|\bassess|\bcritique\b|what\s+do\s+you\s+think|\bworth\b|"
    r"would\s+(?:it|this)\s+work|will\s+(?:it|this)\s+work|good\s+idea|\bsucceed|\bpotential\b|\brate\s+my|"
    r"do\s+you\s+think|\bscale\b|good\s+business|\bsell\b|\bmarket\s+fit\b|\bthoughts\b",
    _I,
)
# Asking how the cafe's review works, not for one: "아이디어 검토는 누가 해주나요?", "How does the review work?".
_ABOUT_THE_SERVICE = re.compile(
    r"누가\s*(?:해|봐|평가|검토|진단)|어디서\s*(?:받|신청)|어떻게\s*(?:받|신청)|얼마나\s*걸|언제\s*(?:답|받)|비용|무료"
    r"|(?:챗봇|AI|봇|너|네가|니가)\w*\s.{0,20}(?:해\s*주는\s*거|해\s*줘요\?|하나요|해요\?)"
    r"|\bwho\s+(?:reviews|evaluates|does)|\bhow\s+(?:do|can)\s+i\s+(?:get|request|apply)|how\s+long"
    r"|\b(?:does|do|can|will)\s+(?:the\s+)?(?:bot|chatbot|AI|you)\s+(?:itself\s+)?(?:review|evaluate|judge|score)",
    _I,
)


# Asking for a person, not about one: "직원분이랑 얘기하고 싶어요", "Can I talk to a human?".
_PERSON = re.compile(r"사람|직원|전문가|담당자|상담사|상담원|매니저|운영자|멘토|"
                     r"\bhuman\b|\bperson\b|\bagent\b|\bstaff\b|\bexpert|\bsomeone\b|\bmentor", _I)
_TALK = re.compile(
    r"(?:연결|얘기|이야기|상담|통화|대화|만나|문의)\w*\s*(?:하고\s*싶|할\s*수\s*있|하고\s*파|해\s*주|시켜|원해|부탁|가능할까|가능한가|가능해요)"
    r"|(?:talk|speak|chat|connect|get\s+in\s+touch)\s+(?:to|with)|\bcontact\s+(?:a|an|the|your)", _I)
# Messages about the programmes or the cafes are questions, whatever a classifier thinks.
_DOMAIN = re.compile(r"창업|지원|사업|카페|신청|공고|스타트업|프로그램|교육|센터|챗봇|평가|투자|서류|"
                     r"마감|자격|기간|접수|선정|금액|비용|일정|대상|조건|혜택|주소|위치|운영|서류|양식|발표|협약|"
                     r"startup|program|cafe|apply|application|fund|grant|support|document|deadline|eligib", _I)


# "이거 팔릴까요?": a demonstrative is the founder's own thing only next to a judgement no programme question asks.
_THIS = re.compile(r"이거|이것|요거|이\s*(?:앱|서비스|제품|모델|사업)", _I)
_STRONG_JUDGEMENT = re.compile(r"사업성|시장성|팔릴까|먹힐까|돈\s*(?:이\s*)?될|승산|첨삭|가망|"
                               r"\bviab|good\s+business|\bscale\b", _I)


# A wh-word asks about something ("그건 누가 해요?"), unless it asks about the bot itself ("너는 누구야?").
_WH_WORD = re.compile(r"누가|누구|언제|어디|얼마|몇|무엇|뭐|뭘|어떻게|어느|왜|"
                      r"\b(?:who|what|when|where|how|which|why)\b", _I)
_ABOUT_THE_BOT = re.compile(r"너|넌|니가|네가|당신|챗봇|\byou\b|\byour\b|\bbot\b", _I)


# Nearness said of the cafe itself ("가까운 창업카페", "근처에 있는 카페", "nearest cafe"), not of something near the
# cafe ("카페 근처에 주차할 곳", "parking near the cafe").
_NEAREST_CAFE = re.compile(
    r"(?:가까운|가깝|근처(?:에\s*있는)?|인근|주변)\s*(?:\S+\s*)?(?:창업\s*)?카페|카페\s*(?:는|가|중)?\s*(?:어디|어느)"
    r"[^.?!]*(?:가까|근처)|\b(?:nearest|closest)\s+(?:\w+\s+)?caf[eé]|\bcaf[eé]s?\s+near\s+me\b", _I)


def asks_for_nearest_cafe(message: str) -> bool:
    """"가장 가까운 창업카페가 어디예요?": answered from the cafes file, never from a guess."""
    return bool(_NEAREST_CAFE.search(message))


def asks_about_something(message: str) -> bool:
    """A question about the world rather than chat with the bot: small talk and off-topic labels do not stand."""
    return bool(_WH_WORD.search(message)) and not _ABOUT_THE_BOT.search(message)


def asks_for_person(message: str) -> bool:
    """The founder asks to talk to a person (expert or staff)."""
    return bool(_PERSON.search(message) and _TALK.search(message))


def about_the_programmes(message: str) -> bool:
    return bool(_DOMAIN.search(message))


def is_injection(message: str) -> bool:
    """A prompt-injection or "reveal your instructions" message: refused, never answered with quotes."""
    return bool(_INJECTION.search(message))


def asks_for_idea_review(message: str) -> bool:
    """The founder asks people to judge their own idea, plan or pitch."""
    if _ABOUT_THE_SERVICE.search(message) and not re.search(r"사업성|괜찮|어때|\bviab", message, _I):
        return False
    if _OWN.search(message) and _JUDGEMENT.search(message):
        return True
    return bool(_THIS.search(message) and _STRONG_JUDGEMENT.search(message))
