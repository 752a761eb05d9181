"""Harvesting US data.json catalogs: DCAT-US 1.1 (the Project Open Data schema) and DCAT-US 3.0.

This module only says how to list a data.json source and how to map one of its datasets; the job
around it is :class:`harvesters.base.Harvester`'s.  A data.json catalog is one JSON document,
``{"@type": "dcat:Catalog", "dataset": [...]}`` (3.0 also writes ``"Catalog"``; the older bare list
of datasets is accepted too), read whole: the source's size cap bounds it.  A document that is not
JSON or not a catalog fails the job; one dataset that is not an object, or has no identifier, is
an error row and the others load.

The original identifier of a dataset is its ``identifier`` (3.0: the first of its list, else its
``@id``) when that is an absolute http(s) IRI, else the source address + ``#`` + the identifier
(identifiers are only unique within a catalog).

The mapping says what the record says and nothing more (:mod:`harvesters.datajson_fields` reads
each field in the forms 1.1 and 3.0 write: 3.0's nested objects, language maps, typed dates, lists
where 1.1 had one value).  data.json texts carry no language: ``title_lang`` and
``description_lang`` are ``""`` (untagged), unless a 3.0 ``titleMap`` names one.  A value that
cannot be read is left out and said in ``_warnings``; nothing here fails a record, and what
govcat requires but data.json lacks (classification, format class, sharing…) is the core's to fill
from the source's defaults.  Access levels map to govcat's opening (开放属性) as the EU access
rights do (domain.md) and are never widened: ``public`` → unconditional, ``restricted public`` →
conditional (its ``rights`` statement, else the source's default ``open_conditions``, is the
condition; with neither, the opening is left to be completed), ``non-public`` → none; 3.0's NARA
restriction statuses likewise, the most restrictive one of the dataset and its distributions.
``modified`` has no place in govcat's model (the catalog keeps its own times), so a dataset whose
only change is its ``modified`` date is unchanged and costs no write.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.datajson_fields import (Notes, address, contact_point, distribution, full_day, identifiers,
                                        label, publisher, tagged, temporal, text, texts, update_frequency)
from harvesters.http import FetchError
from vocab import enumerations as v
from vocab.codes import parse_resource_code
from vocab.schemes import LICENCE_CODES

__all__ = ["DataJsonHarvester", "licence", "temporal", "update_frequency"]

OPEN_TYPES = {"public": "unconditional", "restricted public": "conditional", "non-public": "none"}
# DCAT-US 3.0's restriction statuses (NARA's authority list) → govcat's opening, narrowest last.
RESTRICTION_STATUSES = {"unrestricted": "unconditional", "restricted-partly": "conditional",
                        "restricted-possibly": "conditional", "restricted-fully": "none", "restricted": "none"}
NARROWNESS = {"unconditional": 0, "conditional": 1, "none": 2}
CATALOG_TYPES = {"dcat:Catalog", "Catalog", "http://www.w3.org/ns/dcat#Catalog"}
DIVISION_CODE = r"[1-8]\d{5}"
LICENCE_KEYS = {same_as.rstrip("/"): key for key, (_code, same_as, _name) in LICENCE_CODES.items()}
THEME_KEYS = {text.lower(): term.key for term in v.EU_THEMES for text in (term.key, term.en)}


def is_web_iri(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def original_id(source_url: str, identifier: str) -> str:
    """The identifier itself when it is an absolute http(s) IRI, else qualified by the catalog's address."""
    if is_web_iri(identifier) and " " not in identifier:
        return identifier
    return source_url.split("#", 1)[0] + "#" + quote(identifier, safe="/:@!$&'()*+,;=-._~?")


def _level_key(level) -> str | None:
    return OPEN_TYPES.get(level.strip().lower()) if isinstance(level, str) else None


def _restriction(value) -> str | None:
    """govcat's opening for a 3.0 ``accessRestriction`` (its status address or word), or ``None``."""
    status = value.get("restrictionStatus") if isinstance(value, dict) else value
    status = label(status) if isinstance(status, dict) else text(status)
    return RESTRICTION_STATUSES.get(status.rstrip("/").rsplit("/", 1)[-1].lower()) if status else None


def _rights_text(dataset: dict) -> str | None:
    """The conditions a restricted dataset states: 1.1's ``rights``, 3.0's rights statement or restriction note."""
    for value in (dataset.get("rights"), dataset.get("accessRights"), dataset.get("accessRestriction")):
        found = label(value) if isinstance(value, dict) else text(value)
        if isinstance(value, dict) and found is None:
            found = text(value.get("restrictionNote"))
        if found and "://" not in found:
            return found
    return None


def open_type(dataset: dict, notes: Notes, default_conditions: str | None = None) -> tuple[str | None, str | None]:
    """(open_type, open_conditions) from ``accessLevel`` (1.1) or the restriction statuses (3.0).

    Never widened: of several statements (the dataset's, its distributions') the narrowest wins; an
    unknown level is left out with a note, so the record waits to be completed; a restricted dataset
    without stated conditions stays conditional with its conditions to be completed.
    """
    found: list[str] = []
    level = dataset.get("accessLevel")
    if level not in (None, ""):
        key = _level_key(level)
        if key is None:
            notes.drop("open_type", "accessLevel is not public, restricted public or non-public", level)
        else:
            found.append(key)
    restrictions = [dataset.get("accessRestriction")] + [
        d.get("accessRestriction") for d in dataset.get("distribution") or [] if isinstance(d, dict)]
    found += [key for key in map(_restriction, (r for r in restrictions if r)) if key]
    if not found:
        return None, None
    key = max(found, key=NARROWNESS.__getitem__)
    if key != "conditional":
        return key, None
    conditions = _rights_text(dataset) or default_conditions
    if conditions is None:
        notes.drop("open_conditions", "restricted public without rights: the conditions are to be completed", "")
    return key, conditions


def licence(value) -> str | None:
    """A licence address of a known licence becomes its identifier (CC-BY-4.0…); other text stays."""
    found = text(value.get("@id") if isinstance(value, dict) else value)
    return LICENCE_KEYS.get(found.rstrip("/"), found) if found else None


def map_dataset(dataset: dict, base: str, default_conditions: str | None = None) -> dict:
    """What one data.json dataset (1.1 or 3.0) says, in govcat's terms, with ``_warnings``."""
    notes = Notes()
    opening, conditions = open_type(dataset, notes, default_conditions)
    themes, keywords = [], texts(dataset.get("keyword")) + texts(dataset.get("keywordMap") or [])
    for theme in dataset.get("theme") or [] if isinstance(dataset.get("theme"), list) else [dataset.get("theme")]:
        name = label(theme) if isinstance(theme, dict) else text(theme)
        if name is None:
            continue
        key = THEME_KEYS.get(name.lower())
        if key:
            themes.append(key)
        else:
            keywords.append(name)   # a theme govcat's vocabulary lacks still helps finding
    spatial = dataset.get("spatial")
    spatial = label(spatial[0] if isinstance(spatial, list) and spatial else spatial) \
        if isinstance(spatial, (dict, list)) else text(spatial)
    if spatial and not re.fullmatch(DIVISION_CODE, spatial):
        notes.drop("spatial", "not a GB/T 2260 division code", spatial)
        spatial = None
    title, title_lang = tagged(dataset, "title")
    description, description_lang = tagged(dataset, "description")
    distributions = dataset.get("distribution") if isinstance(dataset.get("distribution"), list) else []
    language = []
    for tag in texts(dataset.get("language")):
        if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag, re.IGNORECASE):
            language.append(tag.split("-", 1)[0].lower() + tag[len(tag.split("-", 1)[0]):])
        else:
            notes.drop("language", "not a language code", tag)
    doc = {
        "title": title, "title_lang": title_lang if title else None,
        "description": description, "description_lang": description_lang if description else None,
        "keywords": [k for k in dict.fromkeys(keywords) if len(k) <= 100][:50], "themes": list(dict.fromkeys(themes)),
        "issued": full_day(dataset.get("issued"), "issued", notes),
        "original_publisher": publisher(dataset.get("publisher"), base, notes),
        "other_identifiers": identifiers(dataset),
        "landing_page": address(dataset.get("landingPage"), base, "landing_page", notes),
        "contact_point": contact_point(dataset.get("contactPoint"), notes),
        "open_type": opening, "open_conditions": conditions, "license": licence(dataset.get("license")),
        "spatial": spatial, "temporal": temporal(dataset.get("temporal"), notes),
        "update_frequency": update_frequency(dataset.get("accrualPeriodicity"), notes),
        "language": list(dict.fromkeys(language))[:10],
        "distributions": [d for d in (distribution(item, n, base, notes) for n, item in enumerate(distributions))
                          if d][:100],
    }
    doc = {k: val for k, val in doc.items() if val not in (None, [], {})}
    if notes.rows:
        doc["_warnings"] = notes.rows
    return doc


class _Broken:
    """A listed dataset that cannot be taken, and why (reported at the fetch stage)."""

    def __init__(self, message: str, item):
        self.message, self.item = message, item


class DataJsonHarvester(RemoteHarvester):
    """A data.json catalog (DCAT-US 1.1 or 3.0)."""

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
        kind = body.get("@type", "dcat:Catalog") if isinstance(body, dict) else None
        if not isinstance(datasets, list) or not (kind in CATALOG_TYPES or isinstance(kind, list)
                                                  and CATALOG_TYPES.intersection(kind)):
            raise JobFailure("gather", f"{url[:200]} is not a data.json catalog (no list of datasets)")
        return datasets

    def _listed(self, index: int, item) -> Listed:
        position = f"{self.source.url.split('#', 1)[0]}#dataset-{index + 1}"
        if not isinstance(item, dict):
            return Listed(position, _Broken(f"dataset {index + 1} is not a JSON object", item))
        identifier = item.get("identifier")
        if isinstance(identifier, int) and not isinstance(identifier, bool):
            identifier = str(identifier)
        identifier = text(identifier) or text(item.get("@id")) or ""
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
        defaults = getattr(self.source, "defaults", None) or {}
        return map_dataset(dataset, self.source.url, text(defaults.get("open_conditions")))

    def resource_code(self, dataset: dict) -> str | None:
        identifier = text(dataset.get("identifier"))
        return identifier if identifier and parse_resource_code(identifier) else None

    def snippet(self, listed: Listed) -> str | None:
        item = listed.data.item if isinstance(listed.data, _Broken) else listed.data
        if isinstance(item, dict):   # who it is, first
            item = {**{k: item[k] for k in ("identifier", "title", "description") if k in item}, **item}
        return json.dumps(item, ensure_ascii=False)[:2000]
