"""The 405-point metadata quality model of domain.md, applied to one metadata document.

The EU portal's Metadata Quality Assessment is the model: five dimensions, each criterion worth
fixed points, bands at 351 / 221 / 121.  Here each criterion is read on govcat's own model (the
stored document of ``registry.resources.schemas``, the RDF value tables of ``vocab``); how each one
maps is in docs/evaluation.md.  Beside the points, the compilation guide's completeness: every
mandatory core element present and valid, which is exactly the resource schema's own validation.

Scoring is a pure function of the document, the states of its links (True: answered 2xx, False:
dead, absent: never checked) and whether it is a working copy; the database lives in ``services``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from vocab import enumerations as v
from registry.quality.bands import MAX_POINTS, band_of
from registry.resources.schemas import ResourceSchema
from vocab.namespaces import EU_LICENCE
from vocab.schemes import FILE_TYPE_CODES, MACHINE_READABLE_FILE_TYPES, NON_PROPRIETARY_FILE_TYPES
from vocab.values import license_to_rdf, media_type_to_rdf

DIMENSIONS = {
    "findability": ("可发现性", "Findability"),
    "accessibility": ("可访问性", "Accessibility"),
    "interoperability": ("互操作性", "Interoperability"),
    "reusability": ("可重用性", "Reusability"),
    "contextuality": ("情境信息", "Contextuality"),
}
_SCHEMA = ResourceSchema()
_EU_LICENCE = str(EU_LICENCE)


@dataclass
class Facts:
    """What the criteria read of one document, worked out once."""

    doc: dict
    url_states: dict                 # URL → True (answered 2xx) / False (dead); absent: not checked
    working: bool                    # a working copy (publishing will set the release date)
    modified: bool                   # the catalog knows when it last changed (dct:modified)
    distributions: list = field(default_factory=list)
    access_urls: list = field(default_factory=list)
    download_urls: list = field(default_factory=list)
    dcat_ap: bool = True             # its DCAT-AP output passes the shapes (dcat_ap_compliant)

    @classmethod
    def of(cls, doc: dict, url_states: dict, working: bool = False, modified: bool = True,
           dcat_ap: bool = True) -> "Facts":
        distributions = [d for d in doc.get("distributions") or [] if isinstance(d, dict)]
        services = [s for s in doc.get("data_services") or [] if isinstance(s, dict)]
        return cls(doc, url_states, working, modified, distributions,
                   access_urls=[d.get("access_url") for d in distributions] + [s.get("endpoint_url") for s in services],
                   download_urls=[d["download_url"] for d in distributions if d.get("download_url")], dcat_ap=dcat_ap)


def _every(facts: Facts, test) -> bool:
    """Every distribution passes ``test`` (and there is at least one)."""
    return bool(facts.distributions) and all(test(d) for d in facts.distributions)


def _any(facts: Facts, test) -> bool:
    return any(test(d) for d in facts.distributions)


def _file_type(distribution: dict) -> str | None:
    text = distribution.get("format")
    return FILE_TYPE_CODES.get(text) if isinstance(text, str) else None


def _answer(facts: Facts, urls: list) -> bool:
    """Every one of ``urls`` was checked and answered 2xx (and there is at least one)."""
    return bool(urls) and all(isinstance(u, str) and facts.url_states.get(u) is True for u in urls)


def _licences(facts: Facts) -> list:
    return [x for x in [facts.doc.get("license"), *(d.get("license") for d in facts.distributions)] if x]


def _licence_in_vocabulary(text) -> bool:
    iri = license_to_rdf(text)
    return iri is not None and str(iri).startswith(_EU_LICENCE)


def _contact(facts: Facts) -> bool:
    contact = facts.doc.get("contact_point")
    return isinstance(contact, dict) and bool(contact.get("name")) and bool(contact.get("email") or contact.get("phone"))


def _temporal(facts: Facts) -> bool:
    temporal = facts.doc.get("temporal")
    return isinstance(temporal, dict) and bool(temporal.get("start") or temporal.get("end"))


def _rights(facts: Facts) -> bool:
    doc = facts.doc
    return bool(doc.get("open_conditions") or doc.get("share_conditions") or doc.get("share_basis")) \
        or _any(facts, lambda d: bool(d.get("license")))


DCAT_AP_DATASET = ("title", "description")
DCAT_AP_PARTS = {"distributions": ("access_url",), "data_services": ("title", "endpoint_url")}


def dcat_ap_compliant(doc: dict, errors: dict) -> bool:
    """Whether govcat's DCAT-AP output of ``doc`` passes the DCAT-AP 3 SHACL shapes — decided from the
    schema's findings, not by running the shapes (pySHACL costs ~50 ms a resource; see docs/evaluation.md).

    govcat's mapping writes every valid value with the type and vocabulary DCAT-AP's range shapes ask
    for, one value where they allow one, and drops a malformed optional value; so its output fails
    the shapes only where a property DCAT-AP makes mandatory is missing or unusable: the dataset's
    title and description (in either language), a distribution's access URL, a data service's title
    and endpoint URL.
    tests/registry/quality/test_dcat_ap.py compares this with pySHACL on the official shapes.
    """
    for name in DCAT_AP_DATASET:      # in Chinese or in English: either is a dct:title / dct:description
        if not any(isinstance(doc.get(key), str) and doc[key].strip() for key in (name, f"{name}_en")):
            return False
    for part, mandatory in DCAT_AP_PARTS.items():
        found = errors.get(part)
        if not found:
            continue
        if not isinstance(found, dict):
            return False               # the list itself is unusable
        for item in found.values():
            if not isinstance(item, dict) or any(name in item for name in (*mandatory, "_schema")):
                return False
    return True


@dataclass(frozen=True)
class Criterion:
    key: str
    dimension: str
    points: int
    zh: str                           # what is measured
    en: str
    how_zh: str                       # how to gain the points
    how_en: str
    test: Callable[[Facts], bool]


def _c(key, dimension, points, zh, en, how_zh, how_en, test) -> Criterion:
    return Criterion(key, dimension, points, zh, en, how_zh, how_en, test)


CRITERIA: list[Criterion] = [
    _c("keywords", "findability", 30, "关键词", "Keywords",
       "填写至少一个关键词。", "Add at least one keyword.", lambda f: bool(f.doc.get("keywords"))),
    _c("themes", "findability", 30, "数据主题", "Data themes",
       "选择至少一个数据主题（欧盟数据主题）。", "Choose at least one EU data theme.", lambda f: bool(f.doc.get("themes"))),
    _c("spatial", "findability", 20, "空间范围", "Spatial coverage",
       "填写覆盖地区的行政区划代码。", "Give the division code of the area covered.", lambda f: bool(f.doc.get("spatial"))),
    _c("temporal", "findability", 20, "时间范围", "Temporal coverage",
       "填写数据覆盖的开始或结束日期。", "Give the start or end date of the period covered.", _temporal),
    _c("access_url_answers", "accessibility", 50, "访问地址可用", "Access URLs answer",
       "确保每个访问地址和服务地址都能正常访问（链接检查返回 200）。",
       "Make every access and service address answer (the link check gets 200).",
       lambda f: _answer(f, f.access_urls)),
    _c("download_url", "accessibility", 20, "下载地址", "Download URL",
       "为至少一个分发填写下载地址。", "Give a download URL on at least one distribution.",
       lambda f: bool(f.download_urls)),
    _c("download_url_answers", "accessibility", 30, "下载地址可用", "Download URLs answer",
       "确保每个下载地址都能正常下载（链接检查返回 200）。", "Make every download URL answer (the link check gets 200).",
       lambda f: _answer(f, f.download_urls)),
    _c("format", "interoperability", 20, "格式", "Format",
       "为每个分发填写格式。", "Give the format of every distribution.", lambda f: _every(f, lambda d: bool(d.get("format")))),
    _c("media_type", "interoperability", 10, "媒体类型", "Media type",
       "为每个分发填写媒体类型（如 text/csv）。", "Give the media type (e.g. text/csv) of every distribution.",
       lambda f: _every(f, lambda d: media_type_to_rdf(d.get("media_type")) is not None)),
    _c("format_vocabulary", "interoperability", 10, "格式取自词表", "Format from a vocabulary",
       "分发格式使用欧盟文件类型代码（如 CSV、JSON、XLSX）。", "Write each format as an EU file type (CSV, JSON, XLSX …).",
       lambda f: _every(f, lambda d: _file_type(d) is not None)),
    _c("non_proprietary", "interoperability", 20, "非专有格式", "Non-proprietary format",
       "至少提供一种开放格式的分发（如 CSV、JSON、XML）。", "Offer at least one distribution in an open format (CSV, JSON, XML …).",
       lambda f: _any(f, lambda d: _file_type(d) in NON_PROPRIETARY_FILE_TYPES)),
    _c("machine_readable", "interoperability", 20, "机器可读格式", "Machine-readable format",
       "至少提供一种机器可读格式的分发（如 CSV、JSON、XLSX）。",
       "Offer at least one distribution in a machine-readable format (CSV, JSON, XLSX …).",
       lambda f: _any(f, lambda d: _file_type(d) in MACHINE_READABLE_FILE_TYPES)),
    _c("dcat_ap", "interoperability", 30, "符合 DCAT-AP", "DCAT-AP compliant",
       "补全名称、摘要、每个分发的访问地址、每个数据服务的名称和服务地址。",
       "Complete the title, the description, every distribution's access URL and every data service's "
       "title and endpoint URL.", lambda f: f.dcat_ap),
    _c("license", "reusability", 20, "许可协议", "Licence",
       "填写许可协议。", "State a licence.", lambda f: bool(_licences(f))),
    _c("license_vocabulary", "reusability", 10, "许可协议取自词表", "Licence from a vocabulary",
       "使用标准许可协议标识（如 CC-BY-4.0）。", "Name the licence by a standard identifier (e.g. CC-BY-4.0).",
       lambda f: bool(_licences(f)) and all(_licence_in_vocabulary(x) for x in _licences(f))),
    _c("access_rights", "reusability", 10, "访问权限", "Access rights",
       "填写开放属性。", "Give the opening type.", lambda f: bool(f.doc.get("open_type"))),
    _c("access_rights_vocabulary", "reusability", 5, "访问权限取自词表", "Access rights from a vocabulary",
       "开放属性选择无条件开放、有条件开放或不予开放。", "Choose the opening type from its list.",
       lambda f: f.doc.get("open_type") in v.OPEN_TYPES),
    _c("contact_point", "reusability", 20, "联系方式", "Contact point",
       "填写联系人及其电子邮件或电话。", "Give a contact with an e-mail address or a telephone number.", _contact),
    _c("publisher", "reusability", 10, "发布者", "Publisher",
       "填写信息资源提供方。", "Name the providing department.", lambda f: bool(f.doc.get("provider"))),
    _c("rights", "contextuality", 5, "权利说明", "Rights",
       "说明使用条件：开放或共享条件，或为分发填写许可协议。",
       "State the conditions of use: opening or sharing conditions, or a licence on a distribution.", _rights),
    _c("byte_size", "contextuality", 5, "文件大小", "Byte size",
       "为每个分发填写文件大小（字节）。", "Give the size in bytes of every distribution.",
       lambda f: _every(f, lambda d: isinstance(d.get("byte_size"), int))),
    _c("issued", "contextuality", 5, "发布日期", "Release date",
       "填写发布日期（发布时自动填写）。", "Give the release date (set when published).",
       lambda f: bool(f.doc.get("issued")) or f.working),
    _c("modified", "contextuality", 5, "更新日期", "Modification date",
       "保存后由目录自动记录。", "The catalog records it when the resource is saved.", lambda f: f.modified),
]
CRITERIA_BY_KEY = {c.key: c for c in CRITERIA}
assert sum(c.points for c in CRITERIA) == MAX_POINTS


@dataclass(frozen=True)
class Score:
    points: int
    band: str
    missed: tuple[str, ...]           # keys of the criteria not met, in model order
    complete: bool                    # the guide's mandatory core elements all present and valid
    incomplete_fields: tuple[str, ...]   # the fields that keep it from being complete


def schema_errors(doc: dict) -> dict:
    """The resource schema's findings on ``doc`` (field → messages); empty when it is valid."""
    return _SCHEMA.validate(doc) if isinstance(doc, dict) else {"_schema": ["not a document"]}


@dataclass(frozen=True)
class Judgement:
    """What the schema found in a document, kept from an earlier score of the same document: its
    fields that keep it incomplete and whether it is DCAT-AP compliant."""

    incomplete_fields: tuple[str, ...]
    dcat_ap: bool


def score_document(doc: dict, *, url_states: dict | None = None, working: bool = False, modified: bool = True,
                   errors: dict | None = None, judged: Judgement | None = None) -> Score:
    """Score one metadata document.  ``errors``: the schema's findings when the caller has them
    already (a document that has just passed ``normalize_metadata`` has none); ``judged``: what they
    were when this very document was scored before (a rescore after a link check)."""
    doc = doc if isinstance(doc, dict) else {}
    if judged is not None:
        errors, dcat_ap = dict.fromkeys(judged.incomplete_fields, ()), judged.dcat_ap
    else:
        errors = schema_errors(doc) if errors is None else errors
        dcat_ap = dcat_ap_compliant(doc, errors)
    facts = Facts.of(doc, url_states or {}, working, modified, dcat_ap)
    missed = tuple(c.key for c in CRITERIA if not c.test(facts))
    points = MAX_POINTS - sum(CRITERIA_BY_KEY[k].points for k in missed)
    fields = tuple(sorted(errors))
    return Score(points, band_of(points), missed, not fields, fields)


def urls_of(doc: dict) -> list[str]:
    """The access, endpoint and download URLs of ``doc``, whose link states the score reads."""
    facts = Facts.of(doc if isinstance(doc, dict) else {}, {})
    return [u for u in dict.fromkeys(facts.access_urls + facts.download_urls) if isinstance(u, str)]
