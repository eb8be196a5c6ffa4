"""Check the evaluation question sets against the documents they point at.

    .venv/bin/python bench/questions/verify.py            # everything
    .venv/bin/python bench/questions/verify.py --quiet    # only problems and the summary

What is checked:
  * knowledge/*.md: front matter (title, programme, source, lang; valid_until a date when present),
    lowercase kebab-case file names, body length 1,500-5,000 characters, an `-en.md` file has `lang: en`.
  * bench/questions/knowledge_qa.jsonl: schema, unique ids, kinds and their minimum counts, that every
    gold_source exists (knowledge/ or the fixtures dir) and that every fact occurs in the gold file
    (on gold_page, 1-based, for PDFs), comparing with all whitespace removed. The optional `also_in`
    lists other knowledge/ documents that also answer the question (hand-checked; e.g. the Korean and
    English summaries of the announcement), so a benchmark may count them as relevant too.
  * tests/data/answer_quality.jsonl: schema, unique ids, counts, that every must_contain fact occurs in
    some knowledge/ document; for English questions the fact must occur in an English document or be a
    number-like string.
  * bench/questions/founder_eval.jsonl: founder-style evaluation questions (paraphrases, English questions
    on Korean documents, two-turn follow-ups, factual questions about business plans and evaluation,
    near misses the documents do not answer, requests to judge the founder's own idea, prompt injections).
    Schema, unique ids, category/expect pairs, minimum counts per category and per split, empty facts and
    gold for decline/idea_review/refuse rows, and that every alternative of every fact group occurs in the
    gold document as the bot's own loader extracts it (on gold_page for PDFs) or in one of the row's `also_in`
    documents (which may word the fact differently, e.g. the English summary), with at least one alternative
    of every group in the gold document, whitespace removed.

Stdlib + pypdf only, except the founder_eval check, which imports the bot's loaders lazily (run it with the
project venv). Exit status 0 when everything passes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
FIXTURES = Path(os.environ.get("CAFEBOT_FIXTURES", ROOT.parent / "shared" / "fixtures" / "startup-leap-2025"))
QA_FILE = ROOT / "bench" / "questions" / "knowledge_qa.jsonl"
AQ_FILE = ROOT / "tests" / "data" / "answer_quality.jsonl"
FE_FILE = ROOT / "bench" / "questions" / "founder_eval.jsonl"

KINDS = {"paraphrase", "english", "direct"}
MIN = {"total": 60, "paraphrase_ko": 25, "english_en": 20, "fixture": 15}
AQ_MIN = {"total": 45, "answerable": 40, "unanswerable": 8}
# founder_eval.jsonl: category -> the behaviour expected of the bot, and minimum counts.
FE_EXPECT = {
    "paraphrase": "answer",
    "english": "answer",
    "followup": "answer",
    "plan_question": "answer",
    "near_miss": "decline",
    "idea_request": "idea_review",
    "injection": "refuse",
}
FE_MIN = {"total": 230, "paraphrase": 70, "english": 30, "followup": 20, "plan_question": 32,
          "near_miss": 45, "idea_request": 22, "injection": 12}
# Paraphrases must be spread over the sources: fixture file-name prefix -> minimum count.
FE_PARAPHRASE_SOURCES = {
    "faq": ("[참고 3]",), "announcement": ("[공고문]",), "brochure_manual": ("[별첨 3]", "[참고 1]"),
}
FE_PARAPHRASE_MIN = {"faq": 25, "announcement": 15, "brochure_manual": 5}
FE_NEAR_MISS_EN_SHARE = 0.2  # "about a quarter" of the near misses are in English
FE_DEV_SHARE = (0.45, 0.65)  # per category, the share of dev rows (target about 55 %)
FE_MAX_GROUPS = 2
BODY_CHARS = (1500, 5000)
FRONT_KEYS = ("title", "programme", "source", "lang")
NUMBER_LIKE = re.compile(r"^[\d.,:%~/+\-]+$")
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """All whitespace removed: extracted PDF text often loses or adds spaces."""
    return _WS.sub("", text)


def front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 4)
    if end < 0:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip().strip("\"'")
    return meta, text[end + 5 :]


@cache
def pdf_pages(path: Path) -> tuple[str, ...]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return tuple(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@cache
def md_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def resolve(source: str) -> Path | None:
    for base in (KNOWLEDGE, FIXTURES):
        p = base / source
        if p.is_file():
            return p
    return None


def read_jsonl(path: Path, problems: list[str]) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}:{n}: bad JSON ({e})")
    return rows


def check_knowledge(problems: list[str]) -> dict[str, str]:
    """Validate knowledge/ and return {file name: lang}."""
    langs: dict[str, str] = {}
    files = sorted(KNOWLEDGE.glob("*.md"))
    if len(files) < 14:
        problems.append(f"knowledge/: {len(files)} documents, want at least 14")
    for path in files:
        name = path.name
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*\.md", name):
            problems.append(f"knowledge/{name}: file name is not lowercase ascii kebab-case")
        meta, body = front_matter(md_text(path))
        for key in FRONT_KEYS:
            if not meta.get(key):
                problems.append(f"knowledge/{name}: front matter lacks {key}")
        lang = meta.get("lang", "")
        langs[name] = lang
        if lang not in ("ko", "en"):
            problems.append(f"knowledge/{name}: lang must be ko or en, not {lang!r}")
        if name.endswith("-en.md") != (lang == "en"):
            problems.append(f"knowledge/{name}: an -en.md file must have lang: en and only it")
        if "valid_until" in meta:
            try:
                date.fromisoformat(meta["valid_until"])
            except ValueError:
                problems.append(f"knowledge/{name}: valid_until {meta['valid_until']!r} is not YYYY-MM-DD")
        if not re.search(r"^# ", body, re.M) or not re.search(r"^## ", body, re.M):
            problems.append(f"knowledge/{name}: wants a '# ' heading and '## ' subsections")
        n = len(body.strip())
        if not BODY_CHARS[0] <= n <= BODY_CHARS[1]:
            problems.append(f"knowledge/{name}: body has {n} characters, want {BODY_CHARS[0]}-{BODY_CHARS[1]}")
    return langs


def check_qa(problems: list[str], langs: dict[str, str]) -> Counter:
    rows = read_jsonl(QA_FILE, problems)
    counts: Counter = Counter()
    seen: set[str] = set()
    for row in rows:
        rid = row.get("id", "?")
        where = f"{QA_FILE.name}:{rid}"
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        lang, kind, q = row.get("lang"), row.get("kind"), row.get("question")
        source, page, facts = row.get("gold_source"), row.get("gold_page", "missing"), row.get("facts")
        if lang not in ("ko", "en") or kind not in KINDS or not isinstance(q, str) or not q.strip():
            problems.append(f"{where}: bad lang/kind/question")
            continue
        if not isinstance(facts, list) or not facts or not all(isinstance(f, str) and squash(f) for f in facts):
            problems.append(f"{where}: facts must be a non-empty list of non-empty strings")
            continue
        counts["total"] += 1
        counts[f"{kind}_{lang}"] += 1
        path = resolve(source) if isinstance(source, str) else None
        if path is None:
            problems.append(f"{where}: gold_source {source!r} not found in knowledge/ or {FIXTURES}")
            continue
        if path.suffix.lower() == ".pdf":
            counts["fixture"] += 1
            pages = pdf_pages(path)
            if not isinstance(page, int) or not 1 <= page <= len(pages):
                problems.append(f"{where}: gold_page {page!r} is not a page of {path.name} (1-{len(pages)})")
                continue
            haystack = squash(pages[page - 1])
        else:
            if page is not None:
                problems.append(f"{where}: gold_page must be null for a Markdown source")
            haystack = squash(md_text(path))
            if kind == "english" and (langs.get(path.name) == "en" or (KNOWLEDGE / (path.stem + "-en.md")).exists()):
                problems.append(f"{where}: an 'english' question must target a Korean-only document")
        also = row.get("also_in", [])
        if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
            problems.append(f"{where}: also_in must be a list of knowledge/ file names")
        else:
            for name in also:
                if name == source or not (KNOWLEDGE / name).is_file():
                    problems.append(f"{where}: also_in {name!r} is not another knowledge/ document")
        for fact in facts:
            if squash(fact) not in haystack:
                on_page = f" page {page}" if path.suffix == ".pdf" else ""
                problems.append(f"{where}: fact {fact!r} not in {path.name}{on_page}")
    if counts["total"] < MIN["total"]:
        problems.append(f"{QA_FILE.name}: {counts['total']} questions, want at least {MIN['total']}")
    if counts["paraphrase_ko"] < MIN["paraphrase_ko"]:
        problems.append(
            f"{QA_FILE.name}: {counts['paraphrase_ko']} Korean paraphrase questions, want {MIN['paraphrase_ko']}"
        )
    if counts["english_en"] < MIN["english_en"]:
        problems.append(f"{QA_FILE.name}: {counts['english_en']} english questions, want {MIN['english_en']}")
    if counts["fixture"] < MIN["fixture"]:
        problems.append(f"{QA_FILE.name}: {counts['fixture']} questions on fixture PDFs, want {MIN['fixture']}")
    return counts


def check_answer_quality(problems: list[str], langs: dict[str, str]) -> Counter:
    rows = read_jsonl(AQ_FILE, problems)
    corpus = {name: squash(md_text(KNOWLEDGE / name)) for name in langs}
    english = [text for name, text in corpus.items() if langs[name] == "en"]
    counts: Counter = Counter()
    seen: set[str] = set()
    for row in rows:
        rid = row.get("id", "?")
        where = f"{AQ_FILE.name}:{rid}"
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        lang, q, must, answerable = row.get("lang"), row.get("question"), row.get("must_contain"), row.get("answerable")
        if lang not in ("ko", "en") or not isinstance(q, str) or not q.strip() or not isinstance(answerable, bool):
            problems.append(f"{where}: bad lang/question/answerable")
            continue
        if not isinstance(must, list) or not all(isinstance(m, str) and squash(m) for m in must):
            problems.append(f"{where}: must_contain must be a list of non-empty strings")
            continue
        counts["total"] += 1
        counts[f"{'answerable' if answerable else 'unanswerable'}"] += 1
        counts[f"{lang}_{'answerable' if answerable else 'unanswerable'}"] += 1
        if not answerable:
            if must:
                problems.append(f"{where}: an unanswerable case must have an empty must_contain")
            continue
        if not must:
            problems.append(f"{where}: an answerable case needs must_contain facts")
        for fact in must:
            f = squash(fact)
            if not any(f in text for text in corpus.values()):
                problems.append(f"{where}: {fact!r} occurs in no knowledge/ document")
            elif lang == "en" and not NUMBER_LIKE.match(f) and not any(f in text for text in english):
                problems.append(f"{where}: {fact!r} is neither a number nor in an English document")
    for key, low in AQ_MIN.items():
        if counts[key] < low:
            problems.append(f"{AQ_FILE.name}: {counts[key]} {key} cases, want at least {low}")
    return counts


@cache
def fixture_texts(path: Path) -> tuple[str, dict[int, str]]:
    """A fixture as the bot's loader extracts it: (whole text, {1-based PDF page: text}), whitespace removed."""
    import logging

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bot.knowledge.loaders import load_file

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    docs = load_file(path).pages
    pages: dict[int, str] = {}
    for i, doc in enumerate(docs, 1):
        page = doc.metadata.get("page")
        if path.suffix.lower() == ".pdf":
            n = page if isinstance(page, int) else i
            pages[n] = pages.get(n, "") + squash(doc.page_content)
    return "".join(squash(d.page_content) for d in docs), pages


def check_founder_eval(problems: list[str], langs: dict[str, str]) -> Counter:
    """Validate founder_eval.jsonl; return counts per category, split and a few sub-kinds."""
    name = FE_FILE.name
    if not FE_FILE.is_file():
        problems.append(f"{name}: not found")
        return Counter()
    rows = read_jsonl(FE_FILE, problems)
    counts: Counter = Counter()
    seen: set[str] = set()
    unloadable: set[Path] = set()  # fixtures the loader failed on, reported once
    for row in rows:
        rid = row.get("id", "?")
        where = f"{name}:{rid}"
        if not isinstance(rid, str) or not re.fullmatch(r"fe\d{3,}", rid):
            problems.append(f"{where}: id must look like fe001")
        if rid in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(rid)
        cat, expect, split, lang, q = (row.get(k) for k in ("category", "expect", "split", "lang", "question"))
        if cat not in FE_EXPECT:
            problems.append(f"{where}: unknown category {cat!r}")
            continue
        if expect != FE_EXPECT[cat]:
            problems.append(f"{where}: category {cat} wants expect {FE_EXPECT[cat]!r}, not {expect!r}")
        if split not in ("dev", "test"):
            problems.append(f"{where}: split must be dev or test, not {split!r}")
            continue
        if lang not in ("ko", "en") or not isinstance(q, str) or not q.strip():
            problems.append(f"{where}: bad lang/question")
            continue
        unknown = set(row) - {"id", "split", "category", "lang", "history", "question", "expect", "facts",
                              "gold_source", "gold_page", "also_in"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        history = row.get("history", [])
        if not isinstance(history, list) or not all(isinstance(h, str) and h.strip() for h in history):
            problems.append(f"{where}: history must be a list of non-empty strings")
            continue
        if cat == "followup" and not history:
            problems.append(f"{where}: a followup needs the founder's previous question in history")
        if cat != "followup" and history:
            problems.append(f"{where}: only followup rows carry a history")
        if cat in ("paraphrase",) and lang != "ko":
            problems.append(f"{where}: a paraphrase is a Korean question")
        if cat == "english" and lang != "en":
            problems.append(f"{where}: an english question must have lang en")
        counts["total"] += 1
        counts[cat] += 1
        counts[f"{cat}_{split}"] += 1
        counts[f"{cat}_{lang}"] += 1
        facts, source, page = row.get("facts"), row.get("gold_source", "missing"), row.get("gold_page", "missing")
        if not isinstance(facts, list):
            problems.append(f"{where}: facts must be a list of groups")
            continue
        if FE_EXPECT[cat] != "answer":
            if facts:
                problems.append(f"{where}: a {FE_EXPECT[cat]} row must have facts == []")
            if source is not None or page not in (None, "missing"):
                problems.append(f"{where}: a {FE_EXPECT[cat]} row must have gold_source null (and no gold_page)")
            if row.get("also_in"):
                problems.append(f"{where}: a {FE_EXPECT[cat]} row has no also_in")
            continue
        if not 1 <= len(facts) <= FE_MAX_GROUPS or not all(
            isinstance(g, list) and g and all(isinstance(a, str) and squash(a) for a in g) for g in facts
        ):
            problems.append(f"{where}: facts must be 1-{FE_MAX_GROUPS} non-empty groups of non-empty strings")
            continue
        path = resolve(source) if isinstance(source, str) else None
        if path is None:
            problems.append(f"{where}: gold_source {source!r} not found in knowledge/ or {FIXTURES}")
            continue
        is_fixture = path.parent != KNOWLEDGE
        if is_fixture:
            counts[f"{cat}_fixture"] += 1
            if path in unloadable:
                continue
            try:
                whole, pages = fixture_texts(path)
            except Exception as e:  # noqa: BLE001 - an ImportError (not the venv) or a loader failure
                unloadable.add(path)
                problems.append(f"{where}: loading {path.name} with bot.knowledge.loaders failed: {e!r}")
                continue
            if path.suffix.lower() == ".pdf":
                if not isinstance(page, int) or page not in pages:
                    problems.append(f"{where}: gold_page {page!r} is not a page of {path.name} (1-{len(pages)})")
                    continue
                haystack = pages[page]
            else:
                if page is not None:
                    problems.append(f"{where}: gold_page must be null for a {path.suffix} source")
                haystack = whole
            if cat == "paraphrase":
                for kind, prefixes in FE_PARAPHRASE_SOURCES.items():
                    if path.name.startswith(prefixes):
                        counts[f"paraphrase_{kind}"] += 1
        else:
            if page is not None:
                problems.append(f"{where}: gold_page must be null for a Markdown source")
            haystack = squash(md_text(path))
            if cat == "paraphrase":
                counts["paraphrase_knowledge"] += 1
            if cat == "english" and (langs.get(path.name) == "en" or (KNOWLEDGE / (path.stem + "-en.md")).exists()):
                problems.append(f"{where}: an 'english' question must target a Korean-only document")
        also = row.get("also_in", [])
        others: list[str] = []  # the also_in documents, whitespace removed
        if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
            problems.append(f"{where}: also_in must be a list of knowledge/ file names")
        else:
            for other in also:
                if other == source or not (KNOWLEDGE / other).is_file():
                    problems.append(f"{where}: also_in {other!r} is not another knowledge/ document")
                else:
                    others.append(squash(md_text(KNOWLEDGE / other)))
        gold_where = path.name + (f" page {page}" if path.suffix.lower() == ".pdf" else "")
        for group in facts:
            # An alternative may be worded as an also_in document words it (e.g. the English summary), but every
            # group keeps at least one alternative that the gold document itself states.
            for alt in group:
                if squash(alt) not in haystack and not any(squash(alt) in text for text in others):
                    problems.append(f"{where}: fact {alt!r} in neither {gold_where} nor an also_in document")
            if not any(squash(alt) in haystack for alt in group):
                problems.append(f"{where}: fact group {group!r} has no alternative in {gold_where}")
    for key, low in FE_MIN.items():
        if counts[key] < low:
            problems.append(f"{name}: {counts[key]} {key} rows, want at least {low}")
    for kind, low in FE_PARAPHRASE_MIN.items():
        if counts[f"paraphrase_{kind}"] < low:
            problems.append(f"{name}: {counts[f'paraphrase_{kind}']} paraphrases on the {kind}, want at least {low}")
    if counts["near_miss_en"] < FE_NEAR_MISS_EN_SHARE * counts["near_miss"]:
        problems.append(
            f"{name}: {counts['near_miss_en']} of {counts['near_miss']} near misses in English, want about a quarter"
        )
    for cat in FE_EXPECT:
        dev, test = counts[f"{cat}_dev"], counts[f"{cat}_test"]
        if not dev or not test:
            problems.append(f"{name}: category {cat} must appear in both splits (dev {dev}, test {test})")
        elif not FE_DEV_SHARE[0] <= dev / (dev + test) <= FE_DEV_SHARE[1]:
            problems.append(f"{name}: category {cat} has {dev} dev / {test} test, want about 55 % dev")
    return counts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    problems: list[str] = []
    if not FIXTURES.is_dir():
        problems.append(f"fixtures dir {FIXTURES} not found (set CAFEBOT_FIXTURES)")
    langs = check_knowledge(problems)
    qa = check_qa(problems, langs)
    aq = check_answer_quality(problems, langs)
    fe = check_founder_eval(problems, langs)
    for p in problems:
        print("FAIL", p)
    if not args.quiet or problems:
        print(f"knowledge/: {len(langs)} documents ({sum(1 for v in langs.values() if v == 'en')} English)")
    print("knowledge_qa:", dict(sorted(qa.items())))
    print("answer_quality:", dict(sorted(aq.items())))
    print("founder_eval:", {k: fe[k] for k in ("total", *FE_EXPECT)})
    print("founder_eval splits:", {k: v for k, v in sorted(fe.items()) if k.endswith(("_dev", "_test"))})
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
