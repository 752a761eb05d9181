"""Dates and periods as sources write them: one reading for every source type (vocab.dates)."""
from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from vocab.dates import date_problem, frequency_from_text, iso_date
from vocab.values import frequency_from_rdf, media_type_from_rdf, open_type_from_rdf

EU = "http://publications.europa.eu/resource/authority/"


@pytest.mark.parametrize("text, day", [
    ("2019-05-01", "2019-05-01"), ("2019-05-01T10:00:00Z", "2019-05-01"), ("2019-05-01T23:30:00-08:00", "2019-05-01"),
    ("2019-05-01 10:00:00", "2019-05-01"), ("2019-05-01T10:00:00.123456", "2019-05-01"), (" 2019-05-01 ", "2019-05-01"),
    ("2019/5/1", "2019-05-01"), ("2019/05/01", "2019-05-01"), ("2019年5月1日", "2019-05-01"),
    ("2019 年 5 月 1 日", "2019-05-01"), ("20190501", "2019-05-01"), ("01.05.2019", "2019-05-01"),
    ("1.5.2019", "2019-05-01"), ("01-05-2019", "2019-05-01"),
])
def test_a_day_in_the_forms_publishers_write(text, day):
    assert iso_date(text) == day


@pytest.mark.parametrize("text, reason", [
    ("2019", "a year or a month alone names no day"), ("2019-05", "a year or a month alone names no day"),
    ("2019年5月", "a year or a month alone names no day"), ("2019-02-30", "not a date in a known form"),
    ("05/01/2019", "not a date in a known form"),     # month first or day first: no one can tell
    ("last spring", "not a date in a known form"), ("", "not a date in a known form"),
])
def test_what_names_no_day_is_left_out_with_its_reason(text, reason):
    assert iso_date(text) is None
    assert date_problem(text) == reason


def test_a_year_or_month_bounding_a_period_stands_for_its_first_or_last_day():
    assert iso_date("2020", bound="start") == "2020-01-01" and iso_date("2020", bound="end") == "2020-12-31"
    assert iso_date("2024-02", bound="end") == "2024-02-29" and iso_date("2019-12", bound="end") == "2019-12-31"


@pytest.mark.parametrize("term, key", [
    # govcat's eight, exactly
    *[(URIRef(EU + "frequency/" + code), key) for code, key in (
        ("CONT", "realtime"), ("DAILY", "daily"), ("WEEKLY", "weekly"), ("MONTHLY", "monthly"),
        ("QUARTERLY", "quarterly"), ("BIANNUAL", "semiannual"), ("ANNUAL", "annual"), ("IRREG", "irregular"))],
    # the rest of the EU table: the frequency that covers the period, never a promise of more
    (URIRef(EU + "frequency/HOURLY"), "realtime"), (URIRef(EU + "frequency/UPDATE_CONT"), "realtime"),
    (URIRef(EU + "frequency/BIWEEKLY"), "monthly"), (URIRef(EU + "frequency/WEEKLY_2"), "weekly"),
    (URIRef(EU + "frequency/BIMONTHLY"), "quarterly"), (URIRef(EU + "frequency/ANNUAL_2"), "semiannual"),
    (URIRef(EU + "frequency/BIENNIAL"), "irregular"), (URIRef(EU + "frequency/NEVER"), "irregular"),
    (URIRef(EU + "frequency/UNKNOWN"), None), (URIRef(EU + "frequency/OTHER"), None),
    # Dublin Core collection frequencies
    (URIRef("http://purl.org/cld/freq/semiweekly"), "weekly"), (URIRef("http://purl.org/cld/freq/biweekly"), "monthly"),
    (URIRef("http://purl.org/cld/freq/threeTimesAYear"), "semiannual"), (URIRef("http://purl.org/cld/freq/triennial"),
                                                                          "irregular"),
    # ISO 8601 durations and words, as literals
    (Literal("R/P1D"), "daily"), (Literal("P2W"), "monthly"), (Literal("P0Y3M0DT0H0M0S"), "quarterly"),
    (Literal("PT15M"), "realtime"), (Literal("P1Y"), "annual"), (Literal("R/P2Y"), "irregular"),
    (Literal("irregular"), "irregular"), (Literal("Monthly"), "monthly"), (Literal("as needed"), "irregular"),
    (Literal("whenever"), None),
])
def test_periodicity_to_the_update_frequency_that_covers_it(term, key):
    assert frequency_from_rdf(term) == key


def test_data_json_and_dcat_read_periods_alike():
    assert frequency_from_text("R/P1M") == frequency_from_rdf(Literal("R/P1M")) == "monthly"
    assert frequency_from_text("R/PT1H") == "realtime" and frequency_from_text("") is None


@pytest.mark.parametrize("term, key", [
    (URIRef(EU + "access-right/PUBLIC"), "unconditional"), (URIRef(EU + "access-right/RESTRICTED"), "conditional"),
    (URIRef(EU + "access-right/NON_PUBLIC"), "none"), (URIRef(EU + "access-right/CONFIDENTIAL"), "none"),
    (Literal("public"), "unconditional"), (Literal("Restricted"), "conditional"), (Literal("non-public"), "none"),
    (Literal("NON_PUBLIC"), "none"), (Literal("restricted public"), "conditional"), (Literal("secret-ish"), None),
])
def test_access_rights_never_widened(term, key):
    assert open_type_from_rdf(term) == key


@pytest.mark.parametrize("term, media_type", [
    (URIRef("https://www.iana.org/assignments/media-types/text/csv"), "text/csv"),
    (URIRef("http://www.iana.org/assignments/media-types/application/vnd.ms-excel"), "application/vnd.ms-excel"),
    (Literal("text/csv"), "text/csv"), (Literal("CSV"), None),
])
def test_media_types_as_iana_iris_or_literals(term, media_type):
    assert media_type_from_rdf(term) == media_type
