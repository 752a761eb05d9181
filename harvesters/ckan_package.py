"""One CKAN package as govcat's metadata document: what the package says, nothing guessed.

CKAN portals describe a dataset in layers, and a package carries whichever its portal runs:

* core CKAN: ``title``, ``notes``, ``url`` (the source page), ``author``/``maintainer``,
  ``organization``, ``license_*``, ``tags``, ``metadata_created``, and resources whose ``url`` is
  the file itself when it was uploaded (``url_type`` "upload");
* ckanext-dcat: DCAT-AP values in ``extras`` (legacy profiles; lists as JSON text) or as
  first-level fields (ckanext-scheming schemas; real lists, lists of objects for contact points
  and publishers);
* ckanext-fluent: multilingual text as ``{"de": …, "en": …}``, in the field itself or beside it
  (``title_translated``);
* govcat's own CKAN API: the compilation guide's fields as extras (:mod:`registry.ckan.mapping`),
  read back losslessly.

Texts keep the language their source gave them: a fluent text is tagged (``title_lang``), a plain
CKAN string is untagged (``""``), and govcat's own packages are Chinese (absent).  A value that
cannot be read is reported in ``_warnings``; values the schema refuses are left for the harvest
core to drop and report.
"""
from __future__ import annotations

import json
import re

from harvesters.ckan_values import (
    Reading, as_list, byte_size, checksum_algorithm, choose_language, first_object, frequency, full_date, is_http,
    language, licence, localized, open_type, text, theme,
)
from vocab import enumerations as v
from vocab import iris

# govcat's extras that carry a metadata field under the same name, as text.
TEXT_EXTRAS = ("title_en", "description_en", "classification", "provider_unit", "format_class", "format_type",
               "share_type", "share_conditions", "share_basis", "share_method", "open_conditions")
JSON_EXTRAS = ("data_items", "related_codes")
DOWNLOAD_TYPES = {"file", "file.upload"}     # CKAN's resource types for a file to download
DIVISION_CODE = re.compile(r"^[1-8]\d{5}$")


def objects(value) -> list[dict]:
    """The objects of a list a package should hold (extras, tags, resources): others are skipped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def extras(package: dict) -> dict:
    return {e["key"]: e.get("value") for e in objects(package.get("extras")) if isinstance(e.get("key"), str)}


def package_document(package: dict, base: str) -> dict:
    """The document of ``package`` listed by the portal at ``base`` (see the module docstring)."""
    return _Package(package, base).document()


class _Package:
    def __init__(self, package: dict, base: str):
        self.package, self.base = package, base
        self.extras = extras(package)
        self.reading = Reading()
        self.govcat = bool(text(self.extras.get("resource_code")))   # another govcat's own CKAN API
        self.declared = [tag for tag in (language(item) for item in self.language_items()) if tag]

    def value(self, *names):
        """A DCAT value as scheming gives it (a first-level field) or as a legacy extra."""
        for name in names:
            for found in (self.package.get(name), self.extras.get(name)):
                if found not in (None, "", [], {}):
                    return found
        return None

    def document(self) -> dict:
        doc = {key: text(self.extras.get(key)) for key in TEXT_EXTRAS}
        for key in JSON_EXTRAS:
            raw = text(self.extras.get(key))
            if raw:
                try:
                    doc[key] = json.loads(raw)
                except ValueError:
                    self.reading.drop(key, "not JSON", raw)
        doc.update(self.texts(doc))
        doc.update(landing_page=self.landing_page(), original_publisher=self.publisher(),
                   other_identifiers=self.identifiers(), issued=self.issued(), license=licence(self.package),
                   keywords=self.keywords(doc.get("title_lang")), themes=self.themes(), language=self.languages(),
                   update_frequency=self.update_frequency(), open_type=self.opening(),
                   contact_point=self.contact_point(), temporal=self.temporal(), spatial=self.spatial())
        if self.govcat and self.govcat_lang("keywords_lang") is not None:
            doc["keywords_lang"] = self.govcat_lang("keywords_lang")
        self.unmapped()
        doc["distributions"], doc["data_services"] = self.resources(doc["title"], doc.get("title_lang"))
        doc = {k: value for k, value in doc.items() if value not in (None, [], {})}
        if self.reading.warnings:
            doc["_warnings"] = self.reading.warnings
        return doc

    # -- texts ---------------------------------------------------------------------------------
    def texts(self, doc: dict) -> dict:
        """Title and description, in the language the source gave them (a fluent pick, or untagged)."""
        out = {}
        titles = localized(self.package.get("title_translated")) or localized(self.package.get("title"))
        if titles:
            tag = choose_language(titles, self.declared)
            out.update(title=titles[tag], title_lang=tag)
            if tag != "en" and "en" in titles and not doc.get("title_en"):
                out["title_en"] = titles["en"]
        else:
            out["title"] = text(self.package.get("title")) or text(self.package.get("name"))
            out["title_lang"] = self.govcat_lang("title_lang")
        descriptions = localized(self.package.get("notes_translated")) or localized(self.package.get("notes")) \
            or localized(self.package.get("description"))
        if descriptions:
            tag = choose_language(descriptions, self.declared, prefer=out["title_lang"])
            out.update(description=descriptions[tag], description_lang=tag)
            if tag != "en" and "en" in descriptions and not doc.get("description_en"):
                out["description_en"] = descriptions["en"]
        elif text(self.package.get("notes")):
            out.update(description=text(self.package["notes"]), description_lang=self.govcat_lang("description_lang"))
        return out

    def govcat_lang(self, key: str) -> str | None:
        """Untagged ("") for a plain portal's text; a govcat package's text is Chinese unless it says
        (its extra, "" for untagged text, as that govcat keeps it)."""
        if not self.govcat:
            return ""
        value = self.extras.get(key)
        return value.strip() if isinstance(value, str) else None

    def pick(self, value, prefer: str | None) -> str | None:
        """One text of a plain or a fluent value (some portals serve the fluent object as JSON text)."""
        if isinstance(value, str) and value.strip().startswith("{"):
            value = first_object(value) or value
        texts = localized(value)
        if texts:
            return texts[choose_language(texts, self.declared, prefer)]
        return text(value)

    def keywords(self, tag: str | None) -> list[str]:
        """Tags (vocabulary tags too); on a fluent portal, the keywords in the title's language."""
        tags = objects(self.package.get("tags"))
        names = [t.get("name") for t in tags]
        fluent = localized(self.package.get("tags_translated")) or localized(self.package.get("keywords"))
        if fluent:
            chosen = fluent[choose_language(fluent, self.declared, prefer=tag)]
            vocabulary = [t.get("name") for t in tags if t.get("vocabulary_id")]
            names = (chosen if isinstance(chosen, list) else [chosen]) + vocabulary
        out = []
        for name in (text(n) for n in names):
            if name and name not in out:
                out.append(name)
        return out

    # -- who and where -------------------------------------------------------------------------
    def landing_page(self) -> str | None:
        """The package's source link (``url``; another govcat's ``landing_page`` extra), else its page on the portal."""
        url = text(self.extras.get("landing_page")) if self.govcat else None
        url = url or text(self.package.get("url"))
        if url and is_http(url):
            return url
        if url:
            self.reading.drop("landing_page", "not an http(s) address; the package's page on the portal is used",
                              url)
        slug = text(self.package.get("name")) or _ident(self.package.get("id"))
        return f"{self.base}/dataset/{slug}" if slug else None

    def publisher(self) -> dict | None:
        """The publisher the package names (ckanext-dcat's), else its organization on the portal."""
        named = first_object(self.value("publisher"))
        name = self.pick(named.get("name"), None) or text(self.value("publisher_name"))
        if name:
            uri = next((u.strip() for u in (named.get("uri"), self.value("publisher_uri"), named.get("url"),
                                            self.value("publisher_url")) if is_http(u)), None)
            return {"name": name, "uri": uri} if uri else {"name": name}
        organization = self.package.get("organization")
        if not isinstance(organization, dict):
            return None
        slug = text(organization.get("name"))
        name = self.pick(organization.get("title_translated") or organization.get("title"), None) or slug
        if not name:
            return None
        return {"name": name, "uri": f"{self.base}/organization/{slug}"} if slug else {"name": name}

    def identifiers(self) -> list[str]:
        """The package's id and name, and the identifiers ckanext-dcat gives (not govcat codes)."""
        code = text(self.extras.get("resource_code"))
        found = [_ident(self.package.get("id")), text(self.package.get("name")), _ident(self.value("identifier")),
                 *(_ident(item) for item in as_list(self.value("alternate_identifier")))]
        out = []
        for ident in found:
            if ident and ident != code and ident not in out:
                out.append(ident)
        return out

    def contact_point(self) -> dict | None:
        """ckanext-dcat's contact point, else the maintainer, else the author (name and e-mail each,
        as ckanext-dcat itself falls back); a govcat package's contact point is its extras'."""
        if self.govcat:
            values = {"name": self.extras.get("contact_name"), "email": self.extras.get("contact_email"),
                      "phone": self.extras.get("contact_phone")}
        else:
            named = first_object(self.value("contact")) or first_object(self.package.get("contact_points"))
            p = self.package
            values = {"name": _first(self.pick(named.get("name"), None), self.value("contact_name"),
                                     p.get("maintainer"), p.get("author")),
                      "email": _first(named.get("email"), self.value("contact_email"), p.get("maintainer_email"),
                                      p.get("author_email")),
                      "phone": self.extras.get("contact_phone")}
        values = {k: text(value) for k, value in values.items()}
        if values["email"] and values["email"].lower().startswith("mailto:"):
            values["email"] = values["email"][7:]
        values = {k: value for k, value in values.items() if value}
        return values or None

    # -- dates, periods, rights ----------------------------------------------------------------
    def issued(self) -> str | None:
        """ckanext-dcat's (or govcat's) issued date, else the day the package was created on the portal."""
        said = self.value("issued")
        if said not in (None, ""):
            return full_date(said, "issued", self.reading)
        return full_date(self.package.get("metadata_created"), "issued", self.reading)

    def temporal(self) -> dict:
        period = first_object(self.value("temporal_coverage")) or first_object(self.package.get("temporals"))
        start = _first(self.extras.get("temporal_start"), period.get("start"), period.get("start_date"))
        end = _first(self.extras.get("temporal_end"), period.get("end"), period.get("end_date"))
        out = {"start": full_date(start, "temporal.start", self.reading),
               "end": full_date(end, "temporal.end", self.reading)}
        return {k: value for k, value in out.items() if value}

    def update_frequency(self) -> str | None:
        for key in ("update_frequency", "frequency", "accrual_periodicity"):
            raw = self.value(key)
            if raw not in (None, ""):
                known = frequency(raw) if isinstance(raw, str) else None
                if known is None:
                    self.reading.drop("update_frequency", "not a frequency govcat can map", raw)
                return known
        return None

    def opening(self) -> str | None:
        """govcat's opening, else the one an access-right term says; never wider than the term."""
        own = text(self.extras.get("open_type"))
        if own:
            return own
        raw = self.value("access_rights")
        if raw in (None, ""):
            return None
        known = open_type(raw) if isinstance(raw, str) else None
        if known is None:
            self.reading.drop("open_type", "access rights that are not an access-right term", raw)
        return known

    # -- lists of terms ------------------------------------------------------------------------
    def language_items(self) -> list:
        """The dataset's languages as written: a list, a legacy extra's JSON text, or "de,fr"."""
        return [part.strip() if isinstance(part, str) else part for item in as_list(self.value("language"))
                for part in (item.split(",") if isinstance(item, str) else [item])]

    def languages(self) -> list[str]:
        out = []
        for item in self.language_items():
            tag = language(item) if isinstance(item, str) else None
            if tag is None:
                self.reading.drop("language", "not a language code", item)
            elif tag not in out:
                out.append(tag)
        return out

    def themes(self) -> list[str]:
        out = []
        for item in as_list(self.value("theme")):
            code = theme(item) if isinstance(item, str) else None
            if code is None:
                self.reading.drop("themes", "not an EU data theme", item)
            elif code not in out:
                out.append(code)
        if self.govcat:      # govcat publishes its resources' themes as groups named by their codes
            for group in objects(self.package.get("groups")):
                code = str(group.get("name", "")).upper()
                if code in v.EU_THEMES and code not in out:
                    out.append(code)
        return out

    def spatial(self) -> str | None:
        own = text(self.extras.get("spatial_code"))
        if own:
            return own
        coverage = first_object(self.value("spatial_coverage"))
        for raw in (self.value("spatial_uri"), coverage.get("uri")):
            raw = text(raw)
            if raw:
                code = raw if DIVISION_CODE.match(raw) else iris.code_from_iri("region", raw)
                if code and DIVISION_CODE.match(code):
                    return code
                self.reading.drop("spatial", "not a division code (GB/T 2260)", raw)
                return None
        geometry = self.value("spatial") or coverage.get("geom")
        if geometry:
            self.reading.drop("spatial", "a geometry, not a division code (GB/T 2260)", geometry)
        return None

    def unmapped(self) -> None:
        """ckanext-dcat values govcat's model has no place for, reported rather than lost unseen."""
        standards = as_list(self.value("conforms_to"))
        if standards:
            self.reading.drop("conforms_to", "no field for the standards a dataset conforms to", standards)

    # -- resources -----------------------------------------------------------------------------
    def resources(self, title: str | None, tag: str | None) -> tuple[list[dict], list[dict]]:
        """Distributions (an upload's address is also its download address) and govcat's data services."""
        distributions, services = [], []
        for position, r in enumerate(objects(self.package.get("resources"))):
            if r.get("state") == "deleted":
                continue
            url, download = text(r.get("url")), text(r.get("download_url"))
            name = self.pick(r.get("name_translated") or r.get("name") or r.get("title"), tag)
            if not url and not download and not text(r.get("access_url")):
                self.reading.drop("distributions", "a resource without an address", name or r.get("id") or position)
                continue
            if r.get("resource_type") == "api" and r.get("format") == "API":   # govcat's data services
                services.append({"title": name or title, "endpoint_url": url,
                                 "endpoint_description": text(r.get("description"))})
                continue
            if not download and url and (r.get("url_type") == "upload" or text(r.get("resource_type")) in DOWNLOAD_TYPES):
                download = url
            distributions.append(self.distribution(r, name, text(r.get("access_url")) or url or download,
                                                   download, tag, len(distributions)))
        return ([{k: value for k, value in d.items() if value not in (None, "", {})} for d in distributions],
                [{k: value for k, value in s.items() if value} for s in services])

    def distribution(self, r: dict, name, access, download, tag, index: int) -> dict:
        digest, algorithm = text(r.get("hash")), checksum_algorithm(r.get("hash_algorithm"))
        if digest and not algorithm:
            self.reading.drop(f"distributions[{index}].checksum", "a checksum without its algorithm", digest)
        return {"title": name, "description": self.pick(r.get("description_translated") or r.get("description"), tag),
                "access_url": access, "download_url": download, "format": text(r.get("format")),
                "media_type": text(r.get("mimetype")) or text(r.get("media_type")),
                "byte_size": byte_size(r.get("size") if r.get("size") not in (None, "") else r.get("byte_size")),
                "license": text(r.get("license")),
                "checksum": {"algorithm": algorithm, "value": digest} if digest and algorithm else None}


def _ident(value) -> str | None:
    if isinstance(value, bool):
        return None
    return str(value) if isinstance(value, int) else text(value)


def _first(*values) -> str | None:
    return next((value.strip() for value in values if isinstance(value, str) and value.strip()), None)
