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

Stdlib + pypdf only. Exit status 0 when everything passes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter
from datetime import date
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
FIXTURES = Path(os.environ.get("CAFEBOT_FIXTURES", ROOT.parent / "shared" / "fixtures" / "startup-leap-2025"))
QA_FILE = ROOT / "bench" / "questions" / "knowledge_qa.jsonl"
AQ_FILE = ROOT / "tests" / "data" / "answer_quality.jsonl"

KINDS = {"paraphrase", "english", "direct"}
MIN = {"total": 60, "paraphrase_ko": 25, "english_en": 20, "fixture": 15}
AQ_MIN = {"total": 45, "answerable": 40, "unanswerable": 8}
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


@lru_cache(maxsize=None)
def pdf_pages(path: Path) -> tuple[str, ...]:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return tuple(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@lru_cache(maxsize=None)
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
                problems.append(f"{where}: fact {fact!r} not in {path.name}" + (f" page {page}" if path.suffix == ".pdf" else ""))
    if counts["total"] < MIN["total"]:
        problems.append(f"{QA_FILE.name}: {counts['total']} questions, want at least {MIN['total']}")
    if counts["paraphrase_ko"] < MIN["paraphrase_ko"]:
        problems.append(f"{QA_FILE.name}: {counts['paraphrase_ko']} Korean paraphrase questions, want {MIN['paraphrase_ko']}")
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
    for p in problems:
        print("FAIL", p)
    if not args.quiet or problems:
        print(f"knowledge/: {len(langs)} documents ({sum(1 for v in langs.values() if v == 'en')} English)")
    print("knowledge_qa:", dict(sorted(qa.items())))
    print("answer_quality:", dict(sorted(aq.items())))
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
