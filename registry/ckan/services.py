"""The CKAN read actions over the published catalog: status, packages, search and organizations.

Each action takes the request's data dict, as CKAN actions do, and returns the ``result`` of CKAN's
envelope.  Searching goes through :func:`registry.search.services.search_resources`, the catalog's
one search, so the CKAN API and the JSON API answer the same query with the same resources; the
views wrap what these functions return or raise.  Everything here is the public view: only
published resources, in their published version, whoever asks.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from importlib import metadata

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from registry.api import API_PREFIX
from registry.ckan import mapping
from registry.ckan.params import (DEFAULT_FACET_LIMIT, DEFAULT_ROWS, FIELDS, MAX_ROWS, Filters, QuerySyntaxError,
                                  boolean, facet_value_name, integer, invalid, natural, parse_filters, parse_sort,
                                  plain_text, string_list)
from registry.departments.models import ClassificationNode, Department
from registry.errors import NotFound
from registry.resources.models import Resource
from registry.resources.services import resource_representation
from registry.search.documents import classification_path
from registry.search.engine import SearchEngine
from registry.search.query import FACETS_BY_NAME, SearchQuery, clean_text
from registry.search.services import search_resources

CKAN_VERSION = "2.10.0"          # the CKAN API level these actions follow
DEFAULT_SORT = "score desc, metadata_modified desc"
SCAN_PAGE = 1000                 # a metadata_modified range walks the modified order in pages of this size …
MAX_SCAN = 10_000                # … and gives up past this many changed packages
ORGANIZATION_DATASETS = 1000     # organization_show include_datasets: CKAN's first 1000
SEARCH_PARAMS = {"q", "fq", "fq_list", "rows", "start", "sort", "fl", "facet", "facet.field", "facet.limit",
                 "facet.mincount", "wt", "qf", "bf", "boost", "tie", "defType", "mm", "df", "extras",
                 "include_private", "include_drafts", "include_deleted", "use_default_schema"}


@dataclass
class Context:
    """What an action works with: the request's read session, the search engine, the site's address."""

    session: Session
    engine: SearchEngine
    site_url: str                                           # without a trailing slash
    _departments: dict = field(default_factory=dict)
    _classes: dict = field(default_factory=dict)

    def departments(self, credit_codes) -> dict[str, Department]:
        missing = set(credit_codes) - set(self._departments)
        if missing:
            for department in self.session.scalars(select(Department).where(Department.credit_code.in_(missing))):
                self._departments[department.credit_code] = department
        return self._departments

    def classification_names(self, codes) -> dict[str, tuple[str, str | None]]:
        missing = set(codes) - set(self._classes)
        if missing:
            rows = self.session.execute(select(ClassificationNode.code, ClassificationNode.name,
                                               ClassificationNode.name_en).where(ClassificationNode.code.in_(missing)))
            self._classes.update({code: (name, name_en) for code, name, name_en in rows})
        return self._classes

    def packages(self, representations: list[dict]) -> list[dict]:
        departments = self.departments({r["provider"] for r in representations})
        names = self.classification_names({node for r in representations
                                           for node in classification_path(r["classification"])})
        return [mapping.package_dict(r, departments[r["provider"]], names,
                                     f"{self.site_url}{API_PREFIX}/resources/{r['id']}") for r in representations]


def _required(data: dict, name: str) -> str:
    value = plain_text(data, name).strip()
    if not value:
        raise invalid(name, "Missing value", "缺少必填参数")
    return value


# -- status -----------------------------------------------------------------------------------

def status_show(ctx: Context, data: dict) -> dict:
    """Return a dictionary with information about the site (CKAN's status_show)."""
    try:
        version = metadata.version("govcat")
    except metadata.PackageNotFoundError:
        version = None
    return {"site_title": "政务信息资源目录", "site_description": "Government information-resource catalog (govcat)",
            "site_url": ctx.site_url, "ckan_version": CKAN_VERSION, "govcat_version": version,
            "error_emails_to": None, "locale_default": "zh_Hans_CN", "extensions": []}


# -- packages ---------------------------------------------------------------------------------

def package_list(ctx: Context, data: dict) -> list[str]:
    """Return the names of the published packages, in name order; ``limit``, ``offset`` (or ``page``) page it."""
    limit, offset = natural(data, "limit", None), natural(data, "offset", 0)
    page = natural(data, "page", None)
    if page is not None and page < 1:
        raise invalid("page", "Must be a positive integer", "应为正整数")
    if page and limit:
        offset = (page - 1) * limit
    code = Resource.code
    if ctx.session.get_bind().dialect.name == "postgresql":
        code = code.collate("C")          # byte order on both engines, so names sort alike
    query = select(Resource.code).where(Resource.is_public.is_(True)).order_by(code)
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [mapping.package_name(c) for c in ctx.session.scalars(query)]


def find_public_resource(session: Session, ident: str) -> Resource:
    """A published resource by our id, its package name or its resource code."""
    resource = None
    if ident.isascii() and ident.isdigit() and len(ident) < 19:
        resource = session.get(Resource, int(ident))
    else:
        code = mapping.code_from_name(ident)
        if code is not None:
            resource = session.scalar(select(Resource).where(Resource.code == code))
    if resource is None or not resource.is_public:
        raise NotFound("未找到该数据集。", "Dataset not found")
    return resource


def package_show(ctx: Context, data: dict) -> dict:
    """Return a published package: ``id`` is its id, its name (``102-000001``) or its resource code."""
    resource = find_public_resource(ctx.session, _required(data, "id"))
    return ctx.packages([resource_representation(resource, "published")])[0]


# -- search -----------------------------------------------------------------------------------

def package_search(ctx: Context, data: dict) -> dict:
    """Search the published packages: q (plain text), fq, rows, start, sort, fl and facets, as CKAN does."""
    unknown = sorted(k for k in set(data) - SEARCH_PARAMS if not k.startswith("ext_"))
    if unknown:
        raise QuerySyntaxError("无效的搜索参数。", f"Invalid search parameters: {unknown}", unknown[0])
    q = plain_text(data, "q").strip()
    text = "" if q in ("*:*", '""', "''") else clean_text(q)
    if "-" in text and mapping.code_from_name(text):
        text = mapping.code_from_name(text)         # a package name finds its package, as its code does
    rows = min(natural(data, "rows", DEFAULT_ROWS), MAX_ROWS)
    start = natural(data, "start", 0)
    raw_sort = plain_text(data, "sort").strip()
    sort = parse_sort(raw_sort, bool(text))
    filters = parse_filters([plain_text(data, "fq"), *string_list(data, "fq_list")])
    fields = string_list(data, "facet.field", json_text=True) if boolean(data, "facet", True) else []
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise invalid("facet.field",
                      f"Unknown facet field(s): {', '.join(unknown)}; known: {', '.join(sorted(FIELDS))}",
                      f"无法统计的分面字段：{', '.join(unknown)}")
    limit, mincount = integer(data, "facet.limit", DEFAULT_FACET_LIMIT), natural(data, "facet.mincount", 1)
    fl = string_list(data, "fl", split=True)
    facets = tuple(dict.fromkeys(f for name in fields for f in FIELDS[name].facets))
    query = SearchQuery(text=text, filters=filters.filters, facets=facets, sort=sort)

    if filters.nothing:
        total, items, counts = 0, [], {}
    elif filters.modified_after is not None:
        if sort != "modified":
            raise invalid("sort", "A metadata_modified range is answered in metadata_modified desc order",
                          "按 metadata_modified 范围查询时只能按 metadata_modified 降序排列")
        changed = _modified_since(ctx, query, filters)
        total, items = len(changed), changed[start:start + rows]
        counts = {name: _count(ctx, changed, name) for name in facets}
    else:
        total, items, counts = _search_page(ctx, query, start, rows)

    results = ctx.packages(items)
    if fl:
        results = [{k: package.get(k) for k in fl} for package in results]
    old_style, search_facets = {}, {}
    for name in fields:
        entries = [{"name": facet_value_name(name, facet, key), "display_name": label, "count": count}
                   for facet in FIELDS[name].facets for key, label, count in counts.get(facet, [])
                   if key and count >= mincount]
        entries.sort(key=lambda e: (-e["count"], e["name"]))
        if limit >= 0:
            entries = entries[:limit]
        old_style[name] = {e["name"]: e["count"] for e in entries}
        search_facets[name] = {"title": FIELDS[name].title, "items": entries}
    return {"count": total, "facets": old_style, "results": results, "sort": raw_sort or DEFAULT_SORT,
            "search_facets": search_facets}


def _search(ctx: Context, query: SearchQuery) -> dict:
    return search_resources(ctx.session, ctx.engine, None, query)


def _labelled(answer: dict) -> dict[str, list[tuple[str, str, int]]]:
    return {name: [(b["key"], b["label"], b["count"]) for b in facet["buckets"]]
            for name, facet in answer.get("facets", {}).items()}


def _search_page(ctx: Context, query: SearchQuery, start: int, rows: int):
    """``rows`` hits from ``start``: the engine pages by page number, so an unaligned start reads two pages."""
    if rows == 0:
        answer = _search(ctx, replace(query, page=1, per_page=1))
        return answer["total"], [], _labelled(answer)
    page, skip = divmod(start, rows)
    answer = _search(ctx, replace(query, page=page + 1, per_page=rows))
    items = answer["items"][skip:]
    if skip and len(items) < rows and start + len(items) < answer["total"]:
        following = _search(ctx, replace(query, page=page + 2, per_page=rows, facets=()))
        items += following["items"][:rows - len(items)]
    return answer["total"], items, _labelled(answer)


def _modified_since(ctx: Context, query: SearchQuery, filters: Filters) -> list[dict]:
    """Every match modified since the bound: a prefix of the newest-first order, read until it ends."""
    since = filters.modified_after
    margin = since - timedelta(seconds=1)     # engines order by the second; look one second past the bound
    changed, page = [], 1
    while True:
        answer = _search(ctx, replace(query, page=page, per_page=SCAN_PAGE, facets=()))
        done = not answer["items"] or page >= answer["pages"]
        for item in answer["items"]:
            when = datetime.fromisoformat(item["modified"])
            if when > since or (filters.inclusive and when == since):
                changed.append(item)
            elif when < margin:
                done = True
                break
        if done:
            return changed
        if page * SCAN_PAGE >= MAX_SCAN:
            raise invalid("fq", f"More than {MAX_SCAN} datasets changed in this metadata_modified range; "
                                "page through the search without it", "该时间范围内变更的数据集过多，请不带时间范围分页获取")
        page += 1


def _count(ctx: Context, items: list[dict], facet: str) -> list[tuple[str, str, int]]:
    """Facet counts over a list of representations, labelled as the engine's are."""
    counter: Counter = Counter()
    departments = ctx.departments({r["provider"] for r in items}) if facet == "level" else {}
    for r in items:
        if facet == "department":
            values = [r["provider"]]
        elif facet == "level":
            values = [departments[r["provider"]].level]
        elif facet == "classification":
            values = [r["classification"][:3]]
        elif facet == "theme":
            values = r.get("themes") or []
        elif facet == "keyword":
            values = r.get("keywords") or []
        else:
            values = [r.get(facet)]
        counter.update(x for x in dict.fromkeys(values) if x)
    top = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:FACETS_BY_NAME[facet].size]
    return [(key, _label(ctx, facet, key), count) for key, count in top]


def _label(ctx: Context, facet: str, key: str) -> str:
    spec = FACETS_BY_NAME[facet]
    if spec.vocabulary is not None:
        return spec.vocabulary[key].zh if key in spec.vocabulary else key
    if facet == "department":
        department = ctx.departments([key]).get(key)
        return department.name if department else key
    if facet == "classification":
        return ctx.classification_names([key]).get(key, (key, None))[0]
    return key


# -- organizations ----------------------------------------------------------------------------

def _package_counts(session: Session, department_ids=None) -> dict[int, int]:
    query = select(Resource.department_id, func.count()).where(Resource.is_public.is_(True)) \
        .group_by(Resource.department_id)
    if department_ids is not None:
        query = query.where(Resource.department_id.in_(list(department_ids)))
    return dict(session.execute(query).all())


ORGANIZATION_SORTS = {"name": Department.credit_code, "title": Department.name}


def organization_list(ctx: Context, data: dict) -> list:
    """Return the organizations' names, or with ``all_fields`` their dictionaries; limit/offset page them."""
    all_fields = boolean(data, "all_fields", False)
    maximum = 25 if all_fields else 1000          # CKAN's defaults for the two forms
    limit = natural(data, "limit", None)
    limit = maximum if not limit or limit > maximum else limit
    offset = natural(data, "offset", 0)
    sort_field, _, direction = " ".join(plain_text(data, "sort").lower().split()).partition(" ")
    sort_field = {"packages": "package_count"}.get(sort_field, sort_field or "title")
    direction = direction or ("desc" if sort_field == "package_count" else "asc")
    if sort_field not in ("name", "title", "package_count") or direction not in ("asc", "desc"):
        raise invalid("sort", "Sort by name, title or package_count, asc or desc", "排序字段应为 name、title 或 package_count")
    counts = select(Resource.department_id, func.count().label("n")).where(Resource.is_public.is_(True)) \
        .group_by(Resource.department_id).subquery()
    query = select(Department).where(Department.active.is_(True))
    wanted = string_list(data, "organizations", json_text=True, split=True)
    if wanted:
        query = query.where(Department.credit_code.in_([w.upper() for w in wanted]))
    text = plain_text(data, "q").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Department.name.like(pattern, escape="\\"),
                                Department.credit_code.like(pattern.upper(), escape="\\")))
    if sort_field == "package_count":
        query = query.outerjoin(counts, counts.c.department_id == Department.id)
        key = func.coalesce(counts.c.n, 0)
    else:
        key = ORGANIZATION_SORTS[sort_field]
    query = query.order_by(key.desc() if direction == "desc" else key.asc(), Department.credit_code)
    departments = list(ctx.session.scalars(query.limit(limit).offset(offset)))
    if not all_fields:
        return [mapping.organization_name(d.credit_code) for d in departments]
    with_counts = boolean(data, "include_dataset_count", True)
    package_counts = _package_counts(ctx.session, [d.id for d in departments]) if with_counts else {}
    return [mapping.organization_dict(d, package_count=package_counts.get(d.id, 0) if with_counts else None,
                                      include_extras=boolean(data, "include_extras", False),
                                      include_groups=boolean(data, "include_groups", False))
            for d in departments]


def find_department(session: Session, ident: str) -> Department:
    """A department by credit code, in either case (an organization's id and name)."""
    department = session.scalar(select(Department).where(Department.credit_code == ident.strip().upper()))
    if department is None:
        raise NotFound("未找到该组织。", "Organization not found")
    return department


def organization_show(ctx: Context, data: dict) -> dict:
    """Return an organization (a department): ``id`` is its credit code or its name; ``include_datasets``."""
    department = find_department(ctx.session, _required(data, "id"))
    include_datasets = boolean(data, "include_datasets", False)
    with_count = include_datasets or boolean(data, "include_dataset_count", True)
    out = mapping.organization_dict(
        department, package_count=_package_counts(ctx.session, [department.id]).get(department.id, 0)
        if with_count else None, include_extras=boolean(data, "include_extras", True),
        include_groups=boolean(data, "include_groups", True))
    if include_datasets:
        found = package_search(ctx, {"fq": f"owner_org:{department.credit_code}", "rows": ORGANIZATION_DATASETS,
                                     "sort": "metadata_modified desc"})
        out["packages"] = found["results"]
    return out


ACTIONS = {
    "status_show": status_show,
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
}
