"""Input schemas of departments."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from vocab import enumerations as v
from vocab.codes import credit_code_problem
from registry.schema_base import BaseSchema, Text, bilingual, limit, matches, one_of

_CREDIT_PROBLEMS = {
    "length": ("统一社会信用代码应为 18 位。", "A credit code has 18 characters."),
    "alphabet": ("统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）。",
                 "A credit code uses digits and capitals without I, O, Z, S and V."),
    "region": ("统一社会信用代码第 3–8 位应为行政区划代码。", "Characters 3–8 of a credit code are a division code."),
    "check": ("统一社会信用代码校验位错误。", "The check character of the credit code is wrong."),
}


def check_credit_code(value: str) -> None:
    problem = credit_code_problem(value)
    if problem:
        raise ValidationError(bilingual(*_CREDIT_PROBLEMS[problem]))


class CreditCode(fields.String):
    """A unified social credit code, checked with its check character wherever one is typed."""

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        check_credit_code(code)
        return code


class DepartmentSchema(BaseSchema):
    credit_code = CreditCode(required=True)
    name = Text(required=True, validate=limit(200))
    name_en = Text(validate=limit(300))
    level = fields.String(required=True, validate=one_of(v.ADMINISTRATIVE_LEVELS.keys))
    region_code = fields.String(required=True, validate=matches(
        r"^[1-8]\d{5}$", "应为 6 位行政区划代码（GB/T 2260）。", "A 6-digit division code (GB/T 2260) is expected."))
    parent = CreditCode(allow_none=True, metadata={"description": "Credit code of the parent department."})


class DepartmentUpdateSchema(BaseSchema):
    name = Text(validate=limit(200))
    name_en = Text(validate=limit(300))
    active = fields.Boolean()
    parent = CreditCode(allow_none=True, metadata={
        "description": "Credit code of the new parent department (null: the top of the tree). "
                       "Moving a department renumbers its classification branch and those below it."})
    version = fields.Integer(required=True, strict=True)
