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

Two liberties for servers that bend the protocol (pycsw does both): a resumption request refused
with ``badArgument`` is sent again once with the metadata prefix beside the token (and so for the
rest of the job); and a server that never gives an empty token ends its list when, after as many
records as its ``completeListSize`` announced, a page brings only records already listed — the list
was complete, and those records are not listed twice.

The original identifier is the header's identifier; :mod:`harvesters.dublincore` maps the record.
A record needs a title and one address to be taken; what govcat requires but Dublin Core lacks is
the core's to fill from the source's defaults, never invented here.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from lxml import etree

from harvesters.base import JobFailure, Listed, RecordFailure, RemoteHarvester
from harvesters.dublincore import map_record, resource_code as dc_resource_code
from harvesters.http import FetchError
from harvesters.xml import parse_xml

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
NS = {"oai": OAI, "oai_dc": OAI_DC, "dc": DC}
# Arguments of the protocol: the harvester sets them, an address's own are dropped (set is read).
PROTOCOL_ARGUMENTS = {"verb", "metadataPrefix", "set", "from", "until", "resumptionToken", "identifier"}


def request_urls(source_url: str) -> tuple[str, str]:
    """(the first request's URL, the prefix of every resumption request) of a source address."""
    parts = urlsplit(source_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, val) for k, val in query if k not in PROTOCOL_ARGUMENTS]
    chosen_set = [("set", val) for k, val in query if k == "set" and val][:1]
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    first = urlencode(kept + [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")] + chosen_set)
    return f"{base}?{first}", f"{base}?{urlencode(kept + [('verb', 'ListRecords')])}&resumptionToken="


def _identifier(record: etree._Element) -> str:
    """The header identifier of a record ("" when it has none)."""
    return (record.findtext("oai:header/oai:identifier", namespaces=NS) or "").strip()


class OaiPmhHarvester(RemoteHarvester):
    """An OAI-PMH 2.0 repository, listed with ListRecords in oai_dc."""

    type = "oaipmh"

    def __init__(self, database, source, **fetcher_options):
        super().__init__(database, source, **fetcher_options)
        self.first_url, self.resume_prefix = request_urls(source.url)
        self.resume_suffix = ""

    def gather(self):
        url, tokens, pages, seen, announced = self.first_url, set(), 0, set(), None
        while url:
            self.check_page_count(pages)
            pages += 1
            listing = self._page(url, resuming=url != self.first_url)
            if listing is None:   # noRecordsMatch: nothing to list
                return
            records = list(listing.iterfind("oai:record", NS))
            identifiers = [_identifier(record) for record in records]
            if url != self.first_url and announced is not None and len(seen) >= announced \
                    and all(i in seen for i in identifiers):
                return    # the whole list was given and the server starts over (pycsw's last token)
            for index, record in enumerate(records):
                seen.add(identifiers[index])
                listed = self._listed(record, url, index)
                if listed is not None:
                    yield listed
            element = listing.find("oai:resumptionToken", NS)
            token = (element.text or "").strip() if element is not None else ""
            size = element.get("completeListSize", "") if element is not None else ""
            announced = int(size) if size.isdigit() else announced
            if token in tokens:
                raise JobFailure("gather", f"paging loop: resumption token {token[:100]!r} was given twice")
            tokens.add(token)
            url = self.resume_prefix + quote(token, safe="") if token else None

    def _page(self, url: str, resuming: bool = False) -> etree._Element | None:
        """The ``ListRecords`` element of one answer; ``None`` for ``noRecordsMatch``."""
        if resuming:
            url += self.resume_suffix
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
            if codes == {"badArgument"} and resuming and not self.resume_suffix:
                # Some servers (pycsw) want the metadata prefix with the token, against the protocol.
                self.resume_suffix = "&metadataPrefix=oai_dc"
                return self._page(url, resuming=True)
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
        return map_record(record.find("oai:metadata/oai_dc:dc", NS))

    def resource_code(self, record: etree._Element) -> str | None:
        return dc_resource_code(record.find("oai:metadata/oai_dc:dc", NS))

    def snippet(self, listed: Listed) -> str | None:
        _identifier, record = listed.data
        return etree.tostring(record, encoding="unicode")[:2000]
