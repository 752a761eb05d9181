"""The interface every search engine of govcat implements, and what the rest of govcat may assume.

Engines receive the documents of :mod:`registry.search.documents` and a validated
:class:`~registry.search.query.SearchQuery`; they return ids and counts, never database rows.
The contract tests (``tests/registry/search/test_contract.py``) run the same cases on each.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Protocol

from registry.search.query import SearchQuery, SearchResult, Visibility

Progress = Callable[[int], None]

# What both engines index and weigh the same way.
BOOSTS = {"title": 5.0, "title_en": 5.0, "keywords_text": 2.0, "description": 1.0, "description_en": 1.0,
          "department_name": 0.5}         # title over keywords over description
TITLE_BOOSTS = {"title": 1.0, "title_en": 1.0}
KEYWORD_FIELDS = ("id", "kind", "state", "code", "codes", "department", "level", "classification_path",
                  "classification_item", "share_type", "open_type", "update_frequency", "format_class", "themes",
                  "keywords", "license", "title_sort", "quality_band")
PREFIX_MAX = 16                            # longest prefix that suggestions complete


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

    def describe(self) -> dict:
        """What the engine is and where: for ``govcat search status``."""


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}_]+", re.UNICODE)
CJK_RUN = re.compile(rf"[{_CJK}]+")
MAX_TOKENS = 32


def query_tokens(text: str) -> list[str]:
    """The query's words: Chinese runs as overlapping bigrams (a lone character alone), other words whole.

    Both engines match Chinese by bigrams, so ``交通`` finds 交通运输 and 城市交通 alike.
    """
    tokens: list[str] = []
    for run in _TOKEN.findall(text):
        if CJK_RUN.fullmatch(run):
            tokens.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
        else:
            tokens.append(run.lower())
    return list(dict.fromkeys(tokens))[:MAX_TOKENS]
