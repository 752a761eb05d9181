"""A DCAT catalog published as one big file: spooled to disk, cut into records as a stream, the same
records as a page gives; and the size cap an administrator sets per source."""
from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from harvesters import dcat_stream
from harvesters.dcat import DcatHarvester, Page, parse_page
from harvesters.dcat_stream import StreamedCatalog
from harvesters.services import run_source
from tests.harvesters.conftest import CATALOG_BASE, catalog_page, dataset_doc, harvested_resources
from vocab.mapping import resource_to_rdf
from vocab.namespaces import new_graph

FORMATS = {"turtle": ox.RdfFormat.TURTLE, "xml": ox.RdfFormat.RDF_XML, "nt": ox.RdfFormat.N_TRIPLES}


@pytest.fixture
def spool_dir(monkeypatch):
    """The temporary files of a job go here, so a test sees that none is left behind."""
    with tempfile.TemporaryDirectory() as folder:
        monkeypatch.setattr(tempfile, "tempdir", folder)
        yield Path(folder)


def _catalog(count: int, fmt: str = "turtle", shared_publisher: bool = True) -> bytes:
    graph = new_graph()
    for n in range(count):
        resource_to_rdf(dataset_doc(n), base=CATALOG_BASE, subject=URIRef(f"{CATALOG_BASE}/datasets/{n}"),
                        graph=graph)
    return graph.serialize(format=fmt).encode("utf-8")


def _dataset_by_dataset(count: int) -> bytes:
    """A catalog as an exporter streams it: each dataset with its nodes, a node shared between datasets
    (the department, a region, a media type) described where it first appears."""
    written, out = set(), []
    for n in range(count):
        graph = new_graph()
        resource_to_rdf(dataset_doc(n), base=CATALOG_BASE, subject=URIRef(f"{CATALOG_BASE}/datasets/{n}"),
                        graph=graph)
        triples = [t for t in ox.parse(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
                   if str(t.subject) not in written or str(t.subject).startswith(f"<{CATALOG_BASE}/datasets/{n}")]
        written |= {str(t.subject) for t in triples}
        out.append(ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    return b"\n".join(out)


def _records_of_a_page(body: bytes, fmt: str, url: str) -> dict[str, str]:
    page = parse_page(body, fmt, url)
    return {d: page.record(d) for d in set(page.datasets)}


def _streamed(path: Path, fmt: str, url: str) -> dict[str, str]:
    catalog = StreamedCatalog(str(path), fmt, url)
    try:
        records = dict(catalog.records())
    finally:
        catalog.close()
    return records


def _same(streamed: dict[str, str], paged: dict[str, str]) -> None:
    """Blank-node labels differ between two parses: compare each record's statements by digest."""
    from harvesters.dcat import record_digest
    assert set(streamed) == set(paged)
    for dataset, text in paged.items():
        assert record_digest(streamed[dataset]) == record_digest(text), dataset


@pytest.mark.parametrize("fmt", ["turtle", "xml"])
def test_a_streamed_file_gives_each_dataset_the_record_a_page_gives(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(dcat_stream, "CHECK_EVERY", 50)      # many looks for finished records, many sweeps
    body = _catalog(40, fmt)
    path = tmp_path / "catalog"
    path.write_bytes(body)
    _same(_streamed(path, fmt, "http://x.example/catalog"), _records_of_a_page(body, fmt, "http://x.example/catalog"))


def test_a_file_that_scatters_each_datasets_statements_is_still_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(dcat_stream, "CHECK_EVERY", 20)
    lines = ox.serialize(ox.parse(_catalog(30), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    lines = lines.decode().splitlines(keepends=True)
    random.Random(7).shuffle(lines)                            # every statement anywhere in the file
    body = "".join(lines).encode()
    path = tmp_path / "catalog.nt"
    path.write_bytes(body)
    _same(_streamed(path, "nt", "http://x.example/c"), _records_of_a_page(body, "nt", "http://x.example/c"))


def test_a_shared_node_described_at_the_end_still_reaches_every_record(tmp_path, monkeypatch):
    monkeypatch.setattr(dcat_stream, "CHECK_EVERY", 10)
    statements = []
    for n in range(20):
        d = f"<http://x.example/d/{n}>"
        statements += [f"{d} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/dcat#Dataset> .",
                       f'{d} <http://purl.org/dc/terms/title> "Dataset {n}" .',
                       f"{d} <http://purl.org/dc/terms/publisher> <http://x.example/agency> ."]
    statements += ['<http://x.example/agency> <http://xmlns.com/foaf/0.1/name> "The agency" .']
    path = tmp_path / "catalog.nt"
    path.write_text("\n".join(statements) + "\n")
    records = _streamed(path, "nt", "http://x.example/c")
    assert len(records) == 20 and all('"The agency"' in text for text in records.values())


def test_the_window_stays_small_for_a_file_written_dataset_by_dataset(tmp_path, monkeypatch):
    monkeypatch.setattr(dcat_stream, "CHECK_EVERY", 100)
    sizes = []
    evict = StreamedCatalog._evict

    def watched(self, window, pending, position):
        evict(self, window, pending, position)
        sizes.append(len(window.by_subject))
    monkeypatch.setattr(StreamedCatalog, "_evict", watched)
    path = tmp_path / "catalog.ttl"
    path.write_bytes(_dataset_by_dataset(120))
    total = len({str(t.subject) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)})
    assert len(_streamed(path, "turtle", "http://x.example/c")) == 120
    assert sizes and max(sizes) < total / 4


def test_a_big_catalog_is_harvested_from_disk_and_leaves_no_file_behind(db, world, remote, make_source,
                                                                         monkeypatch, spool_dir):
    monkeypatch.setattr(DcatHarvester, "spool_after", 4096)
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(12)}
    body = catalog_page(docs)
    assert len(body) > 3 * 4096
    make_source("big", remote.serve("/catalog.ttl", body))
    report = run_source(db, "big")
    assert report.status == "succeeded", report.error
    assert report.counters["created"] == 12, report.errors
    assert set(harvested_resources(db)) == set(docs)
    assert list(spool_dir.iterdir()) == []
    # The same bytes again: the page is recognised from its file, nothing is parsed or written.
    report = run_source(db, "big")
    assert (report.status, report.counters["unchanged"], report.counters["created"]) == ("succeeded", 12, 0)
    assert list(spool_dir.iterdir()) == []


def test_a_broken_big_file_fails_the_job_and_leaves_no_file_behind(db, world, remote, make_source, monkeypatch,
                                                                   spool_dir):
    monkeypatch.setattr(DcatHarvester, "spool_after", 1024)
    body = catalog_page({f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(4)}) + b"\n<broken"
    make_source("broken", remote.serve("/catalog.ttl", body))
    report = run_source(db, "broken")
    assert report.status == "failed" and "not well-formed" in report.error
    assert list(spool_dir.iterdir()) == []


def test_the_size_cap_is_the_sources_own(db, world, remote, make_source):
    remote.serve("/catalog.ttl", stream_bytes=3 * 1024 * 1024)
    make_source("capped", remote.url + "/catalog.ttl", max_bytes=1_000_000)
    report = run_source(db, "capped")
    assert report.status == "failed" and "cap of 1000000" in report.error
    make_source("raised", remote.url + "/catalog.ttl", max_bytes=8 * 1024 * 1024)
    report = run_source(db, "raised")
    # Read whole this time: three megabytes of "#" are one Turtle comment, an empty catalog.
    assert (report.status, report.error, report.counters["created"]) == ("succeeded", None, 0)


def test_a_page_under_the_threshold_is_parsed_in_memory_as_before(monkeypatch):
    calls = []
    monkeypatch.setattr(Page, "__init__", lambda self, triples, url: calls.append(url) or None)
    parse_page(_catalog(1), "turtle", "http://x.example/c")
    assert calls == ["http://x.example/c"]


def test_a_big_json_ld_file_gets_its_shipped_context_and_an_unknown_one_fails(db, world, remote, make_source,
                                                                               monkeypatch, spool_dir):
    monkeypatch.setattr(DcatHarvester, "spool_after", 512)
    body = (Path(__file__).parent / "fixtures" / "dcat" / "dcat-us-3.jsonld").read_text().replace(
        "{base}", remote.url).encode()
    assert len(body) > 512
    make_source("us", remote.serve("/catalog.jsonld", body, content_type="application/ld+json"),
                defaults={"description": "（来源未提供摘要）", "classification": "102",
                          "format_class": "electronic_file", "share_type": "unconditional",
                          "open_type": "unconditional", "update_frequency": "irregular"})
    report = run_source(db, "us")
    assert report.status == "succeeded", report.error
    listed = set(harvested_resources(db)) | {e["record_id"] for e in report.errors}
    assert listed == {f"{remote.url}/dataset/road-closures", f"{remote.url}/dataset/permits"}
    assert len(remote.requests) == 1 and list(spool_dir.iterdir()) == []
    unknown = body.replace(b"https://raw.githubusercontent.com/DOI-DO/dcat-us/main/context/dcat-us-3.0.jsonld",
                           b"https://contexts.example.org/us.jsonld")
    make_source("unknown", remote.serve("/other.jsonld", unknown, content_type="application/ld+json"))
    report = run_source(db, "unknown")
    assert report.status == "failed" and "https://contexts.example.org/us.jsonld" in report.error
    assert list(spool_dir.iterdir()) == []


def test_a_big_rdf_xml_file_that_declares_entities_is_refused(db, world, remote, make_source, monkeypatch,
                                                              spool_dir):
    monkeypatch.setattr(DcatHarvester, "spool_after", 256)
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            + _catalog(3, "xml").split(b"?>", 1)[1])
    make_source("xxe", remote.serve("/catalog.rdf", body, content_type="application/rdf+xml"))
    report = run_source(db, "xxe")
    assert report.status == "failed" and "entities" in report.error
    assert list(spool_dir.iterdir()) == []


def test_in_a_process_that_may_have_no_children_the_first_pass_runs_in_it(tmp_path, monkeypatch):
    from types import SimpleNamespace
    monkeypatch.setattr(dcat_stream.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True))
    monkeypatch.setattr(dcat_stream.multiprocessing, "get_context", None)     # would fail if used
    body = _catalog(5)
    path = tmp_path / "catalog.ttl"
    path.write_bytes(body)
    _same(_streamed(path, "turtle", "http://x.example/c"), _records_of_a_page(body, "turtle", "http://x.example/c"))


def test_a_big_page_still_says_where_the_next_page_is(db, world, remote, make_source, monkeypatch, spool_dir):
    monkeypatch.setattr(DcatHarvester, "spool_after", 2048)
    first, second = remote.url + "/catalog.ttl", remote.url + "/catalog.ttl?page=2"
    big = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(6)}
    remote.serve("/catalog.ttl", catalog_page(big, page_url=first, next_url=second))
    remote.serve("/catalog.ttl?page=2", catalog_page({f"{remote.url}/datasets/9": dataset_doc(9)}))
    make_source("paged-big", first)
    report = run_source(db, "paged-big")
    assert report.status == "succeeded", report.error
    assert report.counters["created"] == 7, report.errors
    assert [path for path, _headers in remote.requests] == ["/catalog.ttl", "/catalog.ttl?page=2"]
