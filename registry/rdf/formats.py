"""The RDF formats govcat publishes, and choosing one from a request (extension or ``Accept``).

Browsers get HTML; RDF clients get the serialisation they ask for; anything else gets 406 with the
list of what is available.  The table below is the one place a format is declared.
"""
from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept

from registry.errors import ServiceError


@dataclass(frozen=True)
class RdfFormat:
    extension: str
    media_type: str
    rdflib_name: str
    aliases: tuple[str, ...] = ()


FORMATS = (
    RdfFormat("ttl", "text/turtle", "turtle", ("application/x-turtle",)),
    RdfFormat("jsonld", "application/ld+json", "json-ld", ("application/json+ld",)),
    RdfFormat("rdf", "application/rdf+xml", "xml", ("application/xml", "text/xml")),
    RdfFormat("nt", "application/n-triples", "nt", ("text/plain",)),
)
BY_EXTENSION = {f.extension: f for f in FORMATS}
HTML = "text/html"


class NotAcceptable(ServiceError):
    status, code = 406, "not_acceptable"

    def __init__(self):
        available = ", ".join(f"{f.media_type} (.{f.extension})" for f in FORMATS)
        super().__init__(f"不支持请求的格式。可用格式：{available}", f"No acceptable format; available: {available}",
                         "Accept")


def by_extension(extension: str) -> RdfFormat:
    found = BY_EXTENSION.get(extension)
    if found is None:
        raise NotAcceptable()
    return found


def negotiate(accept: MIMEAccept, *, html: bool = True) -> RdfFormat | None:
    """The format an ``Accept`` header prefers: an :class:`RdfFormat`, or ``None`` for HTML.

    No header, or ``*/*`` alone, means Turtle for RDF-only endpoints and HTML where a page exists.
    """
    offers = ([HTML] if html else []) + [t for f in FORMATS for t in (f.media_type, *f.aliases)]
    if not accept or accept.best in (None, "*/*") and not accept.values():
        return None if html else FORMATS[0]
    best = accept.best_match(offers)
    if best is None:
        raise NotAcceptable()
    if best == HTML:
        return None
    return next(f for f in FORMATS if best in (f.media_type, *f.aliases))
