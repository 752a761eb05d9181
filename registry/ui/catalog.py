"""The catalog's structure as public pages: the department tree with what each publishes, one
department's page, and the classification tree with counts (served at ``/classification`` to a
browser; RDF clients get the concept schemes there, see ``registry/rdf/views.py``)."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, render_template
from sqlalchemy import func, select

from registry.db import get_session
from registry.departments.models import ClassificationNode, Department
from registry.departments.services import get_department
from registry.i18n import in_language
from registry.resources.models import Resource
from registry.ui.common import label

bp = Blueprint("catalog_pages", __name__)
RECENT = 10


def _published_by_department(session) -> Counter:
    return Counter(dict(session.execute(select(Resource.department_id, func.count(Resource.id))
                                        .where(Resource.is_public.is_(True)).group_by(Resource.department_id)).all()))


def _name(department: Department) -> str:
    return in_language(department.name, department.name_en or department.name)


@bp.get("/developers")
def developers():
    """Where programs read the catalog: the JSON API, DCAT-AP, the CKAN-compatible API, dumps."""
    return render_template("developers.html")


@bp.get("/departments")
def departments():
    session = get_session()
    rows = list(session.scalars(select(Department).where(Department.active.is_(True)).order_by(Department.branch_code)))
    counts = _published_by_department(session)
    children: dict[int | None, list] = {}
    for d in rows:
        children.setdefault(d.parent_id, []).append(d)
    known = {d.id for d in rows}
    roots = [d for d in rows if d.parent_id is None or d.parent_id not in known]
    return render_template("catalog/departments.html", roots=roots, children=children, counts=counts, name=_name,
                           label=label)


@bp.get("/departments/<code>")
def department(code: str):
    session = get_session()
    found = get_department(session, code)
    subordinate = list(session.scalars(select(Department).where(Department.parent_id == found.id,
                                                                Department.active.is_(True))
                                       .order_by(Department.branch_code)))
    recent = list(session.scalars(select(Resource).where(Resource.department_id == found.id,
                                                         Resource.is_public.is_(True))
                                  .order_by(Resource.published_at.desc(), Resource.id.desc()).limit(RECENT)))
    counts = _published_by_department(session)
    return render_template("catalog/department.html", department=found, subordinate=subordinate, recent=recent,
                           counts=counts, name=_name, label=label)


def classification_page():
    """The classification tree, each node with the number of published resources under it."""
    session = get_session()
    direct = dict(session.execute(select(Resource.classification_code, func.count(Resource.id))
                                  .where(Resource.is_public.is_(True)).group_by(Resource.classification_code)).all())
    nodes = list(session.scalars(select(ClassificationNode).order_by(ClassificationNode.code)))
    codes = {n.code for n in nodes}
    totals: Counter = Counter()
    for code, count in direct.items():       # a resource counts at its node and at every node above it
        for end in range(1, len(code) + 1):
            if code[:end] in codes:
                totals[code[:end]] += count
    children: dict[str | None, list] = {}
    for n in nodes:
        children.setdefault(n.parent_code if n.parent_code in codes else None, []).append(n)
    return render_template("catalog/classification.html", children=children, totals=totals,
                           name=lambda n: in_language(n.name, n.name_en or n.name))
