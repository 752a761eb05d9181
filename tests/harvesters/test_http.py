"""The fetching policy: addresses refused, auth sent to the source only and never shown, formats read."""
from __future__ import annotations

import pytest

from harvesters.dcat import DcatHarvester, parse_page, rdf_format
from harvesters.base import JobFailure
from harvesters.http import AddressRefused, FetchError, SafeFetcher, check_address
from harvesters.services import add_source, run_source
from registry.errors import Invalid
from tests.harvesters.conftest import catalog_page, dataset_doc


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/catalog.ttl",
                                 "http://100.100.100.200/latest/meta-data/", "http://0.0.0.0/catalog.ttl",
                                 "file:///etc/passwd", "ftp://127.0.0.1/catalog.ttl"])
def test_addresses_a_harvester_may_not_reach_are_refused(url):
    with pytest.raises(AddressRefused):
        check_address(url)


def test_loopback_and_intranet_addresses_are_allowed():
    check_address("http://127.0.0.1:8080/catalog.ttl")
    check_address("http://10.1.2.3/catalog.ttl")


def test_link_local_source_is_refused_when_added(db, world):
    with db.transaction() as session, pytest.raises(Invalid) as refused:
        add_source(session, name="metadata", type="dcat", url="http://169.254.169.254/",
                   department=world.dept_a.credit_code)
    assert "link-local" in refused.value.en or "metadata" in refused.value.en


def test_auth_header_is_sent_to_the_source_and_never_reported(db, world, remote, make_source):
    secret = "Bearer s3cret-token-value"
    remote.serve("/catalog.ttl", b"broken ] turtle")
    make_source("dept-a", remote.url + "/catalog.ttl", auth_header=f"Authorization: {secret}")
    report = run_source(db, "dept-a")
    assert remote.requests[0][1]["Authorization"] == secret
    assert report.status == "failed" and "s3cret" not in str(report.as_dict())


def test_auth_header_is_not_sent_to_another_host_after_a_redirect(remote):
    other = remote.url.replace("127.0.0.1", "localhost")
    remote.serve("/moved", b"", status=302, headers={"Location": other + "/here"})
    remote.serve("/here", b"ok", content_type="text/plain")
    fetcher = SafeFetcher(auth_header="X-Api-Key: abc")
    page = fetcher.get(remote.url + "/moved")
    assert page.body == b"ok" and page.url == other + "/here"
    assert remote.requests[0][1].get("X-Api-Key") == "abc" and "X-Api-Key" not in remote.requests[1][1]


def test_redirects_are_limited(remote):
    remote.serve("/loop", b"", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirects"):
        SafeFetcher(max_redirects=3).get(remote.url + "/loop")
    assert len(remote.requests) == 4


def test_declared_size_over_the_cap_is_refused_before_reading(remote):
    remote.serve("/big", b"x" * 5000)
    with pytest.raises(FetchError, match="cap"):
        SafeFetcher(max_bytes=1000).get(remote.url + "/big")


@pytest.mark.parametrize("fmt, content_type, path", [
    ("xml", "application/rdf+xml", "/c"), ("json-ld", "application/ld+json", "/c"),
    ("nt", "application/octet-stream", "/c.nt"), ("turtle", "text/turtle", "/c")])
def test_every_rdf_syntax_is_harvested(db, world, remote, make_source, fmt, content_type, path):
    body = catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}, fmt=fmt)
    make_source("dept-a", remote.serve(path, body, content_type=content_type))
    report = run_source(db, "dept-a")
    assert (report.status, report.counters["created"]) == ("succeeded", 1), (report.error, report.errors)


def test_format_is_chosen_by_content_type_then_extension():
    assert rdf_format("application/ld+json", "http://x/c.ttl") == "json-ld"
    assert rdf_format("text/plain", "http://x/c.rdf") == "xml"
    assert rdf_format("", "http://x/c") == "turtle"


def test_remote_json_ld_contexts_are_not_fetched():
    body = b'{"@context": "http://169.254.169.254/context.jsonld", "@id": "http://x/1"}'
    with pytest.raises(JobFailure, match="remote JSON-LD"):
        parse_page(body, "json-ld", "http://x/c.jsonld")


def test_page_cap_stops_the_listing(db, world, remote, make_source, monkeypatch):
    page1, page2 = remote.url + "/p1", remote.url + "/p2"
    remote.serve("/p1", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}, page_url=page1, next_url=page2))
    remote.serve("/p2", catalog_page({}))
    monkeypatch.setattr(DcatHarvester, "max_pages", 1)
    make_source("dept-a", page1)
    report = run_source(db, "dept-a")
    assert report.status == "failed" and "more than 1 pages" in report.error
