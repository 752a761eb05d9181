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

Text: analysed in Python (:mod:`registry.search.analysis`); the index splits the documents' token
fields at white space and nothing more, and queries are built from the same :class:`~registry.search.plan.Plan`
as the server engine's.  Each generation records the analysis it was built with (the file
``ANALYSIS``): a generation of another analysis is reported stale, never searched, until a reindex.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import tantivy as t

from vocab.codes import RESOURCE_CODE_RE, is_valid_credit_code
from registry.search.analysis import analysis_version, prefix_token
from registry.search.engine import KEYWORD_FIELDS, Progress, SearchUnavailable
from registry.search.plan import (GRAM_FIELDS, PROXIMITY_BOOST, PROXIMITY_SLOP, TIE_BREAKER, TITLE_FIELDS, WORD_FIELDS,
                                  Alternative, Plan, highlight, in_title, read)
from registry.search.query import (CLASSIFICATION_COUNT_FIELD, FACETS_BY_NAME, Hit, SearchQuery, SearchResult,
                                   Visibility, decode_cursor, encode_cursor)

TOKENS = "whitespace"                    # the documents' token fields are split at white space only
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
    for name in [*WORD_FIELDS, *GRAM_FIELDS, "suggest"]:
        builder.add_text_field(name, tokenizer_name=TOKENS)
    for name in SNIPPET_CHARS:             # kept for display and highlights
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


SCHEMA = _schema()


def freshness(modified: datetime, now: datetime | None = None) -> float:
    """A light recency weight in [0, 0.25]: tantivy multiplies scores by log2(2 + weight), at most ×1.17."""
    days = max(((now or datetime.now(timezone.utc)) - modified).total_seconds() / 86400, 0)
    return 0.25 * math.exp(-days / 365)


def _tantivy_document(doc: dict) -> t.Document:
    modified = datetime.fromisoformat(doc["modified"])
    fields = {name: doc[name] for name in KEYWORD_FIELDS if doc.get(name) not in (None, "", [])}
    fields.update({name: doc[name] for name in [*WORD_FIELDS, *GRAM_FIELDS, "suggest", *SNIPPET_CHARS] if doc.get(name)})
    fields.update(resource_id=doc["resource_id"], department_id=doc["department_id"],
                  modified_ts=int(modified.timestamp() * 1000), freshness=freshness(modified),
                  quality_points=doc.get("quality_points", -1))
    return t.Document(**fields)


def _words(field: str, tokens: tuple[str, ...], slop: int = 0) -> t.Query:
    if len(tokens) == 1:
        return t.Query.term_query(SCHEMA, field, tokens[0])
    return t.Query.phrase_query(SCHEMA, field, list(tokens), slop)


def _should(clauses: list, minimum: int | None = None) -> t.Query:
    return t.Query.boolean_query([(t.Occur.Should, c) for c in clauses], minimum)


def _alternative(alt: Alternative, word_fields: dict, gram_fields: dict) -> t.Query:
    """An alternative found in any field: its words, its bigrams in a row, its character, or all its parts."""
    clauses = [t.Query.boost_query(_words(f, alt.words), w) for f, w in word_fields.items() if alt.words]
    grams = gram_fields if alt.recall else in_title(gram_fields)
    clauses += [t.Query.boost_query(_words(f, alt.grams), w) for f, w in grams.items() if alt.grams]
    clauses += [t.Query.boost_query(t.Query.regex_query(SCHEMA, f, re.escape(alt.prefix) + ".*"), w)
                for f, w in gram_fields.items() if alt.prefix]
    if alt.parts:
        clauses.append(t.Query.boolean_query([(t.Occur.Must, _alternative(p, word_fields, gram_fields))
                                              for p in alt.parts]))
    return t.Query.boost_query(_should(clauses), alt.boost)


def plan_query(plan: Plan, word_fields: dict = WORD_FIELDS, gram_fields: dict = GRAM_FIELDS) -> t.Query:
    """The tantivy query of a plan: enough of its required words, the optional ones and the title
    proximity of its words to rank."""
    def group(g, words=word_fields, grams=gram_fields):
        return t.Query.disjunction_max_query([_alternative(a, words, grams) for a in g.alternatives], TIE_BREAKER)

    core = _should([group(g) for g in plan.required], plan.minimum)
    ranking = [group(g, in_title(word_fields), in_title(gram_fields)) for g in plan.optional]
    if plan.proximity and "title_words" in word_fields:
        ranking.append(t.Query.boost_query(_words("title_words", plan.proximity, PROXIMITY_SLOP), PROXIMITY_BOOST))
    return t.Query.boolean_query([(t.Occur.Must, core)] + [(t.Occur.Should, c) for c in ranking])


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
        t.Index(SCHEMA, path=str(self._make_folder(name)))
        return name

    def _make_folder(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True)
        (path / "ANALYSIS").write_text(analysis_version())
        return path

    def analysis(self) -> str | None:
        """The analysis the live generation was built with (None: before analysis was recorded)."""
        try:
            return (self.folder / self._live_generation() / "ANALYSIS").read_text().strip()
        except OSError:
            return None

    def _point_current_at(self, name: str) -> None:
        temporary = self.folder / f"CURRENT.{os.getpid()}.tmp"
        temporary.write_text(name)
        os.replace(temporary, self.folder / "CURRENT")

    def _open(self) -> t.Index:
        generation = self._live_generation()
        if generation != self._generation:
            built = self.analysis()
            if built != analysis_version():
                raise SearchUnavailable(f"the embedded index was built with analysis {built or 'before words'}, "
                                        f"this govcat reads {analysis_version()}: run 'govcat reindex'")
            index = t.Index(SCHEMA, path=str(self.folder / generation), reuse=True)
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

    @staticmethod
    def _text_query(plan: Plan | None, text: str, word_fields: dict = WORD_FIELDS, gram_fields: dict = GRAM_FIELDS):
        clauses = [(t.Occur.Should, plan_query(plan, word_fields, gram_fields))] if plan else []
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
        plan = read(query.text) if query.text else None
        if plan is not None and query.relaxed:
            plan = plan.relax() or plan
        text_query = self._text_query(plan, query.text) if query.text else None
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
        highlights = self._highlights(searcher, addresses, plan) if plan is not None else [{}] * len(ids)
        hits = [Hit(int(rid), score, hl) for rid, score, hl in zip(ids, scores, highlights)]
        more = offset + len(hits) < result.count
        return SearchResult(hits, result.count, self._facets(searcher, base, filters, query.facets),
                            encode_cursor({"o": offset + len(hits)}) if more and hits else None, query.relaxed)

    @staticmethod
    def _highlights(searcher: t.Searcher, addresses, plan: Plan) -> list[dict]:
        out = []
        for address in addresses:
            document = searcher.doc(address)
            marks = {field: highlight(document.get_first(field) or "", plan, chars)
                     for field, chars in SNIPPET_CHARS.items()}
            out.append({field: html for field, html in marks.items() if html})
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
        token = prefix_token(prefix)
        if not token:
            return []
        visible = self._visibility_clauses(visibility)
        found = searcher.search(self._query(visible + [t.Query.term_query(SCHEMA, "suggest", token)]), limit,
                                order_by_field="modified_ts")
        addresses = [a for _, a in found.hits]
        if len(addresses) < limit:
            contains = self._text_query(read(prefix), prefix, *TITLE_FIELDS)
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

    def keyword_terms(self, limit: int) -> list[str]:
        """The catalog's most used keywords (of public resources), for did-you-mean."""
        _, searcher = self._searcher()
        answer = searcher.aggregate(t.Query.term_query(SCHEMA, "kind", "public"),
                                    {"k": {"terms": {"field": "keywords", "size": limit, "segment_size": EXACT_TERMS}}})
        return [b["key"] for b in answer["k"]["buckets"]]

    def describe(self) -> dict:
        built = self.analysis()
        return {"engine": self.name, "folder": str(self.folder), "generation": self._live_generation(),
                "analysis": built, "analysis_current": built == analysis_version()}


__all__ = ["EmbeddedEngine", "freshness"]
