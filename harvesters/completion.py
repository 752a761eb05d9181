"""From what a source says to a catalog record: the source's defaults, honest derivations, and the
fields left for the department to complete.

Most department systems know nothing of the compilation guide: a city's CKAN portal or a geoportal
has no classification, sharing type or data items.  A harvested record still belongs in the
catalog.  Its fields come, in order, from:

1. what the record says, as the source type mapped it (an access restriction, a periodicity …);
2. the source's defaults, set by the catalog centre for everything the source gives;
3. derivations from what the record does say: the format class from its distributions' formats and
   media types (or its data services), the classification from the department's own branch;

and otherwise they stay empty: the record is stored *to be completed* (待补录), not public, and its
department fills the gaps.  One bad optional value is dropped with a warning
(:func:`registry.resources.salvage.salvage_metadata`); only a record with no title cannot be kept.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from registry.resources.salvage import salvage_metadata
from registry.resources.schemas import missing_fields

# File types and media types by the format class of the compilation guide they belong to.
FORMAT_CLASS_OF_TYPE = {
    **dict.fromkeys(("csv", "tsv", "xls", "xlsx", "ods", "numbers"), "spreadsheet"),
    **dict.fromkeys(("sql", "mdb", "accdb", "sqlite", "db", "dbf", "dmp", "bak"), "database"),
    **dict.fromkeys(("json", "jsonld", "geojson", "xml", "rdf", "rdfxml", "ttl", "turtle", "nt", "n3", "nq",
                     "kml", "kmz", "gml", "gpx", "yaml", "yml", "topojson", "parquet", "netcdf", "nc",
                     "hdf5", "shp", "gpkg", "zip+shp"), "self_describing"),
    **dict.fromkeys(("pdf", "doc", "docx", "odt", "rtf", "txt", "html", "htm", "xhtml", "ppt", "pptx",
                     "odp", "epub", "md", "zip", "7z", "rar", "gz", "tar"), "electronic_file"),
    **dict.fromkeys(("jpg", "jpeg", "png", "gif", "tif", "tiff", "geotiff", "bmp", "svg", "webp", "ecw",
                     "jp2", "dwg", "dxf"), "image"),
    **dict.fromkeys(("mp4", "avi", "mov", "mkv", "webm", "mp3", "wav", "ogg", "flac", "m3u8", "flv"), "streaming"),
    **dict.fromkeys(("api", "wms", "wmts", "wfs", "wcs", "wps", "sos", "csw", "sparql", "rest", "soap", "wsdl",
                     "esri rest", "arcgis geoservices rest api", "ogc api"), "service_interface"),
}
MEDIA_TYPE_CLASS = {
    "text/csv": "spreadsheet", "text/tab-separated-values": "spreadsheet", "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "application/json": "self_describing", "application/ld+json": "self_describing",
    "application/geo+json": "self_describing", "application/xml": "self_describing", "text/xml": "self_describing",
    "application/rdf+xml": "self_describing", "text/turtle": "self_describing",
    "application/n-triples": "self_describing", "application/vnd.google-earth.kml+xml": "self_describing",
    "application/gml+xml": "self_describing", "application/pdf": "electronic_file", "text/html": "electronic_file",
    "text/plain": "electronic_file", "application/msword": "electronic_file", "application/zip": "electronic_file",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "electronic_file",
    "application/sql": "database", "application/vnd.sqlite3": "database",
}
MEDIA_TYPE_PREFIX_CLASS = {"image/": "image", "video/": "streaming", "audio/": "streaming"}
# When a record's distributions fall in several classes, the most frequent wins; ties go to the
# class that says most about the data (a table before a document about it).
CLASS_ORDER = ("spreadsheet", "database", "self_describing", "service_interface", "electronic_file", "image",
               "streaming")


@dataclass
class Completed:
    """A harvested record as it will be stored, what was dropped from it, and what it still lacks."""

    doc: dict
    warnings: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    derived: list[str] = field(default_factory=list)


class NotKeepable(Exception):
    """The record has no title: nothing could name it in the catalog."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


def complete_record(said: dict, *, defaults: dict | None, credit_code: str, branch_code: str | None,
                    publish_directly: bool) -> Completed:
    """The record ``said`` (a source type's mapping) with the source's defaults and the derivations,
    loaded by the schema with each bad value dropped; raise :class:`NotKeepable` if it cannot be kept."""
    warnings = [w for w in said.pop("_warnings", None) or () if isinstance(w, dict)]
    said = {k: v for k, v in said.items() if v not in (None, [], {}) and (v != "" or k.endswith("_lang"))}
    doc = {**(defaults or {}), **said, "provider": credit_code}
    salvaged = salvage_metadata(doc)
    doc = salvaged.doc
    warnings += [{"field": d.field, "reason": d.reason, "value": d.value} for d in salvaged.dropped]
    if not doc.get("title"):
        raise NotKeepable("no title", "the record has no title")
    # Derived values need no second pass of the schema: each is drawn from its vocabulary (a format class,
    # a file type of at most 40 characters, the department's own branch of the classification).
    derived = []
    if "format_class" not in doc:
        format_class, format_type = derive_format_class(doc)
        if format_class:
            doc["format_class"] = format_class
            derived.append("format_class")
            if format_type and "format_type" not in doc:
                doc["format_type"] = format_type
    if "classification" not in doc and branch_code:
        doc["classification"] = branch_code        # a department's resources belong in its own branch
        derived.append("classification")
    missing = _missing(doc, publish_directly)
    return Completed(doc, warnings, missing, derived)


def _missing(doc: dict, publish_directly: bool) -> list[str]:
    missing = missing_fields(doc)
    # Published as harvested, a record needs the release date its source gave: none is made up.
    if publish_directly and not doc.get("issued"):
        missing.append("issued")
    return missing


def derive_format_class(doc: dict) -> tuple[str | None, str | None]:
    """The guide's format class that the record's distributions (or data services) say, and the
    sub-type (the file type) it came from; ``(None, None)`` when they say nothing recognisable."""
    votes: Counter = Counter()
    first_type: dict[str, str] = {}
    for distribution in doc.get("distributions", ()):
        kind, file_type = _class_of(distribution)
        if kind:
            votes[kind] += 1
            if file_type:
                first_type.setdefault(kind, file_type)
    if not votes:
        return ("service_interface", None) if doc.get("data_services") else (None, None)
    best = max(votes.values())
    kind = next(k for k in CLASS_ORDER if votes.get(k) == best)
    return kind, first_type.get(kind)


def _class_of(distribution: dict) -> tuple[str | None, str | None]:
    fmt = (distribution.get("format") or "").strip().lower()
    if fmt.startswith("."):
        fmt = fmt[1:]
    if fmt in FORMAT_CLASS_OF_TYPE:
        return FORMAT_CLASS_OF_TYPE[fmt], fmt[:40]
    media = (distribution.get("media_type") or "").lower()
    if media in MEDIA_TYPE_CLASS:
        return MEDIA_TYPE_CLASS[media], None
    for prefix, kind in MEDIA_TYPE_PREFIX_CLASS.items():
        if media.startswith(prefix):
            return kind, None
    for url in (distribution.get("download_url"), distribution.get("access_url")):
        path = urlsplit(url or "").path.lower()
        extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        # An address ending in .html is a page about the data, not the data: only file types count.
        if extension in FORMAT_CLASS_OF_TYPE and extension not in ("html", "htm", "xhtml"):
            return FORMAT_CLASS_OF_TYPE[extension], extension[:40]
    return None, None
