"""The CKAN-compatible API as an operation of the one OpenAPI document: one path whose action names
what CKAN calls it, the parameters CKAN clients send (as text, the way CKAN reads them), and CKAN's
own answer and error envelopes (not govcat's Error)."""
from __future__ import annotations

from marshmallow import fields

from registry.api.answers import Answer, described
from registry.api.openapi import ApiPart, Op
from registry.ckan import PREFIX
from registry.ckan.services import ACTIONS

PARAMETERS = {
    "path.action": {"name": "action", "in": "path", "required": True,
                    "schema": {"type": "string", "enum": sorted([*ACTIONS, "help_show"])},
                    "description": "CKAN 的动作名。The CKAN action."},
    **{f"query.ckan_{name}": {"name": name, "in": "query", "allowEmptyValue": True, "schema": {"type": "string"},
                              "description": text}
       for name, text in {
           "id": "package_show、organization_show：包名、资源代码或部门信用代码。The package's name or code, or the "
                 "organization's credit code.",
           "q": "package_search 的检索词。Search text.", "fq": "package_search 的筛选（Solr 语法子集）。Filters.",
           "rows": "返回条数。Rows to return.", "start": "跳过的条数。Rows to skip.",
           "sort": "排序，如 metadata_modified desc。Sort order.", "fl": "返回的字段。Fields to return.",
           "facet.field": "分面字段（JSON 列表）。Facet fields, as a JSON list.", "limit": "最多条数。At most.",
           "offset": "跳过的条数。Skip.", "all_fields": "organization_list：返回完整对象。Whole objects.",
           "name": "help_show：动作名。The action to describe."}.items()},
}


class CkanAnswerSchema(Answer):
    help = fields.String(required=True, metadata=described("The address of the action's help."))
    success = fields.Boolean(required=True)
    result = fields.Raw(required=True, metadata=described("What the action gives, as CKAN gives it."))


class CkanFaultSchema(Answer):
    __type = fields.String(data_key="__type", required=True, metadata=described("Not Found Error, Validation Error …"))
    message = fields.String(required=True)


class CkanErrorSchema(Answer):
    help = fields.String(required=True)
    success = fields.Boolean(required=True)
    error = fields.Nested(CkanFaultSchema, required=True)


OPERATIONS = (
    Op("GET", PREFIX + "/{action}", "ckanAction", "CKAN", "A CKAN action",
       "status_show、package_list、package_show、package_search、organization_list、organization_show、help_show，"
       "名称、结构与错误同 CKAN；亦位于 /api/action。CKAN's names, shapes and errors; also at /api/action. POST "
       "with a JSON body works too, as in CKAN.",
       query=tuple(f"ckan_{name}" for name in ("id", "q", "fq", "rows", "start", "sort", "fl", "facet.field",
                                                "limit", "offset", "all_fields", "name")),
       answer="CkanAnswer", errors=(400, 403, 404, 409), absolute=True, error_schema="CkanError",
       bare_errors=(400,)),          # CKAN answers a request it cannot read at all with a bare JSON string
)

API_PART = ApiPart({"CkanAnswer": CkanAnswerSchema, "CkanFault": CkanFaultSchema, "CkanError": CkanErrorSchema},
                   {"CkanAnswer": "CKAN 的应答。A CKAN answer.", "CkanError": "CKAN 的错误。A CKAN error."},
                   OPERATIONS, PARAMETERS)
