"""Reading a resource's metadata document back from RDF: the reverse half of ``vocab.mapping``.

For govcat's own output the reading is exact (see ``mapping.canonical_metadata``).  It is also
tolerant, because the same code reads the DCAT that other catalogs publish: titles in German or
Spanish (their language is kept in ``title_lang``…), URLs written as IRIs, plain literals or
``xsd:anyURI`` literals, distributions with only a download URL, publishers that are not govcat
departments, EU and Dublin Core vocabularies, ISO 8601 durations, dates in national forms.  Where
several values compete for one field the choice is deterministic (the catalog's language, then the
record's own, then the lexical order), so reading the same graph twice gives the same document.

What is read but cannot be kept — a value in no form govcat knows, texts in a third language, a
distribution the page does not describe — is left out and, when the caller passes a ``warnings``
list, reported there as ``{"field", "reason", "value"}`` (the harvest pipeline's ``_warnings``).
Nothing is invented: a field the graph does not give stays absent.
"""
from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, XSD

from vocab.codes import parse_resource_code
from vocab.dates import date_problem, iso_date
from vocab.iris import code_from_iri
from vocab.namespaces import ADMS, CSVW, DCAT, DCT, GOVCAT, SKOS, SPDX, VCARD, Terms
from vocab.reading_parts import PartsReader, iri_of
from vocab.terms import repair_iri
from vocab.values import (
    classification_from_rdf, format_class_from_rdf, frequency_from_rdf, language_from_rdf, open_type_from_rdf,
    region_from_rdf, related_code_from_rdf, share_method_from_rdf, share_type_from_rdf, theme_from_rdf,
)

_TIME = Namespace("http://www.w3.org/2006/time#")
_SCHEMA = Namespace("http://schema.org/")
# Reading one harvested record looks a hundred terms up: resolve each once (see Terms).
ADMS, CSVW, DCAT, DCT, FOAF, GOVCAT, RDF, RDFS, SKOS, SPDX, TIME, SCHEMA, VCARD, XSD = (
    Terms(namespace) for namespace in (ADMS, CSVW, DCAT, DCT, FOAF, GOVCAT, RDF, RDFS, SKOS, SPDX, _TIME,
                                       _SCHEMA, VCARD, XSD))
MAX_IDENTIFIERS = 20
# A credit code (统一社会信用代码): what makes a publisher one of govcat's departments.
_CREDIT_ALPHABET = frozenset("0123456789ABCDEFGHJKLMNPQRTUWXY")
_WEB = ("http://", "https://", "ftp://", "ftps://")
_DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")     # as the schema has it


def _is_credit_code(text: str) -> bool:
    return len(text) == 18 and text[2] in "12345678" and text[3:8].isdigit() and set(text) <= _CREDIT_ALPHABET


def _tag(literal: Literal) -> str:
    language = literal.language
    return language.lower() if language else ""


def _text_class(tag: str) -> int:
    """The order in which a text's language makes it the record's text: the catalog's language
    first, untagged text next, then any other language, English last (it has fields of its own)."""
    if tag == "zh":
        return 0
    if tag.startswith("zh-"):
        return 1
    if not tag:
        return 2
    if tag == "en":
        return 5
    return 4 if tag.startswith("en-") else 3


def _web_text(text: str) -> str | None:
    text = text.strip()
    return repair_iri(text) if text[:8].lower().startswith(_WEB) else None


class Reader(PartsReader):
    """One record's reading: the graph, the dataset, the language of its texts and the warnings."""

    def __init__(self, graph: Graph, s: URIRef, warnings: list | None):
        self.graph, self.s, self.warnings = graph, s, warnings
        self.lang = "zh"        # the language of the record's texts: its title's

    # -- helpers ---------------------------------------------------------------------------------
    def warn(self, field: str, reason: str, value) -> None:
        if self.warnings is not None:
            self.warnings.append({"field": field, "reason": reason, "value": str(value)[:500]})

    def objects(self, subject, predicate) -> list:
        values = list(self.graph.objects(subject, predicate))
        if len(values) < 2:       # most properties have one value: nothing to order
            return values
        return sorted(values, key=_term_order)

    def literals(self, subject, predicate) -> list:
        return [o for o in self.objects(subject, predicate) if isinstance(o, Literal)]

    def text(self, subject, predicate, field: str | None = None) -> str | None:
        """The text of ``predicate`` in the record's language (else as :func:`_text_class` orders);
        texts in other languages are reported as left out when ``field`` names them."""
        literals = self.literals(subject, predicate)
        if len(literals) < 2:
            return str(literals[0]) if literals else None
        lang = self.lang
        best = min(literals, key=lambda o: (-1 if _tag(o) == lang else _text_class(_tag(o)), _tag(o), str(o)))
        if field is not None:
            self._left_out(field, [o for o in literals if o is not best])
        return str(best)

    def plain(self, subject, predicate) -> str | None:
        """A text that is not in a language (a name, a code): untagged first, then the record's language."""
        literals = self.literals(subject, predicate)
        if len(literals) < 2:
            return str(literals[0]) if literals else None
        lang = self.lang
        return str(min(literals, key=lambda o: (0 if not o.language else 1 if _tag(o) == lang else 2,
                                                _tag(o), str(o))))

    def _left_out(self, field: str, literals: list) -> None:
        if literals and self.warnings is not None:
            tags = sorted({_tag(o) or "untagged" for o in literals})
            self.warn(field, f"text in another language ({', '.join(tags)}) left out",
                      " | ".join(str(o) for o in literals))

    def url(self, term, field: str) -> str | None:
        """An address given as an IRI, a plain literal or an ``xsd:anyURI`` literal."""
        if isinstance(term, URIRef):
            return str(term)
        if isinstance(term, Literal):
            url = _web_text(str(term))
            if url is None:
                self.warn(field, "not an http(s) or ftp address", term)
            return url
        return None

    def first_url(self, subject, predicate, field: str) -> str | None:
        for term in self.objects(subject, predicate):
            url = self.url(term, field)
            if url is not None:
                return url
        return None

    def own_node(self, term) -> bool:
        """Whether ``term`` is a node the mapping coined for the dataset (a part IRI, or a blank node)."""
        return isinstance(term, BNode) or str(term).startswith(str(self.s))

    # -- the dataset -----------------------------------------------------------------------------
    def read(self) -> dict:
        graph, s = self.graph, self.s
        doc: dict = {}

        def put(field, value):
            if value is not None and value != [] and value != {}:
                doc[field] = value

        self._texts(doc)
        themes = self.objects(s, DCAT.theme)
        put("classification", _first(self._classification(t) for t in themes))
        self._publishers(doc)
        put("provider_unit", self.text(s, GOVCAT.providerUnit, "provider_unit"))
        put("format_class", _first(format_class_from_rdf(o) for o in self.objects(s, GOVCAT.formatClass)))
        put("format_type", self.plain(s, GOVCAT.formatType))
        put("data_items", self.data_items())
        put("share_type", _first(share_type_from_rdf(o) for o in self.objects(s, GOVCAT.shareType)))
        put("share_conditions", self.text(s, GOVCAT.shareConditions, "share_conditions"))
        put("share_basis", self.text(s, GOVCAT.shareBasis, "share_basis"))
        put("share_method", _first(share_method_from_rdf(o) for o in self.objects(s, GOVCAT.shareMethod)))
        self._opening(doc)
        put("update_frequency", self._frequency())
        put("issued", self._issued())
        put("related_codes", sorted({c for c in (_related(o) for o in graph.objects(s, DCT.relation)) if c}))
        put("themes", self._themes(themes))
        put("spatial", self._spatial())
        put("temporal", _first(self.temporal(o) for o in self.objects(s, DCT.temporal)))
        put("contact_point", _first(self.contact(o) for o in self.objects(s, DCAT.contactPoint)))
        put("license", _first(self.licence(o) for o in self.objects(s, DCT.license)))
        put("language", self._languages())
        put("landing_page", self.first_url(s, DCAT.landingPage, "landing_page"))
        put("other_identifiers", self._identifiers())
        distributions, services = self.distributions_and_services()
        put("distributions", self.distributions(distributions))
        put("data_services", [self.service(d, f"data_services[{i}]") for i, d in enumerate(services)])
        classified = _first(o.toPython() for o in self.objects(s, GOVCAT.classified)
                            if isinstance(o, Literal) and o.datatype == XSD.boolean)
        put("classified", classified if isinstance(classified, bool) else None)
        return doc

    def _texts(self, doc: dict) -> None:
        """Title and description, each in one language (kept in ``*_lang`` unless zh), their English
        translations, and the keywords of one language."""
        s = self.s
        titles = self.literals(s, DCT.title)
        title = self._main(titles, None)
        if title is not None:
            self.lang = _tag(title)
            doc["title"] = str(title)
            if self.lang != "zh":
                doc["title_lang"] = self.lang
        title_en = _english(titles, title)
        if title_en is not None:
            doc["title_en"] = str(title_en)
        self._left_out("title", [o for o in titles if o is not title and o is not title_en])
        descriptions = self.literals(s, DCT.description)
        # In the title's language first, unless that is English: English has description_en.
        description = self._main(descriptions, self.lang if self.lang != "en" else None)
        if description is not None:
            doc["description"] = str(description)
            if _tag(description) != "zh":
                doc["description_lang"] = _tag(description)
        description_en = _english(descriptions, description)
        if description_en is not None:
            doc["description_en"] = str(description_en)
        self._left_out("description",
                       [o for o in descriptions if o is not description and o is not description_en])
        self._keywords(doc)

    def _main(self, literals: list, prefer: str | None) -> Literal | None:
        if len(literals) < 2:
            return literals[0] if literals else None
        counts: dict = {}
        if sum(_text_class(_tag(o)) == 3 for o in literals) > 1:
            # Several languages of the source's own: the one most of its texts are in.
            for predicate in (DCT.title, DCT.description, DCAT.keyword):
                for o in self.literals(self.s, predicate):
                    counts[_tag(o)] = counts.get(_tag(o), 0) + 1
        return min(literals, key=lambda o: (-1 if _tag(o) == prefer else _text_class(_tag(o)),
                                             -counts.get(_tag(o), 0), _tag(o), str(o)))

    def _keywords(self, doc: dict) -> None:
        groups: dict[str, set] = {}
        for o in self.graph.objects(self.s, DCAT.keyword):
            if isinstance(o, Literal):
                groups.setdefault(_tag(o), set()).add(str(o))
        if not groups:
            return
        lang = self.lang
        tag = min(groups, key=lambda t: (-1 if t == lang else _text_class(t), -len(groups[t]), t))
        doc["keywords"] = sorted(groups[tag])
        if tag != "zh":
            doc["keywords_lang"] = tag
        for other in sorted(set(groups) - {tag}):
            self.warn("keywords", f"keywords in another language ({other or 'untagged'}) left out",
                      "; ".join(sorted(groups[other])))

    def _classification(self, theme) -> str | None:
        graph = self.graph
        if "/classification/" not in str(theme):
            return None
        notation = self.plain(theme, SKOS.notation)
        if notation and (theme, SKOS.inScheme, None) in graph:
            return notation
        return classification_from_rdf(theme)

    def _themes(self, themes: list) -> list:
        found, unknown = set(), []
        for theme in themes:
            code = theme_from_rdf(theme)
            if code:
                found.add(code)
            elif "/classification/" not in str(theme):
                unknown.append(theme)
        for theme in unknown:
            self.warn("themes", "not an EU data theme", theme)
        return sorted(found)

    def _publishers(self, doc: dict) -> None:
        """govcat's own department is the provider; any other publisher (else the creator) is the
        publisher the record names at its source."""
        s, other = self.s, None
        for agent in self.objects(s, DCT.publisher):
            code = self._department(agent)
            if code is not None:
                doc.setdefault("provider", code)
            elif other is None:
                other = self.agent(agent, "original_publisher")
        if other is None:
            other = _first(self.agent(agent, "original_publisher") for agent in self.objects(s, DCT.creator))
        if other is not None:
            doc["original_publisher"] = other

    def _department(self, agent) -> str | None:
        for identifier in self.literals(agent, DCT.identifier):
            if _is_credit_code(str(identifier)):
                return str(identifier)
        code = code_from_iri("department", agent) if isinstance(agent, URIRef) else None
        return code if code and _is_credit_code(code) else None

    def agent(self, node, field: str) -> dict | None:
        name = None
        for predicate in (FOAF.name, SKOS.prefLabel, VCARD.fn, VCARD["organization-name"], RDFS.label):
            name = self.text(node, predicate)
            if name is not None:
                break
        uri = str(node) if isinstance(node, URIRef) and str(node).startswith(_WEB) and not self.own_node(node) \
            else None
        if name is None:
            self.warn(field, "an agent the page does not name (no foaf:name)", uri or "(blank node)")
            return None
        return {"name": name, "uri": uri} if uri else {"name": name}

    def _opening(self, doc: dict) -> None:
        s = self.s
        conditions = self.text(s, GOVCAT.openConditions, "open_conditions")
        for term in self.objects(s, DCT.accessRights):
            key, said = open_type_from_rdf(term), None
            if key is None and not isinstance(term, Literal):      # a rights statement in words
                labels = [o for p in (RDFS.label, SKOS.prefLabel, DCT.title) for o in self.literals(term, p)]
                key = _first(open_type_from_rdf(o) for o in labels)
                said = _either(self.text(term, DCT.description),
                               _first(str(o) for o in labels if open_type_from_rdf(o) is None))
            if key is None:
                # An access right in no form govcat knows: never widened, so the narrowest opening.
                self.warn("open_type", "access right not understood; recorded as not open (none)", said or term)
                key = "none"
            doc["open_type"] = key
            if key == "conditional" and conditions is None:
                conditions = said     # what the source says of the restriction is its condition
            break
        if conditions is not None:
            doc["open_conditions"] = conditions

    def _frequency(self) -> str | None:
        for term in self.objects(self.s, DCT.accrualPeriodicity):
            key = frequency_from_rdf(term)
            if key is None and not isinstance(term, Literal):
                key = self._frequency_node(term)
            if key is not None:
                return key
            self.warn("update_frequency", "periodicity not understood", term)
        return None

    def _frequency_node(self, node) -> str | None:
        """A ``dct:Frequency`` described on the page: its ``rdf:value`` (a duration, or a
        ``time:DurationDescription``) or its label."""
        for value in self.objects(node, RDF.value):
            if isinstance(value, Literal):
                key = frequency_from_rdf(value)
            else:
                key = self._duration_description(value)
            if key is not None:
                return key
        for predicate in (RDFS.label, SKOS.prefLabel):
            key = _first(frequency_from_rdf(o) for o in self.literals(node, predicate))
            if key is not None:
                return key
        return None

    def _duration_description(self, node) -> str | None:
        parts = []
        for unit, letter in (("years", "Y"), ("months", "M"), ("weeks", "W"), ("days", "D")):
            parts += [f"{o}{letter}" for o in self.literals(node, TIME[unit])][:1]
        clock = []
        for unit, letter in (("hours", "H"), ("minutes", "M"), ("seconds", "S")):
            clock += [f"{o}{letter}" for o in self.literals(node, TIME[unit])][:1]
        text = "P" + "".join(parts) + ("T" + "".join(clock) if clock else "")
        return frequency_from_rdf(Literal(text)) if len(text) > 1 else None

    def _issued(self) -> str | None:
        for term in self.objects(self.s, DCT.issued):
            day = self.date(term, "issued")
            if day is not None:
                return day
        return None

    def date(self, term, field: str, bound: str | None = None) -> str | None:
        if not isinstance(term, Literal):
            return None
        day = iso_date(str(term), bound=bound)
        if day is None:
            self.warn(field, date_problem(str(term)), term)
        return day

    def _spatial(self) -> str | None:
        for location in self.objects(self.s, DCT.spatial):
            code = _either(self.plain(location, DCT.identifier), region_from_rdf(location))
            if code is not None and _DIVISION_CODE.match(code):
                return code
            self.warn("spatial", "not a division code (GB/T 2260)", location)
        return None

    def _languages(self) -> list:
        found = set()
        for term in self.graph.objects(self.s, DCT.language):
            term = iri_of(term)
            tag = str(term).strip().lower() if isinstance(term, Literal) else \
                _either(language_from_rdf(term), self.plain(term, DCT.identifier))
            if tag:
                found.add(tag)
            else:
                self.warn("language", "not a language govcat knows", term)
        return sorted(found)

    def _identifiers(self) -> list:
        """The source's own identifiers: ``dct:identifier`` values that are not resource codes,
        ``adms:identifier`` (its ``skos:notation``) and a ``skos:notation`` of the dataset."""
        s, found = self.s, set()
        for term in self.graph.objects(s, DCT.identifier):
            text = str(term).strip()
            if text and not (isinstance(term, Literal) and parse_resource_code(text)):
                found.add(text)
        for term in self.graph.objects(s, ADMS.identifier):
            text = str(term).strip() if isinstance(term, Literal) else self.plain(term, SKOS.notation)
            if text:
                found.add(text)
        found.update(str(o).strip() for o in self.literals(s, SKOS.notation) if str(o).strip())
        identifiers = sorted(found)
        for extra in identifiers[MAX_IDENTIFIERS:]:
            self.warn("other_identifiers", f"more than {MAX_IDENTIFIERS} identifiers", extra)
        return identifiers[:MAX_IDENTIFIERS]


def _term_order(term) -> tuple[str, str]:
    return type(term).__name__, str(term)


def _english(literals: list, chosen) -> Literal | None:
    english = [o for o in literals if o is not chosen and (_tag(o) == "en" or _tag(o).startswith("en-"))]
    if not english:
        return None
    return min(english, key=lambda o: (_tag(o) != "en", _tag(o), str(o)))


def _first(values):
    return next((value for value in values if value is not None), None)


def _either(*values):
    """The first value that is not ``None`` ("" is a value: a field may hold empty text)."""
    return _first(values)


def _related(term) -> str | None:
    if isinstance(term, Literal):
        return str(term) if parse_resource_code(str(term)) else None
    return related_code_from_rdf(term)


def read_resource(graph: Graph, s: URIRef, warnings: list | None = None) -> dict:
    """The metadata document of dataset ``s`` (empty lists and objects left out).

    Values that cannot be kept are reported in ``warnings`` (when a list is given) as
    ``{"field", "reason", "value"}``.
    """
    return Reader(graph, s, warnings).read()
