"""Who may do what: every permission decision of govcat is made here, in :func:`can`.

Roles (domain.md): an ``editor`` registers and maintains their department's resources; a
``reviewer`` approves or returns them at the first level; an ``admin`` of the catalog centre
makes the second-level review, publishes, withdraws and manages departments and users; a
``sysadmin`` manages departments, users and tokens but takes no part in the review.  Editors
and reviewers act on their own department only.

Harvest sources (their settings, jobs and reports) are managed by the catalog centre, which
domain.md gives them to, and by system administrators, who run the system's configuration;
department staff see nothing of them, not even that a source exists.  The decision is
department-scoped like the others, so a role that manages its own department's sources is one
entry in :data:`OWN_DEPARTMENT`.

Sharing requests (domain.md, "Sharing"): the staff of a department (editors and reviewers) request
other departments' resources for their own and see their department's requests, sent and received;
the provider's reviewer answers and may revoke a grant; the centre sees every request (its overview)
and may revoke a grant too.  Whether the requester's department differs from the provider's is the
sharing service's rule, not a permission.
"""
from __future__ import annotations

from enum import StrEnum

from registry.errors import Forbidden, Unauthorized


class Action(StrEnum):
    RESOURCE_READ_WORKING = "resource.read_working"   # drafts and pending revisions
    RESOURCE_CREATE = "resource.create"
    RESOURCE_UPDATE = "resource.update"
    RESOURCE_SUBMIT = "resource.submit"
    RESOURCE_APPROVE_DEPARTMENT = "resource.approve_department"
    RESOURCE_RETURN_DEPARTMENT = "resource.return_department"
    RESOURCE_PUBLISH = "resource.publish"
    RESOURCE_RETURN_CENTRE = "resource.return_centre"
    RESOURCE_WITHDRAW = "resource.withdraw"
    HISTORY_READ = "history.read"
    DEPARTMENT_MANAGE = "department.manage"
    USER_MANAGE = "user.manage"
    TOKEN_MANAGE_OTHERS = "token.manage_others"
    HARVEST_SOURCE_MANAGE = "harvest.manage"          # sources, their jobs and reports; auth headers are write-only
    SHARE_REQUEST = "share.request"                   # ask another department for a resource, for one's own
    SHARE_READ = "share.read"                         # see a department's requests (sent or received)
    SHARE_ANSWER = "share.answer"                     # grant or refuse a request to one's department
    SHARE_REVOKE = "share.revoke"                     # revoke a grant of one's department


A = Action
# Actions a role may take within its own department, and anywhere.
OWN_DEPARTMENT = {
    "editor": {A.RESOURCE_READ_WORKING, A.RESOURCE_CREATE, A.RESOURCE_UPDATE, A.RESOURCE_SUBMIT,
               A.RESOURCE_WITHDRAW, A.HISTORY_READ, A.SHARE_REQUEST, A.SHARE_READ},
    "reviewer": {A.RESOURCE_READ_WORKING, A.RESOURCE_APPROVE_DEPARTMENT, A.RESOURCE_RETURN_DEPARTMENT,
                 A.RESOURCE_WITHDRAW, A.HISTORY_READ, A.SHARE_REQUEST, A.SHARE_READ, A.SHARE_ANSWER,
                 A.SHARE_REVOKE},
    "admin": set(),
    "sysadmin": set(),
}
ANY_DEPARTMENT = {
    "editor": set(),
    "reviewer": set(),
    "admin": {A.RESOURCE_READ_WORKING, A.RESOURCE_PUBLISH, A.RESOURCE_RETURN_CENTRE, A.RESOURCE_WITHDRAW,
              A.HISTORY_READ, A.DEPARTMENT_MANAGE, A.USER_MANAGE, A.TOKEN_MANAGE_OTHERS, A.HARVEST_SOURCE_MANAGE,
              A.SHARE_READ, A.SHARE_REVOKE},
    "sysadmin": {A.RESOURCE_READ_WORKING, A.HISTORY_READ, A.DEPARTMENT_MANAGE, A.USER_MANAGE,
                 A.TOKEN_MANAGE_OTHERS, A.HARVEST_SOURCE_MANAGE},
}


def can(user, action: Action, department_id: int | None = None) -> bool:
    """May ``user`` (or ``None`` for the public) take ``action`` on ``department_id``'s data?"""
    if user is None or not getattr(user, "active", False):
        return False
    if action in ANY_DEPARTMENT.get(user.role, ()):
        return True
    return (action in OWN_DEPARTMENT.get(user.role, ())
            and user.department_id is not None and user.department_id == department_id)


def require_signed_in(user) -> None:
    """Raise 401 for the public: checked before anything else, so the public learns nothing more."""
    if user is None:
        raise Unauthorized("需要登录或有效的访问令牌。", "Sign in or send a valid API token.")


def require(user, action: Action, department_id: int | None = None) -> None:
    """Raise 401 for the public and 403 for a user who may not take ``action``."""
    require_signed_in(user)
    if not can(user, action, department_id):
        raise Forbidden("无权执行此操作。", f"Your role may not do this here ({action}).")


def departments_for(user, action: Action) -> set[int] | None:
    """The departments on whose data ``user`` may take ``action``: ``None`` means all, empty none."""
    if user is None or not getattr(user, "active", False):
        return set()
    if action in ANY_DEPARTMENT.get(user.role, ()):
        return None
    if action in OWN_DEPARTMENT.get(user.role, ()) and user.department_id:
        return {user.department_id}
    return set()


def require_anywhere(user, action: Action) -> None:
    """Raise 401 for the public and 403 for a user who may take ``action`` in no department at all."""
    require_signed_in(user)
    if departments_for(user, action) == set():
        raise Forbidden("无权执行此操作。", f"Your role may not do this ({action}).")


def departments_readable(user) -> set[int] | None:
    """The departments whose working copies ``user`` may read: ``None`` means all."""
    return departments_for(user, A.RESOURCE_READ_WORKING)
