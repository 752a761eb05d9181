"""The demo catalog's index documents, built without a database: for the contract tests of finding
what people mean (the same resources ``govcat demo`` loads, from the same generator and seed)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cache

from registry.demo.catalog import generate_resources, load_departments
from registry.departments.models import Department
from registry.resources.models import Resource
from registry.search.documents import documents_for

WHEN = datetime(2026, 6, 1, tzinfo=timezone.utc)


@cache
def demo_documents() -> tuple[list[dict], dict[int, str]]:
    """The public and working documents of every demo resource, and each resource's title by id."""
    departments = {}
    for number, data in enumerate(load_departments(), start=1):
        departments[data["credit_code"]] = Department(
            id=number, credit_code=data["credit_code"], name=data["name"], name_en=data.get("name_en"),
            level=data["level"], region_code=data["region_code"], branch_code=f"301{number:03d}")
    generated = generate_resources({code: d.branch_code for code, d in departments.items()})
    documents, titles = [], {}
    for rid, doc in enumerate(generated, start=1):
        department = departments[doc["provider"]]
        when = WHEN - timedelta(days=rid % 97)       # spread, so recency never decides these tests
        resource = Resource(id=rid, code=f"{doc['classification']}/{rid:06d}", department=department,
                            department_id=department.id, classification_code=doc["classification"],
                            state="published", is_public=True, title=doc["title"], doc=doc, version=1,
                            created_at=when, modified_at=when, published_at=when)
        documents += documents_for(resource)[0]
        titles[rid] = doc["title"]
    return documents, titles
