"""What a record from another system keeps when some of its values do not fit the model.

A form or an API call is refused whole when a value is wrong: the person can correct it.  A record
harvested from another system cannot be corrected at its source by us, and one bad optional value
(an ``s3://`` access URL, a placeholder e-mail, an over-long keyword) must not cost the rest of it.
:func:`salvage_metadata` passes the record through the same schema as every input, drops each value
the schema refuses (the smallest part that carries it: one field, one list item, one nested
object), and says what it dropped and why; the guide's fields the record lacks are listed, not
filled — such a record is stored *to be completed* (待补录) and completed by its department.

Only the record's own words decide: nothing is invented to make a record pass.  A record marked
classified is refused whole (the catalog holds non-classified resources only).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from marshmallow import ValidationError, validate

from registry.resources.schemas import REQUIRED_FIELDS, ResourceSchema, missing_fields
from registry.schema_base import split_message

ROUNDS = 8       # a schema pass per round; each round drops what the last one refused


class _SalvageSchema(ResourceSchema):
    """The resource schema with its obligations left to :func:`missing_fields`: the guide's fields a
    record lacks, and the conditional ones it leaves unmet, are listed, not refused.  Only the top
    level is so: a distribution still needs its access URL, a contact point its name.  (Not a
    ``partial`` load: marshmallow works out a partial list for every nested value, a third of the
    cost of loading a record.)"""

    def on_bind_field(self, field_name, field_obj):
        super().on_bind_field(field_name, field_obj)
        field_obj.required = False       # this schema's own copy of the field

    def _conditional_rules(self, data, **kwargs):    # not a hook here: the rules run in missing_fields
        return None


_schema = _SalvageSchema()
_REQUIRED = frozenset(REQUIRED_FIELDS)


@dataclass(frozen=True)
class Dropped:
    """One value the schema refused: where (dotted path), why (English), and what it was."""

    field: str
    reason: str
    value: str | None


@dataclass
class Salvaged:
    """A record's document as the schema loads it, what was dropped, and the guide's fields it lacks."""

    doc: dict
    dropped: list[Dropped] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class _Gone:
    """Marks a value to remove; lists are swept after a round so indices stay right."""


GONE = _Gone()


def salvage_metadata(data: dict) -> Salvaged:
    """Load ``data`` keeping every value the schema accepts; raise ``ValidationError`` only for what
    no dropping can mend (a record marked classified, a body that is not an object)."""
    if not isinstance(data, dict):
        raise ValidationError({"_schema": ["The record is not an object."]})
    dropped: list[Dropped] = []
    try:        # the usual case: every value fits, and the record is loaded as it stands
        doc = _loaded(data)
        return Salvaged(doc, dropped, missing_fields(doc))
    except ValidationError:
        data = copy.deepcopy(data)     # values are dropped from a copy: the caller's record stays whole
    for _round in range(ROUNDS):
        try:
            doc = _loaded(data)
        except ValidationError as error:
            problems = list(_flatten(error.messages))
            if any(path[:1] in (("classified",), ("_schema",)) for path, _m in problems):
                raise
            for path, message in problems:
                gone = _drop(data, path, message)
                if gone.value is not None and gone.value.strip():     # an empty text is missing, not dropped
                    dropped.append(gone)
            _sweep(data)
            continue
        return Salvaged(doc, dropped, missing_fields(doc))
    raise ValidationError({"_schema": [f"The record still did not load after {ROUNDS} rounds of dropping values."]})


def _loaded(data: dict) -> dict:
    """The schema's load; a guide field left blank is missing, not an empty value."""
    doc = _schema.load(data)
    for name in _REQUIRED.intersection(doc):
        if doc[name] == "":
            del doc[name]
    return doc


def _flatten(messages, path=()):
    """(path, message) for every message of marshmallow's nested error dictionary."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, path + (key,))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        yield path, messages[0]
    elif isinstance(messages, list):
        for item in messages:
            yield from _flatten(item, path)
    else:
        yield path, str(messages)


def _drop(data: dict, path: tuple, message: str) -> Dropped:
    """Mark the value at ``path`` gone (a missing required part: its parent object); say what went."""
    if path and path[-1] == "_schema":      # an object's own rule (a period that ends before it starts)
        path = path[:-1]
    container, key = _locate(data, path)
    if container is None or not _has(container, key):
        # A required part is missing: the object it belongs to cannot stand (a distribution without
        # an access URL, a contact point without a name).
        path = path[:-1]
        message = f"no {key}" if isinstance(key, str) else message
        container, key = _locate(data, path)
    if container is None or container[key] is GONE:      # gone already with its parent
        return Dropped(_dotted(path), split_message(message)[1], None)
    value = container[key]
    if path and len(path) == 1 and isinstance(value, list) and _too_many(path[0], value):
        limit = _too_many(path[0], value)
        container[key] = value[:limit]
        return Dropped(_dotted(path), split_message(message)[1], _text(value[limit:]))
    container[key] = GONE
    return Dropped(_dotted(path), split_message(message)[1], _text(value))


def _locate(data, path: tuple):
    """The container holding the value at ``path`` and its key (``(None, None)`` if the way is broken)."""
    if not path:
        return None, None
    node = data
    for key in path[:-1]:
        if not _has(node, key):
            return None, None
        node = node[key]
    return (node, path[-1]) if isinstance(node, (dict, list)) else (None, None)


def _has(container, key) -> bool:
    if isinstance(container, dict):
        return key in container and container[key] is not GONE
    if isinstance(container, list):
        return isinstance(key, int) and 0 <= key < len(container) and container[key] is not GONE
    return False


def _too_many(name: str, value: list) -> int | None:
    """The schema's largest length of list field ``name`` when ``value`` is longer than it."""
    schema_field = _schema.fields.get(name)
    for validator in getattr(schema_field, "validators", ()):
        if isinstance(validator, validate.Length) and validator.max is not None and len(value) > validator.max:
            return validator.max
    return None


def _sweep(node) -> None:
    """Remove what was marked gone, and the lists and objects left empty by it."""
    if isinstance(node, dict):
        for key in list(node):
            if node[key] is GONE:
                del node[key]
                continue
            _sweep(node[key])
            if isinstance(node[key], (list, dict)) and not node[key]:
                del node[key]
    elif isinstance(node, list):
        node[:] = [item for item in node if item is not GONE]
        for item in node:
            _sweep(item)


def _dotted(path: tuple) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "_schema"


def _text(value) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 300 else text[:300] + "…"
