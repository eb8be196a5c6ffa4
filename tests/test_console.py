"""`cafebot chat`: the answering pipeline in a terminal, driven by piping lines into a real subprocess."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

from telegram_harness import KO_QUESTION, UNANSWERABLE, make_services, settings_for, shared_embeddings, write_docs

from bot.console import Console
from bot.strings import t


# SQLite only (as the next test): the console is a front end over the answering service, whose storage
# (conversation memory, /reset, the question log) runs on both databases in test_telegram_qa; a second
# subprocess on PostgreSQL would add ~15 s and test nothing new.
def test_piped_chat_answers_with_sources_and_handles_commands(tmp_path: Path, embedding_cache_dir: Path):
    knowledge = write_docs(tmp_path / "knowledge")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_", "DATABASE_", "CHROMA_"))}
    env.update(CAFEBOT_DATA_DIR=str(tmp_path / "data"), EMBEDDING_CACHE_DIR=str(embedding_cache_dir),
               KNOWLEDGE_DIR=str(knowledge))
    questions = "\n".join([
        KO_QUESTION,
        "그럼 신청 기간은?",
        "/reset",
        "/lang en",
        UNANSWERABLE,
        "/lang xx",
        "/quit",
        "this line is never read",
    ]) + "\n"
    result = subprocess.run([sys.executable, "-m", "bot", "chat"], input=questions, env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(t("console.welcome", "ko"))
    assert "업력 3년 초과 7년 이내" in out
    assert "출처:\n[1] 창업도약패키지 안내, 신청 자격" in out
    assert "3월 1일부터 3월 31일까지" in out  # the follow-up kept the topic
    assert t("console.reset", "ko") in out and t("console.lang_set", "en") in out
    assert t("answer.not_found", "en") in out
    assert t("console.lang_usage", "en") in out
    assert out.rstrip().endswith(t("console.bye", "en"))
    assert "never read" not in out and "Traceback" not in out

def test_a_failure_prints_an_apology_and_the_chat_goes_on(tmp_path: Path, embedding_cache_dir: Path):
    settings = settings_for(tmp_path / "data", embedding_cache_dir)
    services = make_services(settings, shared_embeddings(embedding_cache_dir))
    calls = []

    async def flaky(conversation_id: str, message: str, **kwargs):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("connection string postgres://secret")
        return await original(conversation_id, message, **kwargs)

    original = services.answers.answer
    services.answers.answer = flaky  # type: ignore[method-assign]
    stdout = io.StringIO()
    try:

        console = Console(services, "ko", io.StringIO(f"{KO_QUESTION}\n{KO_QUESTION}\n"), stdout)
        assert asyncio.run(console.run()) == 0
    finally:
        services.close()
    out = stdout.getvalue()
    assert t("console.error", "ko") in out and "secret" not in out
    assert "업력 3년 초과 7년 이내" in out  # the second question was answered
