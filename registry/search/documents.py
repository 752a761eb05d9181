"""From a resource to the documents a search engine indexes.

A resource has up to two documents: ``p<id>``, its published version (while it is public), and
``w<id>``, its working copy, in whatever state.  Public search sees only ``public`` documents;
department workspaces see only ``working`` ones of their departments.  Both engines index the same
dicts, built here and nowhere else.
"""
from __future__ import annotations

from datetime import timezone

from registry.quality.models import search_fields as quality_fields
from registry.resources.models import Resource

def document_ids(resource_id: int) -> tuple[str, str]:
    return f"p{resource_id}", f"w{resource_id}"


def classification_path(code: str) -> list[str]:
    """Every ancestor of a classification code and the code itself: ``203001`` → 2, 203, 203001."""
    cuts = [1, 3, 6] + list(range(7, len(code) + 1))
    return list(dict.fromkeys(code[:n] for n in cuts if n <= len(code)))


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
        "keywords_text": " ".join(keywords),
        "license": doc.get("license") or "",
        "title": doc["title"],
        "title_en": doc.get("title_en", ""),
        "title_sort": doc["title"],
        "description": doc.get("description", ""),
        "description_en": doc.get("description_en", ""),
        "modified": (when or resource.modified_at).astimezone(timezone.utc).isoformat(),
        **quality_fields(resource, kind),
    }
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
