"""The OpenAPI 3 description of the JSON API, generated rather than written by hand.

Clients, the docs page (``/api/v1/docs``) and contract tests all need one machine-readable
account of ``/api/v1``.  Writing it by hand would drift from the code, so the data shapes come
from the marshmallow schemas every input already passes through (via apispec's marshmallow
plugin), and the operations come from :data:`OPERATIONS`, a declarative table with one small
entry per method and path.  :func:`build_openapi` joins the two and caches the result per app;
the tests check the table against the app's URL map, so a route cannot go undocumented.

The answer shapes (a resource's envelope, a department, a user, a token, an audit event, the
vocabularies) have no input schema of their own; the documentation-only schemas of
:mod:`registry.api.answers` describe what the ``*_representation`` functions of the services return
(the harvest API's, in :mod:`harvesters.views`, beside its views).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version as package_version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from vocab import enumerations as v
from registry.accounts.services import TOKEN_PREFIX
from registry.api import API_PREFIX
from registry.api.answers import ERROR_EXAMPLE, SCHEMA_DESCRIPTIONS, SCHEMAS
from registry.search.query import FACETS, FACETS_BY_NAME, MAX_QUERY_CHARS, SORTS

log = logging.getLogger(__name__)

OPENAPI_VERSION = "3.0.3"
EXTENSION_KEY = "govcat.openapi"
JSON = "application/json"


# --------------------------------------------------------------------------------------------
# Parameters, error answers and tags.
# --------------------------------------------------------------------------------------------

def _query_parameters(app: Flask) -> dict[str, dict]:
    page_max = app.config.get("GOVCAT_PAGE_SIZE_MAX", 100)
    return {
        "state": {"schema": {"type": "array", "items": {"type": "string", "enum": v.RESOURCE_STATES.keys}},
                  "style": "form", "explode": False,
                  "description": "列出这些状态的工作副本（逗号分隔，亦可重复）；省略时列出已发布的资源。"
                                 "Working copies in these states (comma-separated or repeated); "
                                 "without it, the published resources."},
        "department": {"schema": {"type": "string"},
                       "description": "提供方部门的统一社会信用代码。Credit code of the providing department."},
        "classification": {"schema": {"type": "string"},
                           "description": "分类代码前缀，含下级分类。Classification code; its sub-entries match too."},
        "page": {"schema": {"type": "integer", "minimum": 1, "default": 1}, "description": "页码。Page number."},
        "per_page": {"schema": {"type": "integer", "minimum": 1, "maximum": page_max, "default": min(50, page_max)},
                     "description": "每页条数。Items per page."},
        "q": {"schema": {"type": "string"}, "description":
              "检索词：中文分词并辅以双字匹配，含同义词，英文词干化，全角/繁体折叠；资源代码、信用代码精确匹配；"
              f"超过 {MAX_QUERY_CHARS} 个字符的部分被截去。Search text: Chinese by words and bigrams, with synonyms, "
              "English stemmed, full-width and traditional forms folded; resource and credit codes exactly. "
              f"Any text is accepted; beyond {MAX_QUERY_CHARS} characters it is cut."},
        "sort": {"schema": {"type": "string", "enum": sorted(SORTS)}, "description":
                 "排序：相关度（有 q 时默认）、更新时间（默认）、标题、元数据质量（得分高者在前）。"
                 "Relevance (default with q), modified, title, quality (most metadata-quality points first)."},
        "cursor": {"schema": {"type": "string"}, "description":
                   "上一页的 next_cursor，用于深度翻页与导出。next_cursor of the previous page, for deep paging."},
        "facets": {"schema": {"type": "string"}, "description":
                   "要返回的分面（逗号分隔，默认全部）。Facets to count, comma-separated; all by default."},
        "lang": {"schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"},
                 "description": "分面名称的语言。Language of the facet labels."},
        **{facet.name: {"schema": {"type": "string"}, "style": "form", "explode": False,
                        "description": f"{facet.zh}筛选（逗号分隔可多选）。Filter by {facet.en.lower()}; "
                                       "comma-separated values are alternatives."}
           for facet in FACETS if facet.name not in ("department", "classification")},
        "revision": {"schema": {"type": "string", "enum": ["published", "working"]},
                     "description": "默认为公众可见的版本；working 为工作副本（需相应权限）。The published revision "
                                    "by default; working asks for the working copy (needs the right to read it)."},
        "level": {"schema": {"type": "string", "enum": v.ADMINISTRATIVE_LEVELS.keys},
                  "description": "行政层级。Administrative level."},
        "parent": {"schema": {"type": "string"},
                   "description": "上级部门的统一社会信用代码；该部门不存在时为 404。Credit code of the parent "
                                  "department; 404 when there is none such."},
        "before": {"schema": {"type": "integer", "minimum": 0},
                   "description": "只列出编号小于此值的事件（翻页）。Only events with a smaller id (paging)."},
        "limit": {"schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
                  "description": "最多返回的条数。Most entries to return."},
        "dry_run": {"schema": {"type": "boolean", "default": False},
                    "description": "true：只检查，不保存。true: judge every row, store nothing."},
        "username": {"schema": {"type": "string"},
                     "description": "列出该用户的令牌（仅管理员）；默认为自己。Whose tokens (admins only); yours by default."},
    }


PATH_PARAMETERS = {
    "resource_id": ({"type": "integer", "minimum": 1}, "信息资源编号。The resource's id."),
    "code": ({"type": "string"}, "部门的统一社会信用代码（或编号）。The department's credit code (or id)."),
    "username": ({"type": "string"}, "用户名。The user name."),
    "token_id": ({"type": "integer", "minimum": 1}, "令牌编号。The token's id."),
    "name": ({"type": "string", "enum": list(v.ENUMERATIONS)}, "词表名称。The vocabulary's name."),
    "source_name": ({"type": "string"}, "采集源名称。The harvest source's name."),
    "job_id": ({"type": "integer", "minimum": 1}, "采集任务编号。The harvest job's id."),
}

HEADER_PARAMETERS = {
    "If-Match": {"schema": {"type": "string"}, "example": '"3"',
                 "description": "所读取版本的 ETag；亦可在请求体中给出 version。The ETag of the version you read; "
                                "or send version in the body."},
}

ERRORS = {
    400: ("BadRequest", "请求无效：请求体不是 JSON 对象，或查询参数未知、无效。The request is malformed: "
                        "the body is not a JSON object, or a query parameter is unknown or invalid."),
    401: ("Unauthorized", "需要登录，或访问令牌无效、已撤销或已过期。Sign in, or the token sent is invalid, "
                          "revoked or expired."),
    403: ("Forbidden", "无权执行此操作。Your role may not do this here."),
    404: ("NotFound", "未找到。Not found (or not visible to you)."),
    406: ("NotAcceptable", "不支持请求的格式；说明中列出可用的格式。No format asked for is available; the message "
                           "lists those that are."),
    409: ("Conflict", "冲突：版本已变化、状态不允许或已存在。Conflict: the version changed, the state forbids it, "
                      "or it exists already."),
    413: ("PayloadTooLarge", "请求体过大。The request body is too large."),
    422: ("ValidationFailed", "数据校验未通过，errors 逐字段说明。The data did not pass validation; errors says "
                              "why, field by field."),
    503: ("Unavailable", "所依赖的服务（采集队列）暂不可用。A service this needs (the harvest queue) cannot be reached now."),
}

TAGS = [
    {"name": "Resources", "description": "信息资源：登记、修改、审核流程与历史。Information resources: registration, "
                                         "changes, the review workflow and history."},
    {"name": "Departments", "description": "部门与部门的审计记录。Departments and their audit trail."},
    {"name": "Accounts", "description": "用户与访问令牌。Users and API tokens."},
    {"name": "Harvest", "description": "采集源、采集任务及其报告（目录管理中心与系统管理员）。Harvest sources, their "
                                       "jobs and reports (catalog centre and system administrators)."},
    {"name": "Evaluation", "description": "评价：各部门记分卡、排名与趋势（登录可读）。Evaluation: every department's "
                                          "scorecard, the ranking and trends (signed-in readers)."},
    {"name": "Sharing", "description": "部门间共享申请：申请、答复、授权与撤销。Sharing requests between departments: "
                                       "requests, answers, grants and revocations."},
    {"name": "Vocabularies", "description": "受控词表与分类树。Controlled vocabularies and the classification tree."},
    {"name": "Linked data", "description": "DCAT-AP 3 RDF：分页目录、整库导出、单个资源、词汇与概念体系（位于网站根路径）。"
                                          "DCAT-AP 3 RDF at the site's root: the catalog in pages, dumps, one "
                                          "resource, the vocabulary and the concept schemes."},
    {"name": "CKAN", "description": "CKAN 兼容的只读接口（位于 /api/3/action），供为 CKAN 编写的工具使用。The "
                                   "CKAN-compatible read API at /api/3/action, for tools written for CKAN."},
    {"name": "Documentation", "description": "本文档。This documentation."},
]

INFO_DESCRIPTION = (
    "govcat 政务信息资源目录的 JSON API。公开接口无需认证；写操作与工作副本需要访问令牌"
    f"（请求头 Authorization: Bearer {TOKEN_PREFIX}…）或浏览器登录会话。所有错误均以统一的 Error 格式返回，"
    "同时给出中英文说明。查询参数的值为空时视为未给出。\n\n"
    "The JSON API of govcat, the government information-resource catalog. Public reads need no "
    f"authentication; writes and working copies need an API token (Authorization: Bearer {TOKEN_PREFIX}…) "
    "or a signed-in browser session. Every error has the Error shape, in English and Chinese. "
    "Writers send the version they read (If-Match or the version field); a stale one is a 409. "
    "A query parameter with an empty value counts as not given."
)


# --------------------------------------------------------------------------------------------
# The operations: one entry per method and path (paths relative to API_PREFIX).
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Op:
    method: str
    path: str
    operation_id: str
    tag: str
    summary: str
    description: str = ""
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    body: str | None = None
    status: int = 200
    answer: str | None = None
    errors: tuple[int, ...] = ()
    signed_in: bool = False
    etag: bool = False
    location: bool = False
    media_type: str = JSON
    upload: bool = False          # the body is a file, sent as multipart/form-data (field ``file``)
    absolute: bool = False        # the path is the site's, not under the API prefix (RDF, the CKAN API)
    media_types: tuple[str, ...] = ()     # the success answer's types when it has several (by extension or Accept)
    error_schema: str | None = None       # errors in a shape of their own (the CKAN API's), else Error
    bare_errors: tuple[int, ...] = ()     # statuses that may be a bare JSON string too (as CKAN answers a 400)


BODY = (400, 413, 422)  # what any operation reading a JSON body can answer


@dataclass(frozen=True)
class ApiPart:
    """What a package that mounts its own blueprint under the API adds to the document: its answer and
    body schemas (name → schema), their descriptions, and its operations.  The registry does not import
    such a package (it builds on the registry); the package adds its part when its blueprint is mounted."""

    schemas: dict
    descriptions: dict
    operations: tuple
    parameters: dict = field(default_factory=dict)    # component id ("path.ext") → the parameter


def add_api_part(app: Flask, part: ApiPart) -> None:
    """Have ``app``'s OpenAPI document include ``part`` (once)."""
    parts = app.extensions.setdefault("govcat.api_parts", [])
    if part not in parts:
        parts.append(part)


def _parts(app: Flask) -> list[ApiPart]:
    return app.extensions.get("govcat.api_parts", [])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_FILTERS = ("department", "classification", "share_type", "open_type", "format_class", "update_frequency")

OPERATIONS: tuple[Op, ...] = (
    # Resources 信息资源
    Op("GET", "/resources", "listResources", "Resources", "List resources",
       "检索与列出资源：默认为已发布的资源；给出 state 时检索调用者可读的工作副本（公众为 401）。"
       "Search and list: published resources by default; with state, the working copies the caller may read "
       "(401 for the public). Hits come with highlights, the total and facet counts.",
       query=("q", "state", *FACETS_BY_NAME, "sort", "page", "per_page", "cursor", "facets", "lang"),
       answer="ResourcePage", errors=(400,)),
    Op("GET", "/resources/template.xlsx", "getSheetTemplate", "Resources", "The registration spreadsheet template",
       "编制指南格式的空白模板：表头带下拉列表，另附逐列说明。The compilation guide's layout, blank: the header "
       "row with drop-down lists and a sheet explaining each column.", media_type=XLSX),
    Op("GET", "/resources/template.csv", "getCsvTemplate", "Resources", "The template's header row as CSV",
       "UTF-8（带 BOM）。UTF-8 with a BOM; the explanations are in the xlsx template.", media_type="text/csv"),
    Op("GET", "/resources/export.xlsx", "exportSheet", "Resources", "The published catalog as a workbook",
       "已发布的资源，按模板格式，可用检索接口的筛选条件。Published resources in the template's layout, filtered "
       "like the search API.", query=SHEET_FILTERS, errors=(400,), media_type=XLSX),
    Op("GET", "/resources/export.csv", "exportCsv", "Resources", "The published catalog as CSV",
       "边查询边输出。Streamed from the database as it is written.", query=SHEET_FILTERS, errors=(400,),
       media_type="text/csv"),
    Op("POST", "/resources/upload", "uploadSheet", "Resources", "Register resources from a spreadsheet",
       "上传编制指南格式的 .xlsx 或 .csv（UTF-8 或 GBK）：dry_run=true 时只检查每一行并报告问题，不保存；否则登记通过"
       "检查的行为草稿（有问题的行不登记）。Upload an .xlsx or .csv (UTF-8 or GBK) in the guide's layout as the "
       "form field file. With dry_run=true every row is judged and nothing stored; without, the rows that pass "
       "become drafts in one transaction and the rest are reported.",
       query=("dry_run",), upload=True, answer="SheetUpload", errors=(400, 403, 413), signed_in=True),
    Op("GET", "/suggest", "suggest", "Resources", "Suggestions as one types",
       "标题与部门名称的输入提示，支持中文前缀。Titles and department names that start with (or contain) the "
       "text typed so far; Chinese prefixes work.", query=("q", "limit"), answer="Suggestions", errors=(400,)),
    Op("POST", "/resources", "createResource", "Resources", "Register a resource",
       "登记新的信息资源（草稿）并分配资源代码。返回表示中的只读字段（id、code、state 等）会被忽略。Registers a "
       "draft and assigns its code; the read-only keys of a representation are ignored if sent back.",
       body="Resource", status=201, answer="ResourceRecord", errors=(*BODY, 403), signed_in=True, etag=True,
       location=True),
    Op("GET", "/resources/{resource_id}", "getResource", "Resources", "Get a resource",
       "公众看到已发布版本；部门用户与中心可用 revision=working 查看工作副本。The public sees the published "
       "revision; department users and the centre may ask for the working copy.",
       query=("revision",), answer="ResourceRecord", errors=(400, 403, 404), etag=True),
    Op("PUT", "/resources/{resource_id}", "replaceResource", "Resources", "Replace a resource's metadata",
       "整体替换元数据；资源回到草稿。已发布的资源在新版本发布前仍公开原版本。Replaces all the metadata; the "
       "resource becomes a draft again, a published one stays public as it was until the change is published. "
       "须给出所读取的版本（If-Match 或 version），否则 422。Send the version you read (If-Match or version), "
       "else 422.",
       headers=("If-Match",), body="ResourceUpdate", answer="ResourceRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True, etag=True),
    Op("PATCH", "/resources/{resource_id}", "patchResource", "Resources", "Change some of a resource's metadata",
       "只替换给出的顶层字段，合并后整体校验。Replaces the top-level fields given; the merged metadata is "
       "checked as a whole.",
       headers=("If-Match",), body="ResourcePatch", answer="ResourceRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True, etag=True),
    Op("POST", "/resources/{resource_id}/transitions", "transitionResource", "Resources",
       "Move a resource through the review workflow",
       "提交、审核通过（部门审核、中心发布）、退回（须填意见）或撤回。Submit, approve (department, then "
       "centre publishes), return (with a comment) or withdraw.",
       headers=("If-Match",), body="Transition", answer="ResourceRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True, etag=True),
    Op("GET", "/resources/{resource_id}/history", "resourceHistory", "Resources", "A resource's audit trail",
       "资源的全部变更与流转记录。Every change and step of the resource.",
       answer="EventList", errors=(403, 404), signed_in=True),
    # Departments 部门
    Op("GET", "/departments", "listDepartments", "Departments", "List departments",
       "按行政层级或上级部门筛选。Filter by administrative level or parent.",
       query=("level", "parent"), answer="DepartmentList", errors=(400, 404)),
    Op("POST", "/departments", "createDepartment", "Departments", "Register a department",
       "登记部门，并在分类第 3 类（部门）下为其分配分类代码。Registers a department and gives it a node in "
       "classification branch 3.",
       body="Department", status=201, answer="DepartmentRecord", errors=(*BODY, 403, 409), signed_in=True,
       etag=True, location=True),
    Op("GET", "/departments/{code}", "getDepartment", "Departments", "Get a department",
       answer="DepartmentRecord", errors=(404,), etag=True),
    Op("PATCH", "/departments/{code}", "updateDepartment", "Departments", "Change a department",
       "版本号可用 If-Match 头代替请求体中的 version。If-Match may stand in for the body's version.",
       headers=("If-Match",), body="DepartmentUpdate", answer="DepartmentRecord", errors=(*BODY, 403, 404, 409),
       signed_in=True, etag=True),
    Op("GET", "/departments/{code}/history", "departmentHistory", "Departments", "A department's audit trail",
       "部门及其资源、用户的事件，按时间倒序，可用 before 翻页。Events of the department, its resources and users, "
       "newest first; page with before.",
       query=("before", "limit"), answer="EventList", errors=(400, 403, 404), signed_in=True),
    # Accounts 用户与令牌
    Op("GET", "/me", "getMe", "Accounts", "Who am I", "当前登录的用户。The signed-in user.",
       answer="UserRecord", signed_in=True),
    Op("GET", "/users", "listUsers", "Accounts", "List users", "仅管理员。Admins only.",
       answer="UserList", errors=(403,), signed_in=True),
    Op("POST", "/users", "createUser", "Accounts", "Create a user",
       "编目员和审核员必须属于一个部门，管理员不属于部门。Editors and reviewers belong to a department; "
       "admins to none.",
       body="User", status=201, answer="UserRecord", errors=(*BODY, 403, 409), signed_in=True),
    Op("GET", "/users/{username}", "getUser", "Accounts", "Get a user", "仅管理员。Admins only.",
       answer="UserRecord", errors=(403, 404), signed_in=True),
    Op("PATCH", "/users/{username}", "updateUser", "Accounts", "Change a user",
       "停用、改名或重设密码；不能停用自己或最后一个系统管理员。Deactivate, rename or set a new password; nobody "
       "deactivates themselves, and the last active system administrator stays.",
       body="UserUpdate", answer="UserRecord", errors=(*BODY, 403, 404, 409), signed_in=True),
    Op("GET", "/tokens", "listTokens", "Accounts", "List API tokens",
       "自己的令牌；管理员可查看他人的。Your tokens; admins may list another user's.",
       query=("username",), answer="TokenList", errors=(400, 403, 404), signed_in=True),
    Op("POST", "/tokens", "createToken", "Accounts", "Issue an API token",
       f"只能为自己创建；令牌明文（{TOKEN_PREFIX}…）只在此响应中出现一次。For yourself only (the server's command line "
       f"makes one for another user); the secret ({TOKEN_PREFIX}…) is in this answer only.",
       body="Token", status=201, answer="IssuedToken", errors=(*BODY, 403), signed_in=True),
    Op("DELETE", "/tokens/{token_id}", "revokeToken", "Accounts", "Revoke an API token",
       "撤销自己的令牌；管理员可撤销他人的。Revoke one of your tokens; admins may revoke anyone's.",
       answer="TokenRecord", errors=(404,), signed_in=True),
    # Vocabularies 词表
    Op("GET", "/vocabularies", "listVocabularies", "Vocabularies", "List the controlled vocabularies",
       answer="VocabularyList"),
    Op("GET", "/vocabularies/classification", "getClassification", "Vocabularies", "The classification tree",
       "基础、主题、部门三大类；部门类随部门变化。Base, theme and department branches; the last follows the "
       "departments.", answer="Classification"),
    Op("GET", "/vocabularies/{name}", "getVocabulary", "Vocabularies", "Get a controlled vocabulary",
       answer="Vocabulary", errors=(404,)),
    # Documentation 文档
    Op("GET", "/openapi.json", "getOpenapi", "Documentation", "This OpenAPI document",
       "本 API 的 OpenAPI 描述。The OpenAPI description of this API."),
    Op("GET", "/docs", "getDocs", "Documentation", "The API reference as a web page",
       "可离线浏览的 API 文档。A browsable reference that works offline.", media_type="text/html"),
)


# --------------------------------------------------------------------------------------------
# Generation.
# --------------------------------------------------------------------------------------------

_RULE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_PATH_PARAMETER = re.compile(r"{([^{}]+)}")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """``/resources/<int:resource_id>`` → ``/resources/{resource_id}``."""
    return _RULE_PARAMETER.sub(r"{\1}", rule)


def api_routes(app: Flask) -> set[tuple[str, str]]:
    """Every ``(METHOD, path)`` the app serves under the API prefix, in OpenAPI path syntax."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == API_PREFIX or rule.rule.startswith(API_PREFIX + "/"):
            for method in (rule.methods or set()) - IGNORED_METHODS:
                routes.add((method, openapi_path(rule.rule)))
    return routes


def _package_version() -> str:
    try:
        return package_version("govcat")
    except PackageNotFoundError:
        return "0.0.0"


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json_content(schema_name: str | None, media_type: str = JSON) -> dict:
    if media_type != JSON:
        return {media_type: {"schema": {"type": "string"}}}
    schema = _ref("schemas", schema_name) if schema_name else {"type": "object"}
    return {media_type: {"schema": schema}}


def _operation(op: Op) -> dict:
    # Component ids: apispec turns them into references.
    parameters = [f"path.{name}" for name in _PATH_PARAMETER.findall(op.path)]
    parameters += [f"query.{name}" for name in op.query]
    parameters += [f"header.{name}" for name in op.headers]
    headers = {}
    if op.etag:
        headers["ETag"] = {"description": "资源的版本号。The version, for If-Match.", "schema": {"type": "string"}}
    if op.location:
        headers["Location"] = {"description": "新资源的地址。Where the new item is.", "schema": {"type": "string"}}
    content = {t: {"schema": {"type": "object" if t.endswith("+json") else "string"}} for t in op.media_types} \
        or _json_content(op.answer, op.media_type)
    success = {"description": "已创建。Created." if op.status == 201 else "成功。OK.", "content": content}
    if headers:
        success["headers"] = headers
    responses = {str(op.status): success}
    for status in sorted({*op.errors, 401}):
        if status in op.bare_errors:
            shape = {"oneOf": [{"type": "string"}, _ref("schemas", op.error_schema or "Error")]}
            responses[str(status)] = {"description": ERRORS[status][1], "content": {JSON: {"schema": shape}}}
        else:
            responses[str(status)] = ERRORS[status][0] if op.error_schema is None else {
                "description": ERRORS[status][1], "content": _json_content(op.error_schema)}
    operation = {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": op.summary,
        "responses": responses,
        # A bad token is refused on every route, so even public operations list bearerAuth.
        "security": [{"bearerAuth": []}] if op.signed_in else [{}, {"bearerAuth": []}],
    }
    if op.description:
        operation["description"] = op.description
    if parameters:
        operation["parameters"] = parameters
    if op.body:
        operation["requestBody"] = {"required": True, "content": _json_content(op.body)}
    if op.upload:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    return operation


def _generate(app: Flask) -> dict:
    spec = APISpec(title="govcat API", version=_package_version(), openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()], info={"description": INFO_DESCRIPTION}, tags=TAGS)
    parts = _parts(app)
    every_operation = OPERATIONS + tuple(op for part in parts for op in part.operations)
    for name, schema in {**SCHEMAS, **{k: v for part in parts for k, v in part.schemas.items()}}.items():
        if name not in spec.components.schemas:  # a schema named here may already be in as a nested one
            spec.components.schema(name, schema=schema)
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer", "bearerFormat": f"{TOKEN_PREFIX}…",
        "description": f"API 访问令牌，以 {TOKEN_PREFIX} 开头，由 POST /api/v1/tokens 签发。An API token; it starts "
                       f"with {TOKEN_PREFIX} and is issued by POST /api/v1/tokens."})
    for name, (schema, description) in PATH_PARAMETERS.items():
        spec.components.parameter(f"path.{name}", "path",
                                  {"name": name, "required": True, "schema": schema, "description": description})
    for name, parameter in _query_parameters(app).items():
        # An empty value (``?lang=``) counts as not given, on every operation.
        spec.components.parameter(f"query.{name}", "query", {"name": name, "allowEmptyValue": True, **parameter})
    for part in parts:
        for key, parameter in part.parameters.items():
            spec.components.parameter(key, key.partition(".")[0], parameter)
    for name, parameter in HEADER_PARAMETERS.items():
        spec.components.parameter(f"header.{name}", "header", {"name": name, **parameter})
    limit = app.config.get("MAX_CONTENT_LENGTH")
    for status, (name, description) in ERRORS.items():
        if status == 413 and limit:
            description += f" （上限 Limit: {limit} bytes）"
        spec.components.response(name, {"description": description, "content": {
            JSON: {"schema": _ref("schemas", "Error")}}})

    by_path: dict[str, dict] = {}
    for op in every_operation:
        by_path.setdefault(op.path if op.absolute else API_PREFIX + op.path, {})[op.method.lower()] = _operation(op)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)

    document = spec.to_dict()
    schemas = document["components"]["schemas"]
    for name, description in {**SCHEMA_DESCRIPTIONS, **{k: v for part in parts for k, v in part.descriptions.items()}}.items():
        schemas[name]["description"] = description
    schemas["Error"]["example"] = ERROR_EXAMPLE

    missing = api_routes(app) - {(op.method, API_PREFIX + op.path) for op in every_operation}
    for method, path in sorted(missing):
        log.warning("API route %s %s is not in the OpenAPI document; add it to OPERATIONS (or its package's ApiPart)",
                    method, path)
    return document


def build_openapi(app: Flask) -> dict:
    """The OpenAPI document of ``app``'s JSON API, generated once per app and cached.

    Callers must not modify the answer: it is shared by every later call.
    """
    document = app.extensions.get(EXTENSION_KEY)
    if document is None:
        document = app.extensions[EXTENSION_KEY] = _generate(app)
    return document
