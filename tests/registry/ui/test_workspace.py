"""The workspace as department staff use it: register by form, see errors beside their inputs, submit,
read a reviewer's comment, complete a harvested record — every step through the same services as the API."""
from __future__ import annotations

import re

from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.resources.models import Resource
from registry.resources.services import create_resource, transition
from tests.conftest import form_token, sign_in
from tests.factories import ResourceDataFactory

FORM = {
    "title": "城市道路停车泊位信息", "description": "全市道路停车泊位的位置与数量。", "classification": "102",
    "format_class": "database", "format_type": "mysql", "share_type": "unconditional", "share_method": "platform_file",
    "open_type": "unconditional", "update_frequency": "monthly", "keywords": "停车, 泊位；交通",
    "data_items-0-name": "泊位编号", "data_items-0-type": "C", "data_items-0-length": "20",
    "data_items-1-name": "所在道路", "data_items-1-type": "C",
    "distributions-0-access_url": "https://data.example.gov.cn/parking", "distributions-0-format": "CSV",
    "contact_point-name": "交通局信息中心", "contact_point-email": "data@example.gov.cn",
}


def signed_in(client, username: str = "editor_a"):
    assert sign_in(client, username, "correct horse battery").status_code == 302
    return client


def post(client, path: str, data: dict, **extra):
    """Send a form as the signed-in browser does, with its session's CSRF token."""
    return client.post(path, data={**data, **extra, "csrf_token": form_token(client, "/workspace")})


def stored(db, **where) -> Resource:
    with db.reader() as session:
        return session.scalars(select(Resource).filter_by(**where)).one()


def test_the_workspace_asks_for_sign_in(client):
    answer = client.get("/workspace")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login?next=/workspace"


def test_register_with_two_data_items_and_submit(client, db, world):
    signed_in(client)
    answer = post(client, "/workspace/new", FORM, action="submit")
    assert answer.status_code == 302
    resource = stored(db, title="城市道路停车泊位信息")
    assert resource.state == "submitted" and resource.department_id == world.dept_a.id
    assert [(i["name"], i["type"], i.get("length")) for i in resource.doc["data_items"]] == [
        ("泊位编号", "C", 20), ("所在道路", "C", None)]
    assert resource.doc["keywords"] == ["停车", "泊位", "交通"]
    assert resource.doc["contact_point"] == {"name": "交通局信息中心", "email": "data@example.gov.cn"}
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已提交" in page and resource.code in page
    listing = client.get("/workspace?state=submitted").get_data(as_text=True)
    assert "城市道路停车泊位信息" in listing and 'data-state="submitted"' in listing


def test_errors_stand_beside_their_inputs_in_the_pages_language_and_nothing_is_stored(client, db, world):
    signed_in(client)
    bad = {**FORM, "data_items-1-type": "colour", "contact_point-email": "not-an-address", "title": ""}
    answer = post(client, "/workspace/new", bad, action="save")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    for name in ("data_items-1-type", "contact_point-email", "title"):
        assert re.search(rf'id="f-{name}"[^>]*aria-invalid="true"', page), name
        assert f'id="e-{name}"' in page
    assert "不是有效的电子邮件地址" in page                 # Chinese by default
    assert 'value="泊位编号"' in page                       # what was typed is all still there
    with db.reader() as session:
        assert session.scalar(select(Resource.id)) is None
    english = post(client, "/workspace/new?lang=en", bad, action="save").get_data(as_text=True)
    assert "Not a valid email address" in english


def test_add_a_row_without_javascript(client, world):
    signed_in(client)
    page = post(client, "/workspace/new", FORM, action="add-data_items").get_data(as_text=True)
    assert 'name="data_items-2-name"' in page and 'value="所在道路"' in page
    assert "Not saved" not in page and "未保存" not in page


def test_a_returned_resource_shows_the_reviewers_comment_and_resubmits(client, db, world):
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="退回的资源"))
        transition(session, world.editor_a.user, resource.id, "submit")
        transition(session, world.reviewer_a.user, resource.id, "return", comment="请补充信息项的长度。")
        resource_id = resource.id
    signed_in(client)
    path = f"/workspace/resources/{resource_id}"
    page = client.get(path).get_data(as_text=True)
    assert "请补充信息项的长度。" in page and "reviewer_a" in page
    version = stored(db, id=resource_id).version
    form = {"title": "退回的资源（已修改）", "description": "全省企业法人登记的基本信息。", "classification": "102",
            "format_class": "electronic_file", "share_type": "unconditional", "open_type": "unconditional",
            "share_method": "platform_file", "update_frequency": "monthly",
            "distributions-0-access_url": "https://data.example.gov.cn/x"}
    assert post(client, path, form, action="submit", version=str(version)).status_code == 302
    assert stored(db, id=resource_id).state == "submitted"


def test_a_stale_form_is_refused_not_overwritten(client, db, world):
    with db.transaction() as session:
        resource_id = create_resource(session, world.editor_a.user, ResourceDataFactory(title="甲")).id
    signed_in(client)
    path = f"/workspace/resources/{resource_id}"
    form = {**FORM, "title": "乙"}
    answer = post(client, path, form, action="save", version="0")
    assert answer.status_code == 409 and "已被他人修改" in answer.get_data(as_text=True)
    assert stored(db, id=resource_id).doc["title"] == "甲"


def test_saving_keeps_what_the_form_does_not_show(client, db, world):
    doc = ResourceDataFactory(title="Verkehrsdaten", title_lang="de", other_identifiers=["urn:x:1"])
    doc["distributions"][0]["checksum"] = {"algorithm": "sha256", "value": "ab" * 32}
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, doc)
        resource_id, version = resource.id, resource.version
    signed_in(client)
    path = f"/workspace/resources/{resource_id}"
    page = client.get(path).get_data(as_text=True)
    values = dict(re.findall(r'name="([\w-]+)" type="[a-z]+" value="([^"]*)"', page))
    values.update({"description": doc["description"], "classification": "102", "format_class": "electronic_file",
                   "share_type": "unconditional", "share_method": "platform_file", "open_type": "unconditional",
                   "update_frequency": "monthly", "title": "Verkehrsdaten 2024"})
    assert post(client, path, values, action="save", version=str(version)).status_code == 302
    saved = stored(db, id=resource_id).doc
    assert saved["title"] == "Verkehrsdaten 2024" and saved["title_lang"] == "de"
    assert saved["other_identifiers"] == ["urn:x:1"]
    assert saved["distributions"][0]["checksum"] == {"algorithm": "sha256", "value": "ab" * 32}


def test_another_departments_resource_is_not_theirs_to_open(client, db, world):
    with db.transaction() as session:
        resource_id = create_resource(session, world.editor_b.user, ResourceDataFactory()).id
    signed_in(client)
    answer = client.get(f"/workspace/resources/{resource_id}", headers={"Accept": "text/html"})
    assert answer.status_code == 403 and answer.mimetype == "text/html"


def test_withdraw_is_recorded(client, db, world):
    with db.transaction() as session:
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory())
        resource_id, version = resource.id, resource.version
    signed_in(client)
    assert post(client, f"/workspace/resources/{resource_id}", {}, action="withdraw",
                version=str(version)).status_code == 302
    assert stored(db, id=resource_id).state == "withdrawn"
    with db.reader() as session:
        assert session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == resource_id)).all()[-1] == "withdraw"


def test_a_harvested_record_to_be_completed_shows_what_is_missing_and_is_completed(client, db, world):
    with db.transaction() as session:      # as a harvest stores a record that lacks guide fields
        resource = create_resource(session, world.editor_a.user, ResourceDataFactory(title="采集的记录"))
        resource.doc = {k: val for k, val in resource.doc.items() if k not in ("share_type", "share_method")}
        resource.state, resource.missing_fields = "incomplete", ["share_type"]
        resource_id, version = resource.id, resource.version
    signed_in(client)
    listing = client.get("/workspace?state=incomplete").get_data(as_text=True)
    assert "采集的记录" in listing and "share_type" in listing
    path = f"/workspace/resources/{resource_id}"
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'class="field missing">\s*<label for="f-share_type">', page)
    values = dict(re.findall(r'name="([\w-]+)" type="[a-z]+" value="([^"]*)"', page))
    values.update({"description": "全省企业法人登记的基本信息。", "classification": "102",
                   "format_class": "electronic_file", "open_type": "unconditional", "update_frequency": "monthly",
                   "share_type": "unconditional", "share_method": "platform_file"})
    assert post(client, path, values, action="submit", version=str(version)).status_code == 302
    completed = stored(db, id=resource_id)
    assert completed.state == "submitted" and completed.doc["share_type"] == "unconditional"


def test_a_form_sent_without_its_csrf_token_is_refused(client, db, world):
    signed_in(client)
    answer = client.post("/workspace/new", data={**FORM, "action": "save"})
    assert answer.status_code == 403
    with db.reader() as session:
        assert session.scalar(select(Resource.id)) is None
