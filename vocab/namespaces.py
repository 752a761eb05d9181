"""Every RDF namespace govcat speaks, declared once, and the one namespace manager.

Mappings, shapes, the JSON-LD context and the endpoints all take their prefixes from here, so
a prefix means the same thing in every serialisation govcat publishes.  ``GOVCAT`` is closed:
a misspelt govcat term fails at import time instead of producing an undeclared IRI, and
``tests/vocab`` checks that the closed list and ``govcat.ttl`` declare the same terms.
"""
from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import CSVW, DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD, ClosedNamespace, \
    NamespaceManager

# rdflib's own definitions where it has them: a plain Namespace is a str, so DCT.title or
# DCT.format would be the str methods, not the terms.  The others are safe as plain namespaces.
DCT = DCTERMS
DCATAP = Namespace("http://data.europa.eu/r5r/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VANN = Namespace("http://purl.org/vocab/vann/")

# The EU Publications Office authority tables (named authority lists) DCAT-AP recommends.
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
EU_FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
EU_ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
EU_DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
EU_LANGUAGE = Namespace(EU_AUTHORITY + "language/")
EU_LICENCE = Namespace(EU_AUTHORITY + "licence/")

# IANA media types as IRIs: the DCAT-AP recommended form of dcat:mediaType.
IANA_MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")

# govcat's own vocabulary (govcat.ttl): the ontology document and its namespace.
GOVCAT_BASE = "https://w3id.org/govcat/"
GOVCAT_ONTOLOGY = GOVCAT_BASE + "ns"
GOVCAT_TERMS = (
    "providerUnit", "formatClass", "formatType", "shareType", "shareConditions", "shareBasis",
    "shareMethod", "openConditions", "dataItemType", "length", "position", "classified",
    "checksumAlgorithm_sm3",
)
GOVCAT = ClosedNamespace(GOVCAT_ONTOLOGY + "#", GOVCAT_TERMS)

PREFIXES = {
    "dcat": DCAT, "dct": DCT, "dcatap": DCATAP, "foaf": FOAF, "vcard": VCARD, "skos": SKOS,
    "csvw": CSVW, "adms": ADMS, "spdx": SPDX, "prov": PROV, "hydra": HYDRA, "locn": LOCN,
    "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "sh": SH, "vann": VANN,
    "eufreq": EU_FREQUENCY, "eufiletype": EU_FILE_TYPE, "euaccess": EU_ACCESS_RIGHT,
    "eutheme": EU_DATA_THEME, "eulang": EU_LANGUAGE, "eulicence": EU_LICENCE, "iana": IANA_MEDIA_TYPE,
    "govcat": Namespace(GOVCAT_ONTOLOGY + "#"),
}


class Terms:
    """A namespace's terms as plain attributes, each resolved on first use.

    rdflib resolves ``DCT.title`` through a metaclass method on every access; the mapping looks
    terms up millions of times when a whole catalog is written, so it reads them through this.
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            term = self._namespace[name]
        except (KeyError, ValueError) as error:
            raise AttributeError(f"{name} is not a term of {self._namespace}") from error
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        return getattr(self, name)


def bind_namespaces(graph: Graph) -> Graph:
    """Bind govcat's prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def namespace_manager() -> NamespaceManager:
    """A namespace manager with exactly govcat's prefixes, for graphs built elsewhere."""
    manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        manager.bind(prefix, namespace, override=True, replace=True)
    return manager


def new_graph() -> Graph:
    """An empty graph with govcat's prefixes and none of rdflib's defaults."""
    return bind_namespaces(Graph(bind_namespaces="none"))
