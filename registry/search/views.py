"""The JSON API of suggestions: ``/api/v1/suggest``. (Search itself answers at ``/api/v1/resources``.)"""
from __future__ import annotations

from flask import Blueprint, jsonify

from registry.api.common import int_arg, query_args
from registry.auth import current_actor
from registry.db import get_session
from registry.search import get_engine
from registry.search.query import clean_text
from registry.search.services import suggest

bp = Blueprint("search_api", __name__)


@bp.get("/suggest")
def suggestions():
    args = query_args({"q", "limit"})
    return jsonify(suggest(get_session(), get_engine(), current_actor(), clean_text(args.get("q", "")),
                           limit=int_arg("limit", 8, maximum=20)))
