"""The search contract: what a query may ask and what an answer holds, whatever the engine.

Each filter is declared once in :data:`FACETS` — its request parameter, the document field it
filters and counts, and where its labels come from — so the API's parsing, both engines' query
clauses and aggregations, and the labels all follow the same definition.  Adding a facet is
adding one entry.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

from vocab import enumerations as v
from vocab.codes import is_valid_classification_code, is_valid_credit_code
from registry.errors import BadRequest
from registry.quality.bands import QUALITY_BANDS

MAX_QUERY_CHARS = 500        # longer text is cut: nobody types more, and it bounds the work
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class Facet:
    """One filter and its counts."""

    name: str                      # request parameter and key of the answer's facets
    field: str                     # document field (a keyword, possibly multi-valued)
    zh: str
    en: str
    vocabulary: v.Enumeration | None = None   # labels from a vocabulary; else from the catalog
    check: object = None           # predicate a filter value must pass, when no vocabulary
    size: int = 20                 # buckets returned

    def accepts(self, value: str) -> bool:
        if self.vocabulary is not None:
            return value in self.vocabulary
        return self.check(value) if self.check else 0 < len(value) <= 200


FACETS = [
    Facet("department", "department", "部门", "Department", check=is_valid_credit_code, size=30),
    Facet("level", "level", "行政层级", "Administrative level", v.ADMINISTRATIVE_LEVELS),
    Facet("classification", "classification_path", "信息资源分类", "Classification", size=30,
          check=is_valid_classification_code),
    Facet("share_type", "share_type", "共享类型", "Sharing type", v.SHARE_TYPES),
    Facet("open_type", "open_type", "开放属性", "Opening type", v.OPEN_TYPES),
    Facet("update_frequency", "update_frequency", "更新周期", "Update frequency", v.UPDATE_FREQUENCIES),
    Facet("format_class", "format_class", "信息资源格式", "Format class", v.FORMAT_CLASSES),
    Facet("theme", "themes", "数据主题", "EU data theme", v.EU_THEMES),
    Facet("keyword", "keywords", "关键词", "Keyword"),
    Facet("license", "license", "许可协议", "Licence"),
    Facet("quality", "quality_band", "元数据质量", "Metadata quality", QUALITY_BANDS),
]
FACETS_BY_NAME = {f.name: f for f in FACETS}
# The classification facet counts the 项 (three-character) level; its filter matches any depth.
CLASSIFICATION_COUNT_FIELD = "classification_item"

SORTS = {"relevance", "modified", "title", "quality"}     # quality: most points first
SEARCH_PARAMS = {"q", "sort", "page", "per_page", "cursor", "facets", "lang", "state"} | set(FACETS_BY_NAME)


@dataclass(frozen=True)
class Visibility:
    """Which documents a query may see; applied by the engine, inside the query.

    ``public``: the published versions.  Otherwise the working copies (drafts and pending items)
    of ``departments`` (``None``: every department), optionally in the given ``states``.
    """

    public: bool = True
    departments: frozenset[int] | None = None
    states: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facets: tuple[str, ...] = tuple(FACETS_BY_NAME)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    cursor: str | None = None
    visibility: Visibility = Visibility()
    lang: str = "zh"
    modified_since: datetime | None = None     # only documents modified at or after this moment
    relaxed: bool = False                      # fewer words required (see engine.search_relaxing)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    resource_id: int
    score: float | None
    highlight: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    next_cursor: str | None = None
    relaxed: bool = False          # the strict query found nothing: these match fewer of its words


def encode_cursor(payload: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict:
    """The engine's position from an opaque cursor, or a 400 naming the parameter."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if isinstance(payload, dict):
            return payload
    except (ValueError, UnicodeDecodeError):
        pass
    raise BadRequest("cursor 无效，请使用上一页返回的 next_cursor。", "Not a cursor: use next_cursor from the previous page.",
                     "cursor")


def clean_text(text: str) -> str:
    """The query text as plain text: control characters out, white space folded, length bounded."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(cleaned.split())[:MAX_QUERY_CHARS]


def parse_search_args(args, *, page: int, per_page: int) -> SearchQuery:
    """A :class:`SearchQuery` from a request's query string; unknown parameters and values get 400."""
    unknown = sorted(set(args) - SEARCH_PARAMS)
    if unknown:
        raise BadRequest(f"未知的查询参数：{', '.join(unknown)}。",
                         f"Unknown parameter(s): {', '.join(unknown)}; filters are {', '.join(FACETS_BY_NAME)}.",
                         unknown[0])
    filters = {}
    for facet in FACETS:
        values = tuple(dict.fromkeys(x.strip() for raw in args.getlist(facet.name) for x in raw.split(",")
                                     if x.strip()))
        if len(values) > MAX_FILTER_VALUES:
            raise BadRequest("筛选值过多。", f"At most {MAX_FILTER_VALUES} values per filter.", facet.name)
        bad = [x for x in values if not facet.accepts(x)]
        if bad:
            raise BadRequest(f"筛选条件 {facet.name} 的值无效：{bad[0][:50]}", f"Not a valid {facet.name}: {bad[0][:50]!r}.",
                             facet.name)
        if values:
            filters[facet.name] = values
    sort = args.get("sort") or ("relevance" if args.get("q", "").strip() else "modified")
    if sort not in SORTS:
        raise BadRequest("未知的排序方式。", f"Unknown sort {sort[:50]!r}; one of {', '.join(sorted(SORTS))}.", "sort")
    wanted = args.get("facets")
    if wanted is None:
        facets = tuple(FACETS_BY_NAME)
    else:
        facets = tuple(x for x in wanted.split(",") if x)
        bad = [x for x in facets if x not in FACETS_BY_NAME]
        if bad:
            raise BadRequest("未知的分面。", f"Unknown facet {bad[0][:50]!r}.", "facets")
    lang = args.get("lang") or "zh"
    if lang not in ("zh", "en"):
        raise BadRequest("lang 应为 zh 或 en。", "lang is zh or en.", "lang")
    cursor = args.get("cursor") or None
    if cursor is not None:
        decode_cursor(cursor)
    return SearchQuery(text=clean_text(args.get("q", "")), filters=filters, facets=facets, sort=sort,
                       page=page, per_page=min(per_page, MAX_PAGE_SIZE), cursor=cursor, lang=lang)
