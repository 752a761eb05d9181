"""The metadata model of an information resource, as marshmallow schemas.

This is the single definition every input passes through.  ``ResourceSchema().load`` checks
a resource's metadata (types, vocabularies, the compilation guide's conditional rules);
:func:`normalize_metadata` turns accepted input into the JSON document that is stored.
Field names follow shared/docs/domain.md.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validates, validates_schema

from vocab import enumerations as v
from registry.departments.schemas import CreditCode
from vocab.codes import is_valid_classification_code, parse_resource_code
from registry.schema_base import BaseSchema, IsoDate, Text, at_least, bilingual, limit, matches, one_of

URL_SCHEMES = {"http", "https", "ftp", "ftps"}


def Url(**kwargs):
    """A web address; intranet host names without a top-level domain are allowed."""
    return fields.Url(require_tld=False, schemes=URL_SCHEMES, error_messages={"invalid": bilingual(
        "不是有效的网址（http、https 或 ftp）。", "Not a valid URL (http, https or ftp).")}, **kwargs)


class DataItemSchema(BaseSchema):
    """One data item (信息项) of a table, database or service interface."""

    name = Text(required=True, validate=limit(200))
    type = fields.String(required=True, validate=one_of(v.DATA_ITEM_TYPES.keys))
    length = fields.Integer(validate=at_least(1), strict=True)
    description = Text(multiline=True, validate=limit(2000))


class ChecksumSchema(BaseSchema):
    algorithm = fields.String(required=True, validate=one_of(["sha256", "sha512", "sha1", "md5", "sm3"]))
    value = fields.String(required=True, validate=matches(
        r"^[0-9a-fA-F]{32,128}$", "校验值应为十六进制字符串。", "The checksum value must be hexadecimal."))


class DistributionSchema(BaseSchema):
    """A distribution (dcat:Distribution): one way to get the data."""

    title = Text(validate=limit(500))
    description = Text(multiline=True, validate=limit(5000))
    access_url = Url(required=True)
    download_url = Url()
    format = Text(validate=limit(40))
    media_type = fields.String(validate=matches(
        r"^[a-z]+/[A-Za-z0-9.+\-_]+$", "媒体类型应形如 text/csv。", "A media type looks like text/csv."))
    byte_size = fields.Integer(validate=at_least(0), strict=True)
    license = Text(multiline=True, validate=limit(5000))
    checksum = fields.Nested(ChecksumSchema)


class DataServiceSchema(BaseSchema):
    """A data service (dcat:DataService): the usual form of interface sharing (接口)."""

    title = Text(required=True, validate=limit(500))
    endpoint_url = Url(required=True)
    endpoint_description = Text(multiline=True, validate=limit(5000))


class TemporalSchema(BaseSchema):
    start = IsoDate()
    end = IsoDate()

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise ValidationError({"end": [bilingual("结束日期不能早于开始日期。", "The end is before the start.")]})


class ContactPointSchema(BaseSchema):
    name = Text(required=True, validate=limit(200))
    email = fields.Email(error_messages={"invalid": bilingual("不是有效的电子邮件地址。", "Not a valid email address.")})
    phone = fields.String(validate=matches(
        r"^[0-9+\-() ]{3,30}$", "电话号码格式无效。", "Not a valid telephone number."))


class AgentSchema(BaseSchema):
    """Who published a harvested record at its source (its department is the provider here)."""

    name = Text(required=True, validate=limit(500))
    uri = Url()


LANGUAGE_TAG = r"^([A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)?$"


def LanguageTag(**kwargs):
    """The language tag of a text as its source wrote it; "" is text the source left untagged."""
    return fields.String(validate=matches(LANGUAGE_TAG, "应为语言标签（如 zh、de、en-GB），或空串表示未标注。",
                                          "A language tag (zh, de, en-GB), or \"\" for untagged text."), **kwargs)


class ResourceSchema(BaseSchema):
    """The core metadata of the compilation guide plus what DCAT-AP and users expect."""

    title = Text(required=True, validate=limit(500))
    title_en = Text(validate=limit(500))
    description = Text(required=True, multiline=True, validate=limit(10000))
    description_en = Text(multiline=True, validate=limit(10000))
    title_lang = LanguageTag(metadata={"description": "Language of title as the source tagged it; absent: zh."})
    description_lang = LanguageTag(metadata={"description": "Language of description; absent: zh."})
    landing_page = Url()
    original_publisher = fields.Nested(AgentSchema, metadata={
        "description": "The publisher a harvested record names at its source."})
    other_identifiers = fields.List(Text(validate=limit(500, 1)), validate=limit(20), metadata={
        "description": "The identifiers the source gives the record (not govcat resource codes)."})
    classification = fields.String(required=True)
    provider = CreditCode(metadata={"description": "Credit code of the providing department; "
                                                     "an editor's own department when omitted."})
    provider_unit = Text(validate=limit(200))
    format_class = fields.String(required=True, validate=one_of(v.FORMAT_CLASSES.keys))
    format_type = Text(validate=limit(40))
    data_items = fields.List(fields.Nested(DataItemSchema), validate=limit(2000))
    share_type = fields.String(required=True, validate=one_of(v.SHARE_TYPES.keys))
    share_conditions = Text(multiline=True, validate=limit(5000))
    share_basis = Text(multiline=True, validate=limit(5000))
    share_method = fields.String(validate=one_of(v.SHARE_METHODS.keys))
    open_type = fields.String(required=True, validate=one_of(v.OPEN_TYPES.keys))
    open_conditions = Text(multiline=True, validate=limit(5000))
    update_frequency = fields.String(required=True, validate=one_of(v.UPDATE_FREQUENCIES.keys))
    issued = IsoDate()
    related_codes = fields.List(fields.String(), validate=limit(200))
    keywords = fields.List(Text(validate=limit(100, 1)), validate=limit(50))
    keywords_lang = LanguageTag(metadata={"description": "Language of the keywords; absent: zh."})
    themes = fields.List(fields.String(validate=one_of(v.EU_THEMES.keys)), validate=limit(13))
    spatial = fields.String(validate=matches(
        r"^[1-8]\d{5}$", "应为 6 位行政区划代码（GB/T 2260）。", "A 6-digit division code (GB/T 2260) is expected."))
    temporal = fields.Nested(TemporalSchema)
    contact_point = fields.Nested(ContactPointSchema)
    license = Text(multiline=True, validate=limit(5000))
    language = fields.List(fields.String(validate=matches(
        r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "应为语言代码，如 zh。", "A language code such as zh is expected.")),
        validate=limit(10))
    distributions = fields.List(fields.Nested(DistributionSchema), validate=limit(100))
    data_services = fields.List(fields.Nested(DataServiceSchema), validate=limit(50))
    classified = fields.Boolean(metadata={"description": "涉密: classified resources are refused."})

    @validates("classification")
    def _classification_code(self, value, **kwargs):
        if not is_valid_classification_code(value):
            raise ValidationError(bilingual(
                "分类代码格式无效（类 1 位 + 项 2 位 + 目 3 位 + 细目）。",
                "Not a classification code (class 1 digit, item 2, entry 3, sub-entry)."))

    @validates("related_codes")
    def _related(self, value, **kwargs):
        bad = [code for code in value if parse_resource_code(code) is None]
        if bad:
            raise ValidationError(bilingual(f"资源代码格式无效：{', '.join(bad[:5])}",
                                            f"Not resource codes: {', '.join(bad[:5])}"))

    @validates("classified")
    def _not_classified(self, value, **kwargs):
        if value:
            raise ValidationError(bilingual("目录只登记非涉密信息资源，涉密资源不予登记。",
                                            "Only non-classified resources may be registered."))

    @validates_schema(skip_on_field_errors=False)
    def _conditional_rules(self, data, **kwargs):
        needs = conditional_needs(data)
        if needs:
            raise ValidationError({field: [message] for field, message in needs.items()})


def conditional_needs(data: dict) -> dict[str, str]:
    """The compilation guide's conditional obligations that ``data`` leaves unmet: field → message."""
    needs: dict[str, str] = {}

    def need(field, zh, en):
        if not data.get(field):
            needs.setdefault(field, bilingual(zh, en))

    share = data.get("share_type")
    if share == "conditional":
        need("share_conditions", "有条件共享的资源必须填写共享条件。",
             "Conditional sharing needs the sharing conditions.")
    if share == "none":
        need("share_basis", "不予共享的资源必须填写法律、行政法规或政策依据。",
             "A resource that is not shared needs its legal or policy basis.")
    if share in ("unconditional", "conditional"):
        need("share_method", "共享的资源必须填写共享方式。", "A shared resource needs a sharing method.")
    if data.get("open_type") == "conditional":
        need("open_conditions", "有条件开放的资源必须填写开放条件。",
             "Conditional opening needs the opening conditions.")
    if data.get("format_class") in v.FORMAT_CLASSES_WITH_DATA_ITEMS:
        need("data_items", "电子表格、数据库和服务接口类资源必须列出信息项。",
             "Spreadsheets, databases and service interfaces must list their data items.")
    return needs


_schema = ResourceSchema()


def normalize_metadata(data: dict) -> dict:
    """Validate ``data`` and return the JSON document to store (raises ``ValidationError``).

    Every field loads as JSON already (dates as ISO text), so no dump pass is needed.
    """
    return _schema.load(data)


REQUIRED_FIELDS = tuple(name for name, field in _schema.fields.items() if field.required)


def missing_fields(doc: dict) -> list[str]:
    """The guide's fields a stored document lacks (a record to be completed, 待补录), in model order."""
    needs = conditional_needs(doc)
    return [name for name in _schema.fields if (name in REQUIRED_FIELDS and doc.get(name) in (None, "", []))
            or name in needs]
