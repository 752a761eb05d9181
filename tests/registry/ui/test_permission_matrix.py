"""Who may open which page: every page of the site against every role, as the permission rules say.

200: the page; 302: to the sign-in page (not signed in); 403: signed in but not allowed (an HTML page).
"""
from __future__ import annotations

import pytest

from registry.resources.services import create_resource, transition
from tests.conftest import sign_in
from tests.factories import ResourceDataFactory

ROLES = ("anonymous", "editor_a", "reviewer_a", "editor_b", "admin", "sysadmin")
BROWSER = {"Accept": "text/html"}
PUBLIC = dict.fromkeys(ROLES, 200)
STAFF = {"anonymous": 302, **dict.fromkeys(ROLES[1:], 200)}

MATRIX = {
    "/": PUBLIC, "/search": PUBLIC, "/departments": PUBLIC, "/classification": PUBLIC, "/developers": PUBLIC,
    "/login": PUBLIC, "/api/v1/docs": PUBLIC,
    "/evaluation": STAFF,     # public inside the government: every signed-in user
    "/workspace": STAFF, "/workspace/new": STAFF, "/workspace/tokens": STAFF, "/workspace/upload": STAFF,
    # a submitted resource of department A: its editor and reviewer and the centre read it; B does not
    "/workspace/resources/{submitted}": {"anonymous": 302, "editor_a": 200, "reviewer_a": 200, "editor_b": 403,
                                         "admin": 200, "sysadmin": 200},
    "/review": {"anonymous": 302, "editor_a": 403, "reviewer_a": 200, "editor_b": 403, "admin": 200,
                "sysadmin": 403},
    "/review/resources/{submitted}": {"anonymous": 302, "editor_a": 200, "reviewer_a": 200, "editor_b": 403,
                                      "admin": 200, "sysadmin": 200},
    "/admin/departments": {"anonymous": 302, "editor_a": 403, "reviewer_a": 403, "editor_b": 403, "admin": 200,
                           "sysadmin": 200},
    "/admin/users": {"anonymous": 302, "editor_a": 403, "reviewer_a": 403, "editor_b": 403, "admin": 200,
                     "sysadmin": 200},
    "/admin/harvest": {"anonymous": 302, "editor_a": 403, "reviewer_a": 403, "editor_b": 403, "admin": 200,
                       "sysadmin": 200},
    "/admin/harvest/new": {"anonymous": 302, "editor_a": 403, "reviewer_a": 403, "editor_b": 403, "admin": 200,
                           "sysadmin": 200},
    # sharing requests: each department's boxes, the centre's overview, everyone's notifications
    "/sharing/inbox": {"anonymous": 302, "editor_a": 200, "reviewer_a": 200, "editor_b": 200, "admin": 200,
                       "sysadmin": 403},
    "/sharing/outbox": {"anonymous": 302, "editor_a": 200, "reviewer_a": 200, "editor_b": 200, "admin": 200,
                        "sysadmin": 403},
    "/sharing/overview": {"anonymous": 302, "editor_a": 403, "reviewer_a": 403, "editor_b": 403, "admin": 200,
                          "sysadmin": 403},
    "/notifications": STAFF,
    # not public yet: a page for those who may read the working copy, and "not found" for the rest
    "/resources/{submitted}": {"anonymous": 404, "editor_a": 200, "reviewer_a": 200, "editor_b": 404,
                               "admin": 200, "sysadmin": 200},
}


@pytest.fixture
def submitted(db, world) -> int:
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="待审核的资源"))
        transition(session, world.editor_a.user, resource.id, "submit")
        return resource.id


@pytest.mark.parametrize("role", ROLES)
def test_every_page_answers_each_role_as_the_rules_say(client, world, submitted, role):
    if role != "anonymous":
        assert sign_in(client, role, "correct horse battery").status_code == 302
    got, expected = {}, {}
    for path, answers in MATRIX.items():
        url = path.format(submitted=submitted)
        response = client.get(url, headers=BROWSER)
        got[path], expected[path] = response.status_code, answers[role]
        if response.status_code in (403, 404):
            assert response.mimetype == "text/html", url
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login?next="), url
    assert got == expected
