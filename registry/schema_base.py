"""What every marshmallow schema of govcat shares: bilingual errors and clean text.

Every input — the JSON API today, forms, spreadsheets and harvests later — passes through a
schema derived from :class:`BaseSchema`.  Its error messages carry Chinese and English at
once (``"中文 || English"``); :func:`split_message` separates them for the API's answer.
"""
from __future__ import annotations

import re

from marshmallow import RAISE, Schema, fields, validate

SEPARATOR = " || "


def bilingual(zh: str, en: str) -> str:
    return f"{zh}{SEPARATOR}{en}"


def split_message(message: str) -> tuple[str, str]:
    """Return ``(zh, en)`` of a message made by :func:`bilingual` (or the same text twice)."""
    zh, sep, en = str(message).partition(SEPARATOR)
    return (zh, en) if sep else (zh, zh)


# Chinese for marshmallow's own messages, by (field class, key) or by key alone.
_ZH = {
    "required": "缺少必填字段。",
    "null": "字段不能为空值。",
    "validator_failed": "值无效。",
    "invalid_utf8": "不是有效的 UTF-8 字符串。",
    "too_large": "数值过大。",
    ("String", "invalid"): "不是有效的字符串。",
    ("Integer", "invalid"): "不是有效的整数。",
    ("Boolean", "invalid"): "不是有效的布尔值。",
    ("Date", "invalid"): "不是有效的日期（YYYY-MM-DD）。",
    ("Date", "format"): "无法格式化日期。",
    ("DateTime", "invalid"): "不是有效的日期时间（ISO 8601）。",
    ("AwareDateTime", "invalid_awareness"): "日期时间必须带时区。",
    ("Url", "invalid"): "不是有效的网址。",
    ("URL", "invalid"): "不是有效的网址。",
    ("Email", "invalid"): "不是有效的电子邮件地址。",
    ("List", "invalid"): "不是有效的列表。",
    ("Nested", "type"): "不是有效的对象。",
    ("Dict", "invalid"): "不是有效的对象。",
}


def _translate(field: fields.Field) -> None:
    kinds = [cls.__name__ for cls in type(field).__mro__]
    for key, message in list(field.error_messages.items()):
        if SEPARATOR in str(message):
            continue
        zh = next((_ZH[(kind, key)] for kind in kinds if (kind, key) in _ZH), None) or _ZH.get(key)
        if zh:
            field.error_messages[key] = bilingual(zh, message)
    inner = getattr(field, "inner", None)
    if isinstance(inner, fields.Field):
        _translate(inner)


class BaseSchema(Schema):
    """Unknown fields are refused; every message is bilingual."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": bilingual("未知字段。", "Unknown field."),
        "type": bilingual("输入类型无效，应为对象。", "Invalid input type: an object is expected."),
    }

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _translate(field_obj)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


class Text(fields.String):
    """A string trimmed of surrounding white space and of control characters.

    ``multiline=False`` also folds line breaks and tabs into single spaces (titles, names).
    A required text that is blank after trimming is refused like a missing one.
    """

    def __init__(self, *args, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = _CONTROL.sub("", super()._deserialize(value, attr, data, **kwargs))
        if not self.multiline:
            text = _LINE_BREAKS.sub(" ", text)
        text = text.strip()
        if not text and self.required:
            raise self.make_error("required")
        return text


class IsoDate(fields.Date):
    """A date that loads as its ISO text (``YYYY-MM-DD``), so loaded data is JSON as it stands."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def limit(maximum: int, minimum: int | None = None) -> validate.Length:
    return validate.Length(min=minimum, max=maximum, error=bilingual(
        f"长度应不超过 {maximum} 个字符。" if minimum is None else f"长度应在 {minimum} 到 {maximum} 之间。",
        f"Length must be at most {maximum}." if minimum is None else f"Length must be between {minimum} and {maximum}.",
    ))


def one_of(keys) -> validate.OneOf:
    keys = list(keys)
    return validate.OneOf(keys, error=bilingual(
        "必须是下列之一：{choices}。", "Must be one of: {choices}."))


def at_least(minimum: int) -> validate.Range:
    return validate.Range(min=minimum, error=bilingual(
        f"必须大于或等于 {minimum}。", f"Must be greater than or equal to {minimum}."))


def between(minimum: int, maximum: int) -> validate.Range:
    return validate.Range(min=minimum, max=maximum, error=bilingual(
        f"必须在 {minimum} 到 {maximum} 之间。", f"Must be between {minimum} and {maximum}."))


class WholeMatch(validate.Regexp):
    """A pattern the whole value must match, read as the OpenAPI document publishes it (ECMA-262).

    Python's own reading differs in two ways a client never expects: ``$`` also matches before a
    final newline, and ``\\d`` or ``\\w`` also match non-ASCII digits and letters.  So the pattern is
    compiled ASCII-only and must match the whole value: ``"330000\\n"`` or ``"３３００００"`` is no region code.
    """

    def __init__(self, pattern: str, *, error: str):
        super().__init__(re.compile(pattern, re.ASCII), error=error)

    def __call__(self, value):
        if not isinstance(value, str) or self.regex.fullmatch(value) is None:
            raise validate.ValidationError(self._format_error(value))
        return value


def matches(pattern: str, zh: str, en: str) -> WholeMatch:
    return WholeMatch(pattern, error=bilingual(zh, en))
