"""Reading the values CKAN portals write, as they write them.

A CKAN package is plain JSON, but its values come in the shapes of whatever extensions the portal
runs: core CKAN's timestamps (``2019-05-01T10:00:00.123456``) and licence register
(``cc-by``, ``odc-odbl``), ckanext-dcat's extras (lists as JSON text, EU authority-table IRIs, Dublin
Core frequencies), ckanext-scheming's first-level fields (real lists, lists of objects), and
ckanext-fluent's multilingual fields (``{"de": "…", "en": "…"}``).  Each reader here takes any of
those shapes and returns govcat's value, or ``None`` — and when the source said something that
cannot be read, :class:`Reading` keeps a warning for the report, so nothing is dropped silently
and nothing is guessed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from vocab import enumerations as v
from vocab.dates import frequency_from_text
from vocab.namespaces import EU_LANGUAGE
from vocab.schemes import LICENCE_CODES
from vocab.values import checksum_algorithm_from_rdf, frequency_from_rdf, language_from_rdf, open_type_from_rdf, \
    theme_from_rdf

FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
HTTP = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
SHOWN_CHARS = 200

ACCESS_RIGHTS = {"public": "unconditional", "restricted": "conditional", "restricted public": "conditional",
                 "non-public": "none", "non_public": "none", "nonpublic": "none"}
# Core CKAN's licence register: only the ids that name one licence version map to an identifier
# (``cc-by`` names no version, so its address or title is kept instead).
CKAN_LICENCES = {"cc-zero": "CC0-1.0", "odc-odbl": "ODbL-1.0", "odc-by": "ODC-By-1.0", "odc-pddl": "PDDL-1.0"}
KNOWN_LICENCES = {key.lower(): key for key in LICENCE_CODES}
NO_LICENCE = {"notspecified", "license-not-specified"}


@dataclass
class Reading:
    """The warnings of one package's mapping: ``{"field", "reason", "value"}`` each."""

    warnings: list[dict] = field(default_factory=list)

    def drop(self, where: str, reason: str, value) -> None:
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        self.warnings.append({"field": where, "reason": reason, "value": shown[:SHOWN_CHARS]})


def text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def is_http(value) -> bool:
    return isinstance(value, str) and bool(HTTP.match(value.strip()))


def as_list(value) -> list:
    """A list as scheming gives it, as a legacy extra's JSON text, or one bare value."""
    if isinstance(value, list):
        return [item for item in value if item not in (None, "", [], {})]
    if isinstance(value, str) and value.strip():
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                loaded = json.loads(stripped)
            except ValueError:
                return [stripped]
            return as_list(loaded) if isinstance(loaded, list) else [stripped]
        return [stripped]
    return [value] if isinstance(value, dict) and value else []


def first_object(value) -> dict:
    """The first object of a scheming list of objects, an object, or one given as JSON text."""
    if isinstance(value, str) and value.strip().startswith(("{", "[")):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), None)
    return value if isinstance(value, dict) else {}


def full_date(value, where: str, reading: Reading) -> str | None:
    """The date (``YYYY-MM-DD``) of a full date or date-time as written; anything less is reported."""
    if value in (None, ""):
        return None
    raw = value.strip() if isinstance(value, str) else value
    match = FULL_DATE.match(raw) if isinstance(raw, str) else None
    if match:
        try:
            return date.fromisoformat(match.group(1)).isoformat()
        except ValueError:
            pass
    reason = "a year alone is not a date" if isinstance(raw, (str, int)) and re.fullmatch(r"\d{4}", str(raw)) \
        else "not a full date (YYYY-MM-DD or a date-time)"
    reading.drop(where, reason, raw)
    return None


def language_tag(key) -> str | None:
    """A language tag as BCP 47 writes it (``pt_BR`` → ``pt-BR``), or ``None``."""
    if not isinstance(key, str):
        return None
    tag = key.strip().replace("_", "-")
    if not LANGUAGE_TAG.match(tag):
        return None
    head, _, rest = tag.partition("-")
    return head.lower() + (("-" + rest) if rest else "")


def localized(value) -> dict[str, object]:
    """A fluent field (``{"de": …, "en": …}``) as ``{tag: value}`` without empty entries; {} for others."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for key, item in value.items():
        tag = language_tag(key)
        if tag and item not in (None, "", []) and not (isinstance(item, str) and not item.strip()):
            out.setdefault(tag, item.strip() if isinstance(item, str) else item)
    return out


def choose_language(texts: dict, declared: list[str], prefer: str | None = None) -> str:
    """Which of a multilingual field's languages is the record's own text, the same on every run.

    ``prefer`` (the title's language, for the texts that go with it) when present; then Chinese,
    the catalog's language; then the languages the dataset declares, in their order; then any
    other language in alphabetical order, English last, because English has its own field.
    """
    for tag in (prefer, "zh", *declared):
        if tag and tag != "en" and tag in texts:
            return tag
    others = sorted(tag for tag in texts if tag != "en")
    return others[0] if others else ("en" if "en" in texts else sorted(texts)[0])


def frequency(value) -> str | None:
    """govcat's update frequency for an EU or Dublin Core frequency (address or code), a word or an ISO
    8601 duration — the one that covers its period (vocab's reading of every source's periodicity)."""
    raw = text(value)
    if raw is None:
        return None
    return frequency_from_rdf(raw) or frequency_from_text(raw.rstrip("/").rsplit("/", 1)[-1])


def open_type(value) -> str | None:
    """The opening an access-right term says (EU IRI or code, DCAT-US level); ``None`` for free text."""
    raw = text(value)
    if raw is None:
        return None
    known = open_type_from_rdf(raw)
    if known:
        return known
    word = raw.rstrip("/").rsplit("/", 1)[-1].strip().lower()
    return ACCESS_RIGHTS.get(word) or ACCESS_RIGHTS.get(raw.lower())


def language(value) -> str | None:
    """A language code for a tag, an EU language IRI or code (``DEU``), an ISO 639 IRI."""
    raw = text(value)
    if raw is None:
        return None
    if "/" in raw:
        return language_from_rdf(raw)
    if len(raw) == 3 and raw.isupper():
        return language_from_rdf(EU_LANGUAGE[raw])
    tag = language_tag(raw)
    return tag if tag and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag) else None


def theme(value) -> str | None:
    """An EU data theme for its IRI or its code (``ENVI``)."""
    raw = text(value)
    if raw is None:
        return None
    if "/" in raw:
        return theme_from_rdf(raw)
    return raw.upper() if raw.upper() in v.EU_THEMES else None


def checksum_algorithm(value) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    return checksum_algorithm_from_rdf(raw) if "/" in raw or "#" in raw else raw.lower().replace("-", "")


def licence(package: dict) -> str | None:
    """A package's licence: a known identifier or an address first, then the licence's title.

    CKAN gives its register's id, title and address (``cc-by``, "Creative Commons Attribution",
    ``http://www.opendefinition.org/licenses/cc-by``); ckanext-dcat portals often put an address
    in ``license_id`` itself.  "License not specified" is no licence.
    """
    licence_id, url, title = text(package.get("license_id")), text(package.get("license_url")), \
        text(package.get("license_title"))
    if licence_id:
        lowered = licence_id.lower()
        if lowered in NO_LICENCE:
            return None
        if lowered in KNOWN_LICENCES:
            return KNOWN_LICENCES[lowered]
        if lowered in CKAN_LICENCES:
            return CKAN_LICENCES[lowered]
        if is_http(licence_id):
            return licence_id
    if is_http(url):
        return url
    return title or licence_id


def byte_size(value):
    """A size as CKAN gives it: a number, or digits as text; anything else is left as it came."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value
