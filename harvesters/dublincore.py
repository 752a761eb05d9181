"""One simple Dublin Core record (``oai_dc:dc``) as a govcat document: what it says, nothing guessed.

Institutional repositories (DSpace, EPrints, Dataverse…) and geoportals that speak OAI-PMH (pycsw)
describe their records in Dublin Core; :mod:`harvesters.oaipmh` lists them, this module reads one.
Dublin Core is loose: every element repeats, dates come in any form, an identifier may be an
address, a handle or a shelf mark.  The rules, in the order docs/harvesting.md gives them:

* ``dc:title`` / ``dc:description`` with ``xml:lang`` keep their language (``en_US`` → ``en-US``);
  untagged texts are ``""`` (untagged), never the catalog's default.  The title is the first one
  not in English (else the first); an English one beside it is ``title_en``.  The descriptions in
  the description's language are joined; pycsw's ``dct:abstract`` counts as a description.
* ``dc:date``: the first full date (a day, or a date-time) is ``issued``; a year or a month alone,
  or a date in another form, is reported, never completed.
* ``dc:identifier``: every identifier is one of the source's (``other_identifiers``).  Of those that
  are addresses (``hdl:`` and ``doi:`` ones resolved through their public resolvers), one that
  *looks like a file* — its path ends in a file name extension, or it is a repository's bitstream
  path (``/bitstream/``, ``/bitstreams/…/download``) — is a distribution (download and access URL
  alike); the first other one, a handle or a DOI first, is the landing page.  pycsw's
  ``dct:references`` are links with a protocol: services become data services, downloads and files
  distributions.
* ``dc:publisher`` is the ``original_publisher``.  ``dc:creator`` and ``dc:contributor`` (authors)
  have no field in the catalog: they are reported, not turned into a publisher or a contact.
* ``dc:rights``: OpenAIRE's access terms (``info:eu-repo/semantics/openAccess``…) set the opening,
  never wider than they say; a licence address (a known one as its identifier), else a short
  statement, is the licence; what is left is reported.
* ``dc:subject`` → keywords (split at ``;``), ``dc:language`` → languages, a ``dc:coverage`` that is a
  division code → ``spatial``, a single media type or format in ``dc:format`` → the files' media
  type or format.  ``dc:type`` has no field: a type other than a dataset is reported.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml import etree

from harvesters.datajson import licence as known_licence
from harvesters.iso19139 import DOWNLOAD_PROTOCOL, SERVICE_PROTOCOL, language_tag
from vocab.codes import parse_resource_code

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
DCT = "http://purl.org/dc/terms/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"oai_dc": OAI_DC, "dc": DC, "dct": DCT}
MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+\-_]+$")
DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")
WEB_ADDRESS = re.compile(r"^(https?|ftps?)://\S+$", re.IGNORECASE)
FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:$|[T ])")
RESOLVERS = {"hdl:": "https://hdl.handle.net/", "doi:": "https://doi.org/"}
PERSISTENT = re.compile(r"^https?://(hdl\.handle\.net|(dx\.)?doi\.org)/", re.IGNORECASE)
FILE_EXTENSIONS = {
    "csv", "tsv", "txt", "json", "geojson", "jsonld", "xml", "rdf", "ttl", "nt", "xls", "xlsx", "ods", "doc",
    "docx", "odt", "pdf", "zip", "gz", "tgz", "7z", "rar", "tar", "bz2", "shp", "gpkg", "kml", "kmz", "gml",
    "tif", "tiff", "geotiff", "nc", "hdf", "h5", "parquet", "sav", "dta", "sqlite", "db", "mdb", "dbf",
    "png", "jpg", "jpeg", "ppt", "pptx", "html5", "epub", "mp3", "mp4", "wav",
}
BITSTREAM = re.compile(r"/bitstream/|/bitstreams/[^/]+/(download|content)$", re.IGNORECASE)
# OpenAIRE's access rights (info:eu-repo/semantics/…): only open access opens a record.
ACCESS_RIGHTS = {"openaccess": "unconditional", "restrictedaccess": "none", "embargoedaccess": "none",
                 "closedaccess": "none", "metadataonlyaccess": "none"}
ACCESS_RIGHT = re.compile(r"^info:eu-repo/semantics/(\w+)$", re.IGNORECASE)
ISO_RESTRICTION_CODES = {"otherRestrictions", "restricted", "copyright", "license", "patent", "patentPending",
                         "trademark", "intellectualPropertyRights"}
DATASET_TYPES = re.compile(r"^(dataset|data set|data|info:eu-repo/semantics/dataset|数据集?)$", re.IGNORECASE)
MAX_KEYWORDS, MAX_KEYWORD_CHARS = 50, 100
MAX_LICENCE_CHARS, MAX_FORMAT_CHARS = 500, 40
MAX_IDENTIFIERS, MAX_IDENTIFIER_CHARS = 20, 500


def _text(element: etree._Element) -> str | None:
    return " ".join("".join(element.itertext()).split()) or None


def _lang(element: etree._Element) -> str:
    """The BCP 47 tag of an element's ``xml:lang`` (``en_US`` → ``en-US``); ``""`` when untagged."""
    value = (element.get(XML_LANG) or "").strip().replace("_", "-")
    if not value:
        return ""
    tag = language_tag(value)
    if not tag:
        return ""
    primary, _dash, rest = tag.partition("-")
    return primary + ("-" + rest.upper() if len(rest) == 2 else "-" + rest if rest else "")


def _is_english(tag: str) -> bool:
    return tag == "en" or tag.startswith("en-")


def is_file(address: str) -> bool:
    """Whether an address names a file: a file name extension at the end of its path, or a bitstream."""
    path = urlsplit(address).path
    extension = path.rsplit("/", 1)[-1].rpartition(".")[2].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return extension in FILE_EXTENSIONS or bool(BITSTREAM.search(path))


def _address(identifier: str) -> str | None:
    """The web address of an identifier: as it stands, or a handle or DOI through its resolver."""
    if WEB_ADDRESS.match(identifier):
        return identifier
    for prefix, resolver in RESOLVERS.items():
        if identifier.lower().startswith(prefix) and len(identifier) > len(prefix):
            return resolver + identifier[len(prefix):].strip()
    return None


class DublinCoreRecord:
    """The reading of one ``oai_dc:dc``; :meth:`document` is the result, ``warnings`` what was left out."""

    def __init__(self, dc: etree._Element):
        self.dc = dc
        self.warnings: list[dict] = []

    def elements(self, name: str, namespace: str = "dc") -> list[tuple[str, str]]:
        """(language tag, text) of the non-empty elements called ``name``, in document order."""
        found = [(_lang(e), _text(e)) for e in self.dc.iterfind(f"{namespace}:{name}", NS)]
        return list(dict.fromkeys((lang, text) for lang, text in found if text))

    def values(self, name: str, namespace: str = "dc") -> list[str]:
        return list(dict.fromkeys(text for _lang, text in self.elements(name, namespace)))

    def warn(self, field: str, reason: str, value: str) -> None:
        self.warnings.append({"field": field, "reason": reason, "value": value})

    # -- texts --------------------------------------------------------------------------------
    def texts(self) -> dict:
        titles = self.elements("title")
        doc: dict = {}
        if titles:
            lang, title = next(((lang, t) for lang, t in titles if not _is_english(lang)), titles[0])
            doc.update(title=title, title_lang=lang)
            if not _is_english(lang):
                doc["title_en"] = next((t for tag, t in titles if _is_english(tag) and t != title), None)
        descriptions = self.elements("description") or self.elements("abstract", "dct")
        if descriptions:
            own = doc.get("title_lang", descriptions[0][0])
            lang = own if any(tag == own for tag, _t in descriptions) else descriptions[0][0]
            doc.update(description="\n\n".join(t for tag, t in descriptions if tag == lang), description_lang=lang)
            if not _is_english(lang):
                english = [t for tag, t in descriptions if _is_english(tag)]
                doc["description_en"] = "\n\n".join(english) or None
            for tag, text in descriptions:
                if tag != lang and not (_is_english(tag) and not _is_english(lang)):
                    self.warn("description", f"a description in a third language ({tag or 'untagged'})", text)
        return doc

    def keywords(self) -> list[str]:
        words = [k.strip() for subject in self.values("subject") for k in subject.split(";") if k.strip()]
        kept = []
        for word in dict.fromkeys(words):
            if len(word) > MAX_KEYWORD_CHARS or len(kept) == MAX_KEYWORDS:
                self.warn("keywords", "more or longer keywords than the catalog holds", word)
            else:
                kept.append(word)
        return kept

    def issued(self) -> str | None:
        issued = None
        for value in self.values("date"):
            match = FULL_DATE.match(value)
            if match and issued is None:
                issued = match.group(1)
            elif not match:
                self.warn("issued", "a date that names no day (or not in ISO form) is not an issue date", value)
        return issued

    def languages(self) -> list[str]:
        kept = []
        for value in self.values("language"):
            tag = (language_tag(value.replace("_", "-")) or "").split("-")[0]    # the language, not a locale
            if tag and tag not in kept:
                kept.append(tag)
            elif not tag:
                self.warn("language", "not a language code", value)
        return kept[:10]

    def spatial(self) -> str | None:
        coverage = self.values("coverage")
        codes = [c for c in coverage if DIVISION_CODE.match(c)]
        for value in coverage:
            if value not in codes[:1]:
                self.warn("spatial", "a coverage that is not a division code (GB/T 2260)", value)
        return codes[0] if codes else None

    # -- who and on which terms ---------------------------------------------------------------
    def parties(self) -> dict:
        for name in ("creator", "contributor"):
            people = self.values(name)
            if people:
                self.warn(name, f"Dublin Core {name}s (authors) have no field in the catalog", "; ".join(people))
        publishers = self.values("publisher")
        for other in publishers[1:]:
            self.warn("original_publisher", "a further publisher", other)
        return {"original_publisher": {"name": publishers[0][:500]} if publishers else None}

    def rights(self) -> dict:
        opening, licences, statements = set(), [], []
        for value in self.values("rights"):
            access = ACCESS_RIGHT.match(value)
            if access and access.group(1).lower() in ACCESS_RIGHTS:
                opening.add(ACCESS_RIGHTS[access.group(1).lower()])
            elif value in ISO_RESTRICTION_CODES:
                self.warn("license", "an ISO restriction code is not a licence", value)
            elif WEB_ADDRESS.match(value):
                licences.append(known_licence(value))
            else:
                statements.append(value)
        known = [value for value in licences if not WEB_ADDRESS.match(value)]     # a licence's identifier
        short = [value for value in statements if len(value) <= MAX_LICENCE_CHARS]
        chosen = next(iter(known or licences or short), None)
        for value in licences + statements:
            if value != chosen:
                self.warn("license", "a further rights statement (the catalog holds one licence)"
                          if len(value) <= MAX_LICENCE_CHARS else
                          f"a rights statement longer than the licence field ({MAX_LICENCE_CHARS} characters)", value)
        open_type = "none" if "none" in opening else "unconditional" if opening else None
        return {"license": chosen, "open_type": open_type}

    # -- where the data is --------------------------------------------------------------------
    def addresses(self) -> dict:
        identifiers = self.values("identifier")
        code = next((i for i in identifiers if parse_resource_code(i)), None)
        files, pages = [], []
        for identifier in identifiers:
            address = _address(identifier)
            if address:
                (files if is_file(address) else pages).append(address)
        distributions = [{"access_url": a, "download_url": a} for a in dict.fromkeys(files)]
        services = []
        for scheme, address in ((e.get("scheme") or "", _text(e)) for e in self.dc.iterfind("dct:references", NS)):
            if not address or not WEB_ADDRESS.match(address):
                continue
            if SERVICE_PROTOCOL.search(scheme):
                services.append({"title": self.values("title")[0] if self.values("title") else scheme,
                                 "endpoint_url": address, "endpoint_description": scheme})
            elif DOWNLOAD_PROTOCOL.search(scheme) or is_file(address):
                distributions.append({"access_url": address, "download_url": address})
            else:
                pages.append(address)
        landing = next((p for p in pages if PERSISTENT.match(p)), pages[0] if pages else None)
        self._formats(distributions)
        kept = []
        for identifier in (i for i in identifiers if i != code):
            if len(identifier) > MAX_IDENTIFIER_CHARS or len(kept) == MAX_IDENTIFIERS:
                self.warn("other_identifiers", "more or longer identifiers than the catalog holds", identifier)
            else:
                kept.append(identifier)
        return {"distributions": distributions, "data_services": services, "landing_page": landing,
                "other_identifiers": kept}

    def _formats(self, distributions: list[dict]) -> None:
        """One media type (else one short format name) for every file; other formats are reported."""
        formats = self.values("format")
        media = list(dict.fromkeys(f.lower() for f in formats if MEDIA_TYPE.match(f.lower())))
        names = [f for f in formats if not MEDIA_TYPE.match(f.lower())]
        used = None
        if distributions and len(media) == 1:
            used = media[0]
            for distribution in distributions:
                distribution["media_type"] = used
        elif distributions and not media and len(names) == 1 and len(names[0]) <= MAX_FORMAT_CHARS:
            used = names[0]
            for distribution in distributions:
                distribution["format"] = used
        for value in formats:
            if value.lower() != (used or "").lower():
                self.warn("distributions.format", "a format not tied to one distribution", value)

    def kind(self) -> None:
        for value in self.values("type"):
            if not DATASET_TYPES.match(value):
                self.warn("type", "the record's Dublin Core type has no field in the catalog", value)

    def document(self) -> dict:
        doc = self.texts()
        doc.update(keywords=self.keywords(), issued=self.issued(), language=self.languages(),
                   spatial=self.spatial(), **self.parties(), **self.rights(), **self.addresses())
        self.kind()
        doc = {k: v for k, v in doc.items() if v not in (None, "", [], {}) or (k.endswith("_lang") and v == "")}
        if self.warnings:
            doc["_warnings"] = self.warnings
        return doc


def resource_code(dc: etree._Element) -> str | None:
    """A govcat resource code among the record's identifiers, if it carries one."""
    return next((i for i in DublinCoreRecord(dc).values("identifier") if parse_resource_code(i)), None)


def map_record(dc: etree._Element) -> dict:
    """The document of one ``oai_dc:dc`` element."""
    return DublinCoreRecord(dc).document()
