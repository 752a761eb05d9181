"""Harvesting US data.json catalogs (DCAT-US 1.1, the Project Open Data schema).

This module only says how to list a data.json source and how to map one of its datasets; the job
around it is :class:`harvesters.base.Harvester`'s.  A data.json catalog is one JSON document,
``{"@type": "dcat:Catalog", "dataset": [...]}`` (the older bare list of datasets is accepted too),
read whole: :class:`~harvesters.http.SafeFetcher`'s size cap bounds it.  A document that is not
JSON or not a catalog fails the job; one dataset that is not an object, or has no identifier,
is an error row and the others load.

The original identifier of a dataset is its ``identifier`` when that is an absolute http(s) IRI,
else the source address + ``#`` + the identifier (identifiers are only unique within a catalog).

Access levels map to govcat's opening (开放属性), as the EU access rights do (domain.md):
``public`` → unconditional, ``restricted public`` → conditional (its ``rights`` statement, else the
source's default ``open_conditions``, is the opening condition; without either the record fails),
``non-public`` → none.  An access level is never widened: an unknown one fails the record, and
only a dataset without any takes the source's default.  Sharing between departments (共享) is not
something data.json says, so ``share_type`` and the rest of what govcat requires but data.json
lacks (classification, format class, …) come from the source's defaults, never invented here.
``modified`` has no place in govcat's model (the catalog keeps its own times), so a dataset whose
only change is its ``modified`` date is unchanged and costs no write.
"""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import quote, urlsplit

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.http import FetchError
from registry import vocabularies as v
from registry.codes import parse_resource_code
from vocab.schemes import LICENCE_CODES

OPEN_TYPES = {"public": "unconditional", "restricted public": "conditional", "non-public": "none"}
MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-_]+$")
DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:[T ].*)?$")
NUMBER = r"(\d+(?:\.\d+)?)"
DURATION = re.compile(rf"^(?:R\d*/)?P(?:{NUMBER}Y)?(?:{NUMBER}M)?(?:{NUMBER}W)?(?:{NUMBER}D)?"
                      rf"(?:T(?:{NUMBER}H)?(?:{NUMBER}M)?(?:{NUMBER}S)?)?$")
# Days in each part of a duration: years, months, weeks, days, hours, minutes, seconds.
DURATION_DAYS = (365.25, 30.44, 7, 1, 1 / 24, 1 / 1440, 1 / 86400)
# govcat's frequencies by the longest period each covers: a source period maps to the first that
# covers it, so a resource updated every two weeks is promised monthly, never weekly (overdue).
FREQUENCY_BOUNDS = (("daily", 1), ("weekly", 7), ("monthly", 31), ("quarterly", 92), ("semiannual", 183),
                    ("annual", 366))
# The words of data.json 1.0 and of Dublin Core's collection frequencies.
FREQUENCY_WORDS = {"irregular": "irregular", "continuous": "realtime", "continuously updated": "realtime",
                   "hourly": "realtime", "daily": "daily", "weekly": "weekly", "monthly": "monthly",
                   "quarterly": "quarterly", "semiannual": "semiannual", "biannual": "semiannual",
                   "annual": "annual", "annually": "annual", "yearly": "annual"}
LICENCE_KEYS = {same_as.rstrip("/"): key for key, (_code, same_as, _name) in LICENCE_CODES.items()}
THEME_KEYS = {text.lower(): term.key for term in v.EU_THEMES for text in (term.key, term.en)}


def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _texts(value) -> list[str]:
    """A list of non-empty texts from a value that is a list (or, loosely, one text)."""
    values = value if isinstance(value, list) else [value]
    return [t for t in (_text(item) for item in values) if t]


def _clean(values: dict) -> dict:
    return {k: val for k, val in values.items() if val not in (None, "", [], {})}


def is_web_iri(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def original_id(source_url: str, identifier: str) -> str:
    """The identifier itself when it is an absolute http(s) IRI, else qualified by the catalog's address."""
    if is_web_iri(identifier) and " " not in identifier:
        return identifier
    return source_url.split("#", 1)[0] + "#" + quote(identifier, safe="/:@!$&'()*+,;=-._~?")


def iso_day(text) -> str | None:
    """The day of a full ISO date or date-time; a year or a month alone names no day."""
    match = DATE.match(text.strip()) if isinstance(text, str) else None
    return "-".join(match.groups()) if match and match.group(3) else None


def interval_bound(text: str, *, end: bool) -> str | None:
    """A bound of a time interval as a day: a year or a month stands for its first or last day."""
    match = DATE.match(text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    if day:
        return f"{year}-{month}-{day}"
    try:
        first = date(int(year), int(month or 1), 1)
    except ValueError:
        raise RecordFailure("map", f"temporal bound {text[:40]!r} is not a date") from None
    if not end:
        return first.isoformat()
    following = date(first.year + 1, 1, 1) if not month or month == "12" else date(first.year, first.month + 1, 1)
    return (following - timedelta(days=1)).isoformat()


def temporal(text) -> dict:
    """``start/end`` (ISO 8601 interval) → govcat's temporal; a bound that is a duration is left out."""
    if not isinstance(text, str) or "/" not in text:
        return {}
    start, _slash, end = text.strip().partition("/")
    return _clean({"start": interval_bound(start, end=False), "end": interval_bound(end, end=True)})


def update_frequency(text) -> str | None:
    """An ISO 8601 repeating duration (``R/P1M``) or ``irregular`` → govcat's update frequency.

    Periods under a day are real time; periods longer than a year, which govcat's vocabulary
    cannot say, are irregular (no overdue check rather than a false one).  Raises
    :class:`RecordFailure` for a value that is neither.
    """
    value = _text(text)
    if value is None:
        return None
    if value.lower() in FREQUENCY_WORDS:
        return FREQUENCY_WORDS[value.lower()]
    match = DURATION.match(value)
    days = sum(float(n) * unit for n, unit in zip(match.groups(), DURATION_DAYS) if n) if match else 0
    if not days:
        raise RecordFailure("map", f"accrualPeriodicity {value[:100]!r} is not an ISO 8601 repeating duration")
    if days < 1:
        return "realtime"
    return next((key for key, bound in FREQUENCY_BOUNDS if days <= bound), "irregular")


def open_type(dataset: dict) -> tuple[str | None, str | None]:
    """(open_type, open_conditions) from ``accessLevel`` and ``rights``; an unknown level fails the record."""
    level = dataset.get("accessLevel")
    if level is None:
        return None, None
    key = OPEN_TYPES.get(level.strip().lower()) if isinstance(level, str) else None
    if key is None:
        raise RecordFailure("map", f"accessLevel {str(level)[:100]!r} is not public, restricted public or non-public")
    return key, _text(dataset.get("rights")) if key == "conditional" else None


def licence(text) -> str | None:
    """A licence address of a known licence becomes its identifier (CC-BY-4.0…); other text stays."""
    value = _text(text)
    return LICENCE_KEYS.get(value.rstrip("/"), value) if value else None


def email(value) -> str | None:
    text = _text(value)
    return text[len("mailto:"):].strip() or None if text and text.lower().startswith("mailto:") else text


def distribution(item) -> dict | None:
    """One distribution; one with neither an access nor a download URL is no way to get the data."""
    if not isinstance(item, dict):
        return None
    download, access = _text(item.get("downloadURL")), _text(item.get("accessURL"))
    if not (download or access):
        return None
    media = _text(item.get("mediaType"))
    return _clean({"title": _text(item.get("title")), "description": _text(item.get("description")),
                   "access_url": access or download, "download_url": download, "format": _text(item.get("format")),
                   "media_type": media if media and MEDIA_TYPE.match(media) else None})


class _Broken:
    """A listed dataset that cannot be taken, and why (reported at the fetch stage)."""

    def __init__(self, message: str, item):
        self.message, self.item = message, item


class DataJsonHarvester(RemoteHarvester):
    """A data.json catalog (DCAT-US 1.1)."""

    type = "datajson"

    def gather(self):
        for index, item in enumerate(self._datasets()):
            yield self._listed(index, item)

    def _datasets(self) -> list:
        url = self.source.url
        try:
            page = self.fetcher.get(url, accept="application/json")
        except FetchError as error:
            raise JobFailure("gather", str(error)) from None
        try:
            body = json.loads(page.body)
        except ValueError as error:
            raise JobFailure("gather", f"{url[:200]} is not JSON: {error}") from None
        if isinstance(body, list):
            return body
        datasets = body.get("dataset") if isinstance(body, dict) else None
        if not isinstance(datasets, list) or body.get("@type", "dcat:Catalog") != "dcat:Catalog":
            raise JobFailure("gather", f"{url[:200]} is not a data.json catalog (no list of datasets)")
        return datasets

    def _listed(self, index: int, item) -> Listed:
        position = f"{self.source.url.split('#', 1)[0]}#dataset-{index + 1}"
        if not isinstance(item, dict):
            return Listed(position, _Broken(f"dataset {index + 1} is not a JSON object", item))
        identifier = item.get("identifier")
        identifier = str(identifier).strip() if isinstance(identifier, (str, int)) else ""
        if not identifier:
            return Listed(position, _Broken("a dataset without an identifier cannot be harvested: "
                                            "it has no stable identity", item))
        listed_id = original_id(self.source.url, identifier)
        if len(listed_id) > 1000:
            return Listed(position, _Broken("the dataset's identifier is longer than 1000 characters", item))
        return Listed(listed_id, item)

    def fetch(self, listed: Listed):
        if isinstance(listed.data, _Broken):
            raise RecordFailure("fetch", listed.data.message)
        return listed.data

    def map(self, dataset: dict) -> dict:
        opening, conditions = open_type(dataset)
        themes, keywords = [], _texts(dataset.get("keyword"))
        for theme in _texts(dataset.get("theme")):
            key = THEME_KEYS.get(theme.lower())
            if key:
                themes.append(key)
            else:
                keywords.append(theme)   # a theme govcat's vocabulary lacks still helps finding
        publisher = dataset.get("publisher") if isinstance(dataset.get("publisher"), dict) else {}
        contact = dataset.get("contactPoint") if isinstance(dataset.get("contactPoint"), dict) else {}
        name = _text(contact.get("fn"))
        spatial = _text(dataset.get("spatial"))
        return {
            "title": _text(dataset.get("title")), "description": _text(dataset.get("description")),
            "keywords": list(dict.fromkeys(keywords)), "themes": list(dict.fromkeys(themes)),
            "issued": iso_day(dataset.get("issued")), "provider_unit": _text(publisher.get("name")),
            "contact_point": _clean({"name": name, "email": email(contact.get("hasEmail"))}) if name else None,
            "open_type": opening, "open_conditions": conditions, "license": licence(dataset.get("license")),
            "spatial": spatial if spatial and DIVISION_CODE.match(spatial) else None,
            "temporal": temporal(dataset.get("temporal")),
            "update_frequency": update_frequency(dataset.get("accrualPeriodicity")),
            "language": _texts(dataset.get("language")),
            "distributions": [d for d in map(distribution, dataset.get("distribution") or []) if d]
            if isinstance(dataset.get("distribution"), list) else [],
        }

    def resource_code(self, dataset: dict) -> str | None:
        identifier = _text(dataset.get("identifier"))
        return identifier if identifier and parse_resource_code(identifier) else None

    def snippet(self, listed: Listed) -> str | None:
        item = listed.data.item if isinstance(listed.data, _Broken) else listed.data
        if isinstance(item, dict):   # who it is, first
            item = {**{k: item[k] for k in ("identifier", "title", "description") if k in item}, **item}
        return json.dumps(item, ensure_ascii=False)[:2000]
