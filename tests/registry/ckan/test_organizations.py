"""Departments as CKAN organizations through ckanapi: organization_list and organization_show."""
from __future__ import annotations

import ckanapi
import pytest

from registry.departments.services import create_department
from tests.factories import DepartmentDataFactory
from tests.registry.ckan.conftest import publish


def test_organization_list_names_and_all_fields(app, client, world, ckan):
    publish(client, world, title="甲")
    publish(client, world, title="乙")
    names = ckan.action.organization_list()
    assert sorted(names) == sorted([world.dept_a.credit_code.lower(), world.dept_b.credit_code.lower()])
    full = {o["name"]: o for o in ckan.action.organization_list(all_fields=True)}
    a = full[world.dept_a.credit_code.lower()]
    assert a["id"] == world.dept_a.credit_code and a["title"] == world.dept_a.name
    assert a["package_count"] == 2 and full[world.dept_b.credit_code.lower()]["package_count"] == 0
    assert a["is_organization"] is True and a["type"] == "organization" and a["state"] == "active"
    assert "extras" not in a
    with_extras = ckan.action.organization_list(all_fields=True, include_extras=True)[0]
    assert {e["key"] for e in with_extras["extras"]} >= {"level", "region_code", "credit_code"}
    busiest = ckan.action.organization_list(sort="package_count desc")
    assert busiest[0] == world.dept_a.credit_code.lower()
    by_name = ckan.action.organization_list(sort="name asc")
    assert by_name == sorted(by_name)
    assert ckan.action.organization_list(sort="name asc", limit=1, offset=1) == by_name[1:2]
    chosen = ckan.action.organization_list(organizations=[world.dept_b.credit_code.lower()])
    assert chosen == [world.dept_b.credit_code.lower()]


def test_organization_show_by_id_or_name_with_its_datasets(app, db, client, world, ckan):
    with db.transaction() as session:
        child = create_department(session, None, DepartmentDataFactory(parent=world.dept_a.credit_code,
                                                                       level="municipal", region_code="330100"),
                                  check_permission=False)
        child_code, child_name = child.credit_code, child.name
    rid = publish(client, world, title="甲")
    shown = ckan.action.organization_show(id=world.dept_a.credit_code)
    assert shown == ckan.action.organization_show(id=world.dept_a.credit_code.lower())
    assert shown["title"] == world.dept_a.name and shown["package_count"] == 1 and "packages" not in shown
    extras = {e["key"]: e["value"] for e in shown["extras"]}
    assert extras["level"] == "provincial" and extras["region_code"] == "330000"
    assert shown["description"]
    child_shown = ckan.action.organization_show(id=child_code.lower())
    assert child_shown["title"] == child_name and child_shown["package_count"] == 0
    assert child_shown["groups"] == [{"name": world.dept_a.credit_code.lower(), "title": world.dept_a.name,
                                      "capacity": "public"}]
    with_datasets = ckan.action.organization_show(id=world.dept_a.credit_code, include_datasets=True)
    assert [p["id"] for p in with_datasets["packages"]] == [str(rid)]
    assert with_datasets["packages"][0]["organization"]["id"] == world.dept_a.credit_code


@pytest.mark.parametrize("ident", ["no-such-org", "91330000MA00000000", "12345"])
def test_unknown_organizations_are_not_found(app, world, ckan, ident):
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id=ident)


def test_bad_organization_list_parameters_are_validation_errors(app, world, ckan):
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.organization_list(sort="colour asc")
    assert "sort" in error.value.error_dict
    with pytest.raises(ckanapi.ValidationError) as error:
        ckan.action.organization_list(limit=-3)
    assert "limit" in error.value.error_dict
