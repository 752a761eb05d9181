"""The public page of a resource shows everything the catalog knows about it, in Chinese or English."""
from __future__ import annotations

from registry.resources.services import prepare_registration, register_resources
from tests.factories import ResourceDataFactory

BROWSER = {"Accept": "text/html"}


def published(db, world, **fields) -> int:
    doc = ResourceDataFactory(database=True, **fields)
    with db.transaction() as session:
        registration = prepare_registration(session, world.admin.user, {**doc, "provider": world.dept_a.credit_code},
                                            check_permission=False)
        return register_resources(session, world.admin.user, [registration], publish=True)[0]


def test_every_field_is_on_the_page(client, db, world):
    resource_id = published(
        db, world, title="企业登记信息", keywords=["企业", "登记"], themes=["ECON"],
        contact_point={"name": "数据科", "email": "data@example.gov.cn"}, license="CC-BY-4.0",
        data_services=[{"title": "企业查询接口", "endpoint_url": "https://api.example.gov.cn/enterprise"}],
        temporal={"start": "2020-01-01", "end": "2024-12-31"}, spatial="330000")
    page = client.get(f"/resources/{resource_id}", headers=BROWSER).get_data(as_text=True)
    for shown in ("统一社会信用代码", "注册资本",                                   # data items, as a table
                  'href="https://data.example.gov.cn/files/',                      # a download button
                  'href="https://api.example.gov.cn/enterprise"',                  # the data service
                  "无条件共享", "无条件开放", "CC-BY-4.0", "数据科", "data@example.gov.cn",
                  "2020-01-01", "330000", "经济和金融",
                  'href="/search?keyword=%E4%BC%81%E4%B8%9A"', 'href="/search?theme=ECON"',
                  "/api/3/action/package_show?id=", f"/resources/{resource_id}.ttl"):
        assert shown in page, shown
    english = client.get(f"/resources/{resource_id}?lang=en", headers=BROWSER).get_data(as_text=True)
    assert "Get the data" in english and "Economy and finance" in english and "无条件共享" not in english


def test_texts_are_escaped(client, db, world):
    resource_id = published(db, world, title="<script>alert(1)</script>", description="<b>粗体</b>")
    page = client.get(f"/resources/{resource_id}", headers=BROWSER).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "<b>粗体" not in page


def test_an_english_page_shows_the_english_title_first(client, db, world):
    resource_id = published(db, world, title="企业登记信息", title_en="Enterprise registration")
    english = client.get(f"/resources/{resource_id}?lang=en", headers=BROWSER).get_data(as_text=True)
    assert '<h1 lang="en">Enterprise registration</h1>' in english and "<em>企业登记信息</em>" in english
    chinese = client.get(f"/resources/{resource_id}?lang=zh", headers=BROWSER).get_data(as_text=True)
    assert "<h1>企业登记信息</h1>" in chinese
