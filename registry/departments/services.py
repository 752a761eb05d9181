"""Departments: registration into the tree, and the classification branch each one gets.

Every department owns a node in branch 3 (部门信息资源) of the classification tree: a
top-level department gets a 项 (``3`` + two digits), a department below it a 目 (three more
digits), and deeper ones a 细目 (three more each).  The node is created with the department,
so resources can be classified under it at once.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from vocab import enumerations as v
from vocab.codes import is_valid_credit_code
from registry.audit.services import diff_documents, events_for_department, record
from registry.db import utcnow
from registry.departments.models import ClassificationNode, Department
from registry.departments.moving import check_new_parent, move_subtree, next_branch_code
from registry.departments.schemas import DepartmentSchema, DepartmentUpdateSchema
from registry.errors import Conflict, Invalid, NotFound
from registry.permissions import Action, require
from registry.resources.models import Resource
from registry.search.outbox import queue_for_index

LEVEL_ORDER = {t.key: i for i, t in enumerate(v.ADMINISTRATIVE_LEVELS)}


def sync_fixed_classification(session: Session) -> int:
    """Create or relabel the fixed nodes of branches 1–3; return how many were added."""
    existing = {node.code: node for node in session.scalars(
        select(ClassificationNode).where(ClassificationNode.department_id.is_(None)))}
    added = 0
    for fixed in v.FIXED_CLASSIFICATION:
        node = existing.get(fixed.code)
        if node is None:
            session.add(ClassificationNode(code=fixed.code, parent_code=fixed.parent_code,
                                           name=fixed.zh, name_en=fixed.en))
            added += 1
        else:
            node.name, node.name_en = fixed.zh, fixed.en
    session.flush()
    return added


def get_department(session: Session, code: str) -> Department:
    """A department by credit code, or by numeric id."""
    code = str(code)
    if code.isascii() and code.isdigit() and len(code) < 18:
        department = session.get(Department, int(code))
    elif is_valid_credit_code(code):
        department = session.scalar(select(Department).where(Department.credit_code == code))
    else:
        department = None
    if department is None:
        raise NotFound("未找到该部门。", f"No department {code}.")
    return department


def create_department(session: Session, actor, data: dict, *, check_permission: bool = True) -> Department:
    if check_permission:
        require(actor, Action.DEPARTMENT_MANAGE)
    fields = DepartmentSchema().load(data)
    if session.scalar(select(Department.id).where(Department.credit_code == fields["credit_code"])):
        raise Conflict("该统一社会信用代码已登记。", "A department with this credit code exists.", "credit_code")
    parent = None
    if fields.get("parent"):
        parent = session.scalar(select(Department).where(Department.credit_code == fields["parent"]))
        if parent is None:
            raise Invalid("上级部门不存在。", "The parent department does not exist.", "parent")
        if LEVEL_ORDER[fields["level"]] < LEVEL_ORDER[parent.level]:
            raise Invalid("下级部门的行政层级不能高于上级部门。",
                          "A department cannot sit above its parent's level.", "level")
    department = Department(
        credit_code=fields["credit_code"], name=fields["name"], name_en=fields.get("name_en"),
        level=fields["level"], region_code=fields["region_code"], parent=parent,
        branch_code=next_branch_code(session, parent))
    session.add(department)
    session.flush()
    session.add(ClassificationNode(code=department.branch_code, parent_code=parent.branch_code if parent else "3",
                                   name=department.name, name_en=department.name_en, department_id=department.id))
    record(session, actor, entity_type="department", entity_id=department.id, department_id=department.id,
           action="create", changes=diff_documents(None, department_representation(department)))
    session.flush()
    return department


def update_department(session: Session, actor, code: str, data: dict) -> Department:
    require(actor, Action.DEPARTMENT_MANAGE)
    fields = DepartmentUpdateSchema().load(data)
    department = get_department(session, code)
    if fields.pop("version") != department.version:
        raise Conflict("部门已被他人修改，请刷新后重试。", "The department changed since you read it.", "version")
    moving = "parent" in fields and fields["parent"] != (department.parent.credit_code if department.parent else None)
    parent_code = fields.pop("parent", None)
    new_parent = _new_parent(session, department, parent_code) if moving else None
    before = department_representation(department)
    for key, value in fields.items():
        setattr(department, key, value)
    node = session.get(ClassificationNode, department.branch_code)
    node.name, node.name_en = department.name, department.name_en
    department.version += 1
    department.modified_at = utcnow()
    session.flush()
    changes = diff_documents(before, department_representation(department))
    if changes or not moving:
        record(session, actor, entity_type="department", entity_id=department.id, department_id=department.id,
               action="update", changes=changes)
    if moving:
        move_subtree(session, actor, department, new_parent, department_representation)
    if any(change["field"] in ("name", "name_en") for change in changes):
        # Index documents carry the department's name: rewrite those of its resources.
        queue_for_index(session, session.scalars(select(Resource.id).where(Resource.department_id == department.id)))
    return department


def _new_parent(session: Session, department: Department, code: str | None) -> Department | None:
    parent = None
    if code is not None:
        parent = session.scalar(select(Department).where(Department.credit_code == code))
        if parent is None:
            raise Invalid("上级部门不存在。", "The parent department does not exist.", "parent")
    check_new_parent(department, parent, LEVEL_ORDER)
    return parent


def department_history(session: Session, actor, code: str, *, limit: int = 100,
                       before_id: int | None = None) -> list:
    """The audit events of a department and everything it holds, newest first."""
    department = get_department(session, code)
    require(actor, Action.HISTORY_READ, department.id)
    return events_for_department(session, department.id, limit=limit, before_id=before_id)


def list_departments(session: Session, *, level: str | None = None, parent: str | None = None) -> list[Department]:
    query = select(Department).order_by(Department.branch_code)
    if level:
        query = query.where(Department.level == level)
    if parent:
        query = query.where(Department.parent_id == get_department(session, parent).id)
    return list(session.scalars(query))


def department_representation(department: Department) -> dict:
    return {
        "id": department.id, "credit_code": department.credit_code, "name": department.name,
        "name_en": department.name_en, "level": department.level, "region_code": department.region_code,
        "parent": department.parent.credit_code if department.parent else None,
        "branch_code": department.branch_code, "active": department.active, "version": department.version,
    }


def classification_tree(session: Session) -> list[dict]:
    """The whole classification tree as nested nodes (branch 3 follows the departments)."""
    nodes = list(session.scalars(select(ClassificationNode).order_by(ClassificationNode.code)))
    by_code = {n.code: {"code": n.code, "label": {"zh": n.name, "en": n.name_en}, "children": []} for n in nodes}
    roots = []
    for n in nodes:
        (by_code[n.parent_code]["children"] if n.parent_code in by_code else roots).append(by_code[n.code])
    return roots
