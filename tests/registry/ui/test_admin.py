"""Administration pages: the department tree and the users, set up with no API."""
from __future__ import annotations

from sqlalchemy import select

from registry.accounts.models import User
from registry.departments.models import Department
from tests.factories import DepartmentDataFactory
from tests.registry.ui.test_workspace import post, signed_in

BROWSER = {"Accept": "text/html"}


def test_add_a_department_under_another_rename_and_deactivate_it(client, db, world):
    signed_in(client, "admin")
    new = DepartmentDataFactory(level="municipal", region_code="330100", parent=world.dept_a.credit_code)
    added = post(client, "/admin/departments", {k: val for k, val in new.items() if val})
    assert added.status_code == 302
    tree = client.get("/admin/departments").get_data(as_text=True)
    assert f'data-department="{new["credit_code"]}"' in tree
    with db.reader() as session:
        created = session.scalars(select(Department).where(Department.credit_code == new["credit_code"])).one()
        assert created.parent_id == world.dept_a.id and created.branch_code.startswith(world.dept_a.branch_code)
    assert post(client, f"/admin/departments/{new['credit_code']}", {"name": "改名后的部门"}).status_code == 302
    with db.reader() as session:
        renamed = session.get(Department, created.id)
        assert (renamed.name, renamed.active) == ("改名后的部门", False)     # the box was left unticked


def test_move_a_department_from_the_tree_page(client, db, world):
    signed_in(client, "admin")
    page = client.get("/admin/departments").get_data(as_text=True)
    row = page[page.index(f'id="d-{world.dept_a.credit_code}"'):]
    assert '<select name="parent">' in row[:row.index("</form>")]
    form = {"name": world.dept_a.name, "active": "1", "parent": world.dept_b.credit_code}
    assert post(client, f"/admin/departments/{world.dept_a.credit_code}", form).status_code == 302
    with db.reader() as session:
        moved = session.get(Department, world.dept_a.id)
        assert moved.parent_id == world.dept_b.id and moved.branch_code == world.dept_b.branch_code + "001"
    page = client.get("/admin/departments").get_data(as_text=True)
    row = page[page.index(f'id="d-{world.dept_a.credit_code}"'):]
    assert f'<option value="{world.dept_b.credit_code}" selected>' in row[:row.index("</form>")]
    # Below itself: refused with the reason, nothing moves.
    form = {"name": world.dept_b.name, "active": "1", "parent": world.dept_a.credit_code}
    post(client, f"/admin/departments/{world.dept_b.credit_code}", form)
    assert "不能把部门移到它自己或其下级部门之下" in client.get("/admin/departments").get_data(as_text=True)
    with db.reader() as session:
        assert session.get(Department, world.dept_b.id).parent_id is None


def test_a_bad_department_is_explained_beside_its_inputs(client, db, world):
    signed_in(client, "admin")
    answer = post(client, "/admin/departments", {"credit_code": "123", "name": "", "level": "galactic"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for name in ("credit_code", "name", "level", "region_code"):
        assert f'id="e-{name}"' in page, name


def test_add_a_user_then_deactivate_them_and_nobody_locks_themselves_out(client, db, world):
    signed_in(client, "admin")
    short = post(client, "/admin/users", {"username": "new_editor", "password": "short", "role": "editor",
                                          "department": world.dept_a.credit_code})
    assert short.status_code == 422 and 'id="e-password"' in short.get_data(as_text=True)
    added = post(client, "/admin/users", {"username": "new_editor", "password": "a long enough password",
                                          "role": "editor", "department": world.dept_a.credit_code})
    assert added.status_code == 302
    assert post(client, "/admin/users/new_editor", {}).status_code == 302              # unticked: deactivated
    with db.reader() as session:
        assert session.scalars(select(User.active).where(User.username == "new_editor")).one() is False
    post(client, "/admin/users/admin", {})                                             # myself: refused
    page = client.get("/admin/users").get_data(as_text=True)
    with db.reader() as session:
        assert session.scalars(select(User.active).where(User.username == "admin")).one() is True
    assert 'class="flash"' in page


def test_only_administrators_see_administration(client, world):
    signed_in(client, "editor_a")
    assert client.get("/admin/departments", headers=BROWSER).status_code == 403
    assert client.get("/admin/users", headers=BROWSER).status_code == 403
