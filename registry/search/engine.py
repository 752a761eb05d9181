"""The interface every search engine of govcat implements, and what the rest of govcat may assume.

Engines receive the documents of :mod:`registry.search.documents` and a validated
:class:`~registry.search.query.SearchQuery`; they return ids and counts, never database rows.
The contract tests (``tests/registry/search/test_contract.py``) run the same cases on each.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Protocol

from registry.search.plan import read
from registry.search.spelling import correct
from registry.search.query import SearchQuery, SearchResult, Visibility

Progress = Callable[[int], None]

# The keyword fields both engines index as they are (the text fields: plan.WORD_FIELDS, plan.GRAM_FIELDS).
KEYWORD_FIELDS = ("id", "kind", "state", "code", "codes", "department", "level", "classification_path",
                  "classification_item", "share_type", "open_type", "update_frequency", "format_class", "themes",
                  "keywords", "license", "title_sort", "quality_band")


class SearchUnavailable(Exception):
    """The engine cannot be reached or refused the operation; the caller keeps what it had."""


class SearchEngine(Protocol):
    name: str

    def write(self, documents: list[dict], delete_ids: list[str]) -> None:
        """Add or replace ``documents`` (by ``id``) and remove ``delete_ids``, visible on return."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Hits, total, facet counts (each facet ignoring its own filter) and the next cursor."""

    def suggest(self, prefix: str, visibility: Visibility, limit: int) -> list[tuple[int, str]]:
        """``(resource_id, title)`` of titles that start with, or else contain, ``prefix``."""

    def rebuild(self, batches: Iterable[list[dict]], progress: Progress | None = None) -> int:
        """Build a new index from ``batches`` and make it the live one at once; return its size."""

    def counts(self) -> dict[str, int]:
        """How many documents of each kind (``public``, ``working``) the live index holds."""

    def document_ids(self) -> set[str]:
        """Every document id in the live index (for comparing the index with the database)."""

    def keyword_terms(self, limit: int) -> list[str]:
        """The ``limit`` most used keywords of public resources (for did-you-mean)."""

    def describe(self) -> dict:
        """What the engine is and where, and whether its index has the current analysis
        (``analysis``, ``analysis_current``): for ``govcat search status``."""


def search_relaxing(engine: SearchEngine, query: SearchQuery) -> SearchResult:
    """The engine's answer to ``query``; when its words found nothing, the answer with fewer words
    required (``relaxed`` set), so nobody is left at an empty page that a looser match would fill."""
    result = engine.search(query)
    if result.total or not query.text or query.relaxed:
        return result
    plan = read(query.text)
    if plan is None or plan.relax() is None:
        return result
    relaxed = engine.search(replace(query, relaxed=True))
    return relaxed if relaxed.total else result


def search_correcting(engine: SearchEngine, query: SearchQuery,
                      terms: Callable[[], tuple[str, ...]]) -> tuple[SearchResult, str | None]:
    """:func:`search_relaxing`; when that finds nothing either, the answer to the query with its
    misspelt words corrected against the catalog's terms (``terms()``, asked only then; see
    :mod:`registry.search.spelling`) and the corrected text — else the empty answer and None."""
    result = search_relaxing(engine, query)
    if result.total or not query.text:
        return result, None
    fixed = correct(query.text, terms())
    if not fixed:
        return result, None
    answer = search_relaxing(engine, replace(query, text=fixed))
    return (answer, fixed) if answer.total else (result, None)
