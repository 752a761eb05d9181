"""Searching the catalog, suggesting as people type, rebuilding the index, and reporting on it.

The views and the command line call these; they combine the engine's answer (ids, counts) with
the database (the resources themselves, the labels of departments and classifications), so an
engine never serves a resource the database no longer shows.
"""
from __future__ import annotations

import difflib
import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, defer

from registry.db import Database, utcnow
from registry.departments.models import ClassificationNode, Department
from registry.errors import ServiceError
from registry.permissions import departments_readable, require_signed_in
from registry.resources.models import Resource
from registry.resources.services import list_resources, resource_representation
from registry.search.documents import documents_for
from registry.search.analysis import analysis_version, fold
from registry.search.engine import SearchEngine, SearchUnavailable, search_correcting
from registry.search.models import SearchOutbox
from registry.search.outbox import backlog, drain, queue_for_index
from registry.search.query import FACETS_BY_NAME, SearchQuery, Visibility

log = logging.getLogger(__name__)
REBUILD_BATCH = 1000
DID_YOU_MEAN = 5                 # terms offered when nothing, or only a looser match, was found
DID_YOU_MEAN_MIN = 0.5           # how close a term must be (difflib's ratio, on folded text)
KEYWORD_TERMS = 5000             # the catalog's most used keywords considered for did-you-mean
TERMS_SECONDS = 300              # how long a process keeps the catalog's terms
_terms_cache: dict[int, tuple[float, list[str]]] = {}
_terms_lock = threading.Lock()


class Unavailable(ServiceError):
    status, code = 503, "search_unavailable"


def visibility_for(actor, states: tuple[str, ...]) -> Visibility:
    """Public search without ``states``; otherwise the workspace the actor may read."""
    if not states:
        return Visibility()
    require_signed_in(actor)
    readable = departments_readable(actor)
    return Visibility(public=False, departments=None if readable is None else frozenset(readable),
                      states=frozenset(states))


def _labels(session: Session, facet: str, keys: list[str], lang: str) -> dict[str, str]:
    spec = FACETS_BY_NAME[facet]
    if spec.vocabulary is not None:
        return {k: getattr(spec.vocabulary[k], lang) for k in keys if k in spec.vocabulary}
    if facet == "department" and keys:
        rows = session.execute(select(Department.credit_code, Department.name, Department.name_en)
                               .where(Department.credit_code.in_(keys)))
        return {code: (name_en or name) if lang == "en" else name for code, name, name_en in rows}
    if facet == "classification" and keys:
        rows = session.execute(select(ClassificationNode.code, ClassificationNode.name, ClassificationNode.name_en)
                               .where(ClassificationNode.code.in_(keys)))
        return {code: (name_en or name) if lang == "en" else name for code, name, name_en in rows}
    return {}


def search_resources(session: Session, engine: SearchEngine, actor, query: SearchQuery,
                     states: tuple[str, ...] = (), rows_only: bool = False, relax: bool = False) -> dict:
    """The API's answer to a search: the page of resources with highlights, the total and the facets.

    ``rows_only``: the items are the rows themselves, their documents not read (for callers that
    keep what they make of a resource, such as the RDF pages).  ``relax``: when nothing matches
    every word, answer a looser match (``relaxed``) and close terms (``did_you_mean``) — for people
    and the JSON API, which say so; machine interfaces (CKAN, RDF) keep the strict answer.
    """
    query = replace(query, visibility=visibility_for(actor, states))
    revision = "published" if query.visibility.public else "working"
    corrected = None
    try:
        if relax:
            result, corrected = search_correcting(engine, query, lambda: tuple(catalog_terms(session, engine)))
        else:
            result = engine.search(query)
    except SearchUnavailable as error:
        log.warning("search engine unavailable: %s", error)
        return _database_listing(session, actor, query, states, revision, rows_only)
    statement = select(Resource).where(Resource.id.in_([h.resource_id for h in result.hits]))
    if rows_only:
        statement = statement.options(defer(Resource.doc), defer(Resource.published_doc),
                                      defer(Resource.missing_fields))
    rows = {r.id: r for r in session.scalars(statement)}
    items = []
    for hit in result.hits:
        resource = rows.get(hit.resource_id)
        if resource is None or (revision == "published" and not resource.is_public):
            continue   # the index is a moment behind the database: show what the database shows
        if rows_only:
            items.append(resource)
            continue
        items.append({**resource_representation(resource, revision), "highlight": hit.highlight,
                      **({"score": round(hit.score, 4)} if hit.score is not None else {})})
    facets = {}
    for name, buckets in result.facets.items():
        labels = _labels(session, name, [key for key, _ in buckets], query.lang)
        facets[name] = {"label": getattr(FACETS_BY_NAME[name], query.lang),
                        "buckets": [{"key": key, "label": labels.get(key, key), "count": count}
                                    for key, count in buckets]}
    pages = (result.total + query.per_page - 1) // query.per_page
    answer = {"items": items, "total": result.total, "page": query.page, "per_page": query.per_page, "pages": pages,
              "facets": facets, "next_cursor": result.next_cursor, "relaxed": result.relaxed,
              "corrected_to": corrected}
    if relax and query.text and (result.relaxed or not result.total):
        answer["did_you_mean"] = did_you_mean(query.text, catalog_terms(session, engine))
    return answer


def catalog_terms(session: Session, engine: SearchEngine) -> list[str]:
    """What the catalog itself calls things: classification and department names (Chinese and
    English) and its most used keywords; kept a few minutes per process."""
    now = time.monotonic()
    with _terms_lock:
        cached = _terms_cache.get(id(engine))
        if cached and now - cached[0] < TERMS_SECONDS:
            return cached[1]
    terms: list[str] = []
    for model in (ClassificationNode, Department):
        for name, name_en in session.execute(select(model.name, model.name_en)):
            terms += [name, *([name_en] if name_en else [])]
    try:
        terms += engine.keyword_terms(KEYWORD_TERMS)
    except SearchUnavailable as error:
        log.warning("search engine unavailable for did-you-mean: %s", error)
    terms = list(dict.fromkeys(terms))
    with _terms_lock:
        _terms_cache[id(engine)] = (now, terms)
    return terms


def did_you_mean(text: str, terms: list[str], limit: int = DID_YOU_MEAN) -> list[str]:
    """The catalog's terms closest to ``text`` or to one of its words (folded: width, traditional
    forms and case do not count), best first; never a word the query has already."""
    asked = fold(" ".join(text.split()))
    words = [asked, *asked.split()]
    scored = []
    for term in terms:
        folded = fold(term)
        if folded in words:
            continue
        matcher = difflib.SequenceMatcher(None, folded)
        best = 0.0
        for word in words:
            matcher.set_seq2(word)
            if matcher.real_quick_ratio() >= DID_YOU_MEAN_MIN and matcher.quick_ratio() >= DID_YOU_MEAN_MIN:
                best = max(best, matcher.ratio())
        if best >= DID_YOU_MEAN_MIN:
            scored.append((-best, len(term), term))
    return [term for _, _, term in sorted(scored)[:limit]]


def _database_listing(session, actor, query: SearchQuery, states, revision, rows_only: bool = False) -> dict:
    """Without the engine, a plain listing still works from the database; anything more is a 503."""
    plain = set(query.filters) <= {"department", "classification"} and all(
        len(values) == 1 for values in query.filters.values())
    if query.text or query.cursor or query.sort in ("title", "quality") or not plain:
        raise Unavailable("搜索服务暂时不可用，请稍后再试。", "The search engine is unavailable; try again shortly.")
    page, _ = list_resources(session, actor, states=list(states) or None,
                             department=(query.filters.get("department") or [None])[0],
                             classification=(query.filters.get("classification") or [None])[0],
                             page=query.page, per_page=query.per_page)
    items = list(page.items) if rows_only else [{**resource_representation(r, revision), "highlight": {}}
                                                for r in page.items]
    return {"items": items,
            "total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages,
            "facets": {}, "next_cursor": None, "degraded": True}


def suggest(session: Session, engine: SearchEngine, actor, text: str, limit: int = 8) -> dict:
    """Titles and departments that start with (or else contain) what the user has typed so far."""
    text = " ".join(text.split())[:50]
    if not text:
        return {"titles": [], "departments": []}
    try:
        titles = [{"id": rid, "title": title} for rid, title in engine.suggest(text, Visibility(), limit)]
    except SearchUnavailable as error:
        log.warning("search engine unavailable for suggestions: %s", error)
        titles = []
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    departments = session.execute(
        select(Department.credit_code, Department.name).where(Department.name.like(f"%{pattern}%", escape="\\"))
        .order_by(Department.name.like(f"{pattern}%", escape="\\").desc(), Department.branch_code).limit(limit))
    return {"titles": titles, "departments": [{"credit_code": c, "name": n} for c, n in departments]}


def _document_batches(database: Database):
    with database.reader() as session:
        batch = []
        for resource in session.scalars(select(Resource).order_by(Resource.id).execution_options(yield_per=REBUILD_BATCH)):
            batch.extend(documents_for(resource)[0])
            if len(batch) >= REBUILD_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def expected_counts(session: Session) -> dict[str, int]:
    public = session.scalar(select(func.count()).select_from(Resource).where(Resource.is_public.is_(True)))
    working = session.scalar(select(func.count()).select_from(Resource))
    return {"public": public or 0, "working": working or 0}


def reindex(database: Database, engine: SearchEngine, progress=None) -> dict:
    """Build a new index from the database and swap it in; then catch up with changes made meanwhile."""
    started = utcnow()
    with database.reader() as session:
        expected = sum(expected_counts(session).values())
    count = engine.rebuild(_document_batches(database), progress)
    with database.transaction() as session:
        # What was queued before the build began is in the new index; what changed while it was
        # built may have gone to the old one only: queue that again.
        session.execute(delete(SearchOutbox).where(SearchOutbox.queued_at < started))
        queue_for_index(session, session.scalars(select(Resource.id).where(
            Resource.modified_at >= started - timedelta(seconds=1))))
    caught_up = drain(database, engine)
    return {"indexed": count, "expected": expected, "caught_up": caught_up}


def status(database: Database, engine: SearchEngine) -> dict:
    """Engine, document counts, backlog, and any difference between the database and the index."""
    with database.reader() as session:
        expected = expected_counts(session)
        queued = backlog(session)
        wanted = {f"p{i}" for i in session.scalars(select(Resource.id).where(Resource.is_public.is_(True)))} | \
                 {f"w{i}" for i in session.scalars(select(Resource.id))}
    report = {"engine": engine.describe(), "database": expected, "backlog": queued, "analysis": analysis_version()}
    try:
        report["index"] = engine.counts()
        present = engine.document_ids()
    except SearchUnavailable as error:
        report.update(available=False, error=str(error))
        return report
    missing, extra = sorted(wanted - present), sorted(present - wanted)
    report.update(available=True, missing=len(missing), extra=len(extra),
                  missing_sample=missing[:10], extra_sample=extra[:10], in_step=not missing and not extra)
    return report
