"""Input schemas of users and API tokens."""
from __future__ import annotations

from marshmallow import fields

from vocab import enumerations as v
from registry.departments.schemas import CreditCode
from registry.schema_base import BaseSchema, Text, at_least, between, bilingual, limit, matches, one_of


USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}$"


class UserSchema(BaseSchema):
    username = fields.String(required=True, validate=matches(
        USERNAME_PATTERN, "用户名由 2–64 位字母、数字、点、横线或下划线组成。",
        "A user name has 2–64 letters, digits, dots, dashes or underscores."))
    password = fields.String(required=True, load_only=True, validate=limit(256, 10))
    role = fields.String(required=True, validate=one_of(v.ROLES.keys))
    department = CreditCode(allow_none=True, metadata={"description": "Credit code; required for editors and reviewers."})
    display_name = Text(validate=limit(200))
    email = fields.Email(error_messages={"invalid": bilingual("不是有效的电子邮件地址。", "Not a valid email address.")})


class UserUpdateSchema(BaseSchema):
    active = fields.Boolean()
    display_name = Text(validate=limit(200))
    password = fields.String(load_only=True, validate=limit(256, 10))


MAX_TOKEN_DAYS = 3650     # ten years: longer is no expiry, and past date arithmetic's range


class TokenSchema(BaseSchema):
    name = Text(required=True, validate=limit(100))
    expires_in_days = fields.Integer(strict=True, validate=between(1, MAX_TOKEN_DAYS), metadata={
        "description": f"Days until the token expires (1 to {MAX_TOKEN_DAYS})."})
    username = fields.String(metadata={"description": "Your own user name, or omitted: a token is created by its owner only."})
