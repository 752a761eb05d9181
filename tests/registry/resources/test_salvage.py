"""A record from another system keeps every value the schema accepts; what it drops is said, nothing is made up."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from registry.resources.salvage import salvage_metadata
from registry.resources.schemas import missing_fields


def test_each_bad_value_costs_only_itself_and_is_named_with_its_reason():
    salvaged = salvage_metadata({
        "title": "Verkehrszählung", "title_lang": "de", "description": "Zählstellen des Landes.",
        "license": "Datenlizenz Deutschland – Namensnennung – Version 2.0 " * 20,      # ~1,100 characters: kept
        "distributions": [{"access_url": "s3://bucket/zaehlung.csv", "format": "CSV"},
                          {"access_url": "https://daten.example.de/zaehlung.json", "media_type": "JSON please"}],
        "contact_point": {"name": "Landesamt", "email": "keine-angabe"},
        "keywords": [f"Verkehr {n}" for n in range(60)],
        "temporal": {"start": "2020-01-01", "end": "2019-01-01"}})
    doc = salvaged.doc
    assert doc["title_lang"] == "de" and len(doc["license"]) > 1000
    assert doc["distributions"] == [{"access_url": "https://daten.example.de/zaehlung.json"}]
    assert doc["contact_point"] == {"name": "Landesamt"}
    assert doc["keywords"] == [f"Verkehr {n}" for n in range(50)] and doc["temporal"] == {"start": "2020-01-01"}
    dropped = {d.field: (d.reason, d.value) for d in salvaged.dropped}
    assert dropped["distributions[0].access_url"] == ("Not a valid URL (http, https or ftp).", "s3://bucket/zaehlung.csv")
    assert dropped["distributions[0]"][0] == "no access_url"          # a distribution without its address goes
    assert dropped["distributions[1].media_type"][1] == "JSON please"
    assert dropped["contact_point.email"][1] == "keine-angabe"
    assert dropped["keywords"][0] == "Length must be at most 50." and "Verkehr 59" in dropped["keywords"][1]
    assert dropped["temporal.end"][1] == "2019-01-01"
    assert set(dropped) == {"distributions[0].access_url", "distributions[0]", "distributions[1].media_type",
                            "contact_point.email", "keywords", "temporal.end"}


def test_the_guide_fields_a_record_lacks_are_listed_not_filled():
    salvaged = salvage_metadata({"title": "Air quality", "title_lang": "", "share_type": "conditional",
                                 "format_class": "database"})
    assert salvaged.dropped == [] and salvaged.doc == {"title": "Air quality", "title_lang": "",
                                                       "share_type": "conditional", "format_class": "database"}
    assert salvaged.missing == ["description", "classification", "data_items", "share_conditions", "share_method",
                                "open_type", "update_frequency"]
    assert missing_fields(salvaged.doc) == salvaged.missing


def test_an_empty_text_is_missing_not_a_dropped_value():
    salvaged = salvage_metadata({"title": "Bodenkarte", "description": "   "})
    assert salvaged.dropped == [] and "description" in salvaged.missing and "description" not in salvaged.doc


@pytest.mark.parametrize("record", [{"title": "机密数据", "classified": True}, ["not", "an", "object"]])
def test_a_classified_record_or_no_object_is_refused_whole(record):
    with pytest.raises(ValidationError):
        salvage_metadata(record)
