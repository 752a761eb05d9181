"""Search pages: the same search service as the API, rendered for people, with facets to click."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from markupsafe import Markup

from registry.api.common import int_arg
from registry.db import get_session
from registry.errors import ServiceError
from registry.i18n import in_language
from registry.search import get_engine
from registry.search.query import FACETS, parse_search_args
from registry.search.services import search_resources

bp = Blueprint("ui", __name__)
PER_PAGE = 20


def _link(args: dict, **changes) -> str:
    merged = {**args, **changes}
    return "/search?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})


@bp.get("/search")
def search():
    args = {k: v for k, v in request.args.items()}
    status, error, answer, query = 200, None, None, None
    try:
        query = parse_search_args(request.args, page=int_arg("page", 1, maximum=10**4), per_page=PER_PAGE)
        answer = search_resources(get_session(), get_engine(), None, query)
    except ServiceError as problem:        # shown on the page, beside the search box
        status, error = problem.status, in_language(problem.zh, problem.en)
    facets = []
    if answer:
        for facet in FACETS:
            data = answer["facets"].get(facet.name)
            if not data or not data["buckets"]:
                continue
            chosen = set(filter(None, args.get(facet.name, "").split(",")))
            buckets = []
            for bucket in data["buckets"]:
                selected = bucket["key"] in chosen
                values = (chosen - {bucket["key"]}) if selected else (chosen | {bucket["key"]})
                buckets.append({**bucket, "selected": selected,
                                "href": _link(args, **{facet.name: ",".join(sorted(values)), "page": None})})
            facets.append({"name": facet.name, "label": data["label"], "buckets": buckets})
        for item in answer["items"]:
            marks = item.get("highlight", {})
            # Highlights are HTML-escaped text with <mark> added by the search engine adapters.
            item["title_html"] = Markup(marks["title"]) if "title" in marks else item["title"]
            item["summary_html"] = Markup(marks["description"]) if "description" in marks else item["description"][:240]
    pages = answer["pages"] if answer else 0
    page = query.page if query else 1
    return render_template(
        "search.html", answer=answer, error=error, facets=facets, q=args.get("q", ""),
        previous=_link(args, page=page - 1) if page > 1 else None,
        next=_link(args, page=page + 1) if page < pages else None, page=page, pages=pages,
    ), status
