"""The JSON API of the controlled vocabularies and the classification tree."""
from __future__ import annotations

from flask import Blueprint, jsonify

from vocab import enumerations as v
from registry.db import get_session
from registry.departments.services import classification_tree
from registry.errors import NotFound

bp = Blueprint("vocabularies_api", __name__)


@bp.get("/vocabularies")
def list_vocabularies():
    items = [e.as_dict() for e in v.ENUMERATIONS.values()]
    return jsonify({"items": items, "classification": "/api/v1/vocabularies/classification"})


@bp.get("/vocabularies/classification")
def classification():
    return jsonify({"name": "classification", "label": {"zh": "信息资源分类", "en": "Classification"},
                    "tree": classification_tree(get_session())})


@bp.get("/vocabularies/<name>")
def vocabulary(name: str):
    enumeration = v.ENUMERATIONS.get(name)
    if enumeration is None:
        raise NotFound("未找到该词表。", f"No vocabulary {name}; see /api/v1/vocabularies.")
    return jsonify(enumeration.as_dict())
