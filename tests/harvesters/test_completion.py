"""What a harvested record becomes: its own words first, then the source's defaults, then honest derivations."""
from __future__ import annotations

import pytest

from harvesters.completion import NotKeepable, complete_record, derive_format_class
from vocab.codes import make_credit_code

SOURCE = {"credit_code": make_credit_code("330000", "000000001"), "branch_code": "301"}


def complete(said: dict, defaults: dict | None = None, publish_directly: bool = False):
    return complete_record(dict(said), defaults=defaults, publish_directly=publish_directly, **SOURCE)


@pytest.mark.parametrize("distributions, expected", [
    ([{"access_url": "https://x.example/a", "format": "CSV"}], ("spreadsheet", "csv")),
    ([{"access_url": "https://x.example/a", "media_type": "application/geo+json"}], ("self_describing", None)),
    ([{"access_url": "https://x.example/report.pdf"}], ("electronic_file", "pdf")),
    ([{"access_url": "https://x.example/page.html"}], (None, None)),      # a page about the data says no format
    ([{"access_url": "https://x.example/a", "format": "PDF"}, {"access_url": "https://x.example/b", "format": "XLSX"},
      {"access_url": "https://x.example/c", "format": "CSV"}], ("spreadsheet", "xlsx")),
    ([{"access_url": "https://x.example/a", "media_type": "image/png"}], ("image", None)),
])
def test_the_format_class_is_what_the_distributions_say(distributions, expected):
    assert derive_format_class({"distributions": distributions}) == expected


def test_a_service_only_record_is_a_service_interface():
    assert derive_format_class({"data_services": [{"title": "WMS", "endpoint_url": "https://x/wms"}]}) == \
        ("service_interface", None)


def test_the_record_wins_over_the_defaults_and_derivations_fill_only_what_is_left():
    completed = complete({"title": "Parkplätze", "title_lang": "de", "open_type": "conditional",
                          "open_conditions": "Nur für Behörden.",
                          "distributions": [{"access_url": "https://x.example/p.json", "format": "JSON"}]},
                         defaults={"open_type": "unconditional", "share_type": "unconditional",
                                   "share_method": "platform_api", "update_frequency": "daily"})
    doc = completed.doc
    assert doc["open_type"] == "conditional"            # a restriction is never widened by a default
    assert (doc["share_type"], doc["update_frequency"]) == ("unconditional", "daily")
    assert (doc["format_class"], doc["format_type"], doc["classification"]) == ("self_describing", "json", "301")
    assert doc["provider"] == SOURCE["credit_code"] and completed.derived == ["format_class", "classification"]
    assert completed.missing == ["description"]


def test_warnings_of_the_mapping_and_of_the_schema_come_together():
    completed = complete({"title": "Lärmkarte", "_warnings": [{"field": "issued", "reason": "a year is no date",
                                                                "value": "2019"}],
                          "contact_point": {"name": "Amt", "email": "n/a"}})
    assert [w["field"] for w in completed.warnings] == ["issued", "contact_point.email"]
    assert "_warnings" not in completed.doc and completed.doc["contact_point"] == {"name": "Amt"}


def test_published_directly_a_record_needs_the_release_date_its_source_gave():
    said = {"title": "T", "description": "D", "classification": "101", "format_class": "electronic_file",
            "share_type": "none", "share_basis": "B", "open_type": "none", "update_frequency": "irregular"}
    assert complete(said, publish_directly=True).missing == ["issued"]
    assert complete(said, publish_directly=False).missing == []
    assert complete({**said, "issued": "2021-03-04"}, publish_directly=True).missing == []


def test_a_record_without_a_title_cannot_be_kept():
    with pytest.raises(NotKeepable) as failure:
        complete({"description": "Nur eine Beschreibung", "landing_page": "https://x.example/d"})
    assert failure.value.reason == "no title"
