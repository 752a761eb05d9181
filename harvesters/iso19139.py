"""One ISO 19139 record (``gmd:MD_Metadata``) as a govcat document: what the record says, nothing guessed.

Geoportals of surveying, environment and planning departments describe their data in ISO 19139,
most of them in Europe after the INSPIRE technical guidelines; the catalogue service that serves
them is :mod:`harvesters.csw`'s business, the reading of one record is this module's.  The record is
read with plain XPath on its tree (texts may be ``gco:CharacterString`` or ``gmx:Anchor``, which a
generic reader loses), and :func:`map_record` returns the document with a ``_warnings`` list for the
values it had to leave out (the core reports them and pops the key).

What is read, and why so (docs/harvesting.md has the table):

* The metadata language (``gmd:language`` of the record: an ISO 639-2 code, as a ``LanguageCode``
  or as text) is the language of the title and the abstract: it becomes ``title_lang`` and
  ``description_lang`` as a BCP 47 tag (the two-letter code where one exists).  A record that
  states no language has untagged texts (``""``), never the catalog's default.  An English
  ``PT_FreeText`` translation of a title or abstract in another language becomes ``title_en`` /
  ``description_en``; the resource languages become ``language``.
* ``issued`` is the citation's publication date, else its creation date, else its revision date;
  a date without a day (``2018``, ``2018-05``) is no issue date and is reported.
* The access constraints never widen what the source allows: INSPIRE's ``noLimitations`` (or the
  same words in a text) opens the record unconditionally; a limitation with a text (an INSPIRE
  Article 13 reason, a ``restricted`` code with its explanation) makes it conditional, with that
  text as the conditions; ``restricted`` with no text at all, or a ``restricted`` security
  classification, closes it.  Words the mapping does not know count as a limitation.
* The use constraints' texts are the licence (a known licence's address becomes its identifier; the
  JSON that German geoportals write there is read for its name); ``useLimitation`` only when there
  is nothing else.  Texts that do not fit the licence field are reported, not cut.
* Responsible parties: the resource's point of contact, else the metadata contact, is the
  ``contact_point``; the publisher (else owner, custodian, originator) is the
  ``original_publisher``.  The record's provider stays the source's department.
* Online resources: a service record's connect points, and OGC and ESRI service endpoints, are
  data services; a download (its function or
  an INSPIRE download protocol) is a distribution whose download and access URLs are the same; the
  first ``information``/``search`` link is the landing page; any other link is a distribution.
  Graphic overviews are no way to get the data and are not read.
"""
from __future__ import annotations

import json
import re

from lxml import etree

from harvesters.datajson import licence as known_licence
from vocab.codes import parse_resource_code

GMD = "http://www.isotc211.org/2005/gmd"
NS = {"gmd": GMD, "gco": "http://www.isotc211.org/2005/gco", "gmx": "http://www.isotc211.org/2005/gmx",
      "srv": "http://www.isotc211.org/2005/srv", "xlink": "http://www.w3.org/1999/xlink",
      "gml": "http://www.opengis.net/gml", "gml32": "http://www.opengis.net/gml/3.2"}
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
IDENT = "gmd:identificationInfo/*"
CITATION = f"{IDENT}/gmd:citation/gmd:CI_Citation"

# ISO 639-2 (bibliographic and terminologic codes) → ISO 639-1, for the languages geoportals write.
ISO_639_1 = {
    "ara": "ar", "bul": "bg", "cat": "ca", "ces": "cs", "cze": "cs", "chi": "zh", "zho": "zh", "dan": "da",
    "deu": "de", "ger": "de", "ell": "el", "gre": "el", "eng": "en", "est": "et", "eus": "eu", "baq": "eu",
    "fin": "fi", "fra": "fr", "fre": "fr", "gle": "ga", "glg": "gl", "hrv": "hr", "hun": "hu", "isl": "is",
    "ice": "is", "ita": "it", "jpn": "ja", "kor": "ko", "lav": "lv", "lit": "lt", "ltz": "lb", "mlt": "mt",
    "nld": "nl", "dut": "nl", "nor": "no", "nob": "nb", "nno": "nn", "pol": "pl", "por": "pt", "ron": "ro",
    "rum": "ro", "rus": "ru", "slk": "sk", "slo": "sk", "slv": "sl", "spa": "es", "srp": "sr", "swe": "sv",
    "tur": "tr", "ukr": "uk", "cym": "cy", "wel": "cy",
}
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")
ISSUED_DATE_TYPES = ("publication", "creation", "revision")    # the first full one is the issue date
PUBLISHER_ROLES = ("publisher", "owner", "custodian", "originator")
CLASSIFIED_CODES = {"confidential", "secret", "topSecret"}       # MD_ClassificationCode values that are 涉密
# Access restriction codes that close a resource when no text says on which conditions it opens
# (ISO 19115 and the values ISO 19115-1 added); copyright, licence and the like restrict use, not access.
CLOSING_CODES = {"restricted", "private", "confidential", "sensitivity", "in-confidence", "protected",
                 "statutory"}
NO_LIMITATIONS = re.compile(
    r"LimitationsOnPublicAccess/noLimitations$|^(no limitations?( to public access)?|none|keine|"
    r"es gelten keine zugriffsbeschränkungen|keine zugriffsbeschränkungen|geen beperkingen|"
    r"aucune restriction d'accès public|pas de restriction d'accès public|sin limitaciones|"
    r"nessuna limitazione)\.?$", re.IGNORECASE)
UNKNOWN_CONDITIONS = re.compile(r"ConditionsApplyingToAccessAndUse/conditionsUnknown$|^conditions unknown\.?$",
                                re.IGNORECASE)
SERVICE_PROTOCOL = re.compile(r"^(OGC:(WMS|WMTS|WFS|WCS|WPS|SOS|CSW)|OGC API|ESRI:(REST|ArcGIS))"
                              r"|/serviceType/ogc/(wms|wmts|wfs|wcs|wps|sos|csw)$", re.IGNORECASE)
SERVICE_QUERY = re.compile(r"[?&]service=(WMS|WMTS|WFS|WCS|WPS|SOS|CSW)(&|$)", re.IGNORECASE)
DOWNLOAD_PROTOCOL = re.compile(r"^WWW:DOWNLOAD|/serviceType/ogc/atom$|INSPIRE Atom", re.IGNORECASE)
LICENCE_WORDS = re.compile(r"licen[cs]e|lizenz|licentie|nutzungsbedingungen|creative commons|\bCC[- ]?(BY|0)\b",
                           re.IGNORECASE)
LANDING_FUNCTIONS = {"information", "search"}
MAX_KEYWORDS, MAX_KEYWORD_CHARS = 50, 100                       # what govcat's model holds
MAX_LICENCE_CHARS, MAX_CONDITIONS_CHARS = 500, 5000
MAX_IDENTIFIERS, MAX_IDENTIFIER_CHARS = 20, 500
MAX_FORMAT_CHARS = 40
UPDATE_FREQUENCIES = {
    # ISO MD_MaintenanceFrequencyCode → govcat's update_frequency.  Where govcat has no equal term the
    # next coarser one is taken, so that a resource updated on time is never reported overdue;
    # "unknown" says nothing and is left to the source's defaults.
    "continual": "realtime", "daily": "daily", "weekly": "weekly", "fortnightly": "monthly",
    "monthly": "monthly", "quarterly": "quarterly", "biannually": "semiannual", "annually": "annual",
    "asNeeded": "irregular", "irregular": "irregular", "notPlanned": "irregular",
}


def _strip(value) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def text(element: etree._Element | None) -> str | None:
    """The text of a property: its ``gco:CharacterString``, ``gmx:Anchor``, ``gmd:URL``, a ``gco`` value
    or a code list value; ``None`` for nothing (or ``gco:nilReason``)."""
    if element is None:
        return None
    for child in element:
        if isinstance(child.tag, str) and child.tag != f"{{{GMD}}}PT_FreeText":
            return _strip(child.get("codeListValue")) or _strip("".join(child.itertext()))
    return _strip(element.text)


def href(element: etree._Element | None) -> str | None:
    """The ``xlink:href`` of a property's ``gmx:Anchor``, if it is one."""
    anchor = element.find("gmx:Anchor", NS) if element is not None else None
    return _strip(anchor.get(XLINK_HREF)) if anchor is not None else None


def _texts(root: etree._Element, path: str) -> list[str]:
    return [t for t in (text(e) for e in root.iterfind(path, NS)) if t]


def _code(element: etree._Element | None) -> str | None:
    """A code list value (``codeListValue``, else the element's text)."""
    if element is None:
        return None
    return _strip(element.get("codeListValue")) or _strip(element.text)


def language_tag(value: str | None) -> str | None:
    """A BCP 47 tag of an ISO 639 code: two letters where ISO 639-1 has them; ``None`` for no code."""
    value = (value or "").strip().lower().replace("_", "-")
    if not value:
        return None
    value = ISO_639_1.get(value, value)
    return value if LANGUAGE_TAG.match(value) else None


def _language(element: etree._Element | None) -> str | None:
    """The tag of a ``gmd:language``: its ``LanguageCode``'s code list value, else its text."""
    if element is None:
        return None
    code = element.find("gmd:LanguageCode", NS)
    if code is not None:
        return language_tag(code.get("codeListValue")) or language_tag(code.text)
    return language_tag(text(element))


def _warning(field: str, reason: str, value) -> dict:
    return {"field": field, "reason": reason, "value": value if isinstance(value, str) else json.dumps(value)}


class IsoRecord:
    """The reading of one record; :meth:`document` is the result, ``warnings`` what was left out."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.ident = root.find(IDENT, NS)
        self.warnings: list[dict] = []

    # -- texts and their languages -----------------------------------------------------------
    def _translation(self, element: etree._Element | None, language: str) -> str | None:
        """The ``PT_FreeText`` text of ``element`` whose locale is declared as ``language``."""
        if element is None:
            return None
        for localised in element.iterfind("gmd:PT_FreeText/gmd:textGroup/gmd:LocalisedCharacterString", NS):
            locale_id = (localised.get("locale") or "").lstrip("#")
            locale = next((loc for loc in self.root.iterfind("gmd:locale/gmd:PT_Locale", NS)
                           if loc.get("id") == locale_id), None)
            code = locale.find("gmd:languageCode/gmd:LanguageCode", NS) if locale is not None else None
            if code is not None and language_tag(_code(code)) == language:
                return _strip("".join(localised.itertext()))
        return None

    def texts(self) -> dict:
        title_element = self.root.find(f"{CITATION}/gmd:title", NS)
        abstract_element = self.ident.find("gmd:abstract", NS)
        title, description = text(title_element), text(abstract_element)
        lang = _language(self.root.find("gmd:language", NS)) or ""
        doc = {"title": title, "title_lang": lang}
        if description:
            doc.update(description=description, description_lang=lang)
        if lang != "en":
            doc["title_en"] = self._translation(title_element, "en")
            doc["description_en"] = self._translation(abstract_element, "en")
        resource_languages = [_language(e) for e in self.ident.iterfind("gmd:language", NS)]
        doc["language"] = list(dict.fromkeys(t for t in resource_languages if t))[:10]
        return doc

    def keywords(self) -> list[str]:
        """The record's keywords, once each, as many and as long as govcat's model holds."""
        words = _texts(self.ident, "gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword")
        return [w for w in dict.fromkeys(words) if len(w) <= MAX_KEYWORD_CHARS][:MAX_KEYWORDS]

    # -- dates --------------------------------------------------------------------------------
    def issued(self) -> str | None:
        dates = [(_code(d.find("gmd:dateType/gmd:CI_DateTypeCode", NS)), text(d.find("gmd:date", NS)))
                 for d in self.root.iterfind(f"{CITATION}/gmd:date/gmd:CI_Date", NS)]
        for kind in ISSUED_DATE_TYPES:
            for date_type, value in dates:
                if date_type != kind or not value:
                    continue
                match = FULL_DATE.match(value)
                if match:
                    return match.group(1)
                self.warnings.append(_warning("issued", f"the {kind} date names no day", value))
        return None

    def temporal(self) -> dict:
        """The temporal extent's bounds (GML 3.1 or 3.2 ``TimePeriod``), full dates only."""
        period = self.ident.find("gmd:extent/gmd:EX_Extent/gmd:temporalElement/*/gmd:extent/*", NS)
        if period is None:
            return {}
        bounds = {}
        for key, position, instant in (("start", "beginPosition", "begin"), ("end", "endPosition", "end")):
            values = [(e.text or "").strip() for e in period.xpath(
                f"*[local-name()='{position}'] | *[local-name()='{instant}']//*[local-name()='timePosition']")]
            value = next((v for v in values if v), None)
            if value is None:
                continue
            match = FULL_DATE.match(value)
            if match:
                bounds[key] = match.group(1)
            else:
                self.warnings.append(_warning(f"temporal.{key}", "the date names no day", value))
        return bounds

    def update_frequency(self) -> str | None:
        code = self.ident.find("gmd:resourceMaintenance/gmd:MD_MaintenanceInformation/"
                               "gmd:maintenanceAndUpdateFrequency/gmd:MD_MaintenanceFrequencyCode", NS)
        return UPDATE_FREQUENCIES.get(_code(code) or "")

    # -- who ----------------------------------------------------------------------------------
    @staticmethod
    def _parties(elements) -> list[tuple[str | None, etree._Element]]:
        return [(_code(p.find("gmd:role/gmd:CI_RoleCode", NS)), p) for e in elements
                for p in e.iterfind("gmd:CI_ResponsibleParty", NS)]

    @staticmethod
    def _name(party: etree._Element) -> str | None:
        return text(party.find("gmd:organisationName", NS)) or text(party.find("gmd:individualName", NS)) \
            or text(party.find("gmd:positionName", NS))

    def _contact(self, party: etree._Element) -> dict:
        info = "gmd:contactInfo/gmd:CI_Contact/"
        return _clean({"name": self._name(party),
                       "email": text(party.find(f"{info}gmd:address/gmd:CI_Address/gmd:electronicMailAddress", NS)),
                       "phone": text(party.find(f"{info}gmd:phone/gmd:CI_Telephone/gmd:voice", NS))})

    def parties(self) -> dict:
        resource = self._parties(self.ident.iterfind("gmd:pointOfContact", NS)) \
            + self._parties(self.root.iterfind(f"{CITATION}/gmd:citedResponsibleParty", NS))
        metadata = self._parties(self.root.iterfind("gmd:contact", NS))
        contact = next((p for role, p in resource if role == "pointOfContact" and self._name(p)), None)
        if contact is None:
            contact = next((p for _role, p in metadata if self._name(p)), None)
        doc = {"contact_point": self._contact(contact) if contact is not None else None}
        for wanted in PUBLISHER_ROLES:
            party = next((p for role, p in resource if role == wanted and self._name(p)), None)
            if party is not None:
                organisation = party.find("gmd:organisationName", NS)
                uri = href(organisation)
                doc["original_publisher"] = _clean({"name": self._name(party),
                                                    "uri": uri if uri and uri.startswith("http") else None})
                break
        return doc

    # -- constraints --------------------------------------------------------------------------
    def constraints(self) -> dict:
        """Opening (``open_type``, ``open_conditions``), ``license`` and ``classified``."""
        opening, conditions, licences, limitations = set(), [], [], []
        for block in self.ident.iterfind("gmd:resourceConstraints/*", NS):
            name = etree.QName(block).localname
            if name == "MD_SecurityConstraints":
                code = _code(block.find("gmd:classification/gmd:MD_ClassificationCode", NS))
                if code in CLASSIFIED_CODES:
                    opening.add("classified")
                elif code == "restricted":
                    opening.add("none")
                continue
            others = [(text(e), href(e)) for e in block.iterfind("gmd:otherConstraints", NS)]
            others = [(t, h) for t, h in others if t or h]
            limitations += _texts(block, "gmd:useLimitation")
            access = [_code(e) for e in block.iterfind("gmd:accessConstraints/gmd:MD_RestrictionCode", NS)]
            if not access:
                licences += others
                continue
            if block.find("gmd:useConstraints", NS) is not None:     # one block for both: licences apart
                licences += [(t, h) for t, h in others if _is_licence(t, h)]
                others = [(t, h) for t, h in others if not _is_licence(t, h)]
            restricted = [t or h for t, h in others if not NO_LIMITATIONS.search(h or "")
                          and not NO_LIMITATIONS.search(t or "")]
            if restricted:
                opening.add("conditional")
                conditions += restricted
            elif others:
                opening.add("unconditional")
            elif CLOSING_CODES.intersection(access):
                opening.add("none")
        doc = {"classified": True if "classified" in opening else None}
        if "none" in opening:
            doc["open_type"] = "none"
        elif "conditional" in opening:
            joined = "\n".join(dict.fromkeys(conditions))
            if len(joined) > MAX_CONDITIONS_CHARS:    # a restriction is never widened: closed, and said why
                self.warnings.append(_warning("open_conditions", "the access conditions are longer than "
                                              f"{MAX_CONDITIONS_CHARS} characters; the record is not opened", joined))
                doc["open_type"] = "none"
            else:
                doc.update(open_type="conditional", open_conditions=joined)
        elif "unconditional" in opening:
            doc["open_type"] = "unconditional"
        doc["license"] = self._licence(licences, limitations)
        return doc

    def _licence(self, others: list[tuple[str | None, str | None]], limitations: list[str]) -> str | None:
        """The licence texts that fit the field, in order; the others (and unused limitations) reported."""
        texts = [t for t in (_licence_text(t, h) for t, h in others) if t]
        if not texts:
            texts, limitations = limitations, []
        texts = list(dict.fromkeys(texts))
        kept: list[str] = []
        for value in [t for t in texts if not any(t != other and t in other for other in texts)]:
            if len("; ".join(kept + [value])) <= MAX_LICENCE_CHARS:
                kept.append(value)
            else:
                self.warnings.append(_warning("license", f"a licence text that does not fit the licence field "
                                                         f"({MAX_LICENCE_CHARS} characters)", value))
        for value in dict.fromkeys(limitations):
            self.warnings.append(_warning("license", "a use limitation beside the licence is not kept", value))
        return "; ".join(kept) or None

    # -- identifiers --------------------------------------------------------------------------
    def identifiers(self) -> tuple[list[str], str | None]:
        """The source's own identifiers (file identifier first) and a govcat resource code among them."""
        values = _texts(self.root, "gmd:fileIdentifier") + \
            _texts(self.root, f"{CITATION}/gmd:identifier/*/gmd:code")
        code = next((v for v in values if parse_resource_code(v)), None)
        kept = []
        for value in dict.fromkeys(v for v in values if v != code):
            if len(value) > MAX_IDENTIFIER_CHARS or len(kept) == MAX_IDENTIFIERS:
                self.warnings.append(_warning("other_identifiers", "more or longer identifiers than the "
                                                                   "catalog holds", value))
            else:
                kept.append(value)
        return kept, code

    # -- online resources ---------------------------------------------------------------------
    def online(self, title: str | None) -> dict:
        formats = _texts(self.root, "gmd:distributionInfo/gmd:MD_Distribution/gmd:distributionFormat/"
                                    "gmd:MD_Format/gmd:name")
        file_format = formats[0] if len(set(formats)) == 1 and len(formats[0]) <= MAX_FORMAT_CHARS else None
        distributions, services, landing, seen = [], [], None, set()
        for resource in self.ident.iterfind("srv:containsOperations/srv:SV_OperationMetadata/srv:connectPoint/"
                                            "gmd:CI_OnlineResource", NS):
            url = text(resource.find("gmd:linkage", NS))     # a service record's own endpoints
            if url and url not in seen:
                seen.add(url)
                services.append(_clean({"title": title, "endpoint_url": url, "endpoint_description": text(
                    resource.find("gmd:protocol", NS)) or text(self.ident.find("srv:serviceType", NS))}))
        for resource in self.root.iterfind("gmd:distributionInfo/gmd:MD_Distribution//gmd:onLine/"
                                           "gmd:CI_OnlineResource", NS):
            url = text(resource.find("gmd:linkage", NS))
            if not url or url in seen:
                continue
            seen.add(url)
            protocol_element = resource.find("gmd:protocol", NS)
            protocol = text(protocol_element) or ""
            protocol_href = href(protocol_element) or ""
            name, description = text(resource.find("gmd:name", NS)), text(resource.find("gmd:description", NS))
            function = _code(resource.find("gmd:function/gmd:CI_OnLineFunctionCode", NS))
            if SERVICE_PROTOCOL.search(protocol) or SERVICE_PROTOCOL.search(protocol_href) \
                    or (not protocol and SERVICE_QUERY.search(url)):
                services.append(_clean({"title": name or title, "endpoint_url": url,
                                        "endpoint_description": description or protocol or None}))
            elif function == "download" or DOWNLOAD_PROTOCOL.search(protocol) \
                    or DOWNLOAD_PROTOCOL.search(protocol_href):
                distributions.append(_clean({"title": name, "description": description, "access_url": url,
                                             "download_url": url, "format": file_format}))
            elif function in LANDING_FUNCTIONS and landing is None:
                landing = url
            else:
                distributions.append(_clean({"title": name, "description": description, "access_url": url}))
        return {"distributions": distributions, "data_services": services, "landing_page": landing}

    # -- the document -------------------------------------------------------------------------
    def document(self) -> dict:
        doc = self.texts()
        identifiers, code = self.identifiers()
        doc.update(keywords=self.keywords(), issued=self.issued(), temporal=self.temporal(),
                   update_frequency=self.update_frequency(), other_identifiers=identifiers,
                   **self.parties(), **self.constraints(), **self.online(doc["title"]))
        doc = _clean(doc)
        if self.warnings:
            doc["_warnings"] = self.warnings
        return doc


def _is_licence(value: str | None, link: str | None) -> bool:
    """Whether a use constraint written beside access constraints names a licence."""
    return bool(LICENCE_WORDS.search(value or "") or (link and _licence_text(None, link) != link)
                or (value or "").startswith("{"))


def _licence_text(value: str | None, link: str | None) -> str | None:
    """One use constraint as a licence: a known licence's address as its identifier, the name of the
    JSON licence object German geoportals write, else the text (or the address when there is none)."""
    if UNKNOWN_CONDITIONS.search(link or "") or UNKNOWN_CONDITIONS.search(value or ""):
        return None     # says nothing
    if link:
        normalized = re.sub(r"/(deed\.[a-z-]+|legalcode(\.[a-z-]+)?)$", "/", link, flags=re.IGNORECASE)
        normalized = re.sub(r"^http://", "https://", normalized)
        key = known_licence(normalized)
        if key != normalized:
            return key
    if value and value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if isinstance(data, dict):
            address = _strip(data.get("url"))
            key = known_licence(address) if address else None
            if key and key != address:
                return key
            return _strip(data.get("name")) or _strip(data.get("id")) or address or value
    return value or link


def _clean(values: dict) -> dict:
    """Without empty values; a language tag "" (untagged text) is a value."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {}) or (k.endswith("_lang") and v == "")}


def resource_code(root: etree._Element) -> str | None:
    """A govcat resource code among the record's identifiers, if it carries one."""
    ident = root.find(IDENT, NS)
    return IsoRecord(root).identifiers()[1] if ident is not None else None


def map_record(root: etree._Element) -> dict:
    """The document of one ``gmd:MD_Metadata`` (or ``gmi:MI_Metadata``) element."""
    return IsoRecord(root).document()
