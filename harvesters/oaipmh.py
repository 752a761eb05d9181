"""Harvesting OAI-PMH 2.0 repositories: ``ListRecords`` in simple Dublin Core (``oai_dc``).

This module only says how to list a repository and how to map one of its records; the job around
it is :class:`harvesters.base.Harvester`'s.  The source address is the repository's base URL; a
``set`` in its query selects a set.  The first request is ``verb=ListRecords&metadataPrefix=oai_dc``
(with the set); each next one is ``verb=ListRecords&resumptionToken=…`` until a page has an empty
or no token.  The protocol makes the token an exclusive argument (the set travels inside it), so
only the address's other query parameters — an access key, say — are carried into every request.

Every run lists the repository completely, never ``from`` the last run: withdrawals need the
complete listing, and an unchanged record costs no write anyway.  A record whose header says
``status="deleted"`` is not live: it is not listed, so it is never created and, if harvested
before, it is withdrawn as vanished.  ``noRecordsMatch`` is an empty listing (after which the
base class refuses to withdraw everything); any other OAI-PMH error, a token seen twice (a paging
loop), an answer that is not OAI-PMH or a failed request fails the job, which withdraws nothing.

The original identifier is the header's ``oai:…`` identifier.  Dublin Core maps to title,
description, keywords (subject), issued (the first full date), distributions (identifiers that are
web addresses, with the media type a ``format`` gives), language, licence (rights), spatial
(coverage that is a division code) and provider unit (publisher, else creator); what govcat
requires but Dublin Core lacks comes from the source's defaults, never invented here.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from lxml import etree

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.datajson import iso_day, licence
from harvesters.http import FetchError
from harvesters.xml import parse_xml
from registry.codes import parse_resource_code

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"oai": OAI, "oai_dc": OAI_DC, "dc": DC}
# Arguments of the protocol: the harvester sets them, an address's own are dropped (set is read).
PROTOCOL_ARGUMENTS = {"verb", "metadataPrefix", "set", "from", "until", "resumptionToken", "identifier"}
MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-_]+$")
DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
WEB_ADDRESS = re.compile(r"^(https?|ftps?)://\S+$")


def request_urls(source_url: str) -> tuple[str, str]:
    """(the first request's URL, the prefix of every resumption request) of a source address."""
    parts = urlsplit(source_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, val) for k, val in query if k not in PROTOCOL_ARGUMENTS]
    chosen_set = [("set", val) for k, val in query if k == "set" and val][:1]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    first = urlencode(kept + [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")] + chosen_set)
    return f"{base}?{first}", f"{base}?{urlencode(kept + [('verb', 'ListRecords')])}&resumptionToken="


def _texts(record: etree._Element, name: str) -> list[str]:
    """The non-empty texts of one Dublin Core element, in document order."""
    values = ("".join(e.itertext()).strip() for e in record.iterfind(f".//oai_dc:dc/dc:{name}", NS))
    return list(dict.fromkeys(t for t in values if t))


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def _titles(record: etree._Element) -> tuple[str | None, str | None]:
    """(title, English title): the first title not marked English, and the first marked English."""
    titles = [(e.get(XML_LANG, "").lower(), "".join(e.itertext()).strip())
              for e in record.iterfind(".//oai_dc:dc/dc:title", NS)]
    titles = [(lang, text) for lang, text in titles if text]
    english = [text for lang, text in titles if lang.startswith("en")]
    own = [text for lang, text in titles if not lang.startswith("en")]
    title = _first(own) or _first(english)
    return title, _first([t for t in english if t != title])


class OaiPmhHarvester(RemoteHarvester):
    """An OAI-PMH 2.0 repository, listed with ListRecords in oai_dc."""

    type = "oaipmh"

    def __init__(self, database, source, **fetcher_options):
        super().__init__(database, source, **fetcher_options)
        self.first_url, self.resume_prefix = request_urls(source.url)

    def gather(self):
        url, tokens, pages = self.first_url, set(), 0
        while url:
            self.check_page_count(pages)
            pages += 1
            listing = self._page(url)
            if listing is None:   # noRecordsMatch: nothing to list
                return
            for index, record in enumerate(listing.iterfind("oai:record", NS)):
                listed = self._listed(record, url, index)
                if listed is not None:
                    yield listed
            token = listing.findtext("oai:resumptionToken", namespaces=NS)
            token = token.strip() if token else ""
            if token in tokens:
                raise JobFailure("gather", f"paging loop: resumption token {token[:100]!r} was given twice")
            tokens.add(token)
            url = self.resume_prefix + quote(token, safe="") if token else None

    def _page(self, url: str) -> etree._Element | None:
        """The ``ListRecords`` element of one answer; ``None`` for ``noRecordsMatch``."""
        try:
            page = self.fetcher.get(url, accept="text/xml, application/xml")
        except FetchError as error:
            raise JobFailure("gather", str(error)) from None
        root = parse_xml(page.body, url)
        if root.tag != f"{{{OAI}}}OAI-PMH":
            raise JobFailure("gather", f"{url[:200]} is not an OAI-PMH answer")
        errors = root.findall("oai:error", NS)
        if errors:
            codes = {e.get("code") for e in errors}
            if codes == {"noRecordsMatch"}:
                return None
            detail = "; ".join(f"{e.get('code')}: {' '.join((e.text or '').split())}".rstrip(": ") for e in errors)
            raise JobFailure("gather", f"{url[:200]} answered with an OAI-PMH error: {detail[:500]}")
        listing = root.find("oai:ListRecords", NS)
        if listing is None:
            raise JobFailure("gather", f"{url[:200]} is not a ListRecords answer")
        return listing

    def _listed(self, record: etree._Element, url: str, index: int) -> Listed | None:
        """The record as listed; ``None`` for a deleted one (not live: it vanishes)."""
        header = record.find("oai:header", NS)
        if header is not None and header.get("status") == "deleted":
            return None
        identifier = header.findtext("oai:identifier", namespaces=NS) if header is not None else None
        identifier = identifier.strip() if identifier else ""
        if not identifier or len(identifier) > 1000:
            return Listed(f"{url[:900]}#record-{index + 1}", (None, record))   # reported at the fetch stage
        return Listed(identifier, (identifier, record))

    def fetch(self, listed: Listed):
        identifier, record = listed.data
        if identifier is None:
            raise RecordFailure("fetch", "a record without a header identifier (or with one longer than "
                                         "1000 characters) cannot be harvested")
        if record.find("oai:metadata/oai_dc:dc", NS) is None:
            raise RecordFailure("fetch", "the record has no oai_dc metadata")
        return record

    def map(self, record: etree._Element) -> dict:
        title, title_en = _titles(record)
        formats = _texts(record, "format")
        media_type = next((f.lower() for f in formats if MEDIA_TYPE.match(f.lower())), None)
        rights = _texts(record, "rights")
        statements = [r for r in rights if len(r) <= 500]   # a licence's name; a long statement is not one
        coverage = [c for c in _texts(record, "coverage") if DIVISION_CODE.match(c)]
        keywords = [k.strip() for subject in _texts(record, "subject") for k in subject.split(";") if k.strip()]
        return {
            "title": title, "title_en": title_en, "description": "\n\n".join(_texts(record, "description")) or None,
            "keywords": list(dict.fromkeys(keywords)),
            "issued": next((d for d in map(iso_day, _texts(record, "date")) if d), None),
            "distributions": [{"access_url": address, **({"media_type": media_type} if media_type else {})}
                              for address in _texts(record, "identifier") if WEB_ADDRESS.match(address)],
            "language": [t.lower() for t in _texts(record, "language") if LANGUAGE.match(t.lower())],
            "license": licence(next((r for r in rights if WEB_ADDRESS.match(r)), _first(statements))),
            "spatial": _first(coverage),
            "provider_unit": _first(_texts(record, "publisher")) or _first(_texts(record, "creator")),
        }

    def resource_code(self, record: etree._Element) -> str | None:
        return next((i for i in _texts(record, "identifier") if parse_resource_code(i)), None)

    def snippet(self, listed: Listed) -> str | None:
        _identifier, record = listed.data
        return etree.tostring(record, encoding="unicode")[:2000]
