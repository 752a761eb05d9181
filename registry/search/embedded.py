"""The embedded search engine: tantivy, in the instance folder, with no server to run.

Why tantivy: a Rust full-text engine behind a Python binding, with BM25 ranking, custom
analysers, fast-field (columnar) terms aggregations for facets, sorting, and snippets — the
parts of Elasticsearch govcat needs, in-process, answering in milliseconds over 100,000
documents (see docs/performance.md).

Layout: each build of the index is a folder ``gen-<n>`` under ``<instance>/search``; the file
``CURRENT`` names the live one (the embedded alias).  A rebuild writes a new generation and then
replaces ``CURRENT`` atomically, so searches never see a half-built index.  Any process may
search; one at a time may write (tantivy's lock), others wait briefly or report the engine busy,
and their changes stay in the outbox for the next drain.

Text: Chinese characters are indexed one by one and queried as two-character phrases (the bigram
matching of the server engines' ``cjk`` analysis); other words are lower-cased and stemmed.
"""
from __future__ import annotations

import html
import math
import os
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import tantivy as t

from registry.codes import RESOURCE_CODE_RE, is_valid_credit_code
from registry.search.engine import (BOOSTS, CJK_RUN, KEYWORD_FIELDS, PREFIX_MAX, TITLE_BOOSTS, Progress,
                                   SearchUnavailable, query_tokens)
from registry.search.query import (CLASSIFICATION_COUNT_FIELD, FACETS_BY_NAME, Hit, SearchQuery, SearchResult,
                                   Visibility, decode_cursor, encode_cursor)

TEXT_ANALYSER = "govcat_text"
PREFIX_ANALYSER = "govcat_prefix"
WRITE_WAIT_SECONDS = 5.0
EXACT_TERMS = 65_000                     # more distinct values than any facet field has
SNIPPET_CHARS = {"title": 200, "description": 240}


def _schema() -> t.Schema:
    builder = t.SchemaBuilder()
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    builder.add_integer_field("resource_id", stored=True, indexed=True, fast=True)
    builder.add_integer_field("department_id", indexed=True, fast=True)
    builder.add_integer_field("modified_ts", indexed=True, fast=True)
    builder.add_integer_field("quality_points", indexed=True, fast=True)
    builder.add_float_field("freshness", fast=True)
    for name in BOOSTS:
        builder.add_text_field(name, stored=name in SNIPPET_CHARS or name == "title", tokenizer_name=TEXT_ANALYSER)
    builder.add_text_field("suggest", tokenizer_name=PREFIX_ANALYSER)
    return builder.build()


SCHEMA = _schema()


def _register_analysers(index: t.Index) -> None:
    words = t.TextAnalyzerBuilder(t.Tokenizer.regex(r"\p{Han}|[\p{L}\p{N}]+")) \
        .filter(t.Filter.lowercase()).filter(t.Filter.stemmer("english")).build()
    prefixes = t.TextAnalyzerBuilder(t.Tokenizer.ngram(1, PREFIX_MAX, True)).filter(t.Filter.lowercase()).build()
    index.register_tokenizer(TEXT_ANALYSER, words)
    index.register_tokenizer(PREFIX_ANALYSER, prefixes)


def freshness(modified: datetime, now: datetime | None = None) -> float:
    """A light recency weight in [0, 0.25]: tantivy multiplies scores by log2(2 + weight), at most ×1.17."""
    days = max(((now or datetime.now(timezone.utc)) - modified).total_seconds() / 86400, 0)
    return 0.25 * math.exp(-days / 365)


def _tantivy_document(doc: dict) -> t.Document:
    modified = datetime.fromisoformat(doc["modified"])
    fields = {name: doc[name] for name in KEYWORD_FIELDS if doc.get(name) not in (None, "", [])}
    fields.update({name: doc[name] for name in BOOSTS if doc.get(name)})
    fields.update(resource_id=doc["resource_id"], department_id=doc["department_id"],
                  modified_ts=int(modified.timestamp() * 1000), freshness=freshness(modified), suggest=doc["title"],
                  quality_points=doc.get("quality_points", -1))
    return t.Document(**fields)


def _cjk(text: str) -> bool:
    return bool(CJK_RUN.search(text))


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of ``text``: escaped, with the character ``spans`` (overlapping ones merged) in <mark>."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(html.escape(text[position:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        position = end
    out.append(html.escape(text[position:]))
    return "".join(out)


def highlight_spans(text: str, tokens: list[str], word_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the query matched ``text``: each Chinese token (a bigram) wherever it occurs, and the
    engine's spans of other words (they are stemmed, so only the engine knows them).

    The index holds Chinese one character at a time, so the engine alone would also mark a lone
    character that merely belongs to a query bigram; marking the bigrams themselves marks what
    the query asked for, as the server engines' bigram analysis does.
    """
    spans = [span for span in word_spans if not _cjk(text[span[0]:span[1]])]
    for token in (t for t in tokens if _cjk(t)):
        start = text.find(token)
        while start >= 0:
            spans.append((start, start + len(token)))
            start = text.find(token, start + 1)
    return spans


class EmbeddedEngine:
    """The tantivy engine over the index folders in ``folder``."""

    name = "embedded"

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index: t.Index | None = None
        self._generation: str | None = None
        self._lock = threading.Lock()

    # -- generations ------------------------------------------------------------------------

    def _live_generation(self) -> str:
        current = self.folder / "CURRENT"
        if current.exists():
            return current.read_text().strip()
        with self._lock:
            if not current.exists():
                name = self._new_generation()
                self._point_current_at(name)
            return current.read_text().strip()

    def _new_generation(self) -> str:
        name = f"gen-{time.time_ns()}"
        index = t.Index(SCHEMA, path=str(self._make_folder(name)))
        _register_analysers(index)
        return name

    def _make_folder(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True)
        return path

    def _point_current_at(self, name: str) -> None:
        temporary = self.folder / f"CURRENT.{os.getpid()}.tmp"
        temporary.write_text(name)
        os.replace(temporary, self.folder / "CURRENT")

    def _open(self) -> t.Index:
        generation = self._live_generation()
        if generation != self._generation:
            index = t.Index(SCHEMA, path=str(self.folder / generation), reuse=True)
            _register_analysers(index)
            self._index, self._generation = index, generation
        return self._index

    def _searcher(self) -> tuple[t.Index, t.Searcher]:
        try:
            index = self._open()
            index.reload()
            return index, index.searcher()
        except (OSError, ValueError) as error:
            raise SearchUnavailable(f"embedded index unreadable: {error}") from error

    def _writer(self, index: t.Index, heap: int = 50_000_000, threads: int = 1):
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        while True:
            try:
                return index.writer(heap, threads)
            except ValueError as error:
                if "Lock" not in str(error) or time.monotonic() > deadline:
                    raise SearchUnavailable(f"embedded index busy: {error}") from error
                time.sleep(0.05)

    # -- writing ----------------------------------------------------------------------------

    def write(self, documents: list[dict], delete_ids: list[str]) -> None:
        if not documents and not delete_ids:
            return
        index = self._open()
        writer = self._writer(index)
        try:
            for doc_id in [*delete_ids, *(d["id"] for d in documents)]:
                writer.delete_documents_by_term("id", doc_id)
            for document in documents:
                writer.add_document(_tantivy_document(document))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise

    def rebuild(self, batches: Iterable[list[dict]], progress: Progress | None = None) -> int:
        name = f"gen-{time.time_ns()}"
        index = t.Index(SCHEMA, path=str(self._make_folder(name)))
        _register_analysers(index)
        writer = index.writer(400_000_000, 2)
        count = 0
        try:
            for batch in batches:
                for document in batch:
                    writer.add_document(_tantivy_document(document))
                count += len(batch)
                if progress:
                    progress(len(batch))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            shutil.rmtree(self.folder / name, ignore_errors=True)
            raise
        previous = self._live_generation() if (self.folder / "CURRENT").exists() else None
        self._point_current_at(name)
        for old in self.folder.glob("gen-*"):
            if old.name not in (name, previous):
                shutil.rmtree(old, ignore_errors=True)
        if previous and previous != name:
            # Readers in other processes may still hold the previous generation for a moment.
            shutil.rmtree(self.folder / previous, ignore_errors=True)
        return count

    # -- reading ----------------------------------------------------------------------------

    def _visibility_clauses(self, visibility: Visibility) -> list:
        if visibility.public:
            return [t.Query.term_query(SCHEMA, "kind", "public")]
        clauses = [t.Query.term_query(SCHEMA, "kind", "working")]
        if visibility.departments is not None:
            clauses.append(t.Query.term_set_query(SCHEMA, "department_id", sorted(visibility.departments) or [-1]))
        if visibility.states:
            clauses.append(t.Query.term_set_query(SCHEMA, "state", sorted(visibility.states)))
        return clauses

    def _text_query(self, index: t.Index, text: str, fields: dict[str, float] = BOOSTS):
        tokens = query_tokens(text)
        clauses = []
        if tokens:
            phrase = " AND ".join(f'"{token}"' for token in tokens)
            clauses.append((t.Occur.Should, index.parse_query(phrase, list(fields), field_boosts=fields)))
        code = text.strip().upper()
        if RESOURCE_CODE_RE.match(code) or is_valid_credit_code(code):
            clauses.append((t.Occur.Should, t.Query.boost_query(t.Query.term_query(SCHEMA, "codes", code), 20.0)))
        if not clauses:
            return None
        return t.Query.boolean_query(clauses)

    @staticmethod
    def _filter_clause(facet_name: str, values) -> t.Query:
        return t.Query.term_set_query(SCHEMA, FACETS_BY_NAME[facet_name].field, list(values))

    def _query(self, must: list) -> t.Query:
        return t.Query.boolean_query([(t.Occur.Must, clause) for clause in must]) if must else t.Query.all_query()

    def search(self, query: SearchQuery) -> SearchResult:
        index, searcher = self._searcher()
        base = self._visibility_clauses(query.visibility)
        text_query = self._text_query(index, query.text) if query.text else None
        if query.text and text_query is None:
            return SearchResult([], 0, {name: [] for name in query.facets})
        if text_query is not None:
            base.append(text_query)
        if query.modified_since is not None:
            base.append(t.Query.range_query(SCHEMA, "modified_ts", t.FieldType.Integer,
                                            int(query.modified_since.timestamp() * 1000), None))
        filters = {name: self._filter_clause(name, values) for name, values in query.filters.items()}
        full = self._query(base + list(filters.values()))
        offset = decode_cursor(query.cursor).get("o", 0) if query.cursor else query.offset
        if not isinstance(offset, int) or offset < 0:
            offset = 0
        offset = min(offset, searcher.num_docs)    # past the end is empty; never size a heap by a typed number
        options = {"limit": query.per_page, "offset": offset, "count": True}
        if query.sort == "modified":
            options.update(order_by_field="modified_ts", order=t.Order.Desc)
        elif query.sort == "title":
            options.update(order_by_field="title_sort", order=t.Order.Asc)
        elif query.sort == "quality":
            options.update(order_by_field="quality_points", order=t.Order.Desc)
        else:
            options.update(weight_by_field="freshness")
        try:
            result = searcher.search(full, **options)
        except ValueError as error:
            raise SearchUnavailable(f"embedded search failed: {error}") from error
        addresses = [address for _, address in result.hits]
        ids = searcher.fast_field_values("resource_id", addresses) if addresses else []
        scores = [score if query.sort == "relevance" else None for score, _ in result.hits]
        highlights = (self._highlights(searcher, text_query, addresses, query.text) if text_query is not None
                      else [{}] * len(ids))
        hits = [Hit(int(rid), score, hl) for rid, score, hl in zip(ids, scores, highlights)]
        more = offset + len(hits) < result.count
        return SearchResult(hits, result.count, self._facets(searcher, base, filters, query.facets),
                            encode_cursor({"o": offset + len(hits)}) if more and hits else None)

    def _highlights(self, searcher: t.Searcher, text_query, addresses, text: str) -> list[dict]:
        tokens = query_tokens(text)
        generators = {}
        for field, chars in SNIPPET_CHARS.items():
            generator = t.SnippetGenerator.create(searcher, text_query, SCHEMA, field)
            generator.set_max_num_chars(chars)
            generators[field] = generator
        out = []
        for address in addresses:
            document = searcher.doc(address)
            marks = {}
            for field, generator in generators.items():
                snippet = generator.snippet_from_doc(document)
                fragment = snippet.fragment()
                # A text that fits is shown whole (fragments lose their edges); a longer one by its best fragment.
                stored = document.get_first(field) or ""
                whole = stored if len(stored) <= SNIPPET_CHARS[field] else fragment
                shift = max(whole.find(fragment), 0) if fragment else 0
                data = fragment.encode("utf-8")
                words = [(shift + len(data[:r.start].decode("utf-8", "ignore")),
                          shift + len(data[:r.end].decode("utf-8", "ignore"))) for r in snippet.highlighted()]
                spans = highlight_spans(whole, tokens, words)
                if spans:
                    marks[field] = _mark(whole, spans)
            out.append(marks)
        return out

    def _facets(self, searcher: t.Searcher, base: list, filters: dict, wanted) -> dict:
        """Counts per facet; a facet with a filter of its own is counted without it (multi-select)."""
        facets = {}
        groups: dict[str | None, list[str]] = {}
        for name in wanted:
            groups.setdefault(name if name in filters else None, []).append(name)
        for own, names in groups.items():
            query = self._query(base + [clause for name, clause in filters.items() if name != own])
            # segment_size: count every term of every segment, so the counts are exact, not estimates.
            spec = {name: {"terms": {"field": self._count_field(name), "size": FACETS_BY_NAME[name].size,
                                     "segment_size": EXACT_TERMS}} for name in names}
            answer = searcher.aggregate(query, spec)
            for name in names:
                facets[name] = [(b["key"], b["doc_count"]) for b in answer.get(name, {}).get("buckets", [])]
        return facets

    @staticmethod
    def _count_field(name: str) -> str:
        return CLASSIFICATION_COUNT_FIELD if name == "classification" else FACETS_BY_NAME[name].field

    def suggest(self, prefix: str, visibility: Visibility, limit: int) -> list[tuple[int, str]]:
        index, searcher = self._searcher()
        prefix = prefix.strip().lower()[:PREFIX_MAX]
        if not prefix:
            return []
        visible = self._visibility_clauses(visibility)
        found = searcher.search(self._query(visible + [t.Query.term_query(SCHEMA, "suggest", prefix)]), limit,
                                order_by_field="modified_ts")
        addresses = [a for _, a in found.hits]
        if len(addresses) < limit:
            contains = self._text_query(index, prefix, TITLE_BOOSTS)
            if contains is not None:
                more = searcher.search(self._query(visible + [contains]), limit, order_by_field="modified_ts")
                seen = {(a.segment_ord, a.doc) for a in addresses}
                addresses += [a for _, a in more.hits if (a.segment_ord, a.doc) not in seen]
        out = []
        for address in addresses[:limit]:
            document = searcher.doc(address)
            out.append((document["resource_id"][0], document["title"][0]))
        return out

    def counts(self) -> dict[str, int]:
        _, searcher = self._searcher()
        answer = searcher.aggregate(t.Query.all_query(), {"kind": {"terms": {"field": "kind", "size": 5}}})
        counts = {"public": 0, "working": 0}
        counts.update({b["key"]: b["doc_count"] for b in answer["kind"]["buckets"]})
        return counts

    def document_ids(self) -> set[str]:
        _, searcher = self._searcher()
        total = searcher.num_docs
        if not total:
            return set()
        answer = searcher.aggregate(t.Query.all_query(), {"ids": {"terms": {"field": "id", "size": total}}})
        return {b["key"] for b in answer["ids"]["buckets"]}

    def describe(self) -> dict:
        return {"engine": self.name, "folder": str(self.folder), "generation": self._live_generation()}


__all__ = ["EmbeddedEngine", "freshness"]
