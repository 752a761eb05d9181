"""Moving a department to another place in the tree (机构调整), and its classification branch with it.

Branch 3 of the classification tree follows the department tree, and a node's code says where it
sits (``3`` + 项 for a top-level department, three more digits for each level below).  So a moved
department gets a new node under its new parent, and every department below it follows: the
codes of the whole subtree are rewritten from the new node's code, and the old nodes go.

What the resources of the subtree keep and what follows:

* their **classification** follows their department to the new node, in the working copy and in
  the published version alike, so facets, filters and the published tree stay true;
* a **published code** does not change: it is the identifier others hold (the resource's IRI is
  built from it), the same rule that keeps an editor from reclassifying a published resource;
* a resource **never published** gets a new code under its new node, as when an editor
  reclassifies a draft.

Every department and resource that changes gets an audit event, and the resources are
re-indexed.  Codes of the old nodes are never handed out again, since their sequences stay.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.audit.services import diff_documents, record_many
from vocab.codes import is_valid_classification_code
from registry.db import utcnow
from registry.departments.models import ClassificationNode, Department
from registry.errors import Conflict, Invalid
from registry.resources.models import CodeSequence, Resource
from registry.resources.services import reserve_resource_codes
from registry.search.outbox import queue_for_index


def next_branch_code(session: Session, parent: Department | None) -> str:
    """The next free node code under ``parent``'s branch (or at the top of branch 3).

    A code once used stays used: besides the live nodes, the codes resources were drawn under
    count, so the node of a department that moved away is never given to another.
    """
    base = parent.branch_code if parent else "3"
    width = 2 if base == "3" else 3

    def numbers(column):
        rows = session.scalars(select(column).where(column.startswith(base, autoescape=True),
                                                    func.length(column) == len(base) + width))
        return [int(code[len(base):]) for code in rows if code[len(base):].isdigit()]

    number = max(numbers(ClassificationNode.code) + numbers(CodeSequence.classification_code), default=0) + 1
    if number >= 10 ** width:
        raise Conflict("该上级部门下的分类代码已用尽。", "No classification codes are left under this parent.")
    return f"{base}{number:0{width}d}"


def check_new_parent(department: Department, parent: Department | None, level_order: dict) -> None:
    if parent is None:
        return
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == department.id:
            raise Invalid("不能把部门移到它自己或其下级部门之下。",
                          "A department cannot move below itself or one of its own units.", "parent")
        ancestor = ancestor.parent
    if not parent.active:
        raise Invalid("上级部门已停用。", "The new parent department is inactive.", "parent")
    if level_order[department.level] < level_order[parent.level]:
        raise Invalid("下级部门的行政层级不能高于上级部门。",
                      "A department cannot sit above its parent's level.", "parent")


def move_subtree(session: Session, actor, department: Department, parent: Department | None,
                 represent) -> None:
    """Put ``department`` under ``parent`` and renumber its branch; the caller checked the move."""
    old_base = department.branch_code
    new_base = next_branch_code(session, parent)
    subtree = sorted(session.scalars(select(Department).where(Department.branch_code.startswith(old_base,
                                                                                                  autoescape=True))),
                     key=lambda d: len(d.branch_code))
    renamed = {d.branch_code: new_base + d.branch_code[len(old_base):] for d in subtree}
    too_deep = [code for code in renamed.values() if not is_valid_classification_code(code)]
    if too_deep:
        raise Conflict("移动后分类代码层级过深，请先调整下级部门。",
                       "After the move the branch would be too deep for classification codes.", "parent")
    before = {d.id: represent(d) for d in subtree}
    old_nodes = {code: session.get(ClassificationNode, code) for code in renamed}
    for node in old_nodes.values():       # a department owns one node: free it before the new one takes over
        node.department_id = None
    session.flush()
    for d in subtree:
        old = old_nodes[d.branch_code]
        parent_code = (parent.branch_code if parent else "3") if d.id == department.id else renamed[old.parent_code]
        session.add(ClassificationNode(code=renamed[d.branch_code], parent_code=parent_code, name=old.name,
                                       name_en=old.name_en, department_id=d.id))
    session.flush()
    _reclassify_resources(session, actor, renamed)
    now = utcnow()
    department.parent = parent
    for d in subtree:
        d.branch_code = renamed[d.branch_code]
        if d.id != department.id:        # the moved department's own version was raised by its update
            d.version += 1
            d.modified_at = now
    session.flush()
    for node in sorted(old_nodes.values(), key=lambda n: -len(n.code)):
        session.delete(node)
        session.flush()
    record_many(session, actor, [{
        "entity_type": "department", "entity_id": d.id, "department_id": d.id,
        "action": "move" if d.id == department.id else "update",
        "changes": diff_documents(before[d.id], represent(d))} for d in subtree])


def _reclassify_resources(session: Session, actor, renamed: dict[str, str]) -> None:
    resources = list(session.scalars(select(Resource).where(Resource.classification_code.in_(list(renamed)))))
    now, events = utcnow(), []
    for resource in resources:
        new = renamed[resource.classification_code]
        changes = [{"field": "classification", "old": resource.classification_code, "new": new}]
        if "classification" in resource.doc:
            resource.doc = {**resource.doc, "classification": new}
        if resource.published_doc is not None:
            resource.published_doc = {**resource.published_doc, "classification": new}
        if resource.published_at is None:
            code = reserve_resource_codes(session, new)[0]
            changes.append({"field": "code", "old": resource.code, "new": code})
            resource.code = code
        resource.classification_code = new
        resource.version += 1
        resource.modified_at = now
        events.append({"entity_type": "resource", "entity_id": resource.id, "department_id": resource.department_id,
                       "action": "reclassify", "changes": changes})
    session.flush()
    record_many(session, actor, events)
    queue_for_index(session, [r.id for r in resources])
