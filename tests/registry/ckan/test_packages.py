"""The CKAN package actions through ckanapi over HTTP: status, package_list, package_show, and errors."""
from __future__ import annotations

import ckanapi
import pytest
import requests

from tests.factories import DistributionFactory, ResourceDataFactory
from tests.registry.ckan.conftest import publish

RICH = dict(
    title="杭州市交通运输统计", title_en="Hangzhou transport statistics", description="按月统计的交通运输数据。",
    classification="102", keywords=["交通", "统计"], themes=["TRAN", "ECON"],
    license="https://creativecommons.org/licenses/by/4.0/",
    spatial="330100", temporal={"start": "2020-01-01", "end": "2024-12-31"},
    contact_point={"name": "数据科", "email": "data@example.gov.cn", "phone": "0571-00000000"},
    share_type="conditional", share_conditions="仅用于行政审批。", related_codes=["102/000009"],
    distributions=[DistributionFactory(checksum={"algorithm": "sha256", "value": "ab" * 32})],
    data_services=[{"title": "查询接口", "endpoint_url": "https://api.example.gov.cn/traffic",
                    "endpoint_description": "按月份查询。"}],
)


def test_status_show_describes_the_site(ckan, site):
    status = ckan.action.status_show()
    assert status["site_url"] == site
    assert status["ckan_version"].startswith("2.")
    assert status["site_title"] and status["locale_default"]


def test_package_list_names_the_published_resources_only(app, client, world, ckan):
    first = publish(client, world, title="甲")
    second = publish(client, world, title="乙")
    draft = client.post("/api/v1/resources", json=ResourceDataFactory(**{**RICH, "title": "草稿"}),
                        headers=world.editor_a.headers)
    assert draft.status_code == 201
    names = ckan.action.package_list()
    assert names == sorted(names) and len(names) == 2
    shown = {ckan.action.package_show(id=name)["id"] for name in names}
    assert shown == {str(first), str(second)}
    assert ckan.action.package_list(limit=1) == names[:1]
    assert ckan.action.package_list(limit=1, offset=1) == names[1:]
    assert ckan.action.package_list(limit=5, offset=2) == []


def test_package_show_maps_the_metadata_to_ckan_fields(app, client, world, ckan):
    rid = publish(client, world, **RICH)
    by_id = ckan.action.package_show(id=str(rid))
    assert by_id == ckan.action.package_show(id=by_id["name"]) == ckan.action.package_show(id="102/000001")
    p = by_id
    assert p["id"] == str(rid) and p["name"] == "102-000001" and p["type"] == "dataset"
    assert p["title"] == RICH["title"] and p["notes"] == RICH["description"]
    assert p["state"] == "active" and p["private"] is False
    assert p["owner_org"] == world.dept_a.credit_code
    org = p["organization"]
    assert org["id"] == world.dept_a.credit_code and org["name"] == world.dept_a.credit_code.lower()
    assert org["title"] == world.dept_a.name and org["is_organization"] is True and org["type"] == "organization"
    assert [t["name"] for t in p["tags"]] == ["交通", "统计"] and p["num_tags"] == 2
    assert {g["name"] for g in p["groups"]} == {"tran", "econ", "102"}
    assert p["license_id"] == RICH["license"] and p["license_url"] == RICH["license"]
    assert p["maintainer"] == "数据科" and p["maintainer_email"] == "data@example.gov.cn"
    assert "T" in p["metadata_created"] and "+" not in p["metadata_modified"] and "Z" not in p["metadata_modified"]
    extras = {e["key"]: e["value"] for e in p["extras"]}
    assert extras["resource_code"] == extras["identifier"] == "102/000001"
    assert extras["classification"] == "102" and extras["classification_name"] == "法人单位"
    assert extras["share_type"] == "conditional" and extras["share_conditions"] == "仅用于行政审批。"
    assert extras["open_type"] == "unconditional" and extras["update_frequency"] == "monthly"
    assert extras["spatial_code"] == "330100"
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2020-01-01", "2024-12-31")
    assert extras["title_en"] == RICH["title_en"] and extras["related_codes"] == '["102/000009"]'
    assert all(isinstance(e["value"], str) for e in p["extras"])
    assert p["num_resources"] == 2
    distribution, service = p["resources"]
    assert distribution["url"] == RICH["distributions"][0]["download_url"]
    assert distribution["format"] == "CSV" and distribution["mimetype"] == "text/csv"
    assert distribution["size"] == 20480 and distribution["hash"] == "ab" * 32
    assert (distribution["package_id"], distribution["position"]) == (p["id"], 0)
    assert service["format"] == "API" and service["url"] == "https://api.example.gov.cn/traffic"
    assert service["name"] == "查询接口" and service["position"] == 1
    assert distribution["id"] != service["id"]
    assert ckan.action.package_show(id=p["name"])["resources"][0]["id"] == distribution["id"]   # stable ids


def test_the_public_sees_the_published_version_while_a_revision_is_pending(app, client, world, ckan):
    rid = publish(client, world, title="原标题")
    current = client.get(f"/api/v1/resources/{rid}").get_json()
    response = client.patch(f"/api/v1/resources/{rid}", json={"title": "新标题", "version": current["version"]},
                            headers=world.editor_a.headers)
    assert response.status_code == 200
    assert ckan.action.package_show(id=str(rid))["title"] == "原标题"
    assert ckan.action.package_search(q="新标题")["count"] == 0


def test_drafts_withdrawn_and_unknown_packages_are_not_found(app, client, world, ckan):
    draft = client.post("/api/v1/resources", json=ResourceDataFactory(**{**RICH, "title": "草稿"}),
                        headers=world.editor_a.headers)
    assert draft.status_code == 201
    withdrawn = publish(client, world, title="已撤回")
    client.post(f"/api/v1/resources/{withdrawn}/transitions", json={"transition": "withdraw"},
                headers=world.editor_a.headers)
    for ident in [str(draft.get_json()["id"]), str(withdrawn), "102-999999", "no-such-name", "9" * 30]:
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=ident)
    assert ckan.action.package_list() == []
    with pytest.raises(ckanapi.ValidationError) as missing:
        ckan.action.package_show()
    assert "id" in missing.value.error_dict


def test_the_envelope_and_errors_are_ckans(app, client, world, site):
    rid = publish(client, world, title="甲")
    for base in ("/api/3/action", "/api/action"):
        ok = requests.get(f"{site}{base}/package_show", params={"id": rid}, timeout=10)
        assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("application/json")
        body = ok.json()
        assert list(body) == ["help", "success", "result"] and body["success"] is True
        assert body["help"] == f"{site}{base}/help_show?name=package_show"
        missing = requests.post(f"{site}{base}/package_show", json={"id": "nope"}, timeout=10)
        assert missing.status_code == 404
        assert missing.json()["success"] is False and missing.json()["error"]["__type"] == "Not Found Error"
        invalid = requests.get(f"{site}{base}/package_search", params={"rows": "-1"}, timeout=10)
        assert invalid.status_code == 409
        assert invalid.json()["error"]["__type"] == "Validation Error" and "rows" in invalid.json()["error"]
        token = requests.get(f"{site}{base}/status_show", headers={"Authorization": "Bearer wrong"}, timeout=10)
        assert token.status_code == 403 and token.json()["error"]["__type"] == "Authorization Error"
    unknown = requests.get(f"{site}/api/3/action/package_create", timeout=10)
    assert unknown.status_code == 400 and "Action name not known" in unknown.json()
    broken = requests.post(f"{site}/api/3/action/package_show", data=b"{not json",
                           headers={"Content-Type": "application/json"}, timeout=10)
    assert broken.status_code == 400 and "JSON Error" in broken.json()
    chinese = requests.get(f"{site}/api/3/action/package_show", params={"id": "nope"},
                           headers={"Accept-Language": "zh-CN,zh;q=0.9"}, timeout=10)
    assert "未找到" in chinese.json()["error"]["message"]
    helped = requests.get(f"{site}/api/3/action/help_show", params={"name": "package_search"}, timeout=10).json()
    assert helped["success"] is True and "fq" in helped["result"]


def test_get_requests_and_form_posts_work_like_ckans(app, client, world, site):
    publish(client, world, title="甲")
    get_only = ckanapi.RemoteCKAN(site, get_only=True)
    assert len(get_only.action.package_list()) == 1
    found = get_only.action.package_search(**{"facet.field": '["organization"]', "rows": "5"})
    assert found["count"] == 1 and list(found["search_facets"]) == ["organization"]
    form = requests.post(f"{site}/api/3/action/package_search", data={"rows": "0", "q": "甲"}, timeout=10).json()
    assert form["result"]["count"] == 1 and form["result"]["results"] == []


class VersionedCKAN(ckanapi.RemoteCKAN):
    """ckanapi pointed at the versioned mount, as clients configured with /api/3 call it."""

    base_url = "api/3/action/"


def test_the_versioned_mount_serves_ckanapi_too(app, client, world, site):
    rid = publish(client, world, title="甲")
    with VersionedCKAN(site) as versioned:
        assert versioned.action.package_list() == ["102-000001"]
        assert versioned.action.package_search(q="甲")["results"][0]["id"] == str(rid)
        with pytest.raises(ckanapi.NotFound):
            versioned.action.organization_show(id="nope")
