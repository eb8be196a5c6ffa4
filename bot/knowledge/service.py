"""The knowledge base service: ingest, replace, remove and search programme documents. Knows nothing of Telegram."""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from bot.answering.language import detect_language
from bot.config import Settings
from bot.knowledge import curated, registry
from bot.knowledge.chunking import KoreanStructureSplitter, split_pages
from bot.knowledge.embeddings import CachedEmbeddings, make_embeddings
from bot.knowledge.errors import DocumentRejected, RejectReason
from bot.knowledge.loaders import SUPPORTED_EXTENSIONS, LoadedFile, load_file
from bot.knowledge.morphemes import terms
from bot.knowledge.quotes import quotable_sentences
from bot.knowledge.reader import IndexReader, Vocabulary
from bot.knowledge.search import Passage, SearchMode
from bot.knowledge.vectorstore import VectorIndex, make_chroma_client
from bot.observability import logs, metrics
from bot.staff.insight import resolve_gap
from bot.storage.db import Database
from bot.storage.models import KnowledgeChunk, KnowledgeDocument, KnowledgeVersion, utcnow

log = logging.getLogger(__name__)

Stage = Literal["reading", "chunking", "embedding", "indexing", "done"]


@dataclass(frozen=True)
class IngestProgress:
    """Where an ingestion is, for a progress message: `done` of `total` in the current stage."""

    stage: Stage
    done: int = 0
    total: int = 0


ProgressCallback = Callable[[IngestProgress], None]
# Whether the uploader may change a document of this cafe (None: a city-wide document).
CafeCheck = Callable[[str | None], bool]


@dataclass(frozen=True)
class IngestResult:
    status: Literal["added", "updated", "unchanged"]
    document: registry.DocumentInfo
    seconds: float
    replaced_version: int | None = None


def _parse_date(value: object) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


class KnowledgeBase:
    """Documents in SQL (source of truth), vectors in Chroma, BM25 rebuilt from SQL on every revision change.

    A version becomes searchable in one SQL commit that flips the document's active version; both indexes
    only ever return chunks of active versions, so a replacement is never half-visible.
    """

    def __init__(
        self, settings: Settings, db: Database, *, embeddings: CachedEmbeddings | None = None, chroma: Any = None
    ) -> None:
        self.settings = settings
        self.db = db
        self.embeddings = embeddings or make_embeddings(settings)
        client = chroma or make_chroma_client(settings.chroma_host, settings.chroma_port, str(settings.chroma_path))
        self.vectors = VectorIndex(client, settings.chroma_collection, self.embeddings, self.embeddings.model_id)
        self.splitter = KoreanStructureSplitter(self.embeddings.token_count, settings.chunk_tokens)
        self._write_lock = threading.Lock()
        self.reader = IndexReader(db, self.vectors, self.embeddings, settings.retrieval_k)

    # --- ingestion ------------------------------------------------------------------------------

    @metrics.observe_ingestion
    def ingest_file(
        self,
        path: Path,
        *,
        display_name: str | None = None,
        title: str | None = None,
        programme: str | None = None,
        valid_until: date | None = None,
        replace_document_id: str | None = None,
        uploaded_by: int | None = None,
        progress: ProgressCallback | None = None,
        origin: registry.DocumentOrigin | None = None,
        may_update: CafeCheck | None = None,
    ) -> IngestResult:
        """Add a file as a new document or a new version of an existing one (same title, or `replace_document_id`).

        A new version records `origin` on the document and keeps its cafe. `may_update` says whose documents the
        uploader may change, by the document's cafe (a cafe's staff: city-wide ones and their cafe's): a document
        of the same title outside it is left alone and the file becomes a document of its own, its title numbered
        ("… (2)", or the uploader's own document of that numbered title); `replace_document_id` outside it raises
        PermissionError. Raises DocumentRejected for bad input; on
        any failure the knowledge base is left exactly as it was.
        """
        started = time.perf_counter()
        report = progress or (lambda _p: None)
        name = display_name or path.name
        if not path.is_file():
            raise DocumentRejected(name, RejectReason.NOT_FOUND)
        content_hash = registry.file_hash(path)
        with self.db.session() as s:
            same = registry.find_by_hash(s, content_hash)
            if same is not None and replace_document_id in (None, same.id) and not (title or programme or valid_until):
                info = registry.get_document(s, same.id)
                assert info is not None
                report(IngestProgress("done", 1, 1))
                return IngestResult("unchanged", info, time.perf_counter() - started)

        report(IngestProgress("reading"))
        loaded = load_file(path, max_bytes=self.settings.max_upload_bytes, display_name=name)
        report(IngestProgress("reading", loaded.page_count, loaded.page_count))
        return self.ingest_loaded(
            loaded, content_hash, title=title, programme=programme, valid_until=valid_until,
            replace_document_id=replace_document_id, uploaded_by=uploaded_by, progress=progress, started=started,
            origin=origin, may_update=may_update,
        )

    def ingest_loaded(
        self,
        loaded: LoadedFile,
        content_hash: str,
        *,
        title: str | None = None,
        programme: str | None = None,
        valid_until: date | None = None,
        replace_document_id: str | None = None,
        uploaded_by: int | None = None,
        progress: ProgressCallback | None = None,
        started: float | None = None,
        origin: registry.DocumentOrigin | None = None,
        may_update: CafeCheck | None = None,
    ) -> IngestResult:
        """Chunk, embed and index already-extracted pages (what `ingest_file` does after loading)."""
        started = started or time.perf_counter()
        report = progress or (lambda _p: None)
        name = loaded.file_name
        fm = loaded.front_matter
        title = (title or fm.get("title") or loaded.title or Path(name).stem).strip()
        valid = valid_until or _parse_date(fm.get("valid_until"))
        chunks = split_pages(loaded.pages, self.splitter)
        if not chunks:
            raise DocumentRejected(name, RejectReason.NO_TEXT)
        report(IngestProgress("chunking", len(chunks), len(chunks)))
        lang = fm.get("lang") or detect_language(" ".join(c.page_content for c in chunks[:5]), default="en")
        programme = programme or fm.get("programme") or self.detect_programme(title, chunks[0].page_content)

        texts = [c.page_content for c in chunks]
        vectors = self.embeddings.embed_documents_with_progress(
            [f"{title}\n{t}" for t in texts], lambda d, n: report(IngestProgress("embedding", d, n))
        )
        title_terms = " ".join(terms(title))
        token_rows = [" ".join(terms(t)) + " " + title_terms for t in texts]

        report(IngestProgress("indexing", 0, len(chunks)))
        with self._write_lock:
            with self.db.session() as s:
                target = (
                    s.get(KnowledgeDocument, replace_document_id)
                    if replace_document_id
                    else registry.find_by_title(s, title)
                )
                if replace_document_id and target is None:
                    raise KeyError(f"no document {replace_document_id}")
                if target is not None and may_update is not None and not may_update(target.cafe_id):
                    if replace_document_id:
                        raise PermissionError(f"document {replace_document_id} is cafe {target.cafe_id}'s")
                    # Another cafe's notice of the same title: never its new version. The file takes the first
                    # numbered title ("… (2)") that is free or is a document the uploader may change (their own
                    # earlier upload under this title, which this file then updates).
                    base, n = title, 2
                    while True:
                        title, n = f"{base} ({n})", n + 1
                        target = registry.find_by_title(s, title)
                        if target is None or may_update(target.cafe_id):
                            break
                doc_id = target.id if target else registry.new_id()
                logs.bind(document_id=doc_id)
                version = registry.next_version_number(s, doc_id) if target else 1
                previous = target.active_version_id if target else None
                version_id = registry.new_id()
                registry.mark_for_sweep(s, version_id)
            ingested_at = utcnow()
            ids = [f"{version_id}-{i:05d}" for i in range(len(chunks))]
            metadatas = [
                self._chunk_metadata(doc_id, version_id, version, title, name, programme, valid, lang,
                                     c.metadata, hashlib.sha256(t.encode()).hexdigest()[:16], ingested_at.isoformat())
                for c, t in zip(chunks, texts, strict=True)
            ]
            try:
                self.vectors.add(ids, texts, metadatas, vectors)
                with self.db.session() as s:
                    doc = s.get(KnowledgeDocument, doc_id)
                    if doc is None:
                        doc = KnowledgeDocument(id=doc_id, title=title, title_key=registry.title_key(title))
                        s.add(doc)
                    elif registry.find_by_title(s, title) in (None, doc):
                        doc.title, doc.title_key = title, registry.title_key(title)
                    doc.programme, doc.valid_until, doc.lang = programme, valid, lang
                    doc.source = fm.get("source") or doc.source or name
                    if origin is not None:
                        doc.origin, doc.origin_path = origin.kind, origin.path
                    doc.updated_at = ingested_at
                    s.flush()
                    s.add(KnowledgeVersion(
                        id=version_id, document_id=doc_id, version=version, file_name=name, kind=loaded.kind,
                        content_hash=content_hash, page_count=loaded.page_count, chunk_count=len(chunks),
                        uploaded_by=uploaded_by, ingested_at=ingested_at,
                    ))
                    s.flush()
                    s.add_all(
                        KnowledgeChunk(
                            id=cid, version_id=version_id, ordinal=i, text=t, page=m.get("page"),
                            section=(m.get("section") or None), content_hash=m["content_hash"], tokens=tok,
                        )
                        for i, (cid, t, m, tok) in enumerate(zip(ids, texts, metadatas, token_rows, strict=True))
                    )
                    doc.active_version_id = version_id
                    stale = registry.drop_inactive_chunks(s, doc_id, version_id)
                    for v in stale:
                        registry.mark_for_sweep(s, v)
                    registry.unmark_for_sweep(s, version_id)
                    registry.forget_removal(s, content_hash)  # the sync skips removed bytes: this is on purpose
                    registry.bump_revision(s)
            except Exception:
                log.exception("ingestion of %s failed; removing its staged vectors", name)
                self._drop_vectors([version_id])
                raise
            self._drop_vectors(stale)
        self.refresh()
        self._prewarm_quotes(texts)
        info = self.get_document(doc_id)
        assert info is not None
        report(IngestProgress("done", len(chunks), len(chunks)))
        seconds = time.perf_counter() - started
        log.info("ingested %s as %s v%d: %d pages, %d chunks in %.1fs", name, doc_id, version, loaded.page_count,
                 len(chunks), seconds)
        return IngestResult("updated" if previous else "added", info, seconds, version - 1 if previous else None)

    def _prewarm_quotes(self, texts: list[str]) -> None:
        """Embed the new chunks' sentences in the background, so extractive answers quoting them are instant.

        Small batches keep the model lock free for founders' queries in between.
        """

        def work() -> None:
            try:
                pending = [q.embedding_text for t in texts for q in quotable_sentences(t)]
                for i in range(0, len(pending), 4):
                    self.embeddings.embed_documents(pending[i : i + 4])
            except Exception:
                log.warning("pre-embedding quotable sentences failed; they will be embedded on first use",
                            exc_info=True)

        threading.Thread(target=work, name="prewarm-quotes", daemon=True).start()

    @staticmethod
    def _chunk_metadata(
        doc_id: str, version_id: str, version: int, title: str, source: str, programme: str | None,
        valid: date | None, lang: str, page_meta: dict[str, Any], content_hash: str, ingested_at: str,
    ) -> dict[str, Any]:
        # Chroma metadata values cannot be None: absent fields are left out.
        meta: dict[str, Any] = {
            "doc_id": doc_id, "version_id": version_id, "version": version, "title": title, "source": source,
            "content_hash": content_hash, "ingested_at": ingested_at, "lang": lang,
            "valid_until": registry.date_int(valid),
        }
        if programme:
            meta["programme"] = programme
        if page_meta.get("page") is not None:
            meta["page"] = int(page_meta["page"])
        if page_meta.get("section"):
            meta["section"] = str(page_meta["section"])[:300]
        return meta

    def ingest_paths(
        self, paths: Iterable[Path], *,
        on_result: Callable[[Path, IngestResult | DocumentRejected], None] | None = None,
        origin: registry.DocumentOrigin | None = None,
    ) -> list[IngestResult | DocumentRejected]:
        """Ingest files and folders (recursively, supported types only); one bad file does not stop the rest."""
        results: list[IngestResult | DocumentRejected] = []
        for path in paths:
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS) \
                if path.is_dir() else [path]
            for file in files:
                try:
                    result: IngestResult | DocumentRejected = self.ingest_file(file, origin=origin)
                except DocumentRejected as rejected:
                    log.warning("rejected %s: %s %s", file, rejected.reason.value, rejected.detail)
                    result = rejected
                results.append(result)
                if on_result:
                    on_result(file, result)
        return results

    def detect_programme(self, title: str, first_text: str) -> str | None:
        """The known programme whose name appears in the title or opening text, longest name first."""
        with self.db.session() as s:
            known = {p for p in s.scalars(select(KnowledgeDocument.programme).distinct()) if p}
        haystack = registry.title_key(title + " " + first_text[:500])
        for name in sorted(known, key=len, reverse=True):
            if registry.title_key(name) and registry.title_key(name) in haystack:
                return name
        return None

    # --- curated answers ----------------------------------------------------------------------------

    def save_curated_answer(
        self, question: str, answer: str, *, saved_by: int, programme: str | None = None,
        valid_until: date | None = None, lang: str | None = None, cafe_id: str | None = None,
    ) -> registry.DocumentInfo:
        """Save a staff answer for everyone (with `cafe_id`, for that cafe's founders: a cafe notice): the pair
        becomes a document (origin "curated") through the same ingestion as an upload, searchable when this
        returns; the same question saved again (ignoring case, spacing and punctuation) becomes a new version of
        that document. See bot/knowledge/curated.py.

        Then the unanswered questions of the log that this answer now answers (the same question, or one as close
        as /stats groups into a gap whose search now leads with this answer) stop counting as knowledge gaps
        (bot.staff.insight.resolve_gap; a failure there is logged, the answer stays saved).
        Raises ValueError for an empty question or answer."""
        lang = lang or detect_language(f"{question}\n{answer}", default=self.settings.default_language)
        key = curated.question_key(question)
        saved_at = utcnow()
        with self.db.session() as s:
            existing = s.scalar(select(KnowledgeDocument.id).where(
                KnowledgeDocument.origin == registry.CURATED, KnowledgeDocument.origin_path == key))
            title = curated.document_title(question, lang)
            if existing is None:
                # A new question must not become a version of another document that happens to have its title.
                base, n = title, 2
                while registry.find_by_title(s, title) is not None:
                    title, n = f"{base} ({n})", n + 1
        text = curated.render_markdown(question, answer, title=title, lang=lang, saved_at=saved_at,
                                       programme=programme, valid_until=valid_until)
        with tempfile.TemporaryDirectory(prefix="cafebot-curated-") as tmp:
            path = Path(tmp) / "curated-answer.md"
            path.write_text(text, encoding="utf-8")
            result = self.ingest_file(path, replace_document_id=existing, uploaded_by=saved_by,
                                      origin=registry.DocumentOrigin(registry.CURATED, key))
        log.info("curated answer %s as %s v%d", result.status, result.document.id, result.document.version)
        if result.document.cafe_id != cafe_id:
            result = replace(result, document=self.set_cafe(result.document.id, cafe_id))
        document_id = result.document.id

        def answered(asked: str) -> bool:
            return any(p.document_id == document_id for p in self.search(asked, 1))

        try:
            resolve_gap(self.db, question, self.embeddings.embed_uncached, answered=answered)
        except Exception:
            log.warning("could not mark the questions this curated answer settles as resolved", exc_info=True)
        return result.document

    # --- managing -------------------------------------------------------------------------------

    def update_metadata(
        self, document_id: str, *, title: str | None = None, programme: str | None = None,
        valid_until: date | None = None, clear_valid_until: bool = False,
    ) -> registry.DocumentInfo:
        """Change a document's title, programme or validity; the indexes follow without re-embedding."""
        with self._write_lock, self.db.session() as s:
            doc = s.get(KnowledgeDocument, document_id)
            if doc is None:
                raise KeyError(document_id)
            if title:
                doc.title, doc.title_key = title, registry.title_key(title)
            if programme is not None:
                doc.programme = programme or None
            if valid_until or clear_valid_until:
                doc.valid_until = valid_until
            doc.updated_at = utcnow()
            meta: dict[str, str | int] = {"title": doc.title, "valid_until": registry.date_int(doc.valid_until)}
            if doc.programme:
                meta["programme"] = doc.programme
            ids = list(s.scalars(select(KnowledgeChunk.id).where(KnowledgeChunk.version_id == doc.active_version_id)))
            if ids:
                self.vectors.collection.update(ids=ids, metadatas=[meta] * len(ids))
            registry.bump_revision(s)
        self.refresh()
        with self.db.session() as s:
            info = registry.get_document(s, document_id)
        assert info is not None
        return info

    def set_cafe(self, document_id: str, cafe_id: str | None) -> registry.DocumentInfo:
        """Make a document one cafe's own notice (`cafe_id`) or city-wide again (None); searches follow at once
        (the revision moves, so every process rebuilds its filters). Raises KeyError for an unknown document."""
        with self._write_lock, self.db.session() as s:
            doc = s.get(KnowledgeDocument, document_id)
            if doc is None:
                raise KeyError(document_id)
            doc.cafe_id, doc.updated_at = cafe_id, utcnow()
            registry.bump_revision(s)
        self.refresh()
        log.info("document %s is now %s", document_id, f"cafe {cafe_id}'s" if cafe_id else "city-wide")
        info = self.get_document(document_id)
        assert info is not None
        return info

    def remove_document(self, document_id: str, *, removed_by: str | None = None) -> registry.DocumentInfo:
        """Remove a document and every chunk of it from SQL, Chroma and BM25.

        `removed_by` ("staff:<id>", "cli") marks a person's removal: see registry.delete_document."""
        with self._write_lock:
            with self.db.session() as s:
                info = registry.get_document(s, document_id)
                doc = s.get(KnowledgeDocument, document_id)
                if doc is None or info is None:
                    raise KeyError(document_id)
                versions = registry.delete_document(s, doc, removed_by)
                registry.bump_revision(s)
            self._drop_vectors(versions)
        self.refresh()
        log.info("removed document %s (%s)", document_id, info.title)
        return info

    def list_documents(self) -> list[registry.DocumentInfo]:
        with self.db.session() as s:
            return registry.list_documents(s)

    def uploaded_by(self, document_id: str) -> int | None:
        """Who uploaded the document's searchable version (None: the shipped folder or the command line)."""
        with self.db.session() as s:
            return s.scalar(select(KnowledgeVersion.uploaded_by).join(
                KnowledgeDocument, KnowledgeDocument.active_version_id == KnowledgeVersion.id)
                .where(KnowledgeDocument.id == document_id))

    def get_document(self, document_id: str) -> registry.DocumentInfo | None:
        with self.db.session() as s:
            return registry.get_document(s, document_id)

    def _drop_vectors(self, version_ids: list[str]) -> None:
        """Delete vectors of versions that are no longer active; a failure leaves them for the sweep."""
        for v in version_ids:
            try:
                self.vectors.delete_version(v)
                with self.db.session() as s:
                    registry.unmark_for_sweep(s, v)
            except Exception:
                log.warning("could not delete vectors of version %s now; the sweep will", v, exc_info=True)

    def sweep(self, older_than: timedelta = timedelta(minutes=30)) -> int:
        """Delete vectors left behind by crashed ingestions or failed deletions. Returns how many versions."""
        with self.db.session() as s:
            stale = registry.sweep_candidates(s, older_than)
        self._drop_vectors(stale)
        return len(stale)

    # --- search (delegated to the reader) -----------------------------------------------------------

    def refresh(self) -> int:
        """See IndexReader.refresh."""
        return self.reader.refresh()

    def search(
        self, query: str, k: int | None = None, *, programme: str | None = None, only_valid: bool = True,
        mode: SearchMode = "hybrid", today: date | None = None, cafe_id: str | None = None,
    ) -> list[Passage]:
        """The k most relevant passages of active, still-valid documents; with `cafe_id` (the asking founder's
        cafe) city-wide documents and that cafe's notices only (registry.visible_to)."""
        return self.reader.search(query, k, programme=programme, only_valid=only_valid, mode=mode, today=today,
                                  cafe_id=cafe_id)

    def unknown_names(self, query: str) -> list[str]:
        """See Vocabulary.unknown_names."""
        return self.reader.unknown_names(query)

    def vocabulary(self) -> Vocabulary:
        """See IndexReader.vocabulary."""
        return self.reader.vocabulary()
