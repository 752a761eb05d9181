"""The permission matrix: role × action × own or other department, decided in one place."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from registry.errors import Forbidden, Unauthorized
from registry.permissions import Action, can, departments_for, require_anywhere

A = Action
OWN, OTHER = 1, 2
ALL = set(Action)
DEPT_EDITOR = {A.RESOURCE_READ_WORKING, A.RESOURCE_CREATE, A.RESOURCE_UPDATE, A.RESOURCE_SUBMIT,
               A.RESOURCE_WITHDRAW, A.HISTORY_READ, A.SHARE_REQUEST, A.SHARE_READ}
DEPT_REVIEWER = {A.RESOURCE_READ_WORKING, A.RESOURCE_APPROVE_DEPARTMENT, A.RESOURCE_RETURN_DEPARTMENT,
                 A.RESOURCE_WITHDRAW, A.HISTORY_READ, A.SHARE_REQUEST, A.SHARE_READ, A.SHARE_ANSWER, A.SHARE_REVOKE}
CENTRE = {A.RESOURCE_READ_WORKING, A.RESOURCE_PUBLISH, A.RESOURCE_RETURN_CENTRE, A.RESOURCE_WITHDRAW,
          A.HISTORY_READ, A.DEPARTMENT_MANAGE, A.USER_MANAGE, A.TOKEN_MANAGE_OTHERS, A.HARVEST_SOURCE_MANAGE,
          A.SHARE_READ, A.SHARE_REVOKE}
SYSTEM = {A.RESOURCE_READ_WORKING, A.HISTORY_READ, A.DEPARTMENT_MANAGE, A.USER_MANAGE, A.TOKEN_MANAGE_OTHERS,
          A.HARVEST_SOURCE_MANAGE}

# role → (allowed in own department, allowed in another department)
EXPECTED = {
    "editor": (DEPT_EDITOR, set()),
    "reviewer": (DEPT_REVIEWER, set()),
    "admin": (CENTRE, CENTRE),
    "sysadmin": (SYSTEM, SYSTEM),
}


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("where", [OWN, OTHER])
def test_matrix(role, action, where):
    user = SimpleNamespace(role=role, department_id=OWN if role in ("editor", "reviewer") else None, active=True)
    allowed = EXPECTED[role][0 if where == OWN else 1]
    assert can(user, action, where) is (action in allowed)


@pytest.mark.parametrize("action", list(Action))
def test_public_and_inactive_users_may_do_nothing(action):
    assert not can(None, action, OWN)
    for role in EXPECTED:
        assert not can(SimpleNamespace(role=role, department_id=OWN, active=False), action, OWN)


def test_editors_and_reviewers_have_separate_duties():
    assert not (DEPT_EDITOR & {A.RESOURCE_APPROVE_DEPARTMENT, A.RESOURCE_PUBLISH})
    assert not (DEPT_REVIEWER & {A.RESOURCE_CREATE, A.RESOURCE_UPDATE})
    assert A.RESOURCE_PUBLISH not in SYSTEM


def user(role, department_id=None, active=True):
    return SimpleNamespace(role=role, department_id=department_id, active=active)


@pytest.mark.parametrize("action", list(Action))
def test_departments_for_agrees_with_the_matrix(action):
    for role, (own, other) in EXPECTED.items():
        person = user(role, OWN if role in ("editor", "reviewer") else None)
        expected = None if action in other else ({OWN} if action in own else set())
        assert departments_for(person, action) == expected, (role, action)
    assert departments_for(None, action) == set()
    assert departments_for(user("admin", active=False), action) == set()


def test_harvest_sources_are_the_centre_and_system_administrators_alone():
    for role in ("editor", "reviewer"):
        with pytest.raises(Forbidden):
            require_anywhere(user(role, OWN), A.HARVEST_SOURCE_MANAGE)
    for role in ("admin", "sysadmin"):
        require_anywhere(user(role), A.HARVEST_SOURCE_MANAGE)
    with pytest.raises(Unauthorized):
        require_anywhere(None, A.HARVEST_SOURCE_MANAGE)
