"""Dublin Core records as repositories write them, mapped to documents: what each says, nothing more."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from harvesters.dublincore import is_file, map_record

PAGE = Path(__file__).parent / "fixtures" / "oaipmh" / "dspace_page.xml"
NS = {"oai": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}
GROUNDWATER, INTERVIEWS, AIR = ("oai:repository.uni-beispiel.example:20.500.11780/1234",
                                "oai:repository.uni-beispiel.example:20.500.11780/1301",
                                "oai:data.mesto.example.cz:ovzdusi-2022")


@pytest.fixture(scope="module")
def docs() -> dict:
    root = etree.parse(str(PAGE)).getroot()
    return {r.findtext("oai:header/oai:identifier", namespaces=NS): map_record(r.find("oai:metadata/oai_dc:dc", NS))
            for r in root.iterfind("oai:ListRecords/oai:record", NS) if r.find("oai:metadata", NS) is not None}


def dc(*elements: str) -> dict:
    return map_record(etree.fromstring(
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">' + "".join(elements) + "</oai_dc:dc>"))


def warnings(doc: dict) -> list[tuple[str, str]]:
    return [(w["field"], w["value"]) for w in doc.get("_warnings", [])]


def test_languages_of_titles_and_descriptions_are_kept(docs):
    doc = docs[GROUNDWATER]
    assert (doc["title"], doc["title_lang"]) == (
        "Messreihen der Grundwasserstände im südlichen Oberrheingraben 2010–2020", "de")
    assert doc["title_en"] == "Groundwater level series in the southern Upper Rhine Graben, 2010–2020"
    assert (doc["description_lang"], doc["description_en"]) == (
        "de", "Daily groundwater levels at 48 wells, checked for plausibility and gap-filled.")
    assert doc["description"].startswith("Tägliche Grundwasserstände")
    assert doc["language"] == ["de"]
    assert (docs[INTERVIEWS]["title_lang"], docs[INTERVIEWS]["language"]) == ("en-US", ["en"])
    assert (docs[AIR]["title_lang"], docs[AIR]["description_lang"]) == ("cs", "cs")


def test_untagged_texts_are_untagged_not_chinese():
    doc = dc("<dc:title>Bodenrichtwerte 2024</dc:title>", "<dc:description>Zonen und Werte.</dc:description>",
             "<dc:identifier>https://example.org/brw</dc:identifier>")
    assert (doc["title_lang"], doc["description_lang"]) == ("", "")


def test_a_handle_is_the_landing_page_and_files_are_distributions(docs):
    doc = docs[GROUNDWATER]
    assert doc["landing_page"] == "https://hdl.handle.net/20.500.11780/1234"
    csv = "https://repository.uni-beispiel.example/bitstream/handle/20.500.11780/1234/pegel_2010_2020.csv?sequence=1"
    bitstream = ("https://repository.uni-beispiel.example/server/api/core/bitstreams/"
                 "4b1e9c70-2f35-4d0a-8a53-61d2c7e0f981/content")
    assert doc["distributions"] == [{"access_url": csv, "download_url": csv, "media_type": "text/csv"},
                                    {"access_url": bitstream, "download_url": bitstream, "media_type": "text/csv"}]
    assert doc["other_identifiers"][:2] == ["https://hdl.handle.net/20.500.11780/1234", "doi:10.35097/example.1234"]
    air = docs[AIR]
    assert air["landing_page"] == "https://data.mesto.example.cz/dataset/ovzdusi-2022"
    assert [d["access_url"] for d in air["distributions"]] == [
        "https://data.mesto.example.cz/soubory/ovzdusi-2022.xlsx"]
    assert ("distributions.format", "1,2 MB") in warnings(air)      # an extent, not a format: reported


def test_a_doi_is_a_landing_page_through_its_resolver():
    doc = dc("<dc:title>Niederschlag</dc:title>", "<dc:identifier>doi:10.5281/example.77</dc:identifier>")
    assert doc["landing_page"] == "https://doi.org/10.5281/example.77"
    assert doc["other_identifiers"] == ["doi:10.5281/example.77"]


@pytest.mark.parametrize("address, expected", [
    ("https://repo.example.org/files/report-2023.pdf", True),
    ("https://repo.example.org/bitstream/handle/1/2/data.xlsx?sequence=3&isAllowed=y", True),
    ("https://repo.example.org/server/api/core/bitstreams/0a1b/download", True),
    ("https://hdl.handle.net/10500/12345", False),
    ("https://repo.example.org/items/5f0e-12", False),
    ("https://repo.example.org/dataset/air.quality", False),        # a dot, but no file name extension
])
def test_what_looks_like_a_file(address, expected):
    assert is_file(address) is expected


def test_publisher_is_the_original_publisher_and_authors_are_reported(docs):
    doc = docs[GROUNDWATER]
    assert doc["original_publisher"] == {"name": "Universität Beispielstadt"}
    assert ("creator", "Keller, Miriam; Brandt, Tobias") in warnings(doc)
    assert ("contributor", "Landesamt für Umwelt Beispielland") in warnings(doc)
    assert "contact_point" not in doc and "provider_unit" not in doc
    assert "original_publisher" not in docs[INTERVIEWS]      # a creator is not made the publisher


def test_dates_in_their_common_forms(docs):
    assert docs[GROUNDWATER]["issued"] == "2021-02-11"                  # the first full date (a date-time)
    assert ("issued", "2021") in warnings(docs[GROUNDWATER])            # a year alone: reported
    assert "issued" not in docs[INTERVIEWS] and ("issued", "2019") in warnings(docs[INTERVIEWS])
    assert docs[AIR]["issued"] == "2023-06-30" and ("issued", "30.06.2023") in warnings(docs[AIR])


def test_rights_set_the_licence_and_the_opening_never_wider(docs):
    doc = docs[GROUNDWATER]
    assert (doc["license"], doc["open_type"]) == ("CC-BY-4.0", "unconditional")
    assert ("license", "Creative Commons Namensnennung 4.0 International") in warnings(doc)
    assert docs[INTERVIEWS]["open_type"] == "none"                      # restrictedAccess, no conditions given
    assert "license" not in docs[INTERVIEWS]
    assert (docs[AIR]["license"], docs[AIR].get("open_type")) == ("Bez omezení, uveďte zdroj.", None)
    both = dc("<dc:title>t</dc:title>", "<dc:rights>info:eu-repo/semantics/openAccess</dc:rights>",
              "<dc:rights>info:eu-repo/semantics/embargoedAccess</dc:rights>")
    assert both["open_type"] == "none"


def test_a_record_without_description_maps_with_its_title_and_address(docs):
    doc = docs[INTERVIEWS]
    assert "description" not in doc and "description_lang" not in doc
    assert (doc["title"], doc["landing_page"]) == ("Interview transcripts on rural water supply",
                                                   "http://hdl.handle.net/20.500.11780/1301")
    assert ("type", "Text") in warnings(doc)                            # not a dataset: said
    assert not any(field == "type" for field, _v in warnings(docs[GROUNDWATER]))


def test_pycsw_dublin_core_links_and_abstract():
    doc = dc("<dc:title>Radwegenetz</dc:title>", "<dc:identifier>a1b2-c3</dc:identifier>",
             '<dct:abstract xmlns:dct="http://purl.org/dc/terms/">Alle Radwege.</dct:abstract>',
             '<dct:references xmlns:dct="http://purl.org/dc/terms/" scheme="OGC:WMS">https://example.org/wms'
             '</dct:references>',
             '<dct:references xmlns:dct="http://purl.org/dc/terms/" scheme="WWW:DOWNLOAD-1.0-http--download">'
             'https://example.org/radwege.zip</dct:references>',
             '<dct:references xmlns:dct="http://purl.org/dc/terms/" scheme="WWW:LINK-1.0-http--link">'
             'https://example.org/radwege</dct:references>',
             "<dc:rights>otherRestrictions</dc:rights>")
    assert doc["description"] == "Alle Radwege."
    assert doc["data_services"] == [{"title": "Radwegenetz", "endpoint_url": "https://example.org/wms",
                                     "endpoint_description": "OGC:WMS"}]
    assert doc["distributions"] == [{"access_url": "https://example.org/radwege.zip",
                                     "download_url": "https://example.org/radwege.zip"}]
    assert doc["landing_page"] == "https://example.org/radwege"
    assert doc["other_identifiers"] == ["a1b2-c3"]
    assert "license" not in doc and ("license", "otherRestrictions") in warnings(doc)
