"""Validation of the codes that identify departments, places and resources.

Three code systems meet in the catalog:

* the unified social credit code (统一社会信用代码, GB 32100-2015) of every department:
  18 characters whose last one is a check character computed from the first 17;
* the administrative-division code (行政区划代码, GB/T 2260): six digits;
* the resource code (信息资源代码): a classification code, ``/``, a sequence number.

Keeping them in one module means the schemas, the demo generator and the tests all
agree on what a valid code is.
"""
from __future__ import annotations

import re

# GB 32100 uses the digits and the capital letters without I, O, Z, S and V.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
_CREDIT_WEIGHTS = [pow(3, i, 31) for i in range(17)]

REGION_CODE_RE = re.compile(r"^[1-8]\d{5}$")
CLASSIFICATION_CODE_RE = re.compile(r"^[123](?:\d{2}(?:\d{3}(?:\d{1,6})?)?)?$")
RESOURCE_CODE_RE = re.compile(r"^([123]\d{2}(?:\d{3}\d{0,6})?)/(\d{6,})$")
SEQUENCE_WIDTH = 6


def credit_code_check_character(first17: str) -> str:
    """Return the check character (the 18th) for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(ch not in _CREDIT_VALUE for ch in first17):
        raise ValueError("a credit code body is 17 characters of the GB 32100 alphabet")
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Say what is wrong with a credit code, or ``None`` when it is valid."""
    if not isinstance(code, str) or len(code) != 18:
        return "length"
    if any(ch not in _CREDIT_VALUE for ch in code):
        return "alphabet"
    if not REGION_CODE_RE.match(code[2:8]):
        return "region"
    if credit_code_check_character(code[:17]) != code[17]:
        return "check"
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(code) is None


def make_credit_code(region_code: str, organisation_code: str, kind: str = "11") -> str:
    """Build a valid credit code: ``kind`` (11 = 机关 government organ) + region + 9-character body."""
    body = f"{kind}{region_code}{organisation_code}"
    return body + credit_code_check_character(body)


def is_valid_region_code(code: str) -> bool:
    return isinstance(code, str) and bool(REGION_CODE_RE.match(code))


def is_valid_classification_code(code: str) -> bool:
    return isinstance(code, str) and bool(CLASSIFICATION_CODE_RE.match(code))


def format_resource_code(classification_code: str, sequence: int) -> str:
    return f"{classification_code}/{sequence:0{SEQUENCE_WIDTH}d}"


def parse_resource_code(code: str) -> tuple[str, int] | None:
    """Split a resource code into classification code and sequence number, or ``None``."""
    m = RESOURCE_CODE_RE.match(code) if isinstance(code, str) else None
    if not m or not CLASSIFICATION_CODE_RE.match(m.group(1)):
        return None
    return m.group(1), int(m.group(2))
