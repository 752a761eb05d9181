"""A resource's metadata as an HTML form, and back: the registration form of the workspace.

The form is a view of the same document the API takes, so the same schema judges it and its
errors land beside the inputs they name (``data_items.1.type`` → the second data item's type).
What the form does not show (a harvested record's language tags, its source identifiers, a
distribution's checksum) is carried over from the stored document untouched: saving a form never
loses what it did not display.

Repeatable parts (data items, distributions, data services) are rows named ``part-N-field``; a
row left empty is no row.  "Add a row" is a submit button, so the form works without JavaScript.
"""
from __future__ import annotations

import re

from vocab import enumerations as v

TEXTS = ("title", "title_en", "description", "description_en", "classification", "provider", "provider_unit",
         "format_class", "format_type", "share_type", "share_conditions", "share_basis", "share_method",
         "open_type", "open_conditions", "update_frequency", "issued", "spatial", "license", "landing_page")
GROUPS = {"contact_point": ("name", "email", "phone"), "temporal": ("start", "end")}
LISTS = ("keywords", "language")          # typed as one text, split on commas, semicolons or lines
CHOICES = ("themes",)                     # ticked boxes
ROWS = {
    "data_items": ("name", "type", "length", "description"),
    "distributions": ("title", "access_url", "download_url", "format", "media_type", "license"),
    "data_services": ("title", "endpoint_url", "endpoint_description"),
}
ROW_KEYS = {"data_items": "name", "distributions": "access_url", "data_services": "endpoint_url"}
SELECTS = {"format_class": v.FORMAT_CLASSES, "share_type": v.SHARE_TYPES, "share_method": v.SHARE_METHODS,
           "open_type": v.OPEN_TYPES, "update_frequency": v.UPDATE_FREQUENCIES, "type": v.DATA_ITEM_TYPES}
SHOWN = set(TEXTS) | set(GROUPS) | set(LISTS) | set(CHOICES) | set(ROWS)
_SPLIT = re.compile(r"[,，;；\n]+")


def document_from_form(form, stored: dict | None = None) -> dict:
    """The document a submitted form says, over what ``stored`` holds that the form does not show."""
    doc = {key: value for key, value in (stored or {}).items() if key not in SHOWN}
    for name in TEXTS:
        value = form.get(name, "").strip()
        if value:
            doc[name] = value
    for group, parts in GROUPS.items():
        values = {part: form.get(f"{group}-{part}", "").strip() for part in parts}
        kept = {k: val for k, val in (stored or {}).get(group, {}).items() if k not in parts}
        if any(values.values()):
            doc[group] = {**kept, **{k: val for k, val in values.items() if val}}
    for name in LISTS:
        items = [item.strip() for item in _SPLIT.split(form.get(name, "")) if item.strip()]
        if items:
            doc[name] = items
    for name in CHOICES:
        if form.getlist(name):
            doc[name] = form.getlist(name)
    for part, fields in ROWS.items():
        rows = _rows(form, part, fields, (stored or {}).get(part, []))
        if rows:
            doc[part] = rows
    return doc


def _rows(form, part: str, fields: tuple, stored: list) -> list[dict]:
    rows, n = [], 0
    while f"{part}-{n}-{fields[0]}" in form or any(f"{part}-{n}-{f}" in form for f in fields):
        row = {f: form.get(f"{part}-{n}-{f}", "").strip() for f in fields}
        row = {f: value for f, value in row.items() if value}
        if row:
            if "length" in row and row["length"].isdigit():
                row["length"] = int(row["length"])
            before = stored[n] if n < len(stored) else {}
            key = ROW_KEYS[part]
            if before.get(key) == row.get(key):       # the same row: keep what the form does not show
                row = {**{k: val for k, val in before.items() if k not in fields}, **row}
            rows.append(row)
        n += 1
    return rows


def form_values(doc: dict, extra_rows: dict | None = None) -> dict:
    """The inputs' values for ``doc``: texts, lists joined, and each part's rows plus blank ones."""
    values = {name: doc.get(name, "") for name in TEXTS}
    for group, parts in GROUPS.items():
        for part in parts:
            values[f"{group}-{part}"] = (doc.get(group) or {}).get(part, "")
    for name in LISTS:
        values[name] = ", ".join(doc.get(name) or [])
    values["themes"] = list(doc.get("themes") or [])
    rows = {}
    for part, fields in ROWS.items():
        present = [{f: row.get(f, "") for f in fields} for row in doc.get(part) or []]
        blanks = (extra_rows or {}).get(part, 0) + (0 if present else 1)
        rows[part] = present + [dict.fromkeys(fields, "") for _ in range(blanks)]
    values["rows"] = rows
    return values


def rows_in_form(form) -> dict[str, int]:
    """How many rows of each part the submitted form had (kept when the page is shown again)."""
    counts = {}
    for part, fields in ROWS.items():
        n = 0
        while any(f"{part}-{n}-{f}" in form for f in fields):
            n += 1
        counts[part] = n
    return counts


def input_name(path: str) -> str:
    """The input an error's field path points at: ``data_items.1.type`` → ``data_items-1-type``,
    ``keywords.3`` → ``keywords``, ``contact_point.email`` → ``contact_point-email``."""
    parts = path.split(".")
    if parts[0] in LISTS or parts[0] in CHOICES:
        return parts[0]
    return "-".join(parts)
