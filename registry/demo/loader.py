"""Loading the demo catalog through the service layer, so the first run shows a living catalog.

Everything goes through the same services as real registrations: departments get their
classification branches, resources are validated and coded, and the audit trail records it.
Most resources are published directly; those of the first department are spread over the review
states, moved there by real transitions of its demo editor and reviewer and the centre admin.
"""
from __future__ import annotations

from sqlalchemy import func, select

from registry.accounts.services import create_user
from registry.db import Database
from registry.demo.catalog import generate_resources, load_departments
from registry.departments.models import Department
from registry.departments.services import create_department
from registry.resources.services import create_resource, prepare_registration, register_resources, transition

DEMO_PASSWORD = "govcat-demo"
COMMENT = "演示目录 demo catalog"
# How the first department's resources are spread over the workflow: transitions taken, by whom.
REVIEW_PATHS = [
    [],                                                                      # draft
    [("submit", "editor")],                                                  # submitted
    [("submit", "editor"), ("approve", "reviewer")],                         # department-approved
    [("submit", "editor"), ("return", "reviewer")],                          # returned
    [("submit", "editor"), ("approve", "reviewer"), ("approve", "admin")],   # published through review
]


def _noop_progress(iterable, length, label):
    from contextlib import nullcontext
    return nullcontext(iterable)


def load_demo(database: Database, progress=_noop_progress) -> dict:
    """Load the demo catalog into an empty catalog; do nothing when departments exist already."""
    summary = {"loaded": False, "departments": 0, "resources": 0, "password": DEMO_PASSWORD, "users": []}
    with database.transaction() as session:
        if session.scalar(select(func.count()).select_from(Department)):
            summary["users"] = _demo_users(session)
            return summary
        departments = {}
        for data in load_departments():
            departments[data["credit_code"]] = create_department(session, None, data, check_permission=False)
        first = next(iter(departments.values()))
        actors = {
            "admin": create_user(session, None, {"username": "admin", "password": DEMO_PASSWORD, "role": "admin",
                                                 "display_name": "目录管理中心"}, check_permission=False),
            "sysadmin": create_user(session, None, {"username": "sysadmin", "password": DEMO_PASSWORD,
                                                    "role": "sysadmin"}, check_permission=False),
            "editor": create_user(session, None, {"username": "editor", "password": DEMO_PASSWORD, "role": "editor",
                                                  "department": first.credit_code}, check_permission=False),
            "reviewer": create_user(session, None, {"username": "reviewer", "password": DEMO_PASSWORD,
                                                    "role": "reviewer", "department": first.credit_code},
                                    check_permission=False),
        }
        resources = generate_resources({code: d.branch_code for code, d in departments.items()})
        trusted = []
        with progress(resources, len(resources), "loading demo resources") as bar:
            in_review = 0
            for data in bar:
                if data["provider"] != first.credit_code:
                    trusted.append(prepare_registration(session, None, data, check_permission=False))
                    continue
                resource = create_resource(session, actors["editor"], data, comment=COMMENT)
                for name, role in REVIEW_PATHS[in_review % len(REVIEW_PATHS)]:
                    transition(session, actors[role], resource.id, name,
                               comment="请补充信息项说明。" if name == "return" else None)
                in_review += 1
        register_resources(session, None, trusted, publish=True, comment=COMMENT)
        summary.update(loaded=True, departments=len(departments), resources=len(resources),
                       users=_demo_users(session))
    return summary


def _demo_users(session) -> list[tuple[str, str, str | None]]:
    from registry.accounts.models import User

    users = session.scalars(select(User).where(User.username.in_(["admin", "sysadmin", "editor", "reviewer"]))
                            .order_by(User.id))
    return [(u.username, u.role, u.department.name if u.department else None) for u in users]
