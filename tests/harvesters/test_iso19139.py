"""ISO 19139 records as European geoportals write them, mapped to documents: what each says, nothing more."""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from harvesters.iso19139 import language_tag, map_record

RECORDS = Path(__file__).parent / "fixtures" / "pycsw"
NS = ('xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" '
      'xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink"')


def mapped(name: str) -> dict:
    return map_record(etree.parse(str(RECORDS / name)).getroot())


def record(identification: str = "", *, language: str = "", distribution: str = "") -> dict:
    """A small record: a title, then ``identification`` inside MD_DataIdentification."""
    return map_record(etree.fromstring(f"""<gmd:MD_Metadata {NS}>
  <gmd:fileIdentifier><gco:CharacterString>r-1</gco:CharacterString></gmd:fileIdentifier>{language}
  <gmd:identificationInfo><gmd:MD_DataIdentification>
    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>Radwege</gco:CharacterString></gmd:title>
    </gmd:CI_Citation></gmd:citation>{identification}
  </gmd:MD_DataIdentification></gmd:identificationInfo>
  <gmd:distributionInfo><gmd:MD_Distribution><gmd:transferOptions><gmd:MD_DigitalTransferOptions>{distribution}
  </gmd:MD_DigitalTransferOptions></gmd:transferOptions></gmd:MD_Distribution></gmd:distributionInfo>
</gmd:MD_Metadata>"""))


def access(*others: str, code: str = "otherRestrictions") -> str:
    texts = "".join(f"<gmd:otherConstraints>{o}</gmd:otherConstraints>" for o in others)
    return (f'<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:accessConstraints><gmd:MD_RestrictionCode '
            f'codeListValue="{code}"/></gmd:accessConstraints>{texts}</gmd:MD_LegalConstraints>'
            '</gmd:resourceConstraints>')


def anchor(href: str, label: str) -> str:
    return f'<gmx:Anchor xlink:href="{href}">{label}</gmx:Anchor>'


def online(url: str, protocol: str = "", function: str = "", name: str = "") -> str:
    parts = [f"<gmd:linkage><gmd:URL>{escape(url)}</gmd:URL></gmd:linkage>"]
    if protocol:
        parts.append(f"<gmd:protocol><gco:CharacterString>{protocol}</gco:CharacterString></gmd:protocol>")
    if name:
        parts.append(f"<gmd:name><gco:CharacterString>{name}</gco:CharacterString></gmd:name>")
    if function:
        parts.append(f'<gmd:function><gmd:CI_OnLineFunctionCode codeListValue="{function}"/></gmd:function>')
    return f"<gmd:onLine><gmd:CI_OnlineResource>{''.join(parts)}</gmd:CI_OnlineResource></gmd:onLine>"


NO_LIMITATIONS = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations"
ARTICLE_13_1E = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1e"


def test_a_german_inspire_record_keeps_its_language_publisher_licence_and_links():
    doc = mapped("de_bebauungsplan.xml")
    assert doc["title"] == 'Bebauungsplan Nr. 17 "Am Mühlbach" der Stadt Lindenau'
    assert (doc["title_lang"], doc["description_lang"], doc["language"]) == ("de", "de", ["de"])
    assert doc["title_en"] == 'Local development plan no. 17 "Am Mühlbach", town of Lindenau'   # its PT_FreeText
    assert doc["description"].startswith("Rechtskräftiger Bebauungsplan")
    assert doc["issued"] == "2021-03-15"                      # publication, before the revision's date-time
    assert doc["contact_point"] == {"name": "Stadt Lindenau - Amt für Stadtplanung",
                                    "email": "stadtplanung@lindenau.example.de", "phone": "+49 8341 900-412"}
    assert doc["original_publisher"] == {"name": "Stadt Lindenau"}
    assert doc["other_identifiers"] == ["7d1c0b5e-3a42-4f0e-9b1d-5e2f8a6c4d10",
                                        "https://registry.gdi-de.example/id/de.by.lindenau/bplan-nord-17"]
    assert doc["open_type"] == "unconditional" and "open_conditions" not in doc     # INSPIRE noLimitations
    # The German licence JSON is read for its name, which the text beside it already holds.
    assert doc["license"] == ("Nutzungsbedingungen: Datenlizenz Deutschland – Namensnennung – Version 2.0; "
                              "Quellenvermerk: Stadt Lindenau")
    assert doc["update_frequency"] == "irregular"
    assert doc["keywords"] == ["Bebauungsplan", "Bauleitplanung", "inspireidentifiziert", "Bodennutzung"]
    assert doc["distributions"] == [{
        "title": "XPlanGML-Datensatz", "format": "XPlanGML",
        "access_url": "https://geoportal.lindenau.example.de/download/bplan_17_muehlbach.gml",
        "download_url": "https://geoportal.lindenau.example.de/download/bplan_17_muehlbach.gml"}]
    assert doc["data_services"] == [{
        "title": "WMS Bebauungspläne Lindenau", "endpoint_description": "OGC:WMS-1.3.0-http-get-capabilities",
        "endpoint_url": "https://geodienste.lindenau.example.de/wms/bplan?REQUEST=GetCapabilities&SERVICE=WMS"}]
    assert doc["landing_page"] == "https://www.lindenau.example.de/bauen/bebauungsplaene/nr-17"
    assert "vorschau" not in str(doc)                          # the graphic overview is no way to the data
    assert "_warnings" not in doc


def test_a_dutch_record_restricted_under_article_13_opens_only_on_its_conditions():
    doc = mapped("nl_grondwater.xml")
    assert (doc["title_lang"], doc["description_lang"]) == ("nl", "nl")
    assert doc["open_type"] == "conditional"
    assert doc["open_conditions"].startswith("Openbare toegang beperkt op grond van artikel 13, lid 1, onder e")
    assert doc["license"] == "CC0-1.0"                         # the Anchor's licence address, not its label
    assert doc["issued"] == "2019-11-04"                       # creation; the revision says only "2022"
    assert doc["original_publisher"] == {"name": "Provincie Westerland"}        # the owner
    assert doc["contact_point"]["phone"] == "+31 (0)118 631 011"
    assert [s["endpoint_description"] for s in doc["data_services"]] == ["Grondwaterbeschermingsgebieden (WMS-laag)",
                                                                          "OGC:WFS"]
    # An Atom download feed is a download; two formats name no single one for it.
    assert doc["distributions"] == [{
        "access_url": "https://service.westerland.example.nl/atom/grondwaterbeschermingsgebieden.xml",
        "download_url": "https://service.westerland.example.nl/atom/grondwaterbeschermingsgebieden.xml"}]
    assert {"field": "license", "reason": "a use limitation beside the licence is not kept",
            "value": "Geen gebruiksbeperkingen"} in doc["_warnings"]
    assert not any(w["field"] == "issued" for w in doc["_warnings"])   # a full date was found first


def test_an_english_record_without_abstract_maps_and_reports_what_it_cannot_keep():
    doc = mapped("en_flood_zones.xml")
    assert "description" not in doc and "description_lang" not in doc
    assert doc["title_lang"] == "en" and "title_en" not in doc
    assert doc["issued"] == "2024-02-29"                       # the publication date "2018-05" names no day
    assert doc["open_type"] == "conditional"
    assert doc["open_conditions"] == "Available to registered emergency responders on request to the GIS team."
    assert doc["contact_point"]["name"] == "Riverside Borough Council GIS Team"   # the metadata contact
    assert doc["original_publisher"] == {"name": "Riverside Borough Council Emergency Planning"}  # custodian
    assert doc["data_services"][0]["endpoint_description"] == "ESRI:REST"
    assert doc["landing_page"] == "https://www.riverside.example.org.uk/flooding/warning-zones"
    assert "license" not in doc
    warnings = {w["field"]: w for w in doc["_warnings"]}
    assert warnings["issued"]["value"] == "2018-05"
    assert warnings["license"]["value"].startswith("The flood warning zones show") \
        and len(warnings["license"]["value"]) > 500           # kept whole in the report, not cut


def test_a_record_with_a_title_and_a_landing_page_only_maps():
    doc = mapped("fr_stations_velo.xml")
    assert doc == {"title": "Stations de vélos en libre-service", "title_lang": "fr", "language": ["fr"],
                   "issued": "2024-05-06", "other_identifiers": ["FR-217500016-stations-velo"],
                   "contact_point": {"name": "Métropole de Valmont"},
                   "landing_page": "https://data.valmont.example.fr/explore/dataset/stations-velo/"}


@pytest.mark.parametrize("language, tag", [
    ('<gmd:language><gmd:LanguageCode codeListValue="ger">ger</gmd:LanguageCode></gmd:language>', "de"),
    ('<gmd:language><gmd:LanguageCode codeList="x">deu</gmd:LanguageCode></gmd:language>', "de"),
    ("<gmd:language><gco:CharacterString>eng</gco:CharacterString></gmd:language>", "en"),
    ('<gmd:language><gmd:LanguageCode codeListValue="gsw"/></gmd:language>', "gsw"),   # no two-letter code
    ("", ""),                                                                          # not stated: untagged
])
def test_the_metadata_language_tags_the_title(language, tag):
    assert record(language=language)["title_lang"] == tag


def test_language_tags():
    assert [language_tag(c) for c in ("fre", "fra", "dut", "chi", "en-GB", "", "français")] == \
        ["fr", "fr", "nl", "zh", "en-gb", None, None]


@pytest.mark.parametrize("constraints, expected", [
    (access(anchor(NO_LIMITATIONS, "No limitations to public access")), {"open_type": "unconditional"}),
    (access("<gco:CharacterString>keine</gco:CharacterString>"), {"open_type": "unconditional"}),
    (access(anchor(ARTICLE_13_1E, "Article 13(1)(e)")),
     {"open_type": "conditional", "open_conditions": "Article 13(1)(e)"}),
    # Never widened: one block says no limitations, another names one.
    (access(anchor(NO_LIMITATIONS, "No limitations")) + access("<gco:CharacterString>Nur für Behörden"
                                                              "</gco:CharacterString>"),
     {"open_type": "conditional", "open_conditions": "Nur für Behörden"}),
    (access(code="restricted"), {"open_type": "none"}),          # restricted, and no text says on what terms
    (access(code="copyright"), {}),                              # a right on use, not a limit on access
    ('<gmd:resourceConstraints><gmd:MD_SecurityConstraints><gmd:classification><gmd:MD_ClassificationCode '
     'codeListValue="restricted"/></gmd:classification></gmd:MD_SecurityConstraints></gmd:resourceConstraints>',
     {"open_type": "none"}),
    ("", {}),                                                    # nothing said: the defaults decide
])
def test_access_constraints_are_never_widened(constraints, expected):
    doc = record(constraints)
    assert {k: doc[k] for k in ("open_type", "open_conditions") if k in doc} == expected


def test_licence_and_access_in_one_legal_block_are_told_apart():
    block = ('<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:accessConstraints><gmd:MD_RestrictionCode '
             'codeListValue="otherRestrictions"/></gmd:accessConstraints><gmd:useConstraints><gmd:MD_RestrictionCode '
             'codeListValue="otherRestrictions"/></gmd:useConstraints>'
             '<gmd:otherConstraints><gco:CharacterString>Es gelten keine Zugriffsbeschränkungen</gco:CharacterString>'
             '</gmd:otherConstraints><gmd:otherConstraints>'
             + anchor("https://creativecommons.org/licenses/by/4.0/legalcode", "CC BY 4.0")
             + '</gmd:otherConstraints></gmd:MD_LegalConstraints></gmd:resourceConstraints>')
    doc = record(block)
    assert (doc["open_type"], doc["license"]) == ("unconditional", "CC-BY-4.0")


def test_dates_without_a_day_are_reported_not_completed():
    dates = "".join(f'<gmd:date><gmd:CI_Date><gmd:date><gco:Date>{value}</gco:Date></gmd:date><gmd:dateType>'
                    f'<gmd:CI_DateTypeCode codeListValue="{kind}"/></gmd:dateType></gmd:CI_Date></gmd:date>'
                    for value, kind in (("2019", "publication"), ("2020-06", "creation")))
    doc = map_record(etree.fromstring(f"""<gmd:MD_Metadata {NS}><gmd:identificationInfo><gmd:MD_DataIdentification>
      <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>Stadtbäume</gco:CharacterString></gmd:title>
      {dates}</gmd:CI_Citation></gmd:citation></gmd:MD_DataIdentification></gmd:identificationInfo>
      </gmd:MD_Metadata>"""))
    assert "issued" not in doc
    assert [(w["field"], w["value"]) for w in doc["_warnings"]] == [("issued", "2019"), ("issued", "2020-06")]


def test_online_resources_by_protocol_and_function():
    doc = record(distribution="".join([
        online("https://example.org/ows?SERVICE=WFS&REQUEST=GetCapabilities"),     # no protocol, but a service
        online("https://example.org/data/baeume.csv", "WWW:DOWNLOAD-1.0-http--download"),
        online("https://example.org/baeume", "WWW:LINK-1.0-http--link", "information"),
        online("https://example.org/faq", "WWW:LINK-1.0-http--link", "information"),
        online("https://example.org/bestellung", function="order"),
    ]))
    assert [s["endpoint_url"] for s in doc["data_services"]] == [
        "https://example.org/ows?SERVICE=WFS&REQUEST=GetCapabilities"]
    assert doc["data_services"][0]["title"] == "Radwege"       # a service named nothing takes the record's title
    assert doc["landing_page"] == "https://example.org/baeume"
    assert doc["distributions"] == [
        {"access_url": "https://example.org/data/baeume.csv", "download_url": "https://example.org/data/baeume.csv"},
        {"access_url": "https://example.org/faq"}, {"access_url": "https://example.org/bestellung"}]


def test_a_service_record_serves_its_connect_points():
    doc = map_record(etree.fromstring(f"""<gmd:MD_Metadata {NS} xmlns:srv="http://www.isotc211.org/2005/srv">
  <gmd:fileIdentifier><gco:CharacterString>svc-1</gco:CharacterString></gmd:fileIdentifier>
  <gmd:identificationInfo><srv:SV_ServiceIdentification>
    <gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>WMS Luftbilder</gco:CharacterString></gmd:title>
    </gmd:CI_Citation></gmd:citation>
    <srv:serviceType><gco:LocalName codeSpace="www.geonetwork.org">view</gco:LocalName></srv:serviceType>
    <srv:containsOperations><srv:SV_OperationMetadata>
      <srv:operationName><gco:CharacterString>GetCapabilities</gco:CharacterString></srv:operationName>
      <srv:connectPoint><gmd:CI_OnlineResource><gmd:linkage><gmd:URL>https://example.org/wms/dop</gmd:URL>
      </gmd:linkage></gmd:CI_OnlineResource></srv:connectPoint>
    </srv:SV_OperationMetadata></srv:containsOperations>
  </srv:SV_ServiceIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>"""))
    assert doc["data_services"] == [{"title": "WMS Luftbilder", "endpoint_url": "https://example.org/wms/dop",
                                     "endpoint_description": "view"}]
