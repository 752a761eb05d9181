"""Turning untrusted text into RDF terms that every serialisation accepts.

Metadata reaches the mapping from forms, spreadsheets and harvests.  A space or an angle
bracket in a URL, a NUL in a title or a lone surrogate from a broken JSON file must never make
Turtle, RDF/XML, JSON-LD or N-Triples output fail: an IRI is repaired by percent-encoding what
an IRI may not contain, or dropped (with a logged warning) when its scheme is not one we
publish; a literal loses the characters XML 1.0 cannot carry.  Values that are already clean —
everything ``normalize_metadata`` accepts, bar the exceptions listed in ``vocab/README.md`` —
pass through unchanged, which is what keeps the mapping lossless.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from functools import lru_cache
from urllib.parse import quote, unquote

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

log = logging.getLogger(__name__)

WEB_SCHEMES = frozenset({"http", "https", "ftp", "ftps"})

# Characters no RDF serialisation can carry: C0 controls but tab, line feed and carriage return,
# DEL (the schemas strip it too), surrogates and the two non-characters XML 1.0 forbids.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# What an IRI may not contain as such (RFC 3987): ASCII controls, space, "<>\"{}|\\^`", and the
# Unicode controls, separators and formats that hide in pasted text (U+00A0, U+2000–U+206F, U+3000,
# U+FEFF), surrogates, private-use and non-characters.  A "%" that does not start a
# percent-escape is also encoded, so "%zz" becomes "%25zz".
_IRI_BAD = re.compile(
    '[\x00-\x20\x7f<>"{}|\\\\^`\x80-\xa0\u1680\u2000-\u206f\u3000\ud800-\uf8ff\ufdd0-\ufdef\ufeff\ufffe\uffff'
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
    + "]|%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")


def _encode(match: re.Match) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


def repair_iri(text: str) -> str:
    """``text`` with every character an IRI may not contain percent-encoded (clean IRIs unchanged)."""
    return _IRI_BAD.sub(_encode, text)


def is_clean_iri(text: str, schemes=WEB_SCHEMES) -> bool:
    """Whether ``text`` is an absolute IRI of one of ``schemes`` that needs no repair."""
    match = _SCHEME.match(text) if isinstance(text, str) else None
    return bool(match) and match.group(1).lower() in schemes and repair_iri(text) == text


def safe_iri(value, *, schemes=WEB_SCHEMES, what: str = "IRI") -> URIRef | None:
    """An IRI term for ``value``, repaired if need be; ``None`` (logged) when it cannot be one.

    Surrounding white space is trimmed; a value without a scheme, or with a scheme outside
    ``schemes`` (``javascript:``, ``file:``, ``data:`` …), is dropped rather than published.
    """
    if not isinstance(value, str):
        if value is not None:
            log.warning("dropped %s: not text (%r)", what, type(value).__name__)
        return None
    text = value.strip()
    match = _SCHEME.match(text)
    if not match or match.group(1).lower() not in schemes:
        log.warning("dropped %s %r: not an absolute %s address", what, text[:200], "/".join(sorted(schemes)))
        return None
    repaired = repair_iri(text)
    if repaired != text:
        log.warning("repaired %s %r: characters an IRI may not contain were percent-encoded", what, text[:200])
    return URIRef(repaired)


def segment(value: str, safe: str = "") -> str:
    """``value`` as a path segment of an IRI govcat coins (exactly reversed by :func:`unsegment`)."""
    return quote(str(value), safe=safe + "-._~")


def unsegment(text: str) -> str:
    return unquote(text)


def clean_text(value) -> str | None:
    """Text fit for a literal: characters no serialisation carries are removed (and logged)."""
    if isinstance(value, bool) or value is None:
        return None
    if not isinstance(value, str):
        if isinstance(value, (int, float)):
            return str(value)
        log.warning("dropped literal: not text (%r)", type(value).__name__)
        return None
    if _BAD_TEXT.search(value):
        log.warning("removed control characters from %r", value[:80])
        return _BAD_TEXT.sub("", value)
    return value


def text_literal(value, lang: str | None = None) -> Literal | None:
    """A (language-tagged) string literal, or ``None`` when ``value`` is not text."""
    if isinstance(value, str):
        return _text_literal(value, lang)
    text = clean_text(value)
    return None if text is None else Literal(text, lang=lang)


@lru_cache(maxsize=16_384)
def _text_literal(value: str, lang: str | None) -> Literal | None:
    # Literals are immutable and the same texts recur (data-item names, formats, departments,
    # units): a catalog of a hundred thousand resources makes each of them once.
    text = clean_text(value)
    # A string needs no normalizing: rdflib would only cast it to itself.
    return None if text is None else Literal(text, lang=lang, normalize=False)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def _real_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def date_literal(value) -> Literal | None:
    """An ``xsd:date`` from ISO text (``YYYY-MM-DD``); anything else is dropped and logged."""
    if isinstance(value, str) and _DATE.match(value) and _real_date(value):
        return Literal(value, datatype=XSD.date)
    if value is not None:
        log.warning("dropped date %r: not YYYY-MM-DD", str(value)[:40])
    return None


def date_time_literal(value) -> Literal | None:
    """An ``xsd:dateTime`` from a ``datetime`` or ISO text; anything else is dropped and logged."""
    if hasattr(value, "isoformat") and hasattr(value, "hour"):
        value = value.isoformat()
    if isinstance(value, str) and _DATE_TIME.match(value) and _real_date(value[:10]):
        return Literal(value, datatype=XSD.dateTime)
    if value is not None:
        log.warning("dropped date-time %r: not ISO 8601", str(value)[:40])
    return None


@lru_cache(maxsize=8192)
def _integer(value: int, datatype) -> Literal:
    return Literal(str(value), datatype=datatype)


def integer_literal(value, datatype=XSD.integer, minimum: int | None = None) -> Literal | None:
    """An integer literal of ``datatype``; a non-integer or out-of-range value is dropped and logged."""
    if isinstance(value, int) and not isinstance(value, bool) and (minimum is None or value >= minimum):
        return _integer(value, datatype)
    if value is not None:
        log.warning("dropped integer %r", str(value)[:40])
    return None


def lexical(term) -> str:
    """The lexical form of a literal, or the text of an IRI."""
    return str(term)


def as_int(term) -> int | None:
    """The integer a literal holds, or ``None`` when it holds none."""
    try:
        return int(str(term).strip())
    except (TypeError, ValueError):
        return None
