"""CKAN packages as portals serve them, mapped to what they say: core CKAN, ckanext-dcat, scheming, fluent."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from harvesters.ckan import CkanHarvester
from harvesters.ckan_package import package_document
from harvesters.ckan_values import Reading, choose_language, frequency, licence

FIXTURES = Path(__file__).parent / "fixtures" / "ckan"
PORTAL = "https://opendata.example.org"


def packages(name: str) -> dict:
    """The packages of one fixture portal's package_search answer, by name."""
    answer = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert answer["success"] is True and answer["result"]["count"] == len(answer["result"]["results"])
    return {p["name"]: p for p in answer["result"]["results"]}


def mapped(portal: str, name: str) -> tuple[dict, list[dict]]:
    doc = package_document(packages(portal)[name], PORTAL)
    return doc, doc.pop("_warnings", [])


def test_a_core_ckan_package_says_what_it_says_and_nothing_more():
    doc, warnings = mapped("core_city_portal", "einwohner-nach-stadtteilen")
    upload = ("https://opendata.example-stadt.de/dataset/1a4e0c9d-77b2-4f0e-a3c5-5d2b8e6f9a01/resource/"
              "9c2b7e41-0d3f-4a6b-8e15-7f2a1c3d4e50/download/einwohner_2023.csv")
    workbook = "https://www.example-stadt.de/fileadmin/statistik/zeitreihe_einwohner.xlsx"
    assert doc == {
        "title": "Einwohner nach Stadtteilen", "title_lang": "",
        "description": "Einwohnerinnen und Einwohner mit Hauptwohnsitz nach Stadtteilen, jährlich zum 31.12.\r\n\r\n"
                       "**Quelle:** Melderegister.", "description_lang": "",
        # no source link: the package's own page on the portal
        "landing_page": f"{PORTAL}/dataset/einwohner-nach-stadtteilen",
        "original_publisher": {"name": "Amt für Statistik und Wahlen",
                               "uri": f"{PORTAL}/organization/amt-fuer-statistik"},
        "other_identifiers": ["1a4e0c9d-77b2-4f0e-a3c5-5d2b8e6f9a01", "einwohner-nach-stadtteilen"],
        "issued": "2019-05-01",                                 # metadata_created, to the day
        "license": "http://www.opendefinition.org/licenses/cc-by",   # "cc-by" names no version: its address
        "keywords": ["Bevölkerung", "Stadtteile", "soci"],      # the vocabulary tag too
        # the maintainer has only an e-mail: the author names the contact, as ckanext-dcat falls back
        "contact_point": {"name": "Amt für Statistik und Wahlen", "email": "opendata@example-stadt.de"},
        "distributions": [
            {"title": "einwohner_2023.csv", "description": "Stand 31.12.2023", "access_url": upload,
             "download_url": upload, "format": "CSV", "media_type": "text/csv", "byte_size": 48213},
            {"title": "Karte der Stadtteile", "description": "Interaktive Karte im Stadtportal",
             "access_url": "https://www.example-stadt.de/stadtteile/karte", "format": "HTML"},
            {"title": "Zeitreihe 1990-2023", "access_url": workbook, "download_url": workbook, "format": "XLSX",
             "media_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "byte_size": 731904},
        ]}
    assert warnings == []


def test_bad_values_are_left_to_the_core_or_reported_never_mended_by_guessing():
    doc, warnings = mapped("core_city_portal", "baustellen-aktuell")
    assert "description" not in doc and "description_lang" not in doc      # empty notes: nothing to say
    assert doc["landing_page"] == f"{PORTAL}/dataset/baustellen-aktuell"
    assert warnings == [{"field": "landing_page", "value": "www.example-stadt.de/verkehr/baustellen",
                         "reason": "not an http(s) address; the package's page on the portal is used"}]
    # Left for the core, which drops each with a warning: an s3:// and a relative address, a bad e-mail.
    assert [d["access_url"] for d in doc["distributions"]] == [
        "s3://stadt-opendata-exports/verkehr/baustellen.geojson", "/dokumente/baustellen-legende.pdf",
        "https://geo.example-stadt.de/wfs/baustellen?SERVICE=WFS&REQUEST=GetCapabilities"]
    assert not any("download_url" in d for d in doc["distributions"])     # links, not uploads
    assert doc["contact_point"] == {"name": "Tiefbauamt, Abteilung Verkehr", "email": "verkehr at example-stadt.de"}
    assert doc["license"] == "Other (Not Open)" and doc["issued"] == "2021-09-30"


def test_ckanext_dcat_extras_are_read_where_they_map_and_reported_where_not():
    doc, warnings = mapped("dcat_extras_portal", "grondwatermeetpunten")
    assert doc["landing_page"] == "https://www.example-provincie.nl/water/grondwater"
    assert doc["original_publisher"] == {"name": "Provincie Voorbeeld, afdeling Water",
                                         "uri": "https://standaarden.example.nl/owms/terms/ProvincieVoorbeeld"}
    assert doc["other_identifiers"] == ["b5e6f7a8-0912-4c3d-9e4f-5a6b7c8d9e0f", "grondwatermeetpunten",
                                        "https://data.example-provincie.nl/id/dataset/grondwatermeetpunten",
                                        "PV-GW-0042"]
    assert (doc["issued"], doc["temporal"]) == ("2021-03-15", {"start": "1998-01-01", "end": "2023-12-31"})
    assert (doc["update_frequency"], doc["open_type"]) == ("monthly", "unconditional")    # BIWEEKLY: covered monthly
    assert (doc["language"], doc["themes"]) == (["nl", "en"], ["ENVI"])
    assert doc["contact_point"] == {"name": "Team Geo-informatie", "email": "geodata@example-provincie.nl"}
    assert doc["license"] == "http://creativecommons.org/publicdomain/zero/1.0/deed.nl"
    service, archive = doc["distributions"]
    assert "download_url" not in service
    assert archive == {
        "title": "Meetreeksen", "description": "Meetreeksen als CSV, gezipt",
        "access_url": "https://downloads.example-provincie.nl/grondwater/",
        "download_url": "https://downloads.example-provincie.nl/grondwater/meetreeksen.zip", "format": "ZIP",
        "media_type": "application/zip", "byte_size": 91844608,
        "license": "http://creativecommons.org/publicdomain/zero/1.0/deed.nl",
        "checksum": {"algorithm": "sha1", "value": "5f2a9c0e7b1d3f4a6c8e0b2d4f6a8c0e2b4d6f8a"}}
    assert "spatial" not in doc
    assert {(w["field"], w["value"]) for w in warnings} == {
        ("themes", "http://eurovoc.europa.eu/2881"), ("spatial", "http://sws.geonames.org/2745909/"),
        ("conforms_to", '["http://www.opengis.net/def/crs/EPSG/0/28992"]')}


def test_a_restriction_is_never_widened_and_a_year_is_no_date():
    doc, warnings = mapped("dcat_extras_portal", "subsidieregister")
    assert doc["open_type"] == "none"                       # NON_PUBLIC
    assert "issued" not in doc                              # "2019": not replaced by metadata_created either
    assert {"field": "issued", "reason": "a year alone is not a date", "value": "2019"} in warnings
    assert "license" not in doc                             # "License not specified"
    assert (doc["update_frequency"], doc["language"], doc["themes"]) == ("annual", ["nl"], ["GOVE"])
    listed = package_document({"id": "x", "name": "x", "title": "T",
                               "extras": [{"key": "language", "value": "de, fr"}]}, PORTAL)
    assert listed["language"] == ["de", "fr"]
    assert "checksum" not in doc["distributions"][0]        # a digest whose algorithm nobody said
    assert {w["field"] for w in warnings} == {"issued", "distributions[0].checksum"}
    restricted, _ = mapped("dcat_scheming_portal", "traffic-counts")
    assert restricted["open_type"] == "conditional" and "open_conditions" not in restricted


def test_scheming_fields_are_read_like_extras():
    doc, warnings = mapped("dcat_scheming_portal", "traffic-counts")
    counts = ("https://data.example-county.ie/dataset/0d9c8b7a-6f5e-4d3c-8b2a-190f8e7d6c5b/resource/"
              "3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a09f")
    assert doc["issued"] == "2023-04-12" and doc["temporal"] == {"start": "2019-01-01"}
    assert (doc["license"], doc["update_frequency"], doc["themes"]) == ("CC-BY-4.0", "daily", ["TRAN"])
    assert doc["language"] == ["en", "gle"]
    # The scheming contact point wins over the maintainer; the publisher over the organization.
    assert doc["contact_point"] == {"name": "Roads Data Office", "email": "roads.data@example-county.ie"}
    assert doc["original_publisher"] == {"name": "Example County Council - Transport",
                                         "uri": "https://www.example-county.ie/transport"}
    assert doc["other_identifiers"][2:] == ["ecc-traffic-counts", "ECC-ROADS-17"]
    assert doc["distributions"] == [{
        "title": "Counts 2023", "description": "Counts for 2023", "access_url": counts,
        "download_url": counts + "/download/counts-2023.csv", "format": "CSV", "media_type": "text/csv",
        "byte_size": 5242880}]
    assert [(w["field"], w["value"]) for w in warnings] == [
        ("spatial", "https://data.geohive.example/admin/county/17"), ("distributions", "Counter locations (planned)")]


def test_fluent_texts_keep_their_language():
    doc, warnings = mapped("fluent_portal", "gemeindegrenzen")
    assert (doc["title"], doc["title_lang"], doc["title_en"]) == ("Gemeindegrenzen", "de", "Municipal boundaries")
    assert (doc["description"], doc["description_lang"]) == \
        ("Grenzen der Gemeinden des Kantons, Stand 1. Januar.", "de")
    assert doc["description_en"] == "Boundaries of the municipalities of the canton, as of 1 January."
    assert doc["keywords"] == ["gemeinden", "grenzen"]
    assert doc["original_publisher"] == {"name": "Amt für Geoinformation des Kantons Beispiel",
                                         "uri": "https://www.example-kanton.ch/geoinformation"}
    assert doc["contact_point"] == {"name": "Fachstelle Geodaten", "email": "geodaten@example-kanton.ch"}
    assert (doc["update_frequency"], doc["issued"]) == ("annual", "2018-01-01")
    assert doc["temporal"] == {"start": "2018-01-01", "end": "2025-01-01"}
    (shapefile,) = doc["distributions"]
    assert (shapefile["title"], shapefile["description"]) == ("Gemeindegrenzen (Shapefile)", "Shapefile, gezipt")
    assert shapefile["download_url"] == "https://files.example-kanton.ch/geodaten/gemeindegrenzen_shp.zip"
    assert (shapefile["media_type"], shapefile["byte_size"]) == ("application/zip", 2318336)
    assert warnings == []
    translated, _ = mapped("fluent_portal", "qualitat-aire")
    assert (translated["title"], translated["title_lang"], translated["title_en"]) == \
        ("Qualitat de l'aire", "ca", "Air quality")
    assert translated["description_lang"] == "ca" and translated["keywords"] == ["aire", "contaminació"]
    assert translated["distributions"][0]["title"] == "Lectures"
    assert translated["license"] == "ODbL-1.0"


def test_the_fluent_pick_is_the_same_whatever_order_the_portal_writes():
    texts = {"fr": "Limites", "de": "Grenzen", "en": "Boundaries", "it": "Confini"}
    reordered = dict(reversed(list(texts.items())))
    assert choose_language(texts, []) == choose_language(reordered, []) == "de"
    assert choose_language(texts, ["it", "de"]) == "it"                 # the dataset's own first language
    assert choose_language({**texts, "zh": "边界"}, ["de"]) == "zh"      # the catalog's language first
    only_english = package_document({"id": "x", "name": "x", "title": {"en": "Boundaries", "de": ""}}, PORTAL)
    assert (only_english["title"], only_english["title_lang"]) == ("Boundaries", "en")
    assert "title_en" not in only_english


@pytest.mark.parametrize("said, frequency_key", [
    ("http://publications.europa.eu/resource/authority/frequency/WEEKLY", "weekly"),
    ("QUARTERLY", "quarterly"), ("http://purl.org/cld/freq/biweekly", "monthly"), ("monthly", "monthly"),
    ("R/P1D", "daily"), ("R/P2W", "monthly"), ("R/PT1H", "realtime"), ("R/P3Y", "irregular"),
    ("http://publications.europa.eu/resource/authority/frequency/ANNUAL_2", "semiannual"),
    ("http://publications.europa.eu/resource/authority/frequency/UNKNOWN", None), ("whenever", None),
])
def test_frequencies_map_to_one_that_covers_them(said, frequency_key):
    assert frequency(said) == frequency_key
    doc = package_document({"id": "x", "name": "x", "title": "T", "extras": [{"key": "frequency", "value": said}]},
                           PORTAL)
    assert doc.get("update_frequency") == frequency_key
    assert bool(doc.get("_warnings")) == (frequency_key is None)


@pytest.mark.parametrize("package, expected", [
    ({"license_id": "cc-by", "license_title": "Creative Commons Attribution",
      "license_url": "http://www.opendefinition.org/licenses/cc-by"}, "http://www.opendefinition.org/licenses/cc-by"),
    ({"license_id": "cc-zero", "license_title": "Creative Commons CCZero"}, "CC0-1.0"),
    ({"license_id": "cc-by-4.0"}, "CC-BY-4.0"),
    ({"license_id": "https://www.govdata.example/dl-by-de/2.0", "license_title": "Datenlizenz"},
     "https://www.govdata.example/dl-by-de/2.0"),
    ({"license_id": "other-at", "license_title": "Other (Attribution)"}, "Other (Attribution)"),
    ({"license_id": "notspecified", "license_title": "License not specified"}, None),
    ({"license_id": ""}, None),
])
def test_a_licence_is_an_identifier_or_an_address_first(package, expected):
    assert licence(package) == expected


def test_another_govcats_package_stays_chinese_and_keeps_its_themes():
    package = {"id": 7, "name": "102-900007", "title": "部门数据集7", "notes": "说明。",
               "author": "省数据局", "maintainer": None,
               "extras": [{"key": "resource_code", "value": "102/900007"},
                          {"key": "identifier", "value": "102/900007"}],
               "groups": [{"name": "envi", "title": "环境"}, {"name": "102", "title": "分类"}],
               "url": "https://other.example.gov.cn/resources/7"}
    doc = package_document(package, PORTAL)
    assert "title_lang" not in doc and "description_lang" not in doc      # govcat's title is Chinese
    assert "contact_point" not in doc            # its author is the department, not a contact point
    assert doc["themes"] == ["ENVI"] and doc["other_identifiers"] == ["7", "102-900007"]
    assert doc["landing_page"] == "https://other.example.gov.cn/resources/7"


def test_a_mapping_worker_knows_the_portal_from_the_source_alone():
    worker = CkanHarvester.__new__(CkanHarvester)       # as the map stage's worker processes build it
    worker.source = SimpleNamespace(url=PORTAL + "/api/3/action/package_search?q=*:*", defaults={})
    doc = worker.map(packages("core_city_portal")["einwohner-nach-stadtteilen"])
    assert doc["landing_page"] == f"{PORTAL}/dataset/einwohner-nach-stadtteilen"


def test_warnings_show_what_was_said():
    reading = Reading()
    reading.drop("spatial", "a geometry", {"type": "Point", "coordinates": [8.5, 47.4]})
    reading.drop("keywords", "too long", "x" * 500)
    assert reading.warnings[0]["value"] == '{"type": "Point", "coordinates": [8.5, 47.4]}'
    assert len(reading.warnings[1]["value"]) == 200


def test_a_package_of_odd_shapes_still_maps_what_it_can():
    odd = {"id": "odd", "name": "odd", "title": "Odd", "extras": "none", "tags": {"name": "x"}, "resources": 5,
           "groups": None, "organization": "Stadt", "contact": "[broken", "publisher": 3, "language": {"de": 1}}
    doc = package_document(odd, PORTAL)
    assert (doc["title"], doc["landing_page"]) == ("Odd", f"{PORTAL}/dataset/odd")
    assert "distributions" not in doc and "keywords" not in doc and "original_publisher" not in doc
