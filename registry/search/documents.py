"""From a resource to the documents a search engine indexes.

A resource has up to two documents: ``p<id>``, its published version (while it is public), and
``w<id>``, its working copy, in whatever state.  Public search sees only ``public`` documents;
department workspaces see only ``working`` ones of their departments.  Both engines index the same
dicts, built here and nowhere else.

Text is analysed here, in Python (:mod:`registry.search.analysis`): the ``*_words`` and ``*_grams``
fields hold whitespace-separated tokens, which every engine indexes with a plain whitespace
tokenizer; the original texts are kept for display and highlights.  The vocabularies' labels go in
too — the classification's Chinese and English names, the EU themes' English names — so that
``credit`` finds what the catalog files under 社会信用 even when its own text is only Chinese.
"""
from __future__ import annotations

from datetime import timezone

from vocab import enumerations as v
from registry.quality.models import search_fields as quality_fields
from registry.resources.models import Resource
from registry.search.analysis import grams, joined, prefixes, words

FIXED_NODES = {node.code: node for node in v.FIXED_CLASSIFICATION}

def document_ids(resource_id: int) -> tuple[str, str]:
    return f"p{resource_id}", f"w{resource_id}"


def classification_path(code: str) -> list[str]:
    """Every ancestor of a classification code and the code itself: ``203001`` → 2, 203, 203001."""
    cuts = [1, 3, 6] + list(range(7, len(code) + 1))
    return list(dict.fromkeys(code[:n] for n in cuts if n <= len(code)))


def labels(classification: str, themes: list[str]) -> tuple[list[str], list[str]]:
    """The Chinese and English labels a resource is filed under: its classification's fixed
    ancestors (类 and 项) and, in English only, its EU themes (their Chinese names are too broad)."""
    nodes = [FIXED_NODES[code] for code in classification_path(classification) if code in FIXED_NODES]
    english = [node.en for node in nodes] + [v.EU_THEMES[t].en for t in themes if t in v.EU_THEMES]
    return [node.zh for node in nodes], english


def analysed(document: dict, department_en: str = "") -> dict:
    """The token fields of an index document, from its texts (see the module's docstring)."""
    zh_labels, en_labels = labels(document.get("classification_path", [""])[-1], document.get("themes", []))
    keywords = " ".join([*document.get("keywords", []), *zh_labels])
    title = f"{document['title']} {document.get('title_en', '')}"
    body = f"{document.get('description', '')} {document.get('description_en', '')}"
    department = f"{document.get('department_name', '')} {department_en}"
    return {
        "title_words": joined(words(title)),
        "title_grams": joined(grams(document["title"])),
        "keyword_words": joined(words(f"{keywords} {' '.join(en_labels)}")),
        "text_words": joined(words(body)),
        "department_words": joined(words(department)),
        "text_grams": joined(grams(f"{keywords} {body} {department}")),
        "suggest": joined(prefixes(document["title"])),
    }


def build_document(resource: Resource, kind: str) -> dict:
    """The index document of ``resource``'s published (``kind="public"``) or working version."""
    doc = resource.public_doc if kind == "public" else resource.doc
    department = resource.department
    when = resource.published_at if kind == "public" else resource.modified_at
    keywords = [k for k in doc.get("keywords", []) if k]
    document = {
        "id": f"{'p' if kind == 'public' else 'w'}{resource.id}",
        "resource_id": resource.id,
        "kind": kind,
        "state": "published" if kind == "public" else resource.state,
        "code": resource.code,
        "codes": [resource.code, department.credit_code],
        "department": department.credit_code,
        "department_id": department.id,
        "department_name": department.name,
        "level": department.level,
        "classification_path": classification_path(doc["classification"]),
        "classification_item": doc["classification"][:3],
        "share_type": doc.get("share_type"),
        "open_type": doc.get("open_type"),
        "update_frequency": doc.get("update_frequency"),
        "format_class": doc.get("format_class"),
        "themes": doc.get("themes", []),
        "keywords": keywords,
        "license": doc.get("license") or "",
        "title": doc["title"],
        "title_en": doc.get("title_en", ""),
        "title_sort": doc["title"],
        "description": doc.get("description", ""),
        "description_en": doc.get("description_en", ""),
        "modified": (when or resource.modified_at).astimezone(timezone.utc).isoformat(),
        **quality_fields(resource, kind),
    }
    document.update(analysed(document, department.name_en or ""))
    # A working copy to be completed (待补录) may lack the guide's fields: it is indexed without them.
    return {name: value for name, value in document.items() if value is not None}


def documents_for(resource: Resource) -> tuple[list[dict], list[str]]:
    """The documents ``resource`` should have in the index now, and the ids it should not have."""
    public_id, working_id = document_ids(resource.id)
    keep, drop = [], []
    if resource.is_public:
        keep.append(build_document(resource, "public"))
    else:
        drop.append(public_id)
    keep.append(build_document(resource, "working"))
    return keep, drop
