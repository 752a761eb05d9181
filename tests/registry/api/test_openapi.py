"""The OpenAPI document and the docs page: valid, complete, true to the schemas and to the answers.

The document is generated, but its operation table and its answer shapes are written by hand; these
tests keep both honest.  Every route under ``/api/v1`` must be in the document with its methods, the
input components must say what the marshmallow schemas require, real answers must match the
documented shapes, and the docs page must render every operation without reaching off the host.
"""
from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

import pytest
from openapi_schema_validator import OAS30ReadValidator
from openapi_spec_validator import validate

from harvesters.views import API_OPERATIONS as HARVEST_OPERATIONS
from registry import create_app
from registry.accounts.schemas import TokenSchema, UserSchema, UserUpdateSchema
from registry.api.openapi import OPERATIONS, build_openapi
from registry.ckan.api_part import OPERATIONS as CKAN_OPERATIONS
from registry.evaluation.views import API_PART as EVALUATION_PART
from registry.sharing.views import OPERATIONS as SHARING_OPERATIONS
from registry.rdf.api_part import OPERATIONS as RDF_OPERATIONS
from registry.db import get_db
from registry.departments.schemas import DepartmentSchema, DepartmentUpdateSchema
from registry.resources.schemas import ResourceSchema
from registry.search.query import SEARCH_PARAMS
from tests.factories import DepartmentDataFactory, ResourceDataFactory

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(app):
    return build_openapi(app)


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def resolve(document, obj):
    while "$ref" in obj:
        _, _, kind, name = obj["$ref"].split("/", 3)
        obj = document["components"][kind][name]
    return obj


def app_routes(app, prefix: str = "/api/v1/"):
    """``{(method, path)}`` under ``prefix``, read from the URL map, paths in OpenAPI syntax."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


# -- The document ---------------------------------------------------------------------------

def test_the_document_is_valid_openapi(client, document):
    validate(document)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == document
    assert document["openapi"].startswith("3.")


def test_info_names_the_api_and_its_version(document):
    try:
        expected = version("govcat")
    except PackageNotFoundError:
        expected = "0.0.0"
    assert document["info"]["title"] == "govcat API"
    assert document["info"]["version"] == expected
    assert re.search(r"[\u4e00-\u9fff]", document["info"]["description"])  # Chinese
    assert re.search(r"\bThe JSON API\b", document["info"]["description"])  # and English


def test_every_api_route_is_documented_with_its_methods(app, document):
    documented = {(method, path) for method, path, _ in operations(document)}
    routes = app_routes(app)
    assert routes, "no routes under /api/v1?"
    assert routes - documented == set(), "routes missing from the OpenAPI document (add them to OPERATIONS)"
    assert documented - app_routes(app, "/") == set(), "documented operations the app does not serve"
    outside = {path for _method, path in documented if not path.startswith("/api/v1/")}
    assert outside == {"/catalog.{ext}", "/catalog/dump.{syntax}", "/resources/{resource_id}.{ext}", "/ns.{ext}",
                       "/classification.{ext}", "/api/3/action/{action}"}      # RDF and the CKAN API, for developers
    assert ("get", "/api/v1/openapi.json") in documented and ("get", "/api/v1/docs") in documented


def test_a_route_missing_from_the_table_would_be_caught(app, document):
    # The check above compares against the URL map, so it fails when a view is added without docs.
    @app.get("/api/v1/undocumented-probe")
    def _probe():
        return {}

    assert ("get", "/api/v1/undocumented-probe") in app_routes(app) - {(m, p) for m, p, _ in operations(document)}


def test_path_parameters_match_the_url_converters(app, document):
    converters = {}  # parameter name → converter ("int", or "default" for none)
    for rule in app.url_map.iter_rules():
        for converter, name in re.findall(r"<(?:([^:<>]+):)?([^<>]+)>", rule.rule):
            converters[name] = converter or "default"
    for method, path, operation in operations(document):
        names = re.findall(r"{([^{}]+)}", path)
        parameters = [resolve(document, p) for p in operation.get("parameters", [])]
        in_path = {p["name"]: p for p in parameters if p["in"] == "path"}
        assert set(in_path) == set(names), (method, path)
        for name, parameter in in_path.items():
            assert parameter["required"] is True
            expected = "integer" if converters[name] == "int" else "string"
            assert parameter["schema"]["type"] == expected, (path, name)


def test_query_parameters_of_the_resource_list(document):
    operation = document["paths"]["/api/v1/resources"]["get"]
    names = {resolve(document, p)["name"] for p in operation["parameters"]}
    assert names == SEARCH_PARAMS   # exactly what the search parser accepts
    revision = document["paths"]["/api/v1/resources/{resource_id}"]["get"]
    assert {resolve(document, p)["name"] for p in revision["parameters"]} >= {"resource_id", "revision"}


def test_operations_have_summaries_unique_ids_and_tags(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    # the harvest API, the RDF endpoints, the CKAN API, the evaluation and sharing requests add their own
    assert len(ids) == len(set(ids)) == (len(OPERATIONS) + len(HARVEST_OPERATIONS) + len(RDF_OPERATIONS)
                                         + len(CKAN_OPERATIONS) + len(EVALUATION_PART.operations)
                                         + len(SHARING_OPERATIONS))
    tags = {tag["name"] for tag in document["tags"]}
    for method, path, operation in operations(document):
        assert operation["summary"], (method, path)
        assert set(operation["tags"]) <= tags, (method, path)


@pytest.mark.parametrize("component, schema", [
    ("Resource", ResourceSchema), ("Department", DepartmentSchema), ("DepartmentUpdate", DepartmentUpdateSchema),
    ("User", UserSchema), ("UserUpdate", UserUpdateSchema), ("Token", TokenSchema),
])
def test_input_components_say_what_the_schemas_require(document, component, schema):
    generated = document["components"]["schemas"][component]
    fields = schema().fields
    assert set(generated["properties"]) == set(fields)
    assert set(generated.get("required", [])) == {name for name, field in fields.items() if field.required}
    assert generated.get("additionalProperties") is False  # unknown fields are refused


def test_the_resource_required_fields_and_nested_schemas(document):
    schemas = document["components"]["schemas"]
    required = set(schemas["Resource"]["required"])
    assert {"title", "description", "classification", "format_class", "share_type", "open_type",
            "update_frequency"} <= required
    assert schemas["Resource"]["properties"]["distributions"]["items"] == {"$ref": "#/components/schemas/Distribution"}
    assert "access_url" in schemas["Distribution"]["required"]
    for nested in ("DataItem", "Distribution", "Checksum", "DataService", "Temporal", "ContactPoint"):
        assert nested in schemas
    assert "required" not in schemas["ResourcePatch"]  # PATCH sends only what changes
    assert required <= set(schemas["ResourceRecord"]["required"])


def test_request_bodies_reference_the_schemas(document):
    expected = {
        ("post", "/api/v1/resources"): "Resource", ("put", "/api/v1/resources/{resource_id}"): "ResourceUpdate",
        ("patch", "/api/v1/resources/{resource_id}"): "ResourcePatch",
        ("post", "/api/v1/resources/{resource_id}/transitions"): "Transition",
        ("post", "/api/v1/departments"): "Department", ("patch", "/api/v1/departments/{code}"): "DepartmentUpdate",
        ("post", "/api/v1/users"): "User", ("patch", "/api/v1/users/{username}"): "UserUpdate",
        ("post", "/api/v1/tokens"): "Token",
        ("post", "/api/v1/harvest/sources"): "HarvestSource",
        ("patch", "/api/v1/harvest/sources/{source_name}"): "HarvestSourceUpdate",
        ("post", "/api/v1/share-requests"): "ShareRequest",
        ("post", "/api/v1/share-requests/{request_id}/answer"): "ShareAnswer",
        ("post", "/api/v1/share-requests/{request_id}/revoke"): "ShareRevoke",
    }
    bodies = {(method, path): operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
              for method, path, operation in operations(document)
              if "application/json" in operation.get("requestBody", {}).get("content", {})}
    assert bodies == {key: f"#/components/schemas/{name}" for key, name in expected.items()}
    files = {(method, path): operation["requestBody"]["content"]["multipart/form-data"]["schema"]
             for method, path, operation in operations(document)
             if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})}
    assert files == {("post", "/api/v1/resources/upload"): {
        "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}


def test_responses_have_a_shape_and_errors_use_the_error_schema(document):
    error_schema = document["components"]["schemas"]["Error"]
    assert error_schema["required"] == ["error"]
    body = resolve(document, error_schema["properties"]["error"])
    assert {"status", "code", "message", "message_zh"} <= set(body["required"]) and "errors" in body["properties"]
    for method, path, operation in operations(document):
        statuses = set(operation["responses"])
        assert statuses & {"200", "201", "202"}, (method, path)
        assert "401" in statuses, (method, path)  # a bad token is refused everywhere
        if "requestBody" in operation:     # a JSON body can also fail its schema; an uploaded file is judged row by row
            json_body = "application/json" in operation["requestBody"]["content"]
            assert {"400", "413"} | ({"422"} if json_body else set()) <= statuses, (method, path)
        for status, response in operation["responses"].items():
            response = resolve(document, response)
            assert response["description"]
            assert response.get("content"), (method, path, status)
            if int(status) >= 400:      # the CKAN API answers in CKAN's own error envelope (a 400: a bare string)
                shape = {"$ref": "#/components/schemas/Error"}
                if path.startswith("/api/3/"):
                    shape = {"$ref": "#/components/schemas/CkanError"}
                    if status == "400":
                        shape = {"oneOf": [{"type": "string"}, shape]}
                assert response["content"]["application/json"]["schema"] == shape
    assert "201" in document["paths"]["/api/v1/resources"]["post"]["responses"]
    assert "409" in document["paths"]["/api/v1/resources/{resource_id}"]["put"]["responses"]


def test_bearer_security_scheme(document):
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "gct_" in scheme["description"]
    me = document["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"bearerAuth": []}]
    public = document["paths"]["/api/v1/vocabularies"]["get"]
    assert {} in public["security"]


def test_the_document_is_cached_per_app(app, database_url, tmp_path):
    assert build_openapi(app) is build_openapi(app)
    other = create_app({"GOVCAT_DATABASE_URL": database_url, "GOVCAT_INSTANCE": str(tmp_path / "other"),
                        "GOVCAT_SECRET_KEY": "test", "TESTING": True, "GOVCAT_PAGE_SIZE_MAX": 20})
    try:
        parameters = build_openapi(other)["components"]["parameters"]
        assert parameters["query.per_page"]["schema"]["maximum"] == 20
        assert build_openapi(app) is not build_openapi(other)
    finally:
        get_db(other).dispose()


# -- Real answers match the documented shapes -------------------------------------------------

class Contract:
    def __init__(self, document):
        self.document = document

    def check(self, response, status: int, method: str, path: str):
        assert response.status_code == status, response.get_json()
        documented = self.document["paths"][path][method]["responses"][str(status)]
        schema = resolve(self.document, documented)["content"]["application/json"]["schema"]
        OAS30ReadValidator({**schema, "components": self.document["components"]}).validate(response.get_json())
        return response.get_json()


def test_answers_match_the_documented_shapes(client, world, document):
    contract = Contract(document)
    editor, admin = world.editor_a.headers, world.admin.headers
    created = contract.check(client.post("/api/v1/resources", json=ResourceDataFactory(database=True), headers=editor),
                             201, "post", "/api/v1/resources")
    rid = created["id"]
    item = "/api/v1/resources/{resource_id}"
    contract.check(client.get(f"/api/v1/resources/{rid}", headers=editor), 200, "get", item)
    changed = contract.check(client.patch(f"/api/v1/resources/{rid}", json={"title": "新名称", "version": 1},
                                          headers=editor), 200, "patch", item)
    contract.check(client.post(f"/api/v1/resources/{rid}/transitions",
                               json={"transition": "submit", "version": changed["version"]}, headers=editor),
                   200, "post", item + "/transitions")
    contract.check(client.get("/api/v1/resources?state=draft,submitted", headers=editor), 200, "get",
                   "/api/v1/resources")
    contract.check(client.get(f"/api/v1/resources/{rid}/history", headers=editor), 200, "get", item + "/history")

    contract.check(client.get("/api/v1/departments"), 200, "get", "/api/v1/departments")
    department = contract.check(client.post("/api/v1/departments", json=DepartmentDataFactory(), headers=admin),
                                201, "post", "/api/v1/departments")
    code = department["credit_code"]
    contract.check(client.patch(f"/api/v1/departments/{code}", json={"name": "改名", "version": department["version"]},
                                headers=admin), 200, "patch", "/api/v1/departments/{code}")
    contract.check(client.get(f"/api/v1/departments/{code}/history", headers=admin), 200, "get",
                   "/api/v1/departments/{code}/history")

    contract.check(client.get("/api/v1/me", headers=editor), 200, "get", "/api/v1/me")
    contract.check(client.get("/api/v1/users", headers=admin), 200, "get", "/api/v1/users")
    contract.check(client.post("/api/v1/users", json={"username": "newcomer", "password": "long enough secret",
                                                      "role": "admin"}, headers=admin), 201, "post", "/api/v1/users")
    token = contract.check(client.post("/api/v1/tokens", json={"name": "ci", "expires_in_days": 5}, headers=editor),
                           201, "post", "/api/v1/tokens")
    assert token["token"].startswith("gct_")
    contract.check(client.get("/api/v1/tokens", headers=editor), 200, "get", "/api/v1/tokens")
    contract.check(client.delete(f"/api/v1/tokens/{token['id']}", headers=editor), 200, "delete",
                   "/api/v1/tokens/{token_id}")

    contract.check(client.get("/api/v1/vocabularies"), 200, "get", "/api/v1/vocabularies")
    contract.check(client.get("/api/v1/vocabularies/classification"), 200, "get", "/api/v1/vocabularies/classification")
    contract.check(client.get("/api/v1/vocabularies/share_type"), 200, "get", "/api/v1/vocabularies/{name}")


def test_error_answers_match_the_error_schema(client, world, document):
    contract = Contract(document)
    editor = world.editor_a.headers
    contract.check(client.post("/api/v1/resources", json={"title": ""}, headers=editor), 422, "post",
                   "/api/v1/resources")
    contract.check(client.post("/api/v1/resources", data=b"[1]", content_type="application/json", headers=editor),
                   400, "post", "/api/v1/resources")
    contract.check(client.get("/api/v1/resources?colour=red"), 400, "get", "/api/v1/resources")
    contract.check(client.get("/api/v1/resources/999999"), 404, "get", "/api/v1/resources/{resource_id}")
    contract.check(client.get("/api/v1/me"), 401, "get", "/api/v1/me")
    contract.check(client.get("/api/v1/users", headers=editor), 403, "get", "/api/v1/users")
    contract.check(client.get("/api/v1/vocabularies", headers={"Authorization": "Bearer gct_wrong"}), 401, "get",
                   "/api/v1/vocabularies")


def test_each_schema_is_in_the_document_once(app):
    # A nested schema registered before its own entry came in twice (once under a name of apispec's making).
    import warnings

    from registry.api.openapi import _generate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        document = _generate(app)
    assert "Summary" not in document["components"]["schemas"]


def test_an_empty_query_value_counts_as_not_given(client, world, document):
    # The fuzz test sent ?lang= and ?revision= and got 200 where the document said the value was invalid.
    for name, parameter in document["components"]["parameters"].items():
        if parameter["in"] == "query":
            assert parameter["allowEmptyValue"] is True, name
    editor = world.editor_a.headers
    rid = client.post("/api/v1/resources", json=ResourceDataFactory(database=True), headers=editor).get_json()["id"]
    assert client.get(f"/api/v1/resources/{rid}?revision=", headers=editor).get_json() == \
        client.get(f"/api/v1/resources/{rid}", headers=editor).get_json()
    assert client.get("/api/v1/resources?lang=&sort=&page=&per_page=&state=").status_code == 200
    assert client.get("/api/v1/departments?level=&parent=").status_code == 200
    assert client.get("/api/v1/harvest/sources?department=", headers=world.admin.headers).status_code == 200
    assert client.get("/api/v1/resources?lang=fr").status_code == 400      # a value that is given is checked
    assert client.get(f"/api/v1/resources/{rid}?revision=latest", headers=editor).status_code == 400


def test_a_missing_parent_department_is_a_documented_404(client, world, document):
    contract = Contract(document)
    contract.check(client.get("/api/v1/departments?parent=91330000000000000X"), 404, "get", "/api/v1/departments")
    assert client.get(f"/api/v1/departments?parent={world.dept_a.credit_code}").status_code == 200


def test_search_text_has_no_documented_length_limit(client, document):
    # Longer text is cut, not refused: a maxLength in the document would call it invalid.
    q = resolve(document, {"$ref": "#/components/parameters/query.q"})
    assert "maxLength" not in q["schema"]
    assert client.get("/api/v1/resources?q=" + "水" * 2000).status_code == 200


def test_every_pattern_is_an_ecma_regular_expression(document):
    # OpenAPI patterns are ECMA-262: Python's \\Z is not one, and made the document invalid for such validators.
    import jsonschema_rs

    def patterns(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                yield node["pattern"]
            for value in node.values():
                yield from patterns(value)
        elif isinstance(node, list):
            for value in node:
                yield from patterns(value)

    found = list(patterns(document))
    assert len(found) >= 5
    for pattern in found:
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})   # raises on a pattern it cannot read


# -- The docs page -----------------------------------------------------------------------------

def test_the_docs_page_lists_every_operation(client, document):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for method, path, operation in operations(document):
        assert path in page, path
        assert f'id="{operation["operationId"]}"' in page and f'href="#{operation["operationId"]}"' in page
        assert operation["summary"].replace("'", "&#39;") in page
    assert 'href="/api/v1/openapi.json"' in page
    for tag in document["tags"]:
        assert f'id="tag-{tag["name"]}"' in page


def test_the_docs_page_shows_request_body_fields_and_responses(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    section = page[page.index('id="createResource"'):]
    section = section[:section.index("</section>")]
    for field in ("title", "classification", "format_class", "distributions"):
        assert f"<code>{field}</code>" in section
    assert "<code>↳ access_url</code>" in section  # the nested list's fields, one level down
    assert "required 必填" in section
    assert 'href="#schema-Error"' in section and ">201<" in section and ">422<" in section
    assert 'id="schema-ResourceRecord"' in page


def test_the_docs_page_works_offline(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "<script" not in page.lower()
    assert not re.search(r"<link\b[^>]*\bhref=[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"\bsrc=[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", page, re.I)
    # Any address left is example text: a local host or an example domain, never a CDN.
    for host in re.findall(r"https?://([^/\s\"'<>:]+)", page):
        assert host in {"localhost", "127.0.0.1"} or re.search(r"(^|\.)example(\.|$)", host), host
