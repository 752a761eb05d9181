"""Search pages: the same search service as the API, rendered for people, with facets to click."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from markupsafe import Markup

from registry.api.common import int_arg
from registry.db import get_session
from registry.errors import ServiceError
from registry.i18n import current_language, in_language
from registry.search import get_engine
from registry.search.query import FACETS, SORTS, parse_search_args
from registry.search.services import search_resources

bp = Blueprint("ui", __name__)
PER_PAGE = 20
FACET_SHOWN = 8          # buckets shown before "more" (the rest in a disclosure: no script needed)
PAGE_WINDOW = 2          # numbered pages either side of the current one


def _link(args: dict, **changes) -> str:
    merged = {**args, **changes}
    return "/search?" + urlencode({k: v for k, v in merged.items() if v not in (None, "") and k != "lang"})


def _page_numbers(page: int, pages: int) -> list[int | None]:
    """1 … 4 5 [6] 7 8 … 20: the first, the last and a window around the current page (None: a gap)."""
    shown = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    numbers: list[int | None] = []
    for n in shown:
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


@bp.get("/search")
def search():
    args = {k: v for k, v in request.args.items()}
    status, error, answer, query = 200, None, None, None
    try:
        query = parse_search_args(request.args, page=int_arg("page", 1, maximum=10**4), per_page=PER_PAGE)
        query = replace(query, lang=current_language())
        answer = search_resources(get_session(), get_engine(), None, query, relax=True)
    except ServiceError as problem:        # shown on the page, beside the search box
        status, error = problem.status, in_language(problem.zh, problem.en)
    facets, chosen_filters = [], []
    if answer:
        for facet in FACETS:
            chosen = set(filter(None, args.get(facet.name, "").split(",")))
            data = answer["facets"].get(facet.name)
            labels = {b["key"]: b["label"] for b in (data or {}).get("buckets", [])}
            for key in sorted(chosen):
                rest = ",".join(sorted(chosen - {key}))
                chosen_filters.append({"label": labels.get(key, key), "facet": in_language(facet.zh, facet.en),
                                       "href": _link(args, **{facet.name: rest, "page": None})})
            if not data or not data["buckets"]:
                continue
            buckets = []
            for bucket in data["buckets"]:
                selected = bucket["key"] in chosen
                values = (chosen - {bucket["key"]}) if selected else (chosen | {bucket["key"]})
                buckets.append({**bucket, "selected": selected,
                                "href": _link(args, **{facet.name: ",".join(sorted(values)), "page": None})})
            facets.append({"name": facet.name, "label": data["label"], "buckets": buckets[:FACET_SHOWN],
                           "more": buckets[FACET_SHOWN:]})
        english = current_language() == "en"
        for item in answer["items"]:
            marks = item.get("highlight", {})
            # Highlights are HTML-escaped text with <mark> added by the search engine adapters.
            item["title_html"] = Markup(marks["title"]) if "title" in marks else item["title"]
            item["summary_html"] = Markup(marks["description"]) if "description" in marks else item["description"][:240]
            if english and item.get("title_en"):     # an English page shows a resource's English title first
                item["title_html"], item["subtitle"] = item["title_en"], item["title_html"]
                item["summary_html"] = item.get("description_en", "")[:240] or item["summary_html"]
    pages = min(answer["pages"], 10**4) if answer else 0
    page = query.page if query else 1
    return render_template(
        "search.html", answer=answer, error=error, facets=facets, q=args.get("q", ""), chosen=chosen_filters,
        sort=query.sort if query else "relevance", sorts=sorted(SORTS),
        clear=_link({"q": args.get("q", ""), "sort": args.get("sort")}) if chosen_filters else None,
        everything=_link({}) if answer and not answer["total"] and (args.get("q") or chosen_filters) else None,
        relaxed=bool(answer and answer.get("relaxed") and answer["total"]),
        corrected_to=(answer or {}).get("corrected_to"),
        did_you_mean=[(term, _link({**args, "q": term, "page": None})) for term in (answer or {}).get("did_you_mean", [])],
        numbers=[(n, _link(args, page=n)) if n else (None, None) for n in _page_numbers(page, pages)] if pages > 1 else [],
        previous=_link(args, page=page - 1) if page > 1 else None,
        next=_link(args, page=page + 1) if page < pages else None, page=page, pages=pages,
    ), status
