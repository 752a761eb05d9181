"""What a sharing request, an answer and a revocation must contain (domain.md, "Sharing").

The shapes only; what depends on the database (the resource exists and is shared, the items are
the resource's, the period is not in the past) is checked by :mod:`registry.sharing.services`.
"""
from __future__ import annotations

from marshmallow import fields

from registry.schema_base import BaseSchema, Text, at_least, bilingual, limit, one_of

TEXT_MAX = 2000
DECISIONS = ("grant", "refuse")


def _item_list(**kwargs):
    return fields.List(Text(validate=limit(200)), validate=limit(2000), **kwargs)


class ShareRequestSchema(BaseSchema):
    resource = fields.Integer(required=True, strict=True, validate=at_least(1),
                              metadata={"description": "所申请信息资源的编号。The id of the resource asked for."})
    purpose = Text(required=True, multiline=True, validate=limit(TEXT_MAX),
                   metadata={"description": "用途。What the data will be used for."})
    legal_basis = Text(required=True, multiline=True, validate=limit(TEXT_MAX),
                       metadata={"description": "依据：法律、法规或政策。The legal or policy basis of the use."})
    items = _item_list(metadata={"description": "所需信息项的名称，取自资源的信息项；资源没有信息项时省略。Names of "
                                                "the data items needed, from the resource's data items; omit when "
                                                "it lists none."})
    period_start = fields.Date(metadata={"description": "使用期限开始（默认今天）。First day of use (default today)."})
    period_end = fields.Date(required=True, metadata={"description": "使用期限结束。Last day of use."})


class ShareAnswerSchema(BaseSchema):
    decision = fields.String(required=True, validate=one_of(DECISIONS),
                             metadata={"description": "grant：同意；refuse：不同意（须说明理由）。grant, or refuse "
                                                      "(with a reason)."})
    reason = Text(multiline=True, validate=limit(TEXT_MAX),
                  metadata={"description": "不同意的理由（必填），或同意时的说明。Why it is refused (required), or a "
                                           "note with a grant."})
    items = _item_list(metadata={"description": "同意提供的信息项（默认为所申请的全部，可少于申请）。The items granted: "
                                                "all asked for by default, or fewer."})
    expires_on = fields.Date(metadata={"description": "授权到期日（默认为申请的使用期限结束日，可更早）。Last day of the "
                                                      "grant: the end of the period asked for by default, or earlier."})
    version = fields.Integer(strict=True, metadata={"description": "所读取的版本。The version you read."})


class ShareRevokeSchema(BaseSchema):
    reason = Text(required=True, multiline=True, validate=limit(TEXT_MAX),
                  metadata={"description": "撤销理由。Why the grant is revoked."})
    version = fields.Integer(strict=True, metadata={"description": "所读取的版本。The version you read."})


REASON_REQUIRED = bilingual("不同意时必须说明理由。", "A refusal must give its reason.")
