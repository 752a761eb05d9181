"""Harvesting OGC catalogue services (CSW 2.0.2) that serve ISO 19139 metadata.

Geoportals of natural-resources and surveying departments publish their metadata this way.  This
module only says how to list such a service and how to map one of its records; the job around it
is :class:`harvesters.base.Harvester`'s.

The listing pages through ``GetRecords`` (KVP over GET, ``page_size`` records at a time, asking for
``outputSchema=http://www.isotc211.org/2005/gmd``), every request going through the source's
:class:`~harvesters.http.SafeFetcher` and every answer through :func:`harvesters.xml.parse_xml`.
``csw:SearchResults/@nextRecord`` leads from page to page; ``0``, or a position past
``numberOfRecordsMatched``, ends the listing.  An exception report, a page that is not a
GetRecords answer, a ``nextRecord`` that does not move forward, a page that only repeats records
already listed, or a listing that stops short of the records it announced fails the job: a listing
that did not end cleanly is not complete, so nothing may be withdrawn after it.

The request asks for the type ``csw:Record``, which every CSW 2.0.2 server knows and which
GeoNetwork and pycsw answer in ISO when asked for that output schema.  Servers that answer ISO
only for ``gmd:MD_Metadata`` (GeoServer's ISO profile) get it from the source address: parameters
already in it (``typeNames``, a ``constraint``…) are kept, the paging and format ones are ours.

Each ``gmd:MD_Metadata`` (or ISO 19115-2 ``gmi:MI_Metadata``) is one record, mapped by
:mod:`harvesters.iso19139`; its original identifier is its ``gmd:fileIdentifier`` — as it stands when it is an
http(s) address, else the endpoint + ``#`` + the identifier.  A record without one, or that is not
ISO at all (a plain ``csw:Record``), is an error row, not a job failure.  A record needs a title
and one address to be taken; what govcat requires but the record lacks (classification, share
type…) is the core's to fill from the source's defaults, never invented here.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import etree

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.http import FetchError, HttpStatusError
from harvesters.iso19139 import map_record, resource_code as iso_resource_code, text
from harvesters.xml import parse_xml

CSW = "http://www.opengis.net/cat/csw/2.0.2"
GMD = "http://www.isotc211.org/2005/gmd"
GMI = "http://www.isotc211.org/2005/gmi"
NAMESPACES = {"csw": CSW, "gmd": GMD, "gmi": GMI, "gco": "http://www.isotc211.org/2005/gco"}
OWS_NAMESPACES = ("http://www.opengis.net/ows", "http://www.opengis.net/ows/1.1", "http://www.opengis.net/ows/2.0")
ISO_RECORDS = {f"{{{GMD}}}MD_Metadata", f"{{{GMI}}}MI_Metadata"}
ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.1"
# The request parameters the harvester sets itself; the source address may add any other.
OWN_PARAMETERS = ("service", "version", "request", "resultType", "elementSetName", "outputSchema",
                  "startPosition", "maxRecords")
DEFAULT_PARAMETERS = {"typeNames": "csw:Record", "namespace": f"xmlns(csw={CSW}),xmlns(gmd={GMD})"}
HTTP_IRI = re.compile(r"^https?://\S+$", re.IGNORECASE)
MAX_ORIGINAL_ID_CHARS = 1000


def request_parameters(endpoint: str) -> tuple[str, list[tuple[str, str]]]:
    """The service address without a query, and the parameters of the source address to keep."""
    parts = urlsplit(endpoint)
    own = {name.lower() for name in OWN_PARAMETERS}
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in own]
    given = {k.lower() for k, _v in kept}
    kept += [(k, v) for k, v in DEFAULT_PARAMETERS.items() if k.lower() not in given]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), kept


def page_url(endpoint: str, start: int, size: int) -> str:
    """The GetRecords request for ``size`` records from position ``start`` (1-based)."""
    base, kept = request_parameters(endpoint)
    own = [("service", "CSW"), ("version", "2.0.2"), ("request", "GetRecords"), ("resultType", "results"),
           ("elementSetName", "full"), ("outputSchema", GMD), ("startPosition", str(start)),
           ("maxRecords", str(size))]
    return base + "?" + urlencode(own + kept)


@dataclass
class CswPage:
    """What one GetRecords answer says: how many records match, where the next page starts, its records."""

    matched: int
    next_record: int | None
    records: list


@dataclass
class CswRecord:
    """One record of a page as XML text (picklable, and the page's tree can go), and why it cannot
    be harvested, if it cannot."""

    xml: str
    problem: str | None = None


def _exception_text(root: etree._Element) -> str | None:
    """The codes and texts of an ``ows:ExceptionReport``, on one line; ``None`` when ``root`` is none."""
    name = etree.QName(root)
    if name.localname != "ExceptionReport" or name.namespace not in OWS_NAMESPACES:
        return None
    parts = []
    for exception in root:
        if not isinstance(exception.tag, str):
            continue
        texts = " ".join(" ".join(t.text.split()) for t in exception if isinstance(t.tag, str) and t.text)
        locator = exception.get("locator")
        where = " ".join(p for p in (exception.get("exceptionCode"), locator and f"({locator})") if p)
        parts.append(": ".join(p for p in (where, texts) if p))
    return "; ".join(parts) or "no exception text"


def _refusal(body: bytes, url: str) -> str:
    """``": " + the exception text`` when an error answer's body is an ``ows:ExceptionReport``, else nothing."""
    if not body.lstrip().startswith(b"<"):
        return ""
    try:
        text = _exception_text(parse_xml(body, url))
    except JobFailure:
        return ""
    return f": {text}" if text is not None else ""


def _count(results: etree._Element, name: str, url: str, required: bool = True) -> int | None:
    value = results.get(name)
    if value is None and not required:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise JobFailure("gather", f"{url[:200]}: csw:SearchResults has no valid {name} ({value!r})") from None


def parse_page(body: bytes, url: str) -> CswPage:
    """The search results of one GetRecords answer; :class:`JobFailure` for anything else."""
    root = parse_xml(body, url)
    refused = _exception_text(root)
    if refused is not None:
        raise JobFailure("gather", f"{url[:200]}: the catalogue service refused the request: {refused}")
    results = root.find("csw:SearchResults", NAMESPACES) if root.tag == f"{{{CSW}}}GetRecordsResponse" else None
    if results is None:
        raise JobFailure("gather", f"{url[:200]} is not a CSW 2.0.2 GetRecords answer "
                                   f"(its root is {etree.QName(root).localname})")
    records = [child for child in results if isinstance(child.tag, str)]
    return CswPage(_count(results, "numberOfRecordsMatched", url), _count(results, "nextRecord", url, False), records)


def _qualified_name(element: etree._Element) -> str:
    """``prefix:name`` of an element, as the service wrote it."""
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


class CswHarvester(RemoteHarvester):
    """A CSW 2.0.2 catalogue service, listed with GetRecords in ISO 19139."""

    type = "csw"
    page_size = 100
    parallel = True

    def __init__(self, database, source, **fetcher_options):
        super().__init__(database, source, **fetcher_options)
        self.endpoint = source.url.split("#", 1)[0]

    # -- gather --------------------------------------------------------------------------------
    def gather(self):
        start, pages, listed = 1, 0, set()
        while True:
            self.check_page_count(pages)
            pages += 1
            url = page_url(self.endpoint, start, self.page_size)
            page = self._page(url)
            if not page.records:
                if start > page.matched:
                    return
                raise JobFailure("gather", f"{url[:200]} returned no records although {page.matched} "
                                           f"were announced, from position {start} on")
            records = [self._listed(record, url, start + index) for index, record in enumerate(page.records)]
            last = start + len(records) - 1
            next_record = last + 1 if page.next_record is None else page.next_record
            more = next_record != 0 and next_record <= page.matched
            if more and all(r.original_id in listed for r in records):
                raise JobFailure("gather", f"paging loop: {url[:200]} repeats records already listed")
            listed.update(r.original_id for r in records)
            yield from records
            if not more:
                if last < page.matched:
                    raise JobFailure("gather", f"{url[:200]} ends the listing at record {last} although "
                                               f"{page.matched} were announced")
                return
            if next_record <= start:
                raise JobFailure("gather", f"paging loop: {url[:200]} gives nextRecord {next_record}, "
                                           f"not past startPosition {start}")
            start = next_record

    def _page(self, url: str) -> CswPage:
        try:
            page = self.fetcher.get(url, accept=ACCEPT)
        except HttpStatusError as error:     # a refused request often says why in an exception report
            raise JobFailure("gather", f"{error}{_refusal(error.body, url)}") from None
        except FetchError as error:
            raise JobFailure("gather", str(error)) from None
        return parse_page(page.body, page.url)

    def _listed(self, element: etree._Element, url: str, position: int) -> Listed:
        """One record as listed: by its file identifier, else by its place in the page (an error row)."""
        xml = etree.tostring(element, encoding="unicode")
        if element.tag not in ISO_RECORDS:
            return Listed(f"{url}#{position}", CswRecord(xml, f"{_qualified_name(element)} is not an ISO 19139 "
                                                              "record (gmd:MD_Metadata)"))
        identifier = text(element.find("gmd:fileIdentifier", NAMESPACES))
        if identifier is None:
            return Listed(f"{url}#{position}", CswRecord(
                xml, "a record without gmd:fileIdentifier cannot be harvested: it has no stable identity"))
        original_id = identifier if HTTP_IRI.match(identifier) else f"{self.endpoint}#{identifier}"
        if len(original_id) > MAX_ORIGINAL_ID_CHARS:
            return Listed(original_id[:MAX_ORIGINAL_ID_CHARS], CswRecord(
                xml, f"gmd:fileIdentifier is longer than {MAX_ORIGINAL_ID_CHARS} characters"))
        return Listed(original_id, CswRecord(xml))

    # -- one record (in this process or a mapping worker: only ``self.source`` is set there) -------
    def raw_digest(self, listed: Listed) -> str | None:
        """The record's XML as the service sent it: the same text, the same record, no mapping needed."""
        record: CswRecord = listed.data
        return None if record.problem else hashlib.sha256(record.xml.encode("utf-8")).hexdigest()

    def fetch(self, listed: Listed) -> etree._Element:
        record: CswRecord = listed.data
        if record.problem:
            raise RecordFailure("fetch", record.problem)
        return parse_xml(record.xml.encode("utf-8"), listed.original_id, stage="fetch")

    def map(self, root: etree._Element) -> dict:
        if root.find("gmd:identificationInfo/*", NAMESPACES) is None:
            raise RecordFailure("map", "the record has no gmd:identificationInfo to describe a resource")
        return map_record(root)

    def resource_code(self, root: etree._Element) -> str | None:
        """A govcat resource code among the record's identifiers, if it carries one."""
        return iso_resource_code(root)

    def snippet(self, listed: Listed) -> str | None:
        return re.sub(r">\s+<", "><", listed.data.xml)[:2000]
