"""A resource's metadata document ↔ DCAT-AP 3 RDF, losslessly, in a pair of functions.

``resource_to_rdf`` turns the document the registry stores (``normalize_metadata``'s output,
alone or inside ``resource_representation``'s envelope) into a ``dcat:Dataset`` with its
distributions, data services, table schema and contact point; ``resource_from_rdf`` reads the
document back.  For every valid document::

    resource_from_rdf(resource_to_rdf(doc, base=b, code=c), subject) == canonical_metadata(doc)

and ``canonical_metadata(doc) == doc`` unless ``doc`` holds one of the few things RDF cannot
tell apart (see :func:`canonical_metadata`).  Field by field, the mapping is the right column of
shared/docs/domain.md; the decisions it takes are in ``vocab/README.md``.

Triples are built as plain tuples of prebuilt terms (:func:`resource_triples`) — no parsing, no
per-triple lookups — so a caller can add them to a graph (:func:`add_resource`) or write them
out directly when streaming a whole catalog.  A field whose value is malformed is dropped with a
logged warning; it never costs the rest of the record.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdflib_namespace

from vocab import iris, namespaces
from vocab.canonical import EN, SET_VALUED, TEXT_LANGUAGES, ZH, canonical_metadata  # noqa: F401 (re-exported)
from vocab.namespaces import Terms, new_graph
from vocab.reading import read_resource
from vocab.terms import (
    clean_text, date_literal, date_time_literal, integer_literal, is_clean_iri, safe_iri, text_literal,
)
from vocab.values import (
    checksum_algorithm_to_rdf, classification_to_rdf, data_item_type_to_rdf, datatype_to_rdf, email_to_rdf,
    file_type_to_rdf, format_class_to_rdf, frequency_to_rdf, language_is_eu, language_to_rdf, license_to_rdf,
    media_type_to_rdf, open_type_to_rdf, phone_to_rdf, region_to_rdf, related_code_to_rdf, share_method_to_rdf,
    share_type_to_rdf, theme_to_rdf,
)

log = logging.getLogger(__name__)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")     # what an RDF literal's tag may be

# Terms resolved once (see namespaces.Terms): this module runs for every resource of a dump.
ADMS, CSVW, DCAT, DCT, FOAF, GOVCAT, SKOS, SPDX, VCARD = (Terms(getattr(namespaces, name)) for name in (
    "ADMS", "CSVW", "DCAT", "DCT", "FOAF", "GOVCAT", "SKOS", "SPDX", "VCARD"))
RDF, RDFS, XSD = (Terms(getattr(rdflib_namespace, name)) for name in ("RDF", "RDFS", "XSD"))
TRUE, FALSE = Literal(True), Literal(False)


@lru_cache(maxsize=4096)
def _position(position: int) -> Literal:
    return Literal(str(position), datatype=XSD.positiveInteger)


class _Triples:
    """The triples of one resource, collected before anything touches a graph."""

    def __init__(self):
        self.triples: list[tuple] = []

    def add(self, subject, predicate, obj) -> None:
        if obj is not None:
            self.triples.append((subject, predicate, obj))

    def text(self, subject, predicate, value, lang: str | None = ZH) -> None:
        if value is not None:
            self.add(subject, predicate, text_literal(value, lang))


def _as_list(value, field: str) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    log.warning("dropped %s: a list is expected, not %s", field, type(value).__name__)
    return []


def _as_dict(value, field: str) -> dict:
    if isinstance(value, dict):
        return value
    if value is not None:
        log.warning("dropped %s: an object is expected, not %s", field, type(value).__name__)
    return {}


def _get(item, name):
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def split_envelope(resource: dict) -> tuple[dict, dict]:
    """``(metadata document, envelope)`` of a ``resource_representation`` (or of a bare document)."""
    doc = {k: val for k, val in resource.items() if k in METADATA_FIELDS}
    return doc, {k: val for k, val in resource.items() if k not in METADATA_FIELDS}


def resource_triples(resource: dict, *, base: str, code: str | None = None, subject: URIRef | None = None,
                     department=None, modified=None) -> tuple[URIRef, list[tuple]]:
    """The subject and the triples of one resource (see :func:`resource_to_rdf` for the arguments)."""
    if not isinstance(resource, dict):
        raise TypeError("a resource is a metadata document or its envelope (a dict)")
    base = iris.catalog_base(base)
    doc, envelope = split_envelope(resource)
    code = code or envelope.get("code")
    if subject is None:
        if not code:
            raise ValueError("a resource needs its code (or an explicit subject IRI) to be named")
        subject = iris.resource_iri(base, code)
    out = _Triples()
    out.add(subject, RDF.type, DCAT.Dataset)
    out.text(subject, DCT.identifier, code, None)
    out.add(subject, DCT.modified, date_time_literal(modified if modified is not None else envelope.get("modified")))
    publisher = department if department is not None else {"name": envelope.get("provider_name")}
    for field, write in _WRITERS:
        if field in doc:
            try:
                write(out, subject, base, doc[field], doc=doc, publisher=publisher)
            except Exception:  # one malformed field never costs the rest of the record
                log.warning("dropped field %s of resource %s", field, subject, exc_info=True)
    return subject, out.triples


def add_resource(graph: Graph, resource: dict, *, base: str, **options) -> URIRef:
    """Add one resource to ``graph`` (all of it or, when it cannot be named, nothing); return its IRI."""
    subject, triples = resource_triples(resource, base=base, **options)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return subject


def resource_to_rdf(resource: dict, *, base: str, code: str | None = None, subject: URIRef | None = None,
                    department=None, modified=None, graph: Graph | None = None) -> Graph:
    """The DCAT-AP graph of one resource.

    ``resource`` is a metadata document or ``resource_representation``'s envelope (whose ``code``,
    ``modified`` and ``provider_name`` are then used).  ``base`` is the catalog's base URL;
    ``code`` names the resource when the document carries none; ``department`` (a dict or
    object with ``name`` and ``name_en``) gives the publisher its names; ``modified`` (a
    datetime or ISO text) becomes ``dct:modified``.  Pass ``graph`` to add to an existing graph.
    """
    graph = new_graph() if graph is None else graph
    add_resource(graph, resource, base=base, code=code, subject=subject, department=department,
                 modified=modified)
    return graph


def resource_from_rdf(graph: Graph, subject, warnings: list | None = None) -> dict:
    """The metadata document of ``subject`` in ``graph``, as :func:`canonical_metadata` gives it.

    Pass a list as ``warnings`` to learn what was read but left out (``{"field", "reason", "value"}``).
    """
    return read_resource(graph, URIRef(subject) if not isinstance(subject, URIRef) else subject, warnings)


def text_language(doc: dict, field: str | None = "title") -> str | None:
    """The language tag ``field``'s text is written with: its ``*_lang`` (lower case), zh when absent,
    none (a plain literal) when "" — or when it is no language tag at all (no language is invented).

    ``field=None`` is for the texts without a language of their own (conditions, the provider's
    unit, the parts' titles and descriptions): zh in a Chinese record (no ``title_lang``); in a
    record whose title is in another language they are written untagged, because govcat cannot
    tell whether the source wrote them or an editor completing the record did."""
    tag = doc.get(TEXT_LANGUAGES[field or "title"])
    if tag is None:
        return ZH
    if field is None:
        return ZH if isinstance(tag, str) and tag.lower() == ZH else None
    return _language_tag(tag) if isinstance(tag, str) else None


@lru_cache(maxsize=256)
def _language_tag(tag: str) -> str | None:
    if tag and not _LANGUAGE_TAG.match(tag):
        log.warning("wrote text untagged: %r is not a language tag", tag[:40])
        return None
    return tag.lower() or None


# Writers: one per field of the document, in the order of the table in domain.md.
def _text_field(predicate, field=None):
    """A text in the language of ``field``, or (``None``) one without a language of its own."""
    def write(out, s, base, value, *, doc, **_):
        out.text(s, predicate, value, text_language(doc, field))
    return write


def _english(predicate, field):
    """An English translation; none when the text itself is English (two English titles would clash)."""
    def write(out, s, base, value, *, doc, **_):
        if text_language(doc, field) == EN:
            log.warning("dropped %s_en of %s: the %s itself is in English", field, s, field)
            return
        out.text(s, predicate, value, EN)
    return write


def _plain_field(predicate):
    def write(out, s, base, value, **_):
        out.text(s, predicate, value, None)
    return write


def _written_with_its_text(out, s, base, value, **_):
    """A ``*_lang`` field: written as the language tag of its text's literal."""


def _concept_field(predicate, to_rdf):
    def write(out, s, base, value, **_):
        term = to_rdf(value)
        if term is None:
            log.warning("dropped %s %r of %s: not a known value", predicate, str(value)[:40], s)
        out.add(s, predicate, term)
    return write


def _classification(out, s, base, value, **_):
    out.add(s, DCAT.theme, classification_to_rdf(base, value))


def _provider(out, s, base, value, *, publisher, **_):
    if not isinstance(value, str) or not value:
        return
    agent = iris.department_iri(base, value)
    out.add(s, DCT.publisher, agent)
    # Typed foaf:Agent too: DCAT-AP's range shapes check the class without reading FOAF's ontology.
    out.add(agent, RDF.type, FOAF.Organization)
    out.add(agent, RDF.type, FOAF.Agent)
    out.text(agent, DCT.identifier, value, None)
    out.text(agent, FOAF.name, _get(publisher or {}, "name"), ZH)
    out.text(agent, FOAF.name, _get(publisher or {}, "name_en"), EN)


def _data_items(out, s, base, value, *, doc, **_):
    lang = text_language(doc, None)
    items = _as_list(value, "data_items")
    if not items:
        return
    schema = iris.part_iri(s, "schema")
    out.add(s, DCT.conformsTo, schema)
    out.add(schema, RDF.type, CSVW.Schema)
    out.add(schema, RDF.type, DCT.Standard)  # DCAT-AP: what a dataset conforms to is a dct:Standard
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict):
            log.warning("dropped data item %d of %s: not an object", position, s)
            continue
        column = iris.part_iri(s, f"column-{position}")
        out.add(schema, CSVW.column, column)
        out.add(column, RDF.type, CSVW.Column)
        out.add(column, GOVCAT.position, _position(position))
        out.text(column, CSVW.name, item.get("name"), None)
        out.add(column, GOVCAT.dataItemType, data_item_type_to_rdf(item.get("type")))
        out.add(column, CSVW.datatype, datatype_to_rdf(item.get("type")))
        if "length" in item:
            out.add(column, GOVCAT.length, integer_literal(item["length"], XSD.positiveInteger, 1))
        out.text(column, DCT.description, item.get("description"), lang)


def _issued(out, s, base, value, **_):
    out.add(s, DCT.issued, date_literal(value))


def _related(out, s, base, value, **_):
    for code in _as_list(value, "related_codes"):
        out.add(s, DCT.relation, related_code_to_rdf(base, code))


def _keywords(out, s, base, value, *, doc, **_):
    lang = text_language(doc, "keywords")
    for keyword in _as_list(value, "keywords"):
        out.text(s, DCAT.keyword, keyword, lang)


def _themes(out, s, base, value, **_):
    for code in _as_list(value, "themes"):
        out.add(s, DCAT.theme, theme_to_rdf(code))


def _spatial(out, s, base, value, **_):
    region = region_to_rdf(base, value)
    if region is not None:
        out.add(s, DCT.spatial, region)
        out.add(region, RDF.type, DCT.Location)
        out.text(region, DCT.identifier, value, None)


def _temporal(out, s, base, value, **_):
    period = _as_dict(value, "temporal")
    if not period:
        return
    node = iris.part_iri(s, "temporal")
    out.add(s, DCT.temporal, node)
    out.add(node, RDF.type, DCT.PeriodOfTime)
    if "start" in period:
        out.add(node, DCAT.startDate, date_literal(period["start"]))
    if "end" in period:
        out.add(node, DCAT.endDate, date_literal(period["end"]))


def _contact_point(out, s, base, value, **_):
    contact = _as_dict(value, "contact_point")
    if not contact:
        return
    node = iris.part_iri(s, "contact-point")
    out.add(s, DCAT.contactPoint, node)
    out.add(node, RDF.type, VCARD.Kind)
    out.text(node, VCARD.fn, contact.get("name"), None)
    out.add(node, VCARD.hasEmail, email_to_rdf(clean_text(contact.get("email"))))
    out.add(node, VCARD.hasTelephone, phone_to_rdf(clean_text(contact.get("phone"))))


def _licence(out, s, text, part: str):
    """The ``dct:license`` object: a known licence or an address as an IRI, other text as a labelled node."""
    text = clean_text(text)
    if text is None:
        return None
    term = license_to_rdf(text)
    if term is None:
        term = iris.part_iri(s, part)
        out.add(term, RDF.type, DCT.LicenseDocument)
        out.add(term, RDFS.label, Literal(text))
    return term


def _dataset_licence(out, s, base, value, **_):
    out.add(s, DCT.license, _licence(out, s, value, "license"))


def _languages(out, s, base, value, **_):
    for tag in _as_list(value, "language"):
        term = language_to_rdf(tag)
        out.add(s, DCT.language, term)
        if term is not None and not language_is_eu(term):  # EU languages are described in the schemes
            out.add(term, RDF.type, DCT.LinguisticSystem)
            out.text(term, DCT.identifier, tag, None)


def _distributions(out, s, base, value, *, doc, **_):
    lang = text_language(doc, None)
    for position, item in enumerate(_as_list(value, "distributions"), 1):
        if not isinstance(item, dict):
            log.warning("dropped distribution %d of %s: not an object", position, s)
            continue
        name = f"distribution-{position}"
        node = iris.part_iri(s, name)
        out.add(s, DCAT.distribution, node)
        out.add(node, RDF.type, DCAT.Distribution)
        out.add(node, GOVCAT.position, _position(position))
        out.text(node, DCT.title, item.get("title"), lang)
        out.text(node, DCT.description, item.get("description"), lang)
        out.add(node, DCAT.accessURL, safe_iri(item.get("access_url"), what="access URL"))
        if "download_url" in item:
            out.add(node, DCAT.downloadURL, safe_iri(item["download_url"], what="download URL"))
        if "format" in item:
            _format(out, s, node, item["format"], f"{name}-format")
        media_type = media_type_to_rdf(item.get("media_type"))
        if media_type is not None:
            out.add(node, DCAT.mediaType, media_type)
            out.add(media_type, RDF.type, DCT.MediaType)
        if "byte_size" in item:
            out.add(node, DCAT.byteSize, integer_literal(item["byte_size"], XSD.nonNegativeInteger, 0))
        if "license" in item:
            out.add(node, DCT.license, _licence(out, s, item["license"], f"{name}-license"))
        if "checksum" in item:
            _checksum(out, s, node, _as_dict(item["checksum"], "checksum"), f"{name}-checksum")


def _format(out, s, node, text, part: str) -> None:
    text = clean_text(text)
    if text is None:
        return
    term = file_type_to_rdf(text)
    if term is None:  # not an EU file-type code: keep the text on a node of its own
        term = iris.part_iri(s, part)
        out.add(term, RDF.type, DCT.MediaTypeOrExtent)
        out.add(term, RDFS.label, Literal(text))
    out.add(node, DCT.format, term)


def _checksum(out, s, node, checksum: dict, part: str) -> None:
    algorithm, value = checksum_algorithm_to_rdf(checksum.get("algorithm")), clean_text(checksum.get("value"))
    if algorithm is None or not value:
        log.warning("dropped checksum of %s: algorithm or value missing or unknown", node)
        return
    term = iris.part_iri(s, part)
    out.add(node, SPDX.checksum, term)
    out.add(term, RDF.type, SPDX.Checksum)
    out.add(term, SPDX.algorithm, algorithm)
    # xsd:hexBinary (as DCAT-AP requires) when the value is hexBinary; else kept as plain text.
    hex_binary = len(value) % 2 == 0 and all(ch in "0123456789abcdefABCDEF" for ch in value)
    out.add(term, SPDX.checksumValue, Literal(value.lower(), datatype=XSD.hexBinary) if hex_binary
            else Literal(value))


def _data_services(out, s, base, value, *, doc, **_):
    lang = text_language(doc, None)
    for position, item in enumerate(_as_list(value, "data_services"), 1):
        if not isinstance(item, dict):
            log.warning("dropped data service %d of %s: not an object", position, s)
            continue
        service = iris.part_iri(s, f"service-{position}")
        out.add(service, RDF.type, DCAT.DataService)
        out.add(service, GOVCAT.position, _position(position))
        out.text(service, DCT.title, item.get("title"), lang)
        endpoint = safe_iri(item.get("endpoint_url"), what="endpoint URL")
        out.add(service, DCAT.endpointURL, endpoint)
        out.add(service, DCAT.servesDataset, s)
        description = item.get("endpoint_description")
        if isinstance(description, str) and is_clean_iri(description):
            out.add(service, DCAT.endpointDescription, URIRef(description))
        else:  # a description in words, not a document's address
            out.text(service, DCT.description, description, lang)
        # DCAT reaches a service through a distribution: one per service, whose access URL is the
        # endpoint.  Reading back, such a distribution is recognised and not listed as a distribution.
        access = iris.part_iri(s, f"service-{position}-distribution")
        out.add(s, DCAT.distribution, access)
        out.add(access, RDF.type, DCAT.Distribution)
        out.add(access, DCAT.accessURL, endpoint)
        out.add(access, DCAT.accessService, service)


def _landing_page(out, s, base, value, **_):
    page = safe_iri(value, what="landing page")
    if page is not None:
        out.add(s, DCAT.landingPage, page)
        out.add(page, RDF.type, FOAF.Document)


def _original_publisher(out, s, base, value, **_):
    """The publisher the record names at its source: ``dct:creator``, a ``foaf:Agent`` with its name
    (the catalog's provider stays ``dct:publisher``)."""
    agent = _as_dict(value, "original_publisher")
    name = clean_text(agent.get("name"))
    if not name:
        return
    node = safe_iri(agent["uri"], what="publisher IRI") if agent.get("uri") is not None else None
    node = node if node is not None else iris.part_iri(s, "creator")
    out.add(s, DCT.creator, node)
    out.add(node, RDF.type, FOAF.Agent)
    out.text(node, FOAF.name, name, None)


def _other_identifiers(out, s, base, value, **_):
    texts = sorted({text for text in (clean_text(v) for v in _as_list(value, "other_identifiers")) if text})
    for position, text in enumerate(texts, 1):
        node = iris.part_iri(s, f"identifier-{position}")
        out.add(s, ADMS.identifier, node)
        out.add(node, RDF.type, ADMS.Identifier)
        out.text(node, SKOS.notation, text, None)


def _classified(out, s, base, value, **_):
    if isinstance(value, bool):
        out.add(s, GOVCAT.classified, TRUE if value else FALSE)


_WRITERS = [
    ("title", _text_field(DCT.title, "title")),
    ("title_lang", _written_with_its_text),
    ("title_en", _english(DCT.title, "title")),
    ("description", _text_field(DCT.description, "description")),
    ("description_lang", _written_with_its_text),
    ("description_en", _english(DCT.description, "description")),
    ("landing_page", _landing_page),
    ("original_publisher", _original_publisher),
    ("other_identifiers", _other_identifiers),
    ("classification", _classification),
    ("provider", _provider),
    ("provider_unit", _text_field(GOVCAT.providerUnit)),
    ("format_class", _concept_field(GOVCAT.formatClass, format_class_to_rdf)),
    ("format_type", _plain_field(GOVCAT.formatType)),
    ("data_items", _data_items),
    ("share_type", _concept_field(GOVCAT.shareType, share_type_to_rdf)),
    ("share_conditions", _text_field(GOVCAT.shareConditions)),
    ("share_basis", _text_field(GOVCAT.shareBasis)),
    ("share_method", _concept_field(GOVCAT.shareMethod, share_method_to_rdf)),
    ("open_type", _concept_field(DCT.accessRights, open_type_to_rdf)),
    ("open_conditions", _text_field(GOVCAT.openConditions)),
    ("update_frequency", _concept_field(DCT.accrualPeriodicity, frequency_to_rdf)),
    ("issued", _issued),
    ("related_codes", _related),
    ("keywords", _keywords),
    ("keywords_lang", _written_with_its_text),
    ("themes", _themes),
    ("spatial", _spatial),
    ("temporal", _temporal),
    ("contact_point", _contact_point),
    ("license", _dataset_licence),
    ("language", _languages),
    ("distributions", _distributions),
    ("data_services", _data_services),
    ("classified", _classified),
]
MAPPED_FIELDS = frozenset(field for field, _ in _WRITERS)
# The metadata fields of a stored document: exactly those the mapping writes (a test holds them equal to
# the resource schema's fields, so a field added to one and not the other fails it).
METADATA_FIELDS = MAPPED_FIELDS
