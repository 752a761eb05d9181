"""The RDF endpoints as operations of the one OpenAPI document (they live at the site's root, not
under ``/api/v1``): the catalog in pages, the dumps, one resource, the vocabulary and the schemes."""
from __future__ import annotations

from registry.api.openapi import ApiPart, Op
from registry.rdf.formats import FORMATS
from registry.rdf.views import CATALOG_PAGE_MAX
from registry.search.query import FACETS

TAG = "Linked data"
RDF_TYPES = tuple(f.media_type for f in FORMATS)
DUMP_TYPES = tuple(f.media_type for f in FORMATS if f.extension != "rdf") + ("application/gzip",)

PARAMETERS = {
    "path.ext": {"name": "ext", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": [f.extension for f in FORMATS]},
                 "description": "RDF 格式。The RDF syntax: ttl (Turtle), jsonld, rdf (RDF/XML), nt (N-Triples)."},
    "path.syntax": {"name": "syntax", "in": "path", "required": True,
                  "schema": {"type": "string", "enum": [f"{e}{gz}" for e in ("ttl", "nt", "jsonld") for gz in ("", ".gz")]},
                  "description": "整库导出的格式，.gz 为压缩。The dump's syntax; .gz compresses it."},
    "query.catalog_per_page": {"name": "per_page", "in": "query", "allowEmptyValue": True,
                               "schema": {"type": "integer", "minimum": 1, "maximum": CATALOG_PAGE_MAX, "default": 100},
                               "description": "每页数据集数。Datasets per page."},
    "query.modified_since": {"name": "modified_since", "in": "query", "allowEmptyValue": True,
                             "schema": {"type": "string", "format": "date-time"},
                             "description": "只列出此后修改的资源（ISO 8601 日期或时间）。Only resources modified "
                                            "since (an ISO 8601 date or date-time), for incremental harvesting."},
}
CATALOG_QUERY = ("q", *(f.name for f in FACETS), "sort", "page", "catalog_per_page", "modified_since")

OPERATIONS = (
    Op("GET", "/catalog.{ext}", "getCatalogPage", TAG, "The published catalog as DCAT-AP, a page at a time",
       "DCAT-AP 3 RDF，分页，带 Hydra 翻页链接；检索条件与 JSON 接口相同。/catalog 按 Accept 协商格式。"
       "DCAT-AP 3 RDF in pages with Hydra links; the search API's filters and q apply. /catalog negotiates "
       "the syntax by Accept.", query=CATALOG_QUERY, errors=(400, 406), absolute=True, media_types=RDF_TYPES),
    Op("GET", "/catalog/dump.{syntax}", "getCatalogDump", TAG, "The whole published catalog in one file",
       "边生成边传输，内存占用恒定。Streamed as it is written, in constant memory.", errors=(400, 406),
       absolute=True, media_types=DUMP_TYPES),
    Op("GET", "/resources/{resource_id}.{ext}", "getResourceRdf", TAG, "One resource as DCAT-AP",
       "公众看到已发布版本；有权限者可用 revision=working 查看工作副本。The published revision; those who may "
       "read the working copy can ask for it. /resources/{id} negotiates (HTML for browsers).",
       query=("revision",), errors=(400, 403, 404, 406), absolute=True, media_types=RDF_TYPES),
    Op("GET", "/ns.{ext}", "getRdfVocabulary", TAG, "govcat's RDF vocabulary",
       "govcat 自有的 RDF 词汇（编制指南核心元数据的扩展）。The terms govcat adds to DCAT-AP for the compilation "
       "guide's core metadata.", errors=(406,), absolute=True, media_types=RDF_TYPES),
    Op("GET", "/classification.{ext}", "getConceptSchemes", TAG, "The concept schemes",
       "分类体系（含各部门分支）与各词表，SKOS。The classification tree (with each department's branch) and the "
       "enumerations, as SKOS.", errors=(406,), absolute=True, media_types=RDF_TYPES),
)

API_PART = ApiPart({}, {}, OPERATIONS, PARAMETERS)
