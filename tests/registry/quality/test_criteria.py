"""The 405-point model on single documents: every criterion can be lost, and costs exactly its points."""
from __future__ import annotations

import copy

import pytest

from registry.quality.bands import band_of
from registry.quality.criteria import CRITERIA, CRITERIA_BY_KEY, score_document, urls_of
from registry.resources.schemas import normalize_metadata
from tests.factories import ResourceDataFactory

ACCESS = "https://data.example.gov.cn/dataset/1"
DOWNLOAD = "https://data.example.gov.cn/files/1.csv"
SERVICE = "https://api.example.gov.cn/1/v1"


def full_marks() -> dict:
    """A resource that meets every criterion once its links answer."""
    return normalize_metadata(ResourceDataFactory(
        keywords=["企业"], themes=["ECON"], spatial="330000", temporal={"start": "2020-01-01"},
        license="CC-BY-4.0", contact_point={"name": "数据科", "email": "data@example.gov.cn"},
        provider="11330000002482002M", issued="2024-01-01",
        distributions=[{"title": "CSV", "access_url": ACCESS, "download_url": DOWNLOAD, "format": "CSV",
                        "media_type": "text/csv", "byte_size": 2048, "license": "CC-BY-4.0"}],
        data_services=[{"title": "查询接口", "endpoint_url": SERVICE}]))


ALIVE = {ACCESS: True, DOWNLOAD: True, SERVICE: True}


def first(doc: dict) -> dict:
    return doc["distributions"][0]


# How to take each criterion away from the full-marks resource, and nothing else.
BREAK = {
    "keywords": lambda d, s: d.pop("keywords"),
    "themes": lambda d, s: d.pop("themes"),
    "spatial": lambda d, s: d.pop("spatial"),
    "temporal": lambda d, s: d.pop("temporal"),
    "access_url_answers": lambda d, s: s.update({SERVICE: False}),
    "download_url": lambda d, s: first(d).pop("download_url"),
    "download_url_answers": lambda d, s: s.pop(DOWNLOAD),          # never checked is not answering
    "format": lambda d, s: d["distributions"].append({"access_url": ACCESS, "media_type": "text/csv", "byte_size": 1}),
    "media_type": lambda d, s: d["distributions"].append({"access_url": ACCESS, "format": "CSV", "byte_size": 1}),
    "format_vocabulary": lambda d, s: d["distributions"].append(
        {"access_url": ACCESS, "format": "csv file", "media_type": "text/csv", "byte_size": 1}),
    "non_proprietary": lambda d, s: first(d).update(
        format="XLSX", media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "machine_readable": lambda d, s: first(d).update(format="PDF", media_type="application/pdf"),
    "dcat_ap": lambda d, s: d.pop("description"),
    "license": lambda d, s: (d.pop("license"), first(d).pop("license"), d.update(open_conditions="须注明来源。")),
    "license_vocabulary": lambda d, s: d.update(license="本部门数据使用协议"),
    "access_rights": lambda d, s: d.pop("open_type"),
    "access_rights_vocabulary": lambda d, s: d.update(open_type="public"),
    "contact_point": lambda d, s: d["contact_point"].pop("email"),
    "publisher": lambda d, s: d.pop("provider"),
    "rights": lambda d, s: first(d).pop("license"),
    "byte_size": lambda d, s: first(d).pop("byte_size"),
    "issued": lambda d, s: d.pop("issued"),
    "modified": None,
}


# Criteria about a value's vocabulary or answer cannot be met without the value: they go with it.
GOES_WITH = {"access_rights": ("access_rights_vocabulary",), "license": ("license_vocabulary",),
             "download_url": ("download_url_answers",), "format": ("format_vocabulary",)}


def test_the_model_has_405_points_in_five_dimensions():
    assert sum(c.points for c in CRITERIA) == 405
    assert {c.dimension for c in CRITERIA} == {"findability", "accessibility", "interoperability", "reusability",
                                               "contextuality"}
    assert set(BREAK) == set(CRITERIA_BY_KEY)


def test_a_resource_meeting_every_criterion_has_405_points_and_is_complete():
    score = score_document(full_marks(), url_states=ALIVE)
    assert (score.points, score.band, score.missed, score.complete) == (405, "excellent", (), True)


@pytest.mark.parametrize("key", sorted(BREAK))
def test_a_resource_lacking_one_criterion_loses_exactly_its_points(key):
    doc, states = copy.deepcopy(full_marks()), dict(ALIVE)
    if key == "modified":
        score = score_document(doc, url_states=states, modified=False)
    else:
        BREAK[key](doc, states)
        score = score_document(doc, url_states=states)
    lost = (key, *GOES_WITH.get(key, ()))
    assert set(score.missed) == set(lost)
    assert score.points == 405 - sum(CRITERIA_BY_KEY[k].points for k in lost)


def test_links_never_checked_earn_no_accessibility_points_for_answering():
    score = score_document(full_marks())
    assert score.missed == ("access_url_answers", "download_url_answers")
    assert score.points == 405 - 50 - 30


def test_a_resource_without_distributions_misses_what_only_distributions_give():
    doc = full_marks()
    doc.pop("distributions")
    score = score_document(doc, url_states=ALIVE)
    assert set(score.missed) == {"download_url", "download_url_answers", "format", "media_type", "format_vocabulary",
                                 "non_proprietary", "machine_readable", "byte_size", "rights"}
    assert score.complete      # distributions are not a mandatory element of the guide


def test_a_working_copy_gets_the_release_date_it_will_have_when_published():
    doc = full_marks()
    doc.pop("issued")
    assert "issued" not in score_document(doc, url_states=ALIVE, working=True).missed
    assert "issued" in score_document(doc, url_states=ALIVE).missed


def test_the_urls_scored_are_access_endpoint_and_download_urls():
    assert set(urls_of(full_marks())) == {ACCESS, DOWNLOAD, SERVICE}


@pytest.mark.parametrize("points, band", [(405, "excellent"), (351, "excellent"), (350, "good"), (221, "good"),
                                          (220, "sufficient"), (121, "sufficient"), (120, "bad"), (0, "bad")])
def test_bands_at_their_boundaries(points, band):
    assert band_of(points) == band


def test_completeness_is_the_resource_schemas_own_judgement():
    doc = full_marks()
    doc.pop("classification")
    doc["share_type"] = "conditional"                  # conditional sharing needs its conditions
    doc["distributions"][0]["media_type"] = "csv"      # present but not valid
    score = score_document(doc, url_states=ALIVE)
    assert not score.complete
    assert score.incomplete_fields == ("classification", "distributions", "share_conditions")


def test_a_harvested_record_lacking_guide_fields_can_still_be_dcat_ap_compliant():
    doc = full_marks()
    for name in ("classification", "format_class", "share_type", "update_frequency"):
        doc.pop(name)
    score = score_document(doc, url_states=ALIVE)
    assert not score.complete and "dcat_ap" not in score.missed
