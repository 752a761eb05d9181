"""The harvest pipeline's speed paths keep its answers: worker processes, batches, unchanged pages and records."""
from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from sqlalchemy import func, select

from harvesters import base, load_stage, records
from harvesters.dcat import DcatHarvester, RecordGraph, parse_page, record_digest
from harvesters.models import HarvestJob, HarvestPage, HarvestRecord
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from registry.resources.models import Resource
from tests.harvesters.conftest import catalog_page, dataset_doc
from vocab.mapping import canonical_metadata


def _docs(db) -> dict:
    with db.reader() as session:
        rows = session.execute(select(HarvestRecord.original_id, Resource.doc, Resource.state)
                               .join(Resource, Resource.id == HarvestRecord.resource_id))
        return {r.original_id: (r.doc, r.state) for r in rows}


def _count(db, model, *where) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_worker_processes_map_the_same_documents_as_this_process(db, world, remote, make_source, monkeypatch):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(12)}
    docs[f"{remote.url}/datasets/bad"] = {k: v for k, v in dataset_doc(99).items() if k != "title"}
    make_source("here", remote.serve("/a.ttl", catalog_page(docs)))
    elsewhere = {iri.replace("/datasets/", "/elsewhere/"): doc for iri, doc in docs.items()}
    make_source("workers", remote.serve("/b.ttl", catalog_page(elsewhere)), department=world.dept_b.credit_code)
    here = run_source(db, "here")
    monkeypatch.setattr(DcatHarvester, "parallel_after", 0)
    monkeypatch.setattr(base, "CHUNK", 4)
    workers = run_source(db, "workers")
    for report in (here, workers):
        assert (report.status, report.counters["created"], report.counters["failed"]) == ("succeeded", 12, 1)
        assert report.errors[0]["stage"] == "map" and report.errors[0]["reason"] == "no title"
    by_title = {}    # each dataset twice, once per source: the same document but for the provider
    for doc, _state in _docs(db).values():
        by_title.setdefault(doc["title"], []).append({k: v for k, v in doc.items() if k not in ("provider", "issued")})
    assert len(by_title) == 12 and all(len(pair) == 2 and pair[0] == pair[1] for pair in by_title.values())


def test_batches_larger_than_one_transaction_load_every_record(db, world, remote, make_source, monkeypatch):
    monkeypatch.setattr(base, "CHUNK", 3)
    monkeypatch.setattr(base, "LOAD_BATCH", 4)
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(11)}
    make_source("dept-a", remote.serve("/c.ttl", catalog_page(docs)))
    report = run_source(db, "dept-a")
    assert report.counters["created"] == 11 and set(_docs(db)) == set(docs)
    assert _count(db, AuditEvent, AuditEvent.entity_type == "resource") == 11


def test_a_record_that_breaks_its_batch_is_loaded_alone_and_the_others_land(db, world, remote, make_source,
                                                                          monkeypatch):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(5)}
    make_source("dept-a", remote.serve("/c.ttl", catalog_page(docs)))
    real = load_stage.register_resources

    def fails_on_three(session, actor, registrations, **options):
        if any(r.doc["title"] == "部门数据集3" for r in registrations):
            raise RuntimeError("the database refused it")
        return real(session, actor, registrations, **options)

    monkeypatch.setattr(load_stage, "register_resources", fails_on_three)
    report = run_source(db, "dept-a")
    assert (report.status, report.counters["created"], report.counters["failed"]) == ("succeeded", 4, 1)
    assert report.errors[0]["record_id"].endswith("/datasets/3") and report.errors[0]["stage"] == "load"
    assert len(_docs(db)) == 4


def test_an_unchanged_page_is_not_parsed_and_a_changed_one_is(db, world, remote, make_source, monkeypatch):
    page1, page2 = remote.url + "/p1.ttl", remote.url + "/p2.ttl"
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(4)}
    items = list(docs.items())
    remote.serve("/p1.ttl", catalog_page(dict(items[:2]), page_url=page1, next_url=page2))
    remote.serve("/p2.ttl", catalog_page(dict(items[2:])))
    make_source("dept-a", page1)
    run_source(db, "dept-a")
    assert _count(db, HarvestPage) == 2
    parsed = []
    real = parse_page
    monkeypatch.setattr("harvesters.dcat.parse_page", lambda body, fmt, url: parsed.append(url) or real(body, fmt, url))
    # Page 2 changes: only it is parsed; page 1's records are unchanged without a parse.
    changed = {**dict(items[2:]), items[2][0]: {**items[2][1], "title": "新标题"}}
    remote.serve("/p2.ttl", catalog_page(changed))
    report = run_source(db, "dept-a")
    assert parsed == [page2]
    assert (report.counters["unchanged"], report.counters["updated"]) == (3, 1)
    assert _docs(db)[items[2][0]][0]["title"] == "新标题"
    # Nothing changes: nothing is parsed, nothing written.
    parsed.clear()
    events = _count(db, AuditEvent)
    report = run_source(db, "dept-a")
    assert parsed == [] and report.counters["unchanged"] == 4 and _count(db, AuditEvent) == events


def test_a_page_with_a_failed_record_is_read_again_and_the_error_reported_again(db, world, remote, make_source):
    docs = {f"{remote.url}/datasets/1": dataset_doc(1),
            f"{remote.url}/datasets/2": {k: v for k, v in dataset_doc(2).items() if k != "title"}}
    make_source("dept-a", remote.serve("/c.ttl", catalog_page(docs)))
    first, second = run_source(db, "dept-a"), run_source(db, "dept-a")
    assert _count(db, HarvestPage) == 0
    assert first.counters["failed"] == second.counters["failed"] == 1
    assert second.counters["unchanged"] == 1


def test_a_withdrawn_record_makes_its_page_count_again(db, world, remote, make_source):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(2)}
    body = catalog_page(docs)
    make_source("dept-a", remote.serve("/c.ttl", body))
    run_source(db, "dept-a")
    remote.serve("/c.ttl", catalog_page(dict(list(docs.items())[:1])))
    assert run_source(db, "dept-a").counters["withdrawn"] == 1
    remote.serve("/c.ttl", body)              # the very first bytes again: the dataset is back
    report = run_source(db, "dept-a")
    assert report.counters["updated"] == 1
    assert {state for _doc, state in _docs(db).values()} == {"published"}


def test_the_mapping_changing_maps_every_record_again(db, world, remote, make_source, monkeypatch):
    make_source("dept-a", remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)})))
    run_source(db, "dept-a")
    mapped = []
    real = base.map_records
    monkeypatch.setattr(base, "map_records", lambda h, chunk: mapped.append(len(chunk)) or real(h, chunk))
    assert run_source(db, "dept-a").counters["unchanged"] == 1 and mapped == []
    monkeypatch.setattr(base, "MAPPING_VERSION", "next")
    report = run_source(db, "dept-a")
    assert mapped == [1] and report.counters["unchanged"] == 1 and report.counters["updated"] == 0


def test_records_travel_as_n_triples_and_read_back_exactly():
    doc = {**dataset_doc(1), "title": '引号"与\\反斜杠\n换行', "description": "制表\t符 and accents: é"}
    page = parse_page(catalog_page({"https://dept.example.gov.cn/d/1": doc}), "turtle", "https://dept.example.gov.cn/")
    text = page.record("<https://dept.example.gov.cn/d/1>")
    harvester = DcatHarvester.__new__(DcatHarvester)
    read = harvester.map((RecordGraph(text), URIRef("https://dept.example.gov.cn/d/1")))
    assert read["title"] == doc["title"] and read["description"] == doc["description"]
    without_provider = [{k: v for k, v in d.items() if k != "provider"} for d in (read, doc)]
    assert canonical_metadata(without_provider[0]) == canonical_metadata(without_provider[1])
    escaped = RecordGraph('<http://x/d> <http://x/p> "a\\u0001b\\U0001F600\\\\"@zh .')
    assert [str(o) for o in escaped.objects(URIRef("http://x/d"), URIRef("http://x/p"))] == ["a\x01b\U0001F600\\"]


@pytest.mark.parametrize("fmt", ["turtle", "xml", "nt"])
def test_the_record_digest_ignores_blank_node_labels_and_order(fmt):
    body = b"""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://x/d> a dcat:Dataset ; dct:title "t" ; dcat:distribution [ dct:title "a" ], [ dct:title "b" ] ."""
    if fmt != "turtle":
        from rdflib import Graph
        body = Graph().parse(data=body, format="turtle").serialize(format=fmt).encode()
    first = parse_page(body, fmt, "http://x/").record("<http://x/d>")
    again = parse_page(body, fmt, "http://x/").record("<http://x/d>")
    assert record_digest(first) == record_digest(again) == record_digest("\n".join(reversed(again.splitlines())))
    assert record_digest(first) != record_digest(first.replace('"a"', '"c"'))


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["title", "description", "size", "extra", "keywords"]), _json_values))
def test_the_content_hash_is_that_of_the_standard_librarys_canonical_json(doc):
    # Stored hashes were made with the standard library; a faster encoder must not change one.
    canonical = canonical_metadata(doc)
    try:
        text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:       # lone surrogates: neither form can be hashed
        return
    assert records.content_hash(doc) == hashlib.sha256(text).hexdigest()


def test_a_jobs_counters_are_committed_with_the_records_they_count(db, world, remote, make_source, monkeypatch):
    """Killed outright between two heartbeats, a job's row still says what it wrote: the counters go in
    each batch's own transaction (here no heartbeat writes them at all)."""
    monkeypatch.setattr(base, "CHUNK", 3)
    monkeypatch.setattr(base, "LOAD_BATCH", 4)
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(10)}
    docs[f"{remote.url}/datasets/9"] = {k: v for k, v in docs[f"{remote.url}/datasets/9"].items() if k != "share_type"}
    make_source("dept-a", remote.serve("/c.ttl", catalog_page(docs)))
    written = []
    real = base.Harvester._load_batch

    def load_then_look(self):
        real(self)
        with db.reader() as session:
            job = session.scalar(select(HarvestJob).order_by(HarvestJob.id.desc()))
            written.append((job.created, job.incomplete, _count(db, Resource)))

    monkeypatch.setattr(base.Harvester, "_beat", lambda self, force=False: None)
    monkeypatch.setattr(base.Harvester, "_load_batch", load_then_look)
    run_source(db, "dept-a")
    assert written and all(created == resources for created, _incomplete, resources in written)
    assert written[-1] == (10, 1, 10)
