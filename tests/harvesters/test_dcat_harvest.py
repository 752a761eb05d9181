"""A DCAT source harvested end to end from a local server: create, skip, update, withdraw, fail cleanly."""
from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from harvesters.base import JobAlreadyRunning
from harvesters.models import HarvestError, HarvestJob, HarvestRecord
from harvesters.services import run_source
from registry.audit.models import AuditEvent
from registry.db import utcnow
from registry.resources.models import Resource
from registry.search.models import SearchOutbox
from tests.harvesters.conftest import catalog_page, dataset_doc
from vocab.namespaces import HYDRA


def _count(db, model, *where) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _resources(db) -> dict:
    """original IRI → (state, is_public, title, version) of every harvested resource."""
    with db.reader() as session:
        rows = session.execute(select(HarvestRecord.original_id, Resource.state, Resource.is_public, Resource.title,
                                      Resource.version).join(Resource, Resource.id == HarvestRecord.resource_id))
        return {r.original_id: (r.state, r.is_public, r.title, r.version) for r in rows}


def _two_pages(remote, docs: dict, split: int = 2) -> str:
    items = list(docs.items())
    page1, page2 = remote.url + "/catalog.ttl", remote.url + "/catalog.ttl?page=2"
    remote.serve("/catalog.ttl", catalog_page(dict(items[:split]), page_url=page1, next_url=page2))
    remote.serve("/catalog.ttl?page=2", catalog_page(dict(items[split:])))
    return page1


def test_first_run_creates_published_resources_with_provenance(db, world, remote, make_source):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(3)}
    make_source("dept-a", _two_pages(remote, docs))
    report = run_source(db, "dept-a")
    assert report.status == "succeeded", report.error
    assert report.counters == {"created": 3, "updated": 0, "unchanged": 0, "withdrawn": 0, "failed": 0,
                               "duplicates": 0, "incomplete": 0, "warnings": 0}
    harvested = _resources(db)
    assert set(harvested) == set(docs)
    assert all(state == "published" and public for state, public, _t, _v in harvested.values())
    with db.reader() as session:
        resource = session.scalar(select(Resource).join(HarvestRecord, HarvestRecord.resource_id == Resource.id)
                                  .where(HarvestRecord.original_id == f"{remote.url}/datasets/1"))
        assert resource.doc["provider"] == world.dept_a.credit_code
        assert resource.doc["title"] == "部门数据集1" and resource.doc["issued"]
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "resource", AuditEvent.entity_id == resource.id)).all()
        assert [e.actor_name for e in events] == ["harvest:dept-a"]
        job = session.get(HarvestJob, report.job_id)
        assert (job.status, job.created, job.finished_at is not None) == ("succeeded", 3, True)
    assert _count(db, SearchOutbox) == 3


def test_second_run_with_nothing_changed_writes_nothing(db, world, remote, make_source):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(3)}
    make_source("dept-a", _two_pages(remote, docs))
    run_source(db, "dept-a")
    before = (_resources(db), _count(db, AuditEvent), _count(db, SearchOutbox))
    with db.reader() as session:
        stamps = session.execute(select(HarvestRecord.id, HarvestRecord.harvested_at)).all()
    report = run_source(db, "dept-a")
    assert report.status == "succeeded"
    assert report.counters["unchanged"] == 3 and report.counters["created"] == report.counters["updated"] == 0
    assert (_resources(db), _count(db, AuditEvent), _count(db, SearchOutbox)) == before
    with db.reader() as session:
        assert session.execute(select(HarvestRecord.id, HarvestRecord.harvested_at)).all() == stamps


def test_changed_record_is_updated_and_vanished_one_withdrawn(db, world, remote, make_source):
    iris = [f"{remote.url}/datasets/{n}" for n in range(3)]
    docs = {iri: dataset_doc(n) for n, iri in enumerate(iris)}
    make_source("dept-a", _two_pages(remote, docs))
    run_source(db, "dept-a")
    changed = {iris[0]: {**docs[iris[0]], "title": "部门数据集0（修订）"}, iris[1]: docs[iris[1]]}   # iris[2] vanished
    remote.serve("/catalog.ttl", catalog_page(changed))
    report = run_source(db, "dept-a")
    assert report.status == "succeeded", report.error
    assert (report.counters["updated"], report.counters["unchanged"], report.counters["withdrawn"]) == (1, 1, 1)
    harvested = _resources(db)
    assert harvested[iris[0]][:3] == ("published", True, "部门数据集0（修订）")
    assert harvested[iris[1]][:2] == ("published", True)
    assert harvested[iris[2]][:2] == ("withdrawn", False)
    with db.reader() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "resource").order_by(AuditEvent.id)).all()[-2:]
        assert sorted(actions) == ["update", "withdraw"]
        update = session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
        assert {c["field"] for c in update.changes} == {"title"}
    # The dataset comes back: it is published again.
    remote.serve("/catalog.ttl", catalog_page({**changed, iris[2]: docs[iris[2]]}))
    report = run_source(db, "dept-a")
    assert report.counters["updated"] == 1 and _resources(db)[iris[2]][:2] == ("published", True)


@pytest.mark.parametrize("broken", ["malformed", "http500"])
def test_listing_broken_midway_fails_the_job_and_withdraws_nothing(db, world, remote, make_source, broken):
    iris = [f"{remote.url}/datasets/{n}" for n in range(4)]
    docs = {iri: dataset_doc(n) for n, iri in enumerate(iris)}
    first = _two_pages(remote, docs)
    make_source("dept-a", first)
    run_source(db, "dept-a")
    before = _resources(db)
    # Page 1 now holds a new record and a changed one; page 2 breaks.
    page1 = {iris[0]: {**docs[iris[0]], "title": "改过的标题"}, f"{remote.url}/datasets/9": dataset_doc(9)}
    remote.serve("/catalog.ttl", catalog_page(page1, page_url=first, next_url=first + "?page=2"))
    if broken == "malformed":
        remote.serve("/catalog.ttl?page=2", b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<x> a dcat:Dataset ; <y> ] .")
    else:
        remote.serve("/catalog.ttl?page=2", b"oops", status=500, content_type="text/plain")
    report = run_source(db, "dept-a")
    assert report.status == "failed"
    assert ("not well-formed" if broken == "malformed" else "HTTP 500") in report.error
    after = _resources(db)
    assert report.counters["withdrawn"] == 0
    assert {iri: row[:2] for iri, row in after.items() if iri in before} == \
        {iri: row[:2] for iri, row in before.items()}          # nothing withdrawn
    assert after[iris[0]][2] == "改过的标题"                    # what page 1 held was taken
    assert after[f"{remote.url}/datasets/9"][:2] == ("published", True)
    with db.reader() as session:
        assert session.get(HarvestJob, report.job_id).status == "failed"


def test_paging_loop_is_detected(db, world, remote, make_source):
    page1, page2 = remote.url + "/p1.ttl", remote.url + "/p2.ttl"
    remote.serve("/p1.ttl", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}, page_url=page1,
                                         next_url=page2))
    remote.serve("/p2.ttl", catalog_page({f"{remote.url}/datasets/2": dataset_doc(2)}, page_url=page2,
                                         next_url=page1, next_predicate=HYDRA.nextPage))
    make_source("dept-a", page1)
    report = run_source(db, "dept-a")
    assert report.status == "failed" and "paging loop" in report.error
    assert report.counters["created"] == 2
    assert [path for path, _h in remote.requests] == ["/p1.ttl", "/p2.ttl"]


def test_a_record_lacking_a_guide_field_waits_to_be_completed_and_a_bad_one_is_reported(db, world, remote,
                                                                                       make_source):
    docs = {f"{remote.url}/datasets/good": dataset_doc(1),
            f"{remote.url}/datasets/no-frequency": {k: v for k, v in dataset_doc(2).items() if k != "update_frequency"},
            f"{remote.url}/datasets/bad-class": {**dataset_doc(3), "classification": "199"}}
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page(docs)))
    report = run_source(db, "dept-a")
    assert report.status == "succeeded"
    assert (report.counters["created"], report.counters["incomplete"], report.counters["failed"]) == (2, 1, 1)
    harvested = _resources(db)
    assert set(harvested) == {f"{remote.url}/datasets/good", f"{remote.url}/datasets/no-frequency"}
    assert harvested[f"{remote.url}/datasets/no-frequency"][:2] == ("incomplete", False)
    assert harvested[f"{remote.url}/datasets/good"][:2] == ("published", True)
    assert report.as_dict()["summary"]["to_complete"][0]["field"] == "update_frequency"
    with db.reader() as session:
        errors = {e.record_id: e for e in session.scalars(select(HarvestError).where(
            HarvestError.job_id == report.job_id))}
    assert set(errors) == {f"{remote.url}/datasets/bad-class"}
    assert errors[f"{remote.url}/datasets/bad-class"].stage == "load"
    assert "classification" in errors[f"{remote.url}/datasets/bad-class"].message


def test_source_defaults_fill_what_the_source_lacks(db, world, remote, make_source):
    doc = {k: v for k, v in dataset_doc(1).items() if k not in ("share_type", "share_method")}
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/1": doc})),
                defaults={"share_type": "unconditional", "share_method": "platform_api"})
    report = run_source(db, "dept-a")
    assert report.counters["created"] == 1, report.errors
    with db.reader() as session:
        assert session.scalars(select(Resource)).one().doc["share_method"] == "platform_api"


def test_review_policy_submits_for_review(db, world, remote, make_source):
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)})),
                publish_policy="review")
    assert run_source(db, "dept-a").counters["created"] == 1
    assert list(_resources(db).values())[0][:2] == ("submitted", False)


def test_slow_server_times_out_and_the_job_fails_cleanly(db, world, remote, make_source):
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({}), delay=2))
    report = run_source(db, "dept-a", read_timeout=0.3)
    assert report.status == "failed" and "timed out" in report.error
    with db.reader() as session:
        job = session.get(HarvestJob, report.job_id)
        assert job.status == "failed" and job.finished_at is not None


def test_enormous_response_is_cut_at_the_size_cap(db, world, remote, make_source):
    make_source("dept-a", remote.serve("/catalog.ttl", stream_bytes=8 * 1024 * 1024))
    report = run_source(db, "dept-a", max_bytes=1024 * 1024)
    assert report.status == "failed" and "cap" in report.error


def test_dry_run_writes_nothing_but_the_job_row(db, world, remote, make_source):
    docs = {f"{remote.url}/datasets/{n}": dataset_doc(n) for n in range(2)}
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page(docs)))
    counts = (_count(db, Resource), _count(db, AuditEvent), _count(db, SearchOutbox), _count(db, HarvestRecord))
    report = run_source(db, "dept-a", dry_run=True)
    assert report.status == "dry_run" and report.counters["created"] == 2
    assert sorted(c["original_id"] for c in report.changes) == sorted(docs)
    assert (_count(db, Resource), _count(db, AuditEvent), _count(db, SearchOutbox),
            _count(db, HarvestRecord)) == counts
    with db.reader() as session:
        assert session.scalars(select(HarvestJob.status)).all() == ["dry_run"]


def test_one_job_at_a_time_and_a_stale_one_is_marked_failed(db, world, remote, make_source):
    source_id = make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({})))
    with db.transaction() as session:
        running = HarvestJob(source_id=source_id, status="running", started_at=utcnow(), heartbeat_at=utcnow())
        session.add(running)
    with pytest.raises(JobAlreadyRunning):
        run_source(db, "dept-a")
    with db.transaction() as session:
        session.get(HarvestJob, running.id).heartbeat_at = utcnow() - timedelta(hours=2)
    report = run_source(db, "dept-a")
    assert report.status == "succeeded"
    with db.reader() as session:
        stale = session.get(HarvestJob, running.id)
        assert stale.status == "failed" and "stale" in stale.error and stale.finished_at is not None


def test_same_dataset_from_two_sources_is_stored_once(db, world, remote, make_source):
    iri = f"{remote.url}/datasets/shared"
    body = catalog_page({iri: dataset_doc(1)})
    make_source("first", remote.serve("/a.ttl", body))
    make_source("second", remote.serve("/b.ttl", body), department=world.dept_b.credit_code)
    assert run_source(db, "first").counters["created"] == 1
    report = run_source(db, "second")
    assert report.status == "succeeded"
    assert (report.counters["created"], report.counters["duplicates"]) == (0, 1)
    assert report.errors[0]["stage"] == "compare" and "first" in report.errors[0]["message"]
    assert _count(db, Resource) == 1


def test_resource_code_already_in_the_catalog_is_a_duplicate(db, world, remote, make_source):
    make_source("first", remote.serve("/a.ttl", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)})))
    run_source(db, "first")
    with db.reader() as session:
        code = session.scalars(select(Resource.code)).one()
    from rdflib import Graph, Literal, URIRef
    from vocab.namespaces import DCT
    graph = Graph().parse(data=catalog_page({f"{remote.url}/other/1": dataset_doc(1)}), format="turtle")
    graph.add((URIRef(f"{remote.url}/other/1"), DCT.identifier, Literal(code)))
    make_source("second", remote.serve("/b.nt", graph.serialize(format="nt").encode(),
                                       content_type="application/n-triples"))
    report = run_source(db, "second")
    assert report.counters["duplicates"] == 1 and code in report.errors[0]["message"]
    assert _count(db, Resource) == 1


def test_redirect_to_a_link_local_address_is_refused(db, world, remote, make_source):
    make_source("dept-a", remote.serve("/catalog.ttl", b"", status=302,
                                       headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    report = run_source(db, "dept-a")
    assert report.status == "failed" and "refused" in report.error


def test_dry_run_reports_withdrawals_and_an_empty_listing_withdraws_nothing(db, world, remote, make_source):
    iris = [f"{remote.url}/datasets/{n}" for n in range(2)]
    make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({iri: dataset_doc(n) for n, iri in enumerate(iris)})))
    run_source(db, "dept-a")
    remote.serve("/catalog.ttl", catalog_page({iris[0]: dataset_doc(5)}))
    dry = run_source(db, "dept-a", dry_run=True)
    assert (dry.counters["updated"], dry.counters["withdrawn"]) == (1, 1)
    assert {(c["original_id"], c["action"]) for c in dry.changes} == {(iris[0], "update"), (iris[1], "withdraw")}
    assert all(row[:2] == ("published", True) for row in _resources(db).values())
    remote.serve("/catalog.ttl", catalog_page({}))
    report = run_source(db, "dept-a")
    assert report.status == "failed" and "listed no records" in report.error
    assert all(row[:2] == ("published", True) for row in _resources(db).values())


def test_a_record_listed_twice_in_one_run_is_taken_once(db, world, remote, make_source):
    iri = f"{remote.url}/datasets/1"
    page1, page2 = remote.url + "/p1", remote.url + "/p2"
    remote.serve("/p1", catalog_page({iri: dataset_doc(1)}, page_url=page1, next_url=page2))
    remote.serve("/p2", catalog_page({iri: dataset_doc(1)}))
    make_source("dept-a", page1)
    report = run_source(db, "dept-a")
    assert (report.status, report.counters["created"], report.counters["duplicates"]) == ("succeeded", 1, 1)
    assert _count(db, Resource) == 1


def test_a_job_whose_process_is_gone_is_taken_over_at_once(db, world, remote, make_source):
    """A killed ``govcat harvest run`` (kill -9) left its job running with a fresh heartbeat: a rerun on
    the same host sees that the process is gone and takes over, without waiting for the heartbeat."""
    source_id = make_source("dept-a", remote.serve("/catalog.ttl", catalog_page({})))
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with db.transaction() as session:
            session.add(HarvestJob(source_id=source_id, status="running", started_at=utcnow(), heartbeat_at=utcnow(),
                                   owner=f"{socket.gethostname()}:{alive.pid}"))
        with pytest.raises(JobAlreadyRunning):         # its process still runs: no second job
            run_source(db, "dept-a")
        with db.transaction() as session:
            session.scalars(select(HarvestJob)).one().owner = f"{socket.gethostname()}:{ended.pid}"
        report = run_source(db, "dept-a")
        assert report.status == "succeeded"
        with db.reader() as session:
            first = session.scalars(select(HarvestJob).order_by(HarvestJob.id)).first()
            assert first.status == "failed" and "ended without finishing" in first.error
    finally:
        alive.kill()
        alive.wait()
