"""The shapes of the API's answers, as documentation-only marshmallow schemas, for the OpenAPI document.

Inputs have their schemas where they are validated (``registry/*/schemas.py``); what the
``*_representation`` functions return has none, so it is described here.  The tests compare real
answers with these shapes, so they cannot drift from the code unnoticed.
"""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from vocab import enumerations as v
from registry.accounts.schemas import TokenSchema, UserSchema, UserUpdateSchema
from registry.accounts.services import TOKEN_PREFIX
from registry.departments.schemas import DepartmentSchema, DepartmentUpdateSchema
from registry.resources.schemas import ResourceSchema
from registry.resources.services import TRANSITION_NAMES
from registry.schema_base import BaseSchema


# --------------------------------------------------------------------------------------------
# Documentation-only schemas: the shapes of the answers and of the bodies without an input schema.
# --------------------------------------------------------------------------------------------

def described(text: str) -> dict:
    """Field metadata carrying its description into the OpenAPI document."""
    return {"description": text}


class Answer(Schema):
    """An answer's shape: open to keys added later, so no additionalProperties: false."""

    class Meta:
        unknown = EXCLUDE


class FieldErrorSchema(Answer):
    field = fields.String(required=True, metadata=described(
        "Dotted path of the field (distributions.0.access_url), or _schema for the whole body. 出错字段的路径。"))
    reason = fields.String(required=True, metadata=described("Why, in English."))
    reason_zh = fields.String(required=True, metadata=described("原因（中文）。"))


class ErrorBodySchema(Answer):
    status = fields.Integer(required=True, metadata=described("The HTTP status, repeated. HTTP 状态码。"))
    code = fields.String(required=True, metadata={
        "description": "A stable machine-readable code. 机器可读的错误代码。",
        "example": "validation_failed"})
    message = fields.String(required=True, metadata=described("What went wrong, in English."))
    message_zh = fields.String(required=True, metadata=described("错误说明（中文）。"))
    errors = fields.List(fields.Nested(FieldErrorSchema), metadata=described(
        "One entry per field at fault; absent when the error concerns no field. 逐字段的错误。"))


class ErrorSchema(Answer):
    error = fields.Nested(ErrorBodySchema, required=True)


class LabelSchema(Answer):
    zh = fields.String(required=True, metadata=described("中文名称。"))
    en = fields.String(required=True, allow_none=True, metadata=described("English name."))


class TermSchema(Answer):
    key = fields.String(required=True, metadata=described("The stored value. 存储值。"))
    label = fields.Nested(LabelSchema, required=True)


class VocabularySchema(Answer):
    name = fields.String(required=True, validate=validate.OneOf(list(v.ENUMERATIONS)))
    label = fields.Nested(LabelSchema, required=True)
    terms = fields.List(fields.Nested(TermSchema), required=True)


class VocabularyListSchema(Answer):
    items = fields.List(fields.Nested(VocabularySchema), required=True)
    classification = fields.String(required=True, metadata=described(
        "Path of the classification tree, which is not an enumeration. 分类树的地址。"))


class ClassificationNodeSchema(Answer):
    code = fields.String(required=True, metadata=described("Classification code. 分类代码。"))
    label = fields.Nested(LabelSchema, required=True)
    children = fields.List(fields.Nested(lambda: ClassificationNodeSchema()), required=True)


class ClassificationSchema(Answer):
    name = fields.String(required=True, validate=validate.OneOf(["classification"]))
    label = fields.Nested(LabelSchema, required=True)
    tree = fields.List(fields.Nested(ClassificationNodeSchema), required=True, metadata=described(
        "1 base, 2 theme, 3 department (follows the department tree). 基础、主题、部门三大类。"))


class ResourceUpdateSchema(ResourceSchema):
    """A resource's metadata plus the version the writer read."""

    version = fields.Integer(strict=True, metadata=described(
        "The version you read; send it here or as If-Match. 所读取的版本号（或用 If-Match 头）。"))


class ResourceRecordSchema(ResourceSchema):
    """One resource as the API answers: its envelope and the metadata of one revision."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(required=True, dump_only=True)
    code = fields.String(required=True, dump_only=True, metadata=described("Resource code (资源代码), assigned on creation."))
    state = fields.String(required=True, dump_only=True, validate=validate.OneOf(v.RESOURCE_STATES.keys))
    version = fields.Integer(required=True, dump_only=True, metadata=described(
        "Increases with every change; also the ETag. 版本号，亦为 ETag。"))
    revision = fields.String(required=True, dump_only=True, validate=validate.OneOf(["published", "working"]),
                             metadata=described("Which revision the metadata is. 所示元数据的版本：已发布或工作副本。"))
    has_pending_revision = fields.Boolean(required=True, dump_only=True, metadata=described(
        "Published, with changes not yet published. 已发布且有待发布的修改。"))
    provider_name = fields.String(required=True, dump_only=True)
    missing_fields = fields.List(fields.String(), dump_only=True, metadata=described(
        "Only on a working copy to be completed (state incomplete): the guide's fields it lacks, which are "
        "then absent from the record. 待补录资源所缺的必填字段。"))
    created = fields.DateTime(required=True, dump_only=True)
    modified = fields.DateTime(required=True, dump_only=True)


class SearchHitSchema(ResourceRecordSchema):
    """A resource found by a search: its record, the matched words marked, and its score."""

    highlight = fields.Dict(keys=fields.String(), values=fields.String(), required=True, metadata=described(
        "title / description with matched words in <mark> (HTML-escaped). 命中词以 <mark> 标出的标题与摘要。"))
    score = fields.Float(metadata=described("Relevance, when sorted by relevance. 相关度得分。"))


class FacetBucketSchema(Answer):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata=described("In the language asked for (lang). 按 lang 给出的名称。"))
    count = fields.Integer(required=True)


class FacetSchema(Answer):
    label = fields.String(required=True)
    buckets = fields.List(fields.Nested(FacetBucketSchema), required=True, metadata=described(
        "Counts apply every other filter but this facet's own (multi-select). 各分面计数不含自身的筛选条件。"))


class ResourcePageSchema(Answer):
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    facets = fields.Dict(keys=fields.String(), values=fields.Nested(FacetSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True, metadata=described(
        "Pass as cursor for the next page (deep paging, export). 传入 cursor 以取下一页。"))
    degraded = fields.Boolean(metadata=described(
        "True when the search engine was unavailable and the database answered a plain listing."))
    relaxed = fields.Boolean(metadata=described(
        "True when no resource matched all the words of q and these match fewer of them (a looser match). "
        "没有资源包含全部检索词时，为放宽条件后的结果。"))
    corrected_to = fields.String(allow_none=True, metadata=described(
        "When neither q nor a looser match found anything: q with its misspelt words corrected against the "
        "catalog's words, which these results are for; otherwise null. 检索词及放宽条件均无结果时，"
        "按目录词汇纠正拼写后的检索词（结果即按它检索）；否则为 null。"))
    did_you_mean = fields.List(fields.String(), metadata=described(
        "When nothing or only a looser match was found: terms of the catalog (keywords, classification and "
        "department names) close to q. 无结果或放宽匹配时，目录中与检索词相近的词。"))


class SuggestionsSchema(Answer):
    titles = fields.List(fields.Dict(), required=True, metadata=described("[{id, title}] of published resources."))
    departments = fields.List(fields.Dict(), required=True, metadata=described("[{credit_code, name}]."))


class TransitionSchema(BaseSchema):
    """A step of the review workflow."""

    transition = fields.String(required=True, validate=validate.OneOf(TRANSITION_NAMES), metadata=described(
        "submit 提交, approve 审核通过（部门或中心）, return 退回, withdraw 撤回。"))
    comment = fields.String(metadata=described("Required when returning. 退回时必填的意见。"))
    version = fields.Integer(strict=True, metadata=described("The version you read (or If-Match); checked when given."))


class ChangeSchema(Answer):
    field = fields.String(required=True)
    old = fields.Raw(required=True, allow_none=True)
    new = fields.Raw(required=True, allow_none=True)


class EntitySchema(Answer):
    type = fields.String(required=True, metadata=described("resource, department, user or token"))
    id = fields.Integer(required=True)


class EventSchema(Answer):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True, metadata=described("User name, or system. 操作人。"))
    entity = fields.Nested(EntitySchema, required=True)
    action = fields.String(required=True, metadata={"example": "submit"})
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True, allow_none=True)
    comment = fields.String(required=True, allow_none=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)


class EventListSchema(Answer):
    items = fields.List(fields.Nested(EventSchema), required=True, metadata=described("Newest first. 按时间倒序。"))


class DepartmentRecordSchema(Answer):
    id = fields.Integer(required=True)
    credit_code = fields.String(required=True, metadata=described("统一社会信用代码 (18 characters)."))
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    level = fields.String(required=True, validate=validate.OneOf(v.ADMINISTRATIVE_LEVELS.keys))
    region_code = fields.String(required=True)
    parent = fields.String(required=True, allow_none=True, metadata=described("Credit code of the parent department."))
    branch_code = fields.String(required=True, metadata=described("The department's node in classification branch 3."))
    active = fields.Boolean(required=True)
    version = fields.Integer(required=True, metadata=described("Also the ETag. 版本号，亦为 ETag。"))


class DepartmentListSchema(Answer):
    items = fields.List(fields.Nested(DepartmentRecordSchema), required=True)
    total = fields.Integer(required=True)


class UserRecordSchema(Answer):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True, allow_none=True)
    email = fields.Email(required=True, allow_none=True)
    role = fields.String(required=True, validate=validate.OneOf(v.ROLES.keys))
    department = fields.String(required=True, allow_none=True, metadata=described("Credit code of the user's department."))
    active = fields.Boolean(required=True)
    created = fields.DateTime(required=True)


class UserListSchema(Answer):
    items = fields.List(fields.Nested(UserRecordSchema), required=True)
    total = fields.Integer(required=True)


class TokenRecordSchema(Answer):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata=described("The first characters of the secret, to recognise it."))
    user = fields.String(required=True, metadata=described("User name of the owner."))
    created = fields.DateTime(required=True)
    expires = fields.DateTime(required=True, allow_none=True)
    revoked = fields.DateTime(required=True, allow_none=True)


class IssuedTokenSchema(TokenRecordSchema):
    token = fields.String(required=True, metadata=described(
        f"The secret ({TOKEN_PREFIX}…), shown in this answer only. 令牌明文，仅此一次显示。"))


class TokenListSchema(Answer):
    items = fields.List(fields.Nested(TokenRecordSchema), required=True)
    total = fields.Integer(required=True)


class RowProblemSchema(Answer):
    column = fields.String(required=True, metadata=described("The column's header, as in the template. 列名。"))
    reason = fields.String(required=True, metadata=described("Why, in the guide's words (Chinese). 原因。"))


class SheetRowSchema(Answer):
    row = fields.Integer(required=True, metadata=described("The row number as the sheet shows it. 行号。"))
    title = fields.String(required=True)
    valid = fields.Boolean(required=True)
    problems = fields.List(fields.Nested(RowProblemSchema), required=True)


class CreatedResourceSchema(Answer):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    title = fields.String(required=True)
    row = fields.Integer(required=True)


class SheetUploadSchema(Answer):
    dry_run = fields.Boolean(required=True, metadata=described("True: judged only, nothing stored. 仅检查。"))
    valid = fields.Integer(required=True)
    invalid = fields.Integer(required=True)
    rows = fields.List(fields.Nested(SheetRowSchema), required=True)
    created = fields.List(fields.Nested(CreatedResourceSchema), required=True, metadata=described(
        "The drafts registered (none on a dry run). 已登记的草稿。"))


# Component name → schema.  A nested schema (DataItem, Distribution, …) is registered by the plugin
# with its parent, under its class name less "Schema"; the names here follow the same rule.
SCHEMAS: dict[str, Schema | type[Schema]] = {
    "Resource": ResourceSchema,
    "ResourceUpdate": ResourceUpdateSchema,
    "ResourcePatch": ResourceUpdateSchema(partial=True),
    "ResourceRecord": ResourceRecordSchema,
    "ResourcePage": ResourcePageSchema,
    "Suggestions": SuggestionsSchema,
    "SheetUpload": SheetUploadSchema,
    "Transition": TransitionSchema,
    "Event": EventSchema,
    "EventList": EventListSchema,
    "Department": DepartmentSchema,
    "DepartmentUpdate": DepartmentUpdateSchema,
    "DepartmentRecord": DepartmentRecordSchema,
    "DepartmentList": DepartmentListSchema,
    "User": UserSchema,
    "UserUpdate": UserUpdateSchema,
    "UserRecord": UserRecordSchema,
    "UserList": UserListSchema,
    "Token": TokenSchema,
    "TokenRecord": TokenRecordSchema,
    "IssuedToken": IssuedTokenSchema,
    "TokenList": TokenListSchema,
    "Label": LabelSchema,
    "Term": TermSchema,
    "Vocabulary": VocabularySchema,
    "VocabularyList": VocabularyListSchema,
    "ClassificationNode": ClassificationNodeSchema,
    "Classification": ClassificationSchema,
    "FieldError": FieldErrorSchema,
    "ErrorBody": ErrorBodySchema,
    "Error": ErrorSchema,
}

SCHEMA_DESCRIPTIONS = {
    "Resource": "信息资源的元数据（编目指南核心元数据与 DCAT-AP 扩展）。The metadata of an information resource.",
    "ResourceUpdate": "替换资源元数据（PUT）：完整元数据与所读取的版本号。Replace a resource's metadata: all of it, "
                      "plus the version read.",
    "ResourcePatch": "修改资源元数据（PATCH）：只需给出要改的字段，合并后整体校验。Change some fields; the merged "
                     "metadata is then checked as a whole.",
    "ResourceRecord": "API 返回的信息资源：信封字段与某一版本的元数据。A resource as answered: envelope and metadata.",
    "ResourcePage": "一页检索结果：命中资源、总数与分面。A page of search results: hits, total and facets.",
    "Suggestions": "输入提示：资源标题与部门。Suggestions as one types: titles and departments.",
    "SheetUpload": "表格登记的结果：每一行的问题，以及登记的草稿。A spreadsheet upload: each row's problems, and the "
                   "drafts registered.",
    "Transition": "审核流程中的一步。A step of the review workflow.",
    "Event": "审计记录中的一条事件。One event of the audit trail.",
    "Department": "登记部门。A department to register.",
    "DepartmentUpdate": "修改部门。Changes to a department.",
    "DepartmentRecord": "API 返回的部门。A department as answered.",
    "User": "新建用户。A user to create.",
    "UserUpdate": "修改用户。Changes to a user.",
    "UserRecord": "API 返回的用户。A user as answered.",
    "Token": "申请访问令牌。An API token to issue.",
    "TokenRecord": "访问令牌（不含明文）。An API token, without its secret.",
    "IssuedToken": "新签发的访问令牌，含明文（仅此一次）。A new token with its secret, shown once.",
    "Vocabulary": "受控词表。A controlled vocabulary.",
    "Classification": "信息资源分类树。The classification tree.",
    "Error": "所有错误的统一格式。Every error has this shape.",
}

ERROR_EXAMPLE = {"error": {
    "status": 422, "code": "validation_failed", "message": "The data did not pass validation.",
    "message_zh": "数据校验未通过。",
    "errors": [{"field": "distributions.0.access_url", "reason": "Not a valid URL (http, https or ftp).",
                "reason_zh": "不是有效的网址（http、https 或 ftp）。"}]}}
