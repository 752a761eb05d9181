"""The concept schemes govcat's RDF points into, and the EU authority-table subsets it maps to.

A resource's graph names concepts by IRI only (its classification node, its sharing type, its
EU frequency …); what a concept *is* — its type, its labels in Chinese and English, its place in
a scheme — is described once, here, in the graph :func:`concept_schemes_graph` builds.  The
catalog publishes that graph beside its datasets, and validation reads it with them: DCAT-AP's
range shapes want ``dct:accrualPeriodicity`` to be a ``dct:Frequency``, a theme to be a
``skos:Concept`` with a label, and so on.

The schemes come from :mod:`vocab.enumerations` (the one definition of every enumeration),
branch 3 of the classification tree from the departments, and the EU subsets from the tables
below, which also drive the value mappings in :mod:`vocab.values`.
"""
from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from vocab import enumerations as v
from vocab import iris
from vocab.namespaces import (
    DCT, EU_ACCESS_RIGHT, EU_AUTHORITY, EU_DATA_THEME, EU_FILE_TYPE, EU_FREQUENCY, EU_LANGUAGE, EU_LICENCE,
    GOVCAT, SKOS, SPDX, new_graph,
)

# update_frequency → EU frequency code.
FREQUENCY_CODES = {
    "realtime": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
    "semiannual": "BIANNUAL", "annual": "ANNUAL", "irregular": "IRREG",
}
# open_type → EU access-right code, with the EU table's English labels and our Chinese ones.
ACCESS_RIGHT_CODES = {"unconditional": "PUBLIC", "conditional": "RESTRICTED", "none": "NON_PUBLIC"}
ACCESS_RIGHT_LABELS = {"PUBLIC": ("公开", "public"), "RESTRICTED": ("受限", "restricted"),
                       "NON_PUBLIC": ("非公开", "non-public")}

# Distribution ``format`` text → EU file-type code.  Only exact texts map (the forms and the demo
# write the EU codes); any other text is kept as a labelled dct:MediaTypeOrExtent node, so the
# mapping stays reversible.  The table is one-to-one: "MP4" is the EU table's MPEG4.
FILE_TYPE_CODES = {code: code for code in (
    "CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "JSON_LD", "XML", "GEOJSON", "GML", "KML", "KMZ", "SHP", "GPKG",
    "PDF", "DOCX", "DOC", "ODT", "TXT", "HTML", "RTF", "JPEG", "PNG", "GIF", "TIFF", "GEOTIFF", "SVG",
    "ZIP", "GZIP", "TAR", "7Z", "RAR", "RDF_TURTLE", "RDF_XML", "RDF_N_TRIPLES", "SQL", "DBF", "MDB",
    "MP3", "WAV", "MOV", "WMS_SRVC", "WFS_SRVC", "WMTS_SRVC", "WCS_SRVC", "PARQUET", "YAML", "EPUB",
)} | {"MP4": "MPEG4"}
FILE_TYPE_TEXTS = {code: text for text, code in FILE_TYPE_CODES.items()}
# EU file types read as the EU portal's metadata quality assessment reads them: machine-readable
# (structured data a program can process without a person) and non-proprietary (an open
# specification anyone may implement).  Used by the quality score (registry/quality).
MACHINE_READABLE_FILE_TYPES = frozenset({
    "CSV", "TSV", "XLSX", "XLS", "ODS", "JSON", "JSON_LD", "XML", "GEOJSON", "GML", "KML", "KMZ", "SHP", "GPKG",
    "GEOTIFF", "RDF_TURTLE", "RDF_XML", "RDF_N_TRIPLES", "SQL", "DBF", "MDB", "PARQUET", "YAML",
    "WMS_SRVC", "WFS_SRVC", "WMTS_SRVC", "WCS_SRVC"})
NON_PROPRIETARY_FILE_TYPES = frozenset({
    "CSV", "TSV", "ODS", "JSON", "JSON_LD", "XML", "GEOJSON", "GML", "KML", "KMZ", "GPKG", "GEOTIFF",
    "RDF_TURTLE", "RDF_XML", "RDF_N_TRIPLES", "SQL", "PARQUET", "YAML", "PDF", "ODT", "TXT", "HTML", "PNG",
    "SVG", "ZIP", "GZIP", "TAR", "7Z", "EPUB", "WMS_SRVC", "WFS_SRVC", "WMTS_SRVC", "WCS_SRVC"})

# ISO 639-1 language code (the ``language`` field) → EU language code, with labels.
LANGUAGE_CODES = {
    "zh": ("ZHO", "中文", "Chinese"), "en": ("ENG", "英语", "English"), "fr": ("FRA", "法语", "French"),
    "de": ("DEU", "德语", "German"), "es": ("SPA", "西班牙语", "Spanish"), "ru": ("RUS", "俄语", "Russian"),
    "ar": ("ARA", "阿拉伯语", "Arabic"), "ja": ("JPN", "日语", "Japanese"), "ko": ("KOR", "韩语", "Korean"),
    "pt": ("POR", "葡萄牙语", "Portuguese"), "it": ("ITA", "意大利语", "Italian"), "nl": ("NLD", "荷兰语", "Dutch"),
}

# Licence identifiers (SPDX-style, as the forms and the demo write them) → EU licence code, with
# the licence's own address (published as skos:exactMatch) and its English name.
LICENCE_CODES = {
    "CC-BY-4.0": ("CC_BY_4_0", "https://creativecommons.org/licenses/by/4.0/",
                  "Creative Commons Attribution 4.0 International"),
    "CC-BY-SA-4.0": ("CC_BYSA_4_0", "https://creativecommons.org/licenses/by-sa/4.0/",
                     "Creative Commons Attribution-ShareAlike 4.0 International"),
    "CC-BY-NC-4.0": ("CC_BYNC_4_0", "https://creativecommons.org/licenses/by-nc/4.0/",
                     "Creative Commons Attribution-NonCommercial 4.0 International"),
    "CC-BY-ND-4.0": ("CC_BYND_4_0", "https://creativecommons.org/licenses/by-nd/4.0/",
                     "Creative Commons Attribution-NoDerivs 4.0 International"),
    "CC-BY-NC-SA-4.0": ("CC_BYNCSA_4_0", "https://creativecommons.org/licenses/by-nc-sa/4.0/",
                        "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International"),
    "CC-BY-NC-ND-4.0": ("CC_BYNCND_4_0", "https://creativecommons.org/licenses/by-nc-nd/4.0/",
                        "Creative Commons Attribution-NonCommercial-NoDerivs 4.0 International"),
    "CC0-1.0": ("CC0", "https://creativecommons.org/publicdomain/zero/1.0/", "Creative Commons CC0 1.0 Universal"),
    "ODC-By-1.0": ("ODC_BY", "https://opendatacommons.org/licenses/by/1-0/",
                   "Open Data Commons Attribution License 1.0"),
    "ODbL-1.0": ("ODC_BL", "https://opendatacommons.org/licenses/odbl/1-0/",
                 "Open Data Commons Open Database License 1.0"),
    "PDDL-1.0": ("ODC_PDDL", "https://opendatacommons.org/licenses/pddl/1-0/",
                 "Open Data Commons Public Domain Dedication and License 1.0"),
}

# Checksum algorithms: SPDX individuals, and govcat's own for SM3 (GB/T 32905), which SPDX lacks.
CHECKSUM_ALGORITHMS = {
    "sha256": SPDX.checksumAlgorithm_sha256, "sha512": SPDX.checksumAlgorithm_sha512,
    "sha1": SPDX.checksumAlgorithm_sha1, "md5": SPDX.checksumAlgorithm_md5, "sm3": GOVCAT.checksumAlgorithm_sm3,
}

EU_SCHEMES = {  # the EU tables used, with the titles their scheme nodes carry here
    "frequency": ("更新频率（欧盟权威表）", "Frequency (EU authority table)"),
    "access-right": ("访问权限（欧盟权威表）", "Access right (EU authority table)"),
    "data-theme": ("数据主题（欧盟权威表）", "Data theme (EU authority table)"),
    "file-type": ("文件类型（欧盟权威表）", "File type (EU authority table)"),
    "language": ("语言（欧盟权威表）", "Language (EU authority table)"),
    "licence": ("许可协议（欧盟权威表）", "Licence (EU authority table)"),
}


def _labels(graph: Graph, node, zh: str | None, en: str | None, predicate=SKOS.prefLabel) -> None:
    if zh:
        graph.add((node, predicate, Literal(zh, lang="zh")))
    if en:
        graph.add((node, predicate, Literal(en, lang="en")))


def _scheme(graph: Graph, scheme: URIRef, zh: str, en: str) -> None:
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    _labels(graph, scheme, zh, en, DCT.title)  # DCAT-AP wants dct:title on a concept scheme
    _labels(graph, scheme, zh, en)


def _concept(graph: Graph, scheme: URIRef, concept: URIRef, notation: str, zh: str | None, en: str | None,
             *types: URIRef) -> None:
    graph.add((concept, RDF.type, SKOS.Concept))
    for kind in types:
        graph.add((concept, RDF.type, kind))
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, concept))
    graph.add((concept, SKOS.notation, Literal(notation)))
    _labels(graph, concept, zh, en)


def add_govcat_schemes(graph: Graph) -> None:
    """The schemes of the national enumerations: sharing type and method, opening, formats, data types."""
    for name in iris.GOVCAT_SCHEMES:
        enumeration = v.ENUMERATIONS[name]
        scheme = iris.govcat_scheme_iri(name)
        _scheme(graph, scheme, enumeration.zh, enumeration.en)
        for term in enumeration:
            concept = iris.govcat_concept_iri(name, term.key)
            _concept(graph, scheme, concept, term.key, term.zh, term.en)
            if name == "open_type":
                graph.add((concept, SKOS.exactMatch, EU_ACCESS_RIGHT[ACCESS_RIGHT_CODES[term.key]]))


def add_eu_subsets(graph: Graph) -> None:
    """The EU authority-table concepts govcat maps to, typed as DCAT-AP's ranges expect."""
    schemes = {name: URIRef(EU_AUTHORITY + name) for name in EU_SCHEMES}
    for name, (zh, en) in EU_SCHEMES.items():
        _scheme(graph, schemes[name], zh, en)
    for key, code in FREQUENCY_CODES.items():
        term = v.UPDATE_FREQUENCIES[key]
        _concept(graph, schemes["frequency"], EU_FREQUENCY[code], code, term.zh, term.en, DCT.Frequency)
    for code, (zh, en) in ACCESS_RIGHT_LABELS.items():
        _concept(graph, schemes["access-right"], EU_ACCESS_RIGHT[code], code, zh, en, DCT.RightsStatement)
    for term in v.EU_THEMES:
        _concept(graph, schemes["data-theme"], EU_DATA_THEME[term.key], term.key, term.zh, term.en)
    for code in FILE_TYPE_TEXTS:
        _concept(graph, schemes["file-type"], EU_FILE_TYPE[code], code, None, code, DCT.MediaTypeOrExtent)
    for code, zh, en in LANGUAGE_CODES.values():
        _concept(graph, schemes["language"], EU_LANGUAGE[code], code, zh, en, DCT.LinguisticSystem)
    for code, same_as, en in LICENCE_CODES.values():
        node = EU_LICENCE[code]
        _concept(graph, schemes["licence"], node, code, None, en, DCT.LicenseDocument)
        graph.add((node, SKOS.exactMatch, URIRef(same_as)))
    for key, algorithm in CHECKSUM_ALGORITHMS.items():
        graph.add((algorithm, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((algorithm, RDFS.label, Literal(key.upper())))


def _get(item, *names):
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value is not None:
            return value
    return None


def classification_nodes(departments=()) -> list[tuple[str, str | None, str, str | None]]:
    """``(code, parent code, zh, en)`` of every node: the fixed branches, then one per department.

    ``departments`` are dicts or objects with a classification code (``branch_code`` or ``code``),
    names (``name``, ``name_en``) and a parent: ``parent_code``, or ``parent`` given as the parent
    department's credit code or object.  Classification nodes from the database fit as they are.
    """
    nodes = [(n.code, n.parent_code, n.zh, n.en) for n in v.FIXED_CLASSIFICATION]
    fixed = {n.code for n in v.FIXED_CLASSIFICATION}
    branch_of = {_get(d, "credit_code"): _get(d, "branch_code", "code") for d in departments}
    for department in departments:
        code = _get(department, "branch_code", "code")
        if not code or code in fixed:
            continue
        parent = _get(department, "parent_code")
        if parent is None:
            reference = _get(department, "parent")
            parent = branch_of.get(reference) if isinstance(reference, str) else _get(reference or {}, "branch_code")
        nodes.append((code, parent or v.classification_parent(code), _get(department, "name"),
                      _get(department, "name_en")))
    return nodes


def add_classification_scheme(graph: Graph, base: str, departments=()) -> URIRef:
    """The classification tree (信息资源分类) as a SKOS scheme under the catalog's base URL."""
    base = iris.catalog_base(base)
    scheme = iris.classification_scheme_iri(base)
    _scheme(graph, scheme, "信息资源分类", "Information resource classification")
    for code, parent, zh, en in classification_nodes(departments):
        concept = iris.classification_iri(base, code)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(code)))
        _labels(graph, concept, zh or code, en)
        if parent is None:
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
        else:
            parent_iri = iris.classification_iri(base, parent)
            graph.add((concept, SKOS.broader, parent_iri))
            graph.add((parent_iri, SKOS.narrower, concept))
    return scheme


def concept_schemes_graph(base: str, departments=()) -> Graph:
    """Every concept scheme govcat's resource graphs point into, as one graph (see module doc)."""
    graph = new_graph()
    add_govcat_schemes(graph)
    add_classification_scheme(graph, base, departments)
    add_eu_subsets(graph)
    return graph


def add_used_concepts(graph: Graph, schemes: Graph) -> int:
    """Copy into ``graph`` the description (from ``schemes``) of every concept ``graph`` points to.

    A single resource served on its own then carries the labels of its classification, sharing
    type, frequency …; returns how many concepts were described.
    """
    used = {o for o in graph.objects() if isinstance(o, URIRef) and (o, RDF.type, None) in schemes}
    for concept in used:
        for triple in schemes.triples((concept, None, None)):
            if triple[1] not in (SKOS.topConceptOf, SKOS.narrower):
                graph.add(triple)
    return len(used)
