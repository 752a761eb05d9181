"""Reading the parts of a dataset from RDF: distributions, data services, columns, contact point,
period, licence (the mixin :class:`vocab.reading.Reader` is built on).

Each part is read as govcat writes it and as other catalogs do: a distribution with only
``dcat:downloadURL`` gets that address as its access URL too (DCAT-AP's rule); a format may be an
EU file type, an IANA media type, a word or a labelled node (``dct:IMT`` with ``rdf:value``); an
e-mail address a ``mailto:`` IRI, a literal or a node with ``vcard:hasValue``; a period's bounds
``dcat:startDate``, ``schema:startDate`` or OWL-Time instants.
"""
from __future__ import annotations

from decimal import Decimal

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from vocab.namespaces import CSVW, DCAT, DCT, GOVCAT, SKOS, SPDX, VCARD, Terms
from vocab.terms import as_int, is_clean_iri
from vocab.values import (
    checksum_algorithm_from_rdf, data_item_type_from_rdf, datatype_from_rdf, email_from_rdf, file_type_from_rdf,
    license_from_rdf, media_type_from_rdf, phone_from_rdf,
)

CSVW, DCAT, DCT, GOVCAT, RDF, RDFS, SKOS, SPDX, VCARD, XSD = (
    Terms(namespace) for namespace in (CSVW, DCAT, DCT, GOVCAT, RDF, RDFS, SKOS, SPDX, VCARD, XSD))
TIME = Terms(Namespace("http://www.w3.org/2006/time#"))
SCHEMA = Terms(Namespace("http://schema.org/"))
_NO_POSITION = 1 << 62
# What a distribution the page describes says about itself (one of them is enough).
_DESCRIBED_BY = (RDF.type, DCT.title, DCT.description, DCT.format, DCAT.mediaType, DCT.license, DCAT.byteSize)
# What tells blank-node parts apart, in a stable order.
_SAYS = (DCAT.accessURL, DCAT.downloadURL, DCAT.endpointURL, DCT.title, CSVW.name, DCT.format)


def _first(values):
    return next((value for value in values if value is not None), None)


class PartsReader:
    """The parts of one record (``self`` is a :class:`vocab.reading.Reader`)."""

    def positioned(self, nodes) -> list:
        """``nodes`` in their ``govcat:position`` order; nodes without one last, by IRI, and blank
        nodes by what they say (their labels change from one parse of the page to the next, and
        the document must not)."""
        graph = self.graph

        def key(node):
            position = _first(as_int(o) for o in graph.objects(node, GOVCAT.position))
            if position is not None or not isinstance(node, BNode):
                return (position if position is not None else _NO_POSITION, 0, str(node))
            return (_NO_POSITION, 1, "\x1f".join(sorted(str(o) for p in _SAYS for o in graph.objects(node, p))))
        return sorted(set(nodes), key=key)

    # -- data items ------------------------------------------------------------------------------
    def data_items(self) -> list:
        for schema in self.objects(self.s, DCT.conformsTo):
            columns = self.positioned(self.graph.objects(schema, CSVW.column))
            if columns:
                return [self.data_item(column) for column in columns]
        return []

    def data_item(self, column) -> dict:
        item: dict = {}
        name = self.plain(column, CSVW.name)
        if name is None:
            name = self.text(column, CSVW.title)
        if name is not None:
            item["name"] = name
        kind = _first(data_item_type_from_rdf(o) for o in self.graph.objects(column, GOVCAT.dataItemType))
        if kind is None:        # a column of another catalog: its XSD datatype says what it can
            kind = _first(datatype_from_rdf(o) for o in self.objects(column, CSVW.datatype))
        if kind is not None:
            item["type"] = kind
        length = _first(as_int(o) for o in self.objects(column, GOVCAT.length))
        if length is not None:
            item["length"] = length
        description = self.text(column, DCT.description)
        if description is not None:
            item["description"] = description
        return item

    # -- period, contact, licence ----------------------------------------------------------------
    def temporal(self, period) -> dict | None:
        found = {}
        for bound, predicates, instant in (("start", (DCAT.startDate, SCHEMA.startDate), TIME.hasBeginning),
                                           ("end", (DCAT.endDate, SCHEMA.endDate), TIME.hasEnd)):
            terms = [o for p in predicates for o in self.objects(period, p)]
            for node in self.objects(period, instant):
                terms += [o for p in (TIME.inXSDDate, TIME.inXSDDateTime, TIME.inXSDDateTimeStamp)
                          for o in self.objects(node, p)]
            day = _first(self.date(o, f"temporal.{bound}", bound) for o in terms)
            if day is not None:
                found[bound] = day
        if found.get("start") and found.get("end") and found["start"] > found["end"]:
            self.warn("temporal", "the period ends before it starts", f"{found['start']}/{found['end']}")
            return None
        return found or None

    def contact(self, node) -> dict | None:
        name = _either(self.plain(node, VCARD.fn), self.plain(node, VCARD["organization-name"]))
        email = _first(self._address(o, email_from_rdf) for o in self.objects(node, VCARD.hasEmail))
        phone = _first(self._address(o, phone_from_rdf) for o in self.objects(node, VCARD.hasTelephone))
        if name is None:
            if email or phone:
                self.warn("contact_point", "a contact point without a name (vcard:fn)", email or phone)
            return None
        contact = {"name": name}
        if email is not None:
            contact["email"] = email
        if phone is not None:
            contact["phone"] = phone
        return contact

    def _address(self, term, read) -> str | None:
        """A mailto:/tel: IRI or a literal, or a node whose ``vcard:hasValue`` is one."""
        if isinstance(term, Literal) or (isinstance(term, URIRef) and str(term)[:4].lower() in ("mail", "tel:")):
            return read(Literal(str(term).strip()) if isinstance(term, Literal) else term)
        return _first(read(value) for value in self.objects(term, VCARD.hasValue)
                      if not isinstance(value, BNode))

    def licence(self, term) -> str | None:
        if isinstance(term, Literal):
            text = str(term).strip()
            return license_from_rdf(URIRef(text)) if is_clean_iri(text) else text or None
        # A licence in words sits on a node of the resource's own, as its label.
        label = self.plain(term, RDFS.label) if self.own_node(term) else None
        if label is None and isinstance(term, BNode):
            label = _either(self.plain(term, DCT.title), self.plain(term, DCT.identifier))
        return license_from_rdf(term, label)

    # -- distributions and services --------------------------------------------------------------
    def distributions_and_services(self) -> tuple[list, list]:
        """The dataset's distributions and data services, each in its recorded order.

        A distribution that only leads to a data service (its access URL is the service's endpoint)
        is how DCAT links a service to a dataset; it stands for the service, not for a distribution.
        """
        graph, s = self.graph, self.s
        distributions, services = [], set(graph.subjects(DCAT.servesDataset, s))
        for node in graph.objects(s, DCAT.distribution):
            service_links = list(graph.objects(node, DCAT.accessService))
            access = set(graph.objects(node, DCAT.accessURL))
            if service_links and all(access == set(graph.objects(x, DCAT.endpointURL)) for x in service_links):
                services.update(service_links)
            else:
                distributions.append(node)
        return self.positioned(distributions), self.positioned(services)

    def distributions(self, nodes: list) -> list:
        found = []
        for node in nodes:
            item = self.distribution(node, f"distributions[{len(found)}]")
            if item.get("access_url"):
                found.append(item)
            elif not any((node, predicate, None) in self.graph for predicate in _DESCRIBED_BY):
                self.warn("distributions", "a distribution the page does not describe", node)
            else:
                self.warn("distributions", "a distribution without an access or download URL", node)
        return found

    def distribution(self, node, field: str) -> dict:
        item: dict = {}

        def put(name, value):
            if value is not None:
                item[name] = value

        put("title", self.text(node, DCT.title, f"{field}.title"))
        put("description", self.text(node, DCT.description, f"{field}.description"))
        download = self.first_url(node, DCAT.downloadURL, f"{field}.download_url")
        put("access_url", self.first_url(node, DCAT.accessURL, f"{field}.access_url") or download)
        put("download_url", download)
        formats, media_types = self.objects(node, DCT.format), self.objects(node, DCAT.mediaType)
        put("format", _either(_first(self._format(o) for o in formats),
                              _first(_format_of_media_type(o) for o in media_types)))
        put("media_type", _either(_first(self._media_type(o, True) for o in media_types),
                                  _first(self._media_type(o, False) for o in formats)))
        if formats and "format" not in item and "media_type" not in item:
            self.warn(f"{field}.format", "not a file type or media type govcat knows", formats[0])
        put("byte_size", _first(_byte_size(o) for o in self.objects(node, DCAT.byteSize)))
        put("license", _first(self.licence(o) for o in self.objects(node, DCT.license)))
        put("checksum", _first(self._checksum(o) for o in self.objects(node, SPDX.checksum)))
        return item

    def _format(self, term) -> str | None:
        """A ``dct:format``'s text: an EU file-type code, a word, or its node's label — not a media type."""
        term = iri_of(term)
        if isinstance(term, Literal):
            return _format_of_media_type(term)
        code = file_type_from_rdf(term)
        if code is not None or media_type_from_rdf(term) is not None:
            return code
        return _either(self.plain(term, RDFS.label), self.plain(term, SKOS.prefLabel), self.plain(term, DCT.title))

    def _media_type(self, term, labels: bool) -> str | None:
        """A media type: an IANA IRI, a literal, or a node's ``rdf:value`` (``dct:IMT``) — its label too
        when the node is a ``dcat:mediaType`` (a format node's label names the format)."""
        media_type = media_type_from_rdf(term)
        if media_type is not None or isinstance(term, Literal):
            return media_type
        predicates = (RDF.value, RDFS.label, SKOS.prefLabel) if labels else (RDF.value,)
        return _first(media_type_from_rdf(o) for p in predicates for o in self.objects(term, p)
                      if not isinstance(o, BNode))

    def _checksum(self, node) -> dict | None:
        algorithm = _first(checksum_algorithm_from_rdf(o) for o in self.objects(node, SPDX.algorithm))
        value = self.plain(node, SPDX.checksumValue)
        return {"algorithm": algorithm, "value": value} if algorithm and value else None

    def service(self, node, field: str) -> dict:
        service: dict = {}
        title = self.text(node, DCT.title, f"{field}.title")
        if title is not None:
            service["title"] = title
        endpoint = self.first_url(node, DCAT.endpointURL, f"{field}.endpoint_url")
        if endpoint is not None:
            service["endpoint_url"] = endpoint
        description = _either(_first(str(o) for o in self.objects(node, DCAT.endpointDescription)),
                              self.text(node, DCT.description))
        if description is not None:
            service["endpoint_description"] = description
        return service


def _byte_size(term) -> int | None:
    """A size as an integer, or as the decimal some catalogs write (``"4821133.0"^^xsd:decimal``)."""
    size = as_int(term)
    if size is None and isinstance(term, Literal):
        try:
            value = Decimal(str(term).strip())
        except ArithmeticError:
            return None
        # (exponent bounded: "1e999999999" must not become a billion-digit integer)
        size = int(value) if value.is_finite() and value.adjusted() < 20 and value == value.to_integral_value() \
            else None
    return size if size is None or size >= 0 else None


def iri_of(term):
    """An IRI written as a literal (plain or ``xsd:anyURI``) as the IRI it is; any other term as it is."""
    if isinstance(term, Literal) and str(term)[:8].lower().startswith(("http://", "https://")):
        text = str(term).strip()
        if is_clean_iri(text):
            return URIRef(text)
    return term


def _format_of_media_type(term) -> str | None:
    """The format a ``dcat:mediaType`` names when it is no media type: an EU file type or a word."""
    term = iri_of(term)
    if isinstance(term, Literal):
        text = str(term).strip()
        return text if text and media_type_from_rdf(term) is None else None
    return file_type_from_rdf(term)


def _either(*values):
    """The first value that is not ``None`` ("" is a value: a field may hold empty text)."""
    return _first(values)
