"""Reading a data.json dataset's fields as agencies write them, DCAT-US 1.1 and 3.0 alike.

Real data.json files are written by hand and by a dozen tools: a field may be a string, a list of
strings, a 3.0 object (``{"@id": …}``, ``{"fn": …}``, ``{"@type": "xsd:date", "@value": …}``) or
a language map (``titleMap``); empty strings stand for "none"; addresses come relative
(``/data/x.csv``) or bare (``www.agency.gov/x``); dates come as days, date-times with or without a
zone, years alone.  Each reader here returns what the field says in govcat's terms, or nothing —
and when it drops a value it can see but not use, it says so in :class:`Notes`, which become the
document's ``_warnings`` (the core reports them; they never fail the record).
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

from vocab.dates import frequency_from_text
from vocab.values import frequency_from_rdf

DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(?:[T ].*)?$")
MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-_]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Notes:
    """What the mapping could not use, as the core's ``_warnings`` rows."""

    def __init__(self):
        self.rows: list[dict] = []

    def drop(self, field: str, reason: str, value) -> None:
        self.rows.append({"field": field, "reason": reason, "value": str(value)[:500]})


def text(value) -> str | None:
    """A non-empty text: a string, a 3.0 typed value (``@value``) or the first text of a list."""
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    if isinstance(value, list):
        return next((t for t in map(text, value) if t), None)
    return value.strip() or None if isinstance(value, str) else None


def texts(value) -> list[str]:
    """Every non-empty text of a value that is a list, one text, or (3.0) a language map."""
    if isinstance(value, dict) and "@value" not in value:
        value = [v for v in value.values()]
    values = value if isinstance(value, list) else [value]
    found = []
    for item in values:
        if isinstance(item, list):
            found += texts(item)
        elif (t := text(item)) is not None:
            found.append(t)
    return found


def tagged(dataset: dict, name: str) -> tuple[str | None, str]:
    """A text field and its language tag: 1.1's plain text is untagged (``""``); a 3.0 ``…Map`` names it."""
    plain = text(dataset.get(name))
    if plain is not None:
        return plain, ""
    language_map = dataset.get(name + "Map")
    if isinstance(language_map, dict):
        for tag, value in language_map.items():
            if (found := text(value)) is not None:
                return found, tag if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", tag) else ""
    return None, ""


def label(value) -> str | None:
    """The text a 3.0 object says (a concept's ``prefLabel``, a statement's ``label``…), or a plain text."""
    if isinstance(value, dict):
        for key in ("prefLabel", "label", "name", "title", "notation", "description"):
            if (found := text(value.get(key))) is not None:
                return found
        return None
    return text(value)


def address(value, base: str, field: str, notes: Notes) -> str | None:
    """An http(s) address from a string or a 3.0 object (``@id``, ``accessURL``…); a relative one is
    resolved against the catalog's address, a bare one (``www.…``, no scheme) is dropped with a note."""
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("accessURL")
    found = text(value)
    if found is None:
        return None
    if " " in found:
        notes.drop(field, "not an address", found)
        return None
    parts = urlsplit(found)
    if not parts.scheme and found.startswith(("/", "./", "../")):
        found, parts = urljoin(base, found), urlsplit(urljoin(base, found))
    if parts.scheme in ("http", "https") and parts.netloc:
        return found
    notes.drop(field, "not an http(s) address" if parts.scheme else "an address without http:// or https://", found)
    return None


def full_day(value, field: str = "issued", notes: Notes | None = None) -> str | None:
    """The day of a full ISO date or date-time (3.0 may type it); a year or a month alone names no day
    (said in ``notes`` when given)."""
    found = text(value)
    if found is None:
        return None
    match = DATE.match(found)
    if match and match.group(3):
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            pass
    if notes is not None:
        notes.drop(field, "not a full date (YYYY-MM-DD)" if match else "not an ISO 8601 date", found)
    return None


def interval_bound(value: str, *, end: bool) -> str | None:
    """A bound of a time interval as a day: a year or a month stands for its first or last day."""
    match = DATE.match(value.strip())
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            return date(int(year), int(month), int(day)).isoformat()
        first = date(int(year), int(month or 1), 1)
    except ValueError:
        return None
    if not end:
        return first.isoformat()
    following = date(first.year + 1, 1, 1) if not month or month == "12" else date(first.year, first.month + 1, 1)
    return (following - timedelta(days=1)).isoformat()


def temporal(value, notes: Notes | None = None) -> dict:
    """``start/end`` (1.1's ISO 8601 interval) or a 3.0 period (``startDate``/``endDate``) → govcat's
    temporal; a bound that is a duration or no date is left out."""
    notes = notes if notes is not None else Notes()
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        start, finish = text(value.get("startDate")), text(value.get("endDate"))
    else:
        found = text(value)
        if found is None:
            return {}
        if "/" not in found:
            notes.drop("temporal", "not an interval (start/end)", found)
            return {}
        start, _slash, finish = found.partition("/")
    period = {"start": interval_bound(start, end=False) if start else None,
              "end": interval_bound(finish, end=True) if finish else None}
    for key, bound in (("start", start), ("end", finish)):
        if bound and period[key] is None and not bound.strip().startswith("P"):
            notes.drop(f"temporal.{key}", "not a date", bound)
    return {k: v for k, v in period.items() if v}


def update_frequency(value, notes: Notes | None = None) -> str | None:
    """An ISO 8601 repeating duration (``R/P1M``), a frequency word or a frequency address → govcat's
    update frequency; anything else is left out (with a note).

    Periods under a day are real time; periods longer than a year, which govcat's vocabulary
    cannot say, are irregular (no overdue check rather than a false one).
    """
    found = (label(value) or text(value.get("@id"))) if isinstance(value, dict) else text(value)
    if found is None:
        return None
    found_frequency = frequency_from_rdf(found) or frequency_from_text(found.rstrip("/").rsplit("/", 1)[-1])
    if found_frequency is None and notes is not None:
        notes.drop("update_frequency", "accrualPeriodicity is not an ISO 8601 repeating duration", found)
    return found_frequency


def email(value) -> str | None:
    found = text(value.get("@id") if isinstance(value, dict) else value)
    if found and found.lower().startswith("mailto:"):
        found = found[len("mailto:"):].strip()
    return found or None


def contact_point(value, notes: Notes) -> dict | None:
    """The first contact that names someone (``fn``); its address with or without ``mailto:``."""
    contacts = value if isinstance(value, list) else [value]
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        name, mail = text(contact.get("fn")), email(contact.get("hasEmail"))
        if name is None:
            if mail:
                notes.drop("contact_point", "a contact without a name (fn)", mail)
            continue
        point = {"name": name[:200]}
        if mail and EMAIL.match(mail):
            point["email"] = mail
        elif mail:
            notes.drop("contact_point.email", "not an email address", mail)
        return point
    return None


def publisher(value, base: str, notes: Notes) -> dict | None:
    """The publisher the record names, with the organisations it is part of (``subOrganizationOf``):
    ``{"name": "Bureau (Department)", "uri"?}``."""
    if not isinstance(value, dict):
        found = text(value)
        return {"name": found[:500]} if found and "://" not in found else None
    names, node, depth = [], value, 0
    while isinstance(node, dict) and depth < 5:
        if (name := text(node.get("name")) or label(node)) is not None and name not in names:
            names.append(name)
        node, depth = node.get("subOrganizationOf"), depth + 1
    if not names:
        return None
    agent = {"name": (names[0] + (f" ({', '.join(names[1:])})" if names[1:] else ""))[:500]}
    if isinstance(value.get("@id"), str) and (uri := address(value["@id"], base, "original_publisher.uri", Notes())):
        agent["uri"] = uri
    return agent


def identifiers(dataset: dict) -> list[str]:
    """The source's own identifiers: ``identifier`` (a text, or 3.0's list) and 3.0's ``otherIdentifier`` notations."""
    found = texts(dataset.get("identifier"))
    for other in dataset.get("otherIdentifier") or []:
        found += [t for t in [label(other) if isinstance(other, dict) else text(other)] if t]
    return [t for t in dict.fromkeys(found) if len(t) <= 500][:20]


def distribution(item, index: int, base: str, notes: Notes) -> dict | None:
    """One distribution; one with neither an access nor a download URL is no way to get the data.
    A download URL alone is its access URL too (DCAT-AP's rule)."""
    field = f"distributions[{index}]"
    if not isinstance(item, dict):
        notes.drop(field, "not an object", item)
        return None
    download = address(item.get("downloadURL"), base, f"{field}.download_url", notes)
    access = address(item.get("accessURL"), base, f"{field}.access_url", notes)
    if not (download or access):
        notes.drop(field, "a distribution without an access or download URL", item.get("title") or "")
        return None
    media = text(item.get("mediaType"))
    if media and not MEDIA_TYPE.match(media):
        notes.drop(f"{field}.media_type", "not a media type", media)
        media = None
    values = {"title": text(item.get("title")), "description": text(item.get("description")),
              "access_url": access or download, "download_url": download,
              "format": label(item.get("format")), "media_type": media}
    return {k: v for k, v in values.items() if v}
