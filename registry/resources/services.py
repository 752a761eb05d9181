"""Registering, revising, reviewing and reading information resources.

The registration workflow of domain.md lives here, in :data:`TRANSITIONS`; every write checks
its permission through :mod:`registry.permissions` and appends to the audit trail.  Callers
own the transaction: they commit after a service call returns and roll back when it raises,
so a refused request leaves nothing behind.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from registry.audit.services import diff_documents, events_for, record, record_many
from vocab.codes import format_resource_code
from registry.db import utcnow
from registry.departments.models import ClassificationNode, Department
from registry.errors import BadRequest, Conflict, Invalid, NotFound
from registry.permissions import Action, can, departments_readable, require, require_signed_in
from registry.quality.services import Written, score_written
from registry.resources.models import CodeSequence, Resource
from registry.resources.schemas import missing_fields, normalize_metadata
from registry.search.outbox import queue_for_index


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    action: Action
    needs_comment: bool = False


TRANSITIONS = [
    Transition("submit", "draft", "submitted", Action.RESOURCE_SUBMIT),
    Transition("submit", "returned", "submitted", Action.RESOURCE_SUBMIT),
    Transition("approve", "submitted", "department_approved", Action.RESOURCE_APPROVE_DEPARTMENT),
    Transition("approve", "department_approved", "published", Action.RESOURCE_PUBLISH),
    Transition("return", "submitted", "returned", Action.RESOURCE_RETURN_DEPARTMENT, needs_comment=True),
    Transition("return", "department_approved", "returned", Action.RESOURCE_RETURN_CENTRE, needs_comment=True),
] + [Transition("withdraw", state, "withdrawn", Action.RESOURCE_WITHDRAW)
     for state in ("incomplete", "draft", "submitted", "department_approved", "published", "returned")]

TRANSITION_NAMES = sorted({t.name for t in TRANSITIONS})
# "incomplete" (待补录): a harvested record that lacks guide fields; completing it makes it a draft.
EDITABLE_STATES = {"incomplete", "draft", "returned", "published"}


def reserve_resource_codes(session: Session, classification_code: str, count: int = 1) -> list[str]:
    """Draw the next ``count`` sequence numbers under a classification code; return the resource codes.

    One atomic upsert: the row lock it takes makes concurrent registrations under the same
    classification wait for each other, so no number is handed out twice.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CodeSequence).values(classification_code=classification_code, last_value=count)
    statement = statement.on_conflict_do_update(
        index_elements=[CodeSequence.classification_code],
        set_={"last_value": CodeSequence.last_value + count},
    ).returning(CodeSequence.last_value)
    last = session.execute(statement).scalar_one()
    return [format_resource_code(classification_code, n) for n in range(last - count + 1, last + 1)]


def _cached(session: Session, kind: str, key: str, load):
    """Look a department or classification node up once per session: bulk loads ask thousands of times."""
    cache = session.info.setdefault(f"govcat.{kind}", {})
    if key not in cache:
        found = load()
        if found is None:
            return None
        cache[key] = found
    return cache[key]


def _provider(session: Session, actor, doc: dict) -> Department:
    code = doc.get("provider")
    if not code:
        if getattr(actor, "department", None) is None:
            raise Invalid("必须填写信息资源提供方。", "The provider is required.", "provider")
        doc["provider"] = actor.department.credit_code
        return actor.department
    department = _cached(session, "departments", code, lambda: session.scalar(
        select(Department).where(Department.credit_code == code)))
    if department is None:
        raise Invalid("提供方部门不存在。", "No department has this credit code.", "provider")
    return department


def _check_classification(session: Session, code: str, department: Department) -> None:
    node = _cached(session, "classification", code, lambda: session.get(ClassificationNode, code))
    if node is None:
        raise Invalid("分类代码不在分类体系中。", "The classification code is not in the tree.", "classification")
    if node.parent_code is None:
        raise Invalid("请选择具体的分类（项或更细）。", "Choose a node below the top level.", "classification")
    if code.startswith("3") and not code.startswith(department.branch_code):
        raise Invalid("部门信息资源只能归入提供方自己的部门分类。",
                      "Department resources belong in the provider's own branch.", "classification")


def _validated(session: Session, actor, data: dict) -> tuple[dict, Department]:
    if not isinstance(data, dict):
        raise BadRequest("请求体应为 JSON 对象。", "The body must be a JSON object.")
    doc = normalize_metadata(data)
    department = _provider(session, actor, doc)
    _check_classification(session, doc["classification"], department)
    return doc, department


@dataclass(frozen=True)
class Registration:
    """A registration that passed validation and the permission check, ready to be stored."""

    doc: dict
    department: Department


def prepare_registration(session: Session, actor, data: dict, *, check_permission: bool = True,
                         normalized: bool = False) -> Registration:
    """Validate one registration and check that ``actor`` may make it; raise with the reason if not.

    Callers that load many records (uploads, harvests) prepare each one, report those that fail
    row by row, and register the rest together with :func:`register_resources`.  ``normalized``:
    ``data`` came out of :func:`normalize_metadata` already (a harvester's mapping stage), so only
    what needs the database (the provider, the classification) is checked here.
    """
    if check_permission:
        require_signed_in(actor)
    if normalized:
        doc = dict(data)
        department = _provider(session, actor, doc)
        _check_classification(session, doc["classification"], department)
    else:
        doc, department = _validated(session, actor, data)
    if check_permission:
        require(actor, Action.RESOURCE_CREATE, department.id)
    return Registration(doc, department)


def register_resources(session: Session, actor, registrations: list[Registration], *, publish: bool = False,
                       comment: str | None = None, comments: list[str] | None = None) -> list[int]:
    """Store prepared registrations as drafts — or, for trusted loads, as published — with their codes.

    Codes are reserved per classification in one upsert each, and rows (resources, then their
    audit events) are inserted in batched statements, so that a thousand registrations cost a
    handful of statements.  ``comments`` gives each registration's audit comment (e.g. where a
    harvested one came from), else ``comment`` is every one's.  Returns the new resources' ids, in
    the order given.
    """
    if not registrations:
        return []
    wanted = Counter(r.doc["classification"] for r in registrations)
    codes = {c: iter(reserve_resource_codes(session, c, n)) for c, n in wanted.items()}
    now = utcnow()
    state = "published" if publish else "draft"
    rows = []
    for registration in registrations:
        doc = registration.doc
        if publish:
            doc = {**doc, "issued": doc.get("issued") or date.today().isoformat()}
        rows.append({
            "code": next(codes[doc["classification"]]), "department_id": registration.department.id,
            "classification_code": doc["classification"], "state": state, "is_public": publish,
            "title": doc["title"][:500], "doc": doc, "version": 1, "created_at": now, "modified_at": now,
            "published_at": now if publish else None, "created_by_id": getattr(actor, "id", None)})
    ids = list(session.scalars(insert(Resource).returning(Resource.id, sort_by_parameter_order=True), rows))
    record_many(session, actor, [
        {"entity_type": "resource", "entity_id": resource_id, "department_id": row["department_id"],
         "action": "create", "to_state": state, "comment": comments[n] if comments else comment,
         "changes": diff_documents(None, row["doc"])}
        for n, (resource_id, row) in enumerate(zip(ids, rows))])
    score_written(session, [Written(i, r["department_id"], publish, r["doc"], None) for i, r in zip(ids, rows)],
                  validated=True)
    queue_for_index(session, ids)
    return ids


def create_resource(session: Session, actor, data: dict, *, check_permission: bool = True,
                    comment: str | None = None) -> Resource:
    """Register one new resource as a draft, with its code assigned."""
    registration = prepare_registration(session, actor, data, check_permission=check_permission)
    return session.get(Resource, register_resources(session, actor, [registration], comment=comment)[0])


def _load_for_update(session: Session, resource_id: int) -> Resource:
    # On PostgreSQL, lock the row (not the joined department) until commit; SQLite writers are serialized already.
    lock = {"of": Resource} if session.get_bind().dialect.name == "postgresql" else None
    resource = session.get(Resource, resource_id, with_for_update=lock)
    if resource is None:
        raise NotFound("未找到该信息资源。", f"No resource {resource_id}.")
    return resource


def _check_version(resource: Resource, expected_version) -> None:
    if expected_version is None:
        raise Invalid("更新时必须提供所读取的版本号（version 或 If-Match）。",
                      "Send the version you read (the version field or If-Match).", "version")
    if expected_version != resource.version:
        raise Conflict("该资源已被他人修改，请刷新后重试。",
                       f"The resource changed since you read it (now version {resource.version}).", "version")


def update_resource(session: Session, actor, resource_id: int, data: dict, *, expected_version: int | None,
                    partial: bool = False) -> Resource:
    """Change a resource's metadata; a published one gets a pending revision, still public as it was."""
    require_signed_in(actor)
    resource = _load_for_update(session, resource_id)
    require(actor, Action.RESOURCE_UPDATE, resource.department_id)
    _check_version(resource, expected_version)
    if resource.state not in EDITABLE_STATES:
        raise Conflict("审核中或已撤回的资源不能修改。", f"A {resource.state} resource cannot be edited.", "state")
    merged = {**resource.doc, **data} if partial else data
    doc, department = _validated(session, actor, merged)
    if department.id != resource.department_id:
        raise Invalid("不能更改信息资源的提供方。", "The provider of a resource cannot change.", "provider")
    changes = diff_documents(resource.doc, doc)
    if not changes:
        return resource
    if doc["classification"] != resource.classification_code:
        _reclassify(session, resource, doc["classification"], changes)
    before = resource.state
    if before == "published":
        resource.published_doc = resource.doc     # stays public until the revision is published
    resource.doc, resource.title = doc, doc["title"][:500]
    resource.state, resource.missing_fields = "draft", None
    resource.version += 1
    resource.modified_at = utcnow()
    record(session, actor, entity_type="resource", entity_id=resource.id, department_id=resource.department_id,
           action="update", from_state=before, to_state="draft", changes=changes)
    score_written(session, [resource], validated=True)
    queue_for_index(session, [resource.id])
    return resource


def _reclassify(session: Session, resource: Resource, classification: str, changes: list[dict]) -> None:
    """The classification is the first part of the code: a resource never published gets a new code
    under its new classification; a published code is an identifier others hold, so it cannot move."""
    if resource.published_at is not None:
        raise Invalid("已发布资源的分类构成其资源代码，不能更改；如需调整请登记新资源。",
                      "A published resource's classification is part of its code and cannot change.",
                      "classification")
    new_code = reserve_resource_codes(session, classification)[0]
    changes.append({"field": "code", "old": resource.code, "new": new_code})
    resource.code, resource.classification_code = new_code, classification


def transition(session: Session, actor, resource_id: int, name: str, *, comment: str | None = None,
               expected_version: int | None = None) -> Resource:
    """Move a resource through the workflow: ``submit``, ``approve``, ``return`` or ``withdraw``."""
    if name not in TRANSITION_NAMES:
        raise Invalid("未知的流转操作。", f"Unknown transition; one of {', '.join(TRANSITION_NAMES)}.", "transition")
    require_signed_in(actor)
    resource = _load_for_update(session, resource_id)
    candidates = [t for t in TRANSITIONS if t.name == name]
    if not any(can(actor, t.action, resource.department_id) for t in candidates):
        require(actor, candidates[0].action, resource.department_id)
    if expected_version is not None:
        _check_version(resource, expected_version)
    step = next((t for t in candidates if t.source == resource.state), None)
    if step is None:
        raise Conflict("当前状态下不能执行该操作。", f"Cannot {name} a {resource.state} resource.", "transition")
    require(actor, step.action, resource.department_id)
    comment = (comment or "").strip() or None
    if step.needs_comment and not comment:
        raise Invalid("退回时必须填写意见。", "Say why when returning a resource.", "comment")
    changes = None
    if step.target == "published":
        changes = _publish(resource)
    resource.state = step.target
    resource.is_public = resource.published_at is not None and step.target != "withdrawn"
    resource.version += 1
    resource.modified_at = utcnow()
    record(session, actor, entity_type="resource", entity_id=resource.id, department_id=resource.department_id,
           action=name, from_state=step.source, to_state=step.target, comment=comment, changes=changes)
    score_written(session, [resource], validated=True)
    queue_for_index(session, [resource.id])
    return resource


def _publish(resource: Resource) -> list[dict]:
    """Make the working copy the published version; return what changed for the public."""
    previous = resource.published_doc    # the version public until now, if a revision was pending
    doc = dict(resource.doc)
    doc.setdefault("issued", (previous or {}).get("issued") or date.today().isoformat())
    changes = diff_documents(previous, doc)
    resource.doc, resource.published_doc = doc, None
    resource.published_at = utcnow()
    return changes


def get_resource(session: Session, resource_id: int) -> Resource:
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound("未找到该信息资源。", f"No resource {resource_id}.")
    return resource


def visible_revision(resource: Resource, actor, *, working: bool = False) -> str:
    """Which version of ``resource`` ``actor`` sees: ``"published"`` or ``"working"``.

    The public sees the published version of public resources only; department users and the
    centre see the working copy when they ask for it, or when nothing is published.
    """
    may_read_working = can(actor, Action.RESOURCE_READ_WORKING, resource.department_id)
    if working:
        require(actor, Action.RESOURCE_READ_WORKING, resource.department_id)
        return "working"
    if resource.is_public:
        return "published"
    if may_read_working:
        return "working"
    raise NotFound("未找到该信息资源。", f"No resource {resource.id}.")


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page if self.per_page else 0


def _prefix_range(column, prefix: str):
    """``column`` starts with ``prefix``, as a range that an index can serve on every engine."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return (column >= prefix) & (column < upper)


def list_resources(session: Session, actor, *, states: list[str] | None = None, department: str | None = None,
                   classification: str | None = None, page: int = 1, per_page: int = 50) -> tuple[Page, bool]:
    """A page of resources and whether it shows working copies (``states`` given) or published ones."""
    working = bool(states)
    if working:
        require_signed_in(actor)
        readable = departments_readable(actor)
        conditions = [Resource.state.in_(states)]
        if readable is not None:
            conditions.append(Resource.department_id.in_(readable or {-1}))
        order = (Resource.modified_at.desc(), Resource.id.desc())
    else:
        conditions = [Resource.is_public.is_(True)]
        order = (Resource.published_at.desc(), Resource.id.desc())
    if department:
        dept_id = session.scalar(select(Department.id).where(Department.credit_code == department))
        conditions.append(Resource.department_id == (dept_id or -1))
    if classification:
        conditions.append(_prefix_range(Resource.classification_code, classification))
    total = session.scalar(select(func.count(Resource.id)).where(*conditions))
    # Find the page's ids on the index alone, then read just those rows: deep pages stay cheap.
    page_ids = select(Resource.id).where(*conditions).order_by(*order).limit(per_page) \
        .offset((page - 1) * per_page).scalar_subquery()
    items = list(session.scalars(select(Resource).where(Resource.id.in_(page_ids)).order_by(*order)))
    return Page(items, total, page, per_page), working


def resource_history(session: Session, actor, resource_id: int) -> list:
    resource = get_resource(session, resource_id)
    require(actor, Action.HISTORY_READ, resource.department_id)
    return events_for(session, "resource", resource.id)


def resource_representation(resource: Resource, revision: str = "published") -> dict:
    """The JSON of one resource: its envelope and the metadata of the chosen revision."""
    doc = resource.public_doc if revision == "published" else resource.doc
    department = resource.department
    extra = {"missing_fields": resource.missing_fields or missing_fields(doc)} \
        if resource.state == "incomplete" and revision == "working" else {}
    return {
        "id": resource.id,
        "code": resource.code,
        "state": resource.state,
        **extra,
        "version": resource.version,
        "revision": revision,
        "has_pending_revision": resource.is_public and resource.published_doc is not None,
        "provider_name": department.name,
        "created": resource.created_at.isoformat(),
        "modified": (resource.published_at if revision == "published" else resource.modified_at).isoformat(),
        **doc,
    }


# Keys of the representation that are not metadata: clients may send them back unchanged.
READ_ONLY_KEYS = {"id", "code", "state", "version", "revision", "has_pending_revision", "provider_name",
                  "created", "modified", "missing_fields"}

