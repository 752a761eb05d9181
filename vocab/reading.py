"""Reading a resource's metadata document back from RDF: the reverse half of ``vocab.mapping``.

For govcat's own output the reading is exact (see ``mapping.canonical_metadata``).  It is also
tolerant, because the same code reads DCAT that other catalogs publish: a title without a
language tag, distributions and columns without ``govcat:position``, a licence or a format as a
literal, a publisher known only by its IRI.  Where several values compete for one field the
choice is deterministic (preferred language first, then the lexical order), so reading the
same graph twice gives the same document.
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from registry.codes import parse_resource_code
from vocab.iris import code_from_iri
from vocab.namespaces import CSVW, DCAT, DCT, GOVCAT, SKOS, SPDX, VCARD, Terms
from vocab.terms import as_int
from vocab.values import (
    checksum_algorithm_from_rdf, classification_from_rdf, data_item_type_from_rdf, datatype_from_rdf,
    email_from_rdf, file_type_from_rdf, format_class_from_rdf, frequency_from_rdf, language_from_rdf,
    license_from_rdf, media_type_from_rdf, open_type_from_rdf, phone_from_rdf, region_from_rdf,
    related_code_from_rdf, share_method_from_rdf, share_type_from_rdf, theme_from_rdf,
)

_NO_POSITION = 1 << 62


# Reading one harvested record looks a hundred terms up: resolve each once (see Terms).
CSVW, DCAT, DCT, GOVCAT, RDFS, SKOS, SPDX, VCARD, XSD = (
    Terms(namespace) for namespace in (CSVW, DCAT, DCT, GOVCAT, RDFS, SKOS, SPDX, VCARD, XSD))


def _objects(graph: Graph, subject, predicate) -> list:
    values = list(graph.objects(subject, predicate))
    if len(values) < 2:       # most properties have one value: nothing to order
        return values
    return sorted(values, key=_term_order)


def _term_order(term) -> tuple[str, str]:
    return type(term).__name__, str(term)


def _literal(graph: Graph, subject, predicate, lang: str | None = "zh") -> str | None:
    """The text of ``predicate``: the literal tagged ``lang`` (or a subtag of it) first.

    ``lang="zh"`` falls back to an untagged literal and then to any literal (a harvested title may
    be in any language); ``lang="en"`` reads English only; ``lang=None`` prefers untagged text.
    """
    literals = [o for o in _objects(graph, subject, predicate) if isinstance(o, Literal)]
    if not literals:
        return None

    def rank(literal: Literal) -> int:
        tag = (literal.language or "").lower()
        if lang is None:
            return 0 if not tag else 3
        if tag == lang:
            return 0
        if tag.startswith(lang + "-"):
            return 1
        return 2 if not tag else 3

    best = min(literals, key=rank)
    if lang == "en" and rank(best) > 1:
        return None
    return str(best)


def _first(values):
    return next((value for value in values if value is not None), None)


def _either(*values):
    """The first value that is not ``None`` ("" is a value: a field may hold empty text)."""
    return _first(values)


def _positioned(graph: Graph, nodes) -> list:
    """``nodes`` in their ``govcat:position`` order (nodes without one last, by IRI)."""
    def key(node):
        position = _first(as_int(o) for o in graph.objects(node, GOVCAT.position))
        return (position if position is not None else _NO_POSITION, str(node))
    return sorted(set(nodes), key=key)


def _date(term) -> str | None:
    text = str(term) if isinstance(term, Literal) else None
    return text[:10] if text and len(text) >= 10 and text[4] == "-" and text[7] == "-" else None


def read_resource(graph: Graph, s: URIRef) -> dict:
    """The metadata document of dataset ``s`` (empty lists and objects left out)."""
    doc: dict = {}

    def put(field, value):
        if value is not None and value != [] and value != {}:
            doc[field] = value

    put("title", _literal(graph, s, DCT.title))
    put("title_en", _literal(graph, s, DCT.title, "en"))
    put("description", _literal(graph, s, DCT.description))
    put("description_en", _literal(graph, s, DCT.description, "en"))
    themes = _objects(graph, s, DCAT.theme)
    put("classification", _first(_classification(graph, t) for t in themes))
    put("provider", _first(_provider(graph, p) for p in _objects(graph, s, DCT.publisher)))
    put("provider_unit", _literal(graph, s, GOVCAT.providerUnit))
    put("format_class", _first(format_class_from_rdf(o) for o in _objects(graph, s, GOVCAT.formatClass)))
    put("format_type", _literal(graph, s, GOVCAT.formatType, None))
    put("data_items", _data_items(graph, s))
    put("share_type", _first(share_type_from_rdf(o) for o in _objects(graph, s, GOVCAT.shareType)))
    put("share_conditions", _literal(graph, s, GOVCAT.shareConditions))
    put("share_basis", _literal(graph, s, GOVCAT.shareBasis))
    put("share_method", _first(share_method_from_rdf(o) for o in _objects(graph, s, GOVCAT.shareMethod)))
    put("open_type", _first(open_type_from_rdf(o) for o in _objects(graph, s, DCT.accessRights)))
    put("open_conditions", _literal(graph, s, GOVCAT.openConditions))
    put("update_frequency", _first(frequency_from_rdf(o) for o in _objects(graph, s, DCT.accrualPeriodicity)))
    put("issued", _first(_date(o) for o in _objects(graph, s, DCT.issued)))
    put("related_codes", sorted({c for c in (_related(o) for o in graph.objects(s, DCT.relation)) if c}))
    put("keywords", sorted({str(o) for o in graph.objects(s, DCAT.keyword) if isinstance(o, Literal)}))
    put("themes", sorted({c for c in (theme_from_rdf(t) for t in themes) if c}))
    put("spatial", _first(_region(graph, o) for o in _objects(graph, s, DCT.spatial)))
    put("temporal", _first(_temporal(graph, o) for o in _objects(graph, s, DCT.temporal)))
    put("contact_point", _first(_contact(graph, o) for o in _objects(graph, s, DCAT.contactPoint)))
    put("license", _first(_licence(graph, o, s) for o in _objects(graph, s, DCT.license)))
    put("language", sorted({c for c in (_language(graph, o) for o in graph.objects(s, DCT.language)) if c}))
    distributions, services = _distributions_and_services(graph, s)
    put("distributions", [_distribution(graph, d, s) for d in distributions])
    put("data_services", [_service(graph, d) for d in services])
    classified = _first(o.toPython() for o in _objects(graph, s, GOVCAT.classified)
                        if isinstance(o, Literal) and o.datatype == XSD.boolean)
    put("classified", classified if isinstance(classified, bool) else None)
    return doc


def _classification(graph: Graph, theme) -> str | None:
    notation = _literal(graph, theme, SKOS.notation, None)
    if notation and (theme, SKOS.inScheme, None) in graph and "/classification/" in str(theme):
        return notation
    return classification_from_rdf(theme)


def _provider(graph: Graph, publisher) -> str | None:
    code = _literal(graph, publisher, DCT.identifier, None)
    if code is not None:
        return code
    return code_from_iri("department", publisher)


def _data_items(graph: Graph, s) -> list:
    for schema in _objects(graph, s, DCT.conformsTo):
        columns = _positioned(graph, graph.objects(schema, CSVW.column))
        if columns:
            return [_data_item(graph, column) for column in columns]
    return []


def _data_item(graph: Graph, column) -> dict:
    item: dict = {}
    name = _either(_literal(graph, column, CSVW.name, None), _literal(graph, column, CSVW.title))
    if name is not None:
        item["name"] = name
    kind = _either(_first(data_item_type_from_rdf(o) for o in _objects(graph, column, GOVCAT.dataItemType)),
                   _first(datatype_from_rdf(o) for o in _objects(graph, column, CSVW.datatype)))
    if kind is not None:
        item["type"] = kind
    length = _first(as_int(o) for o in _objects(graph, column, GOVCAT.length))
    if length is not None:
        item["length"] = length
    description = _literal(graph, column, DCT.description)
    if description is not None:
        item["description"] = description
    return item


def _related(term) -> str | None:
    if isinstance(term, Literal):
        return str(term) if parse_resource_code(str(term)) else None
    return related_code_from_rdf(term)


def _region(graph: Graph, location) -> str | None:
    return _either(_literal(graph, location, DCT.identifier, None), region_from_rdf(location))


def _temporal(graph: Graph, period) -> dict | None:
    found = {}
    start = _first(_date(o) for o in _objects(graph, period, DCAT.startDate))
    end = _first(_date(o) for o in _objects(graph, period, DCAT.endDate))
    if start:
        found["start"] = start
    if end:
        found["end"] = end
    return found or None


def _contact(graph: Graph, node) -> dict | None:
    name = _either(_literal(graph, node, VCARD.fn, None), _literal(graph, node, VCARD["organization-name"], None))
    if name is None:
        return None
    contact = {"name": name}
    email = _first(email_from_rdf(o) for o in _objects(graph, node, VCARD.hasEmail))
    phone = _first(phone_from_rdf(o) for o in _objects(graph, node, VCARD.hasTelephone))
    if email is not None:
        contact["email"] = email
    if phone is not None:
        contact["phone"] = phone
    return contact


def _own_node(term, s) -> bool:
    """Whether ``term`` is a node the mapping coined for ``s`` (a part IRI, or a blank node)."""
    return isinstance(term, BNode) or str(term).startswith(str(s))


def _licence(graph: Graph, term, s) -> str | None:
    if isinstance(term, Literal):
        return str(term)
    # A licence in words sits on a node of the resource's own, as its label.
    label = _literal(graph, term, RDFS.label, None) if _own_node(term, s) else None
    return license_from_rdf(term, label)


def _language(graph: Graph, term) -> str | None:
    if isinstance(term, Literal):
        return str(term)
    return _either(language_from_rdf(term), _literal(graph, term, DCT.identifier, None))


def _distributions_and_services(graph: Graph, s) -> tuple[list, list]:
    """The dataset's distributions and data services, each in its recorded order.

    A distribution that only leads to a data service (its access URL is the service's endpoint)
    is how DCAT links a service to a dataset; it stands for the service, not for a distribution.
    """
    distributions, services = [], set(graph.subjects(DCAT.servesDataset, s))
    for node in graph.objects(s, DCAT.distribution):
        service_links = list(graph.objects(node, DCAT.accessService))
        access = set(graph.objects(node, DCAT.accessURL))
        if service_links and all(access == set(graph.objects(x, DCAT.endpointURL)) for x in service_links):
            services.update(service_links)
        else:
            distributions.append(node)
    return _positioned(graph, distributions), _positioned(graph, services)


def _distribution(graph: Graph, node, s) -> dict:
    item: dict = {}

    def put(field, value):
        if value is not None:
            item[field] = value

    put("title", _literal(graph, node, DCT.title))
    put("description", _literal(graph, node, DCT.description))
    put("access_url", _first(str(o) for o in _objects(graph, node, DCAT.accessURL) if isinstance(o, URIRef)))
    put("download_url", _first(str(o) for o in _objects(graph, node, DCAT.downloadURL) if isinstance(o, URIRef)))
    put("format", _first(_format(graph, o) for o in _objects(graph, node, DCT.format)))
    put("media_type", _first(media_type_from_rdf(o) for o in _objects(graph, node, DCAT.mediaType)))
    put("byte_size", _first(as_int(o) for o in _objects(graph, node, DCAT.byteSize)))
    put("license", _first(_licence(graph, o, s) for o in _objects(graph, node, DCT.license)))
    put("checksum", _first(_checksum(graph, o) for o in _objects(graph, node, SPDX.checksum)))
    return item


def _format(graph: Graph, term) -> str | None:
    if isinstance(term, Literal):
        return str(term)
    return _either(file_type_from_rdf(term), _literal(graph, term, RDFS.label, None),
                   _literal(graph, term, SKOS.prefLabel, None))


def _checksum(graph: Graph, node) -> dict | None:
    algorithm = _first(checksum_algorithm_from_rdf(o) for o in _objects(graph, node, SPDX.algorithm))
    value = _literal(graph, node, SPDX.checksumValue, None)
    return {"algorithm": algorithm, "value": value} if algorithm and value else None


def _service(graph: Graph, node) -> dict:
    service: dict = {}
    title = _literal(graph, node, DCT.title)
    if title is not None:
        service["title"] = title
    endpoint = _first(str(o) for o in _objects(graph, node, DCAT.endpointURL) if isinstance(o, URIRef))
    if endpoint is not None:
        service["endpoint_url"] = endpoint
    description = _either(_first(str(o) for o in _objects(graph, node, DCAT.endpointDescription)),
                          _literal(graph, node, DCT.description))
    if description is not None:
        service["endpoint_description"] = description
    return service
