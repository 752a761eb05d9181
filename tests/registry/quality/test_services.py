"""Scores follow every change of a resource, link checks feed them, and their history is kept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from registry.quality import services as quality_services
from registry.quality.indicators import quality
from registry.quality.models import QualityHistory, QualityScore
from registry.quality.services import history, recompute, recompute_all
from registry.search.models import SearchOutbox
from tests.registry.resources.test_workflow import act, register


def score(db, resource_id) -> QualityScore | None:
    with db.reader() as session:
        found = session.get(QualityScore, resource_id)
        if found is not None:
            session.expunge(found)
        return found


def publish(client, world, **overrides):
    resource = register(client, world.editor_a, **overrides)
    act(client, world.editor_a, resource, "submit")
    act(client, world.reviewer_a, resource, "approve")
    return act(client, world.admin, resource, "approve")


def patch(client, world, resource, **changes):
    current = client.get(f"/api/v1/resources/{resource['id']}?revision=working", headers=world.editor_a.headers)
    response = client.patch(f"/api/v1/resources/{resource['id']}", json=changes,
                            headers={**world.editor_a.headers, "If-Match": f'"{current.get_json()["version"]}"'})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_registration_is_scored_at_once_and_a_draft_has_no_public_score(client, world, db):
    resource = register(client, world.editor_a)
    found = score(db, resource["id"])
    assert found.points is None and found.band is None
    assert found.working_points > 0 and found.working_band in ("good", "sufficient", "bad", "excellent")
    assert "themes" in found.working_missed and found.working_complete


def test_publishing_gives_the_public_score_and_starts_its_history(client, world, db):
    resource = publish(client, world)
    found = score(db, resource["id"])
    assert found.points == found.working_points and found.missed == found.working_missed
    with db.reader() as session:
        rows = history(session, resource["id"])
        assert [(r.points, r.band) for r in rows] == [(found.points, found.band)]


def test_an_edit_changes_the_working_score_and_the_public_one_only_when_published(client, world, db):
    resource = publish(client, world)
    before = score(db, resource["id"])
    revision = patch(client, world, resource, themes=["ECON"], spatial="330000")
    during = score(db, resource["id"])
    assert during.working_points == before.working_points + 30 + 20
    assert during.points == before.points                       # the public still sees the old version
    with db.reader() as session:
        assert len(history(session, resource["id"])) == 1
    act(client, world.editor_a, revision, "submit")
    act(client, world.reviewer_a, revision, "approve")
    act(client, world.admin, revision, "approve")
    after = score(db, resource["id"])
    assert after.points == before.points + 50
    with db.reader() as session:
        assert [r.points for r in history(session, resource["id"])] == [before.points, after.points]


def test_withdrawing_takes_the_public_score_away(client, world, db):
    resource = publish(client, world)
    act(client, world.editor_a, resource, "withdraw")
    found = score(db, resource["id"])
    assert found.points is None and found.working_points > 0


def test_link_checks_feed_the_accessibility_points(client, world, db, monkeypatch):
    resource = publish(client, world)
    distribution = resource["distributions"][0]
    before = score(db, resource["id"])
    assert {"access_url_answers", "download_url_answers"} <= set(before.missed)
    answers = {distribution["access_url"]: True, distribution["download_url"]: True}
    monkeypatch.setattr(quality_services, "_url_states", lambda session, urls: {u: answers[u] for u in urls})
    with db.transaction() as session:
        session.execute(SearchOutbox.__table__.delete())
        assert recompute(session, [resource["id"], 999999]) == [resource["id"]]
        assert session.scalar(select(func.count()).select_from(SearchOutbox)) == 1     # the band goes to search
    after = score(db, resource["id"])
    assert after.points == before.points + 50 + 30
    answers[distribution["download_url"]] = False                  # dead now
    with db.transaction() as session:
        recompute(session, [resource["id"]])
        assert recompute(session, [resource["id"]]) == []          # nothing changed the second time
    with db.reader() as session:
        assert [r.points for r in history(session, resource["id"])] == [before.points, after.points, after.points - 30]


def test_a_real_link_check_rescores_the_resources_naming_the_links(client, world, db):
    from registry.links.services import record_results

    resource = publish(client, world)
    distribution = resource["distributions"][0]
    before = score(db, resource["id"])
    now = datetime.now(timezone.utc)
    with db.transaction() as session:
        record_results(session, [
            {"url": distribution["access_url"], "ok": True, "status": 200, "checked_at": now},
            {"url": distribution["download_url"], "ok": False, "status": 404, "error": "404 Not Found",
             "checked_at": now}])
    after = score(db, resource["id"])
    assert after.points == before.points + 50                      # the access URL answers; the download is dead
    assert "access_url_answers" not in after.missed and "download_url_answers" in after.missed


def test_recomputing_the_whole_catalog_scores_what_has_no_score_yet(client, world, db):
    ids = [publish(client, world)["id"] for _ in range(3)]
    with db.transaction() as session:
        session.execute(QualityHistory.__table__.delete())
        session.execute(QualityScore.__table__.delete())
    seen = []
    assert recompute_all(db, jobs=1, progress=lambda done, total: seen.append((done, total))) == \
        {"scored": 3, "changed": 3}
    assert seen[-1] == (3, 3)
    assert all(score(db, i).points for i in ids)
    assert recompute_all(db, jobs=1) == {"scored": 3, "changed": 0}


def test_the_quality_indicator_sums_up_each_department(client, world, db):
    first = publish(client, world)
    publish(client, world, themes=["ECON"], spatial="330000", contact_point={"name": "数据科", "phone": "0571-1234"})
    register(client, world.editor_a)                                 # a draft does not count
    points = [score(db, i).points for i in (first["id"], first["id"] + 1)]
    with db.reader() as session:
        answer = quality(session)
    mine = answer[world.dept_a.id]
    assert mine["resources_scored"] == 2
    assert mine["quality_mean_points"] == pytest.approx(sum(points) / 2, abs=0.05)
    assert sum(mine[f"quality_{b}"] for b in ("excellent", "good", "sufficient", "bad")) == 2
    assert mine["completeness_share"] == 1.0
    assert answer[world.dept_b.id] == {"resources_scored": 0, "quality_mean_points": None, "quality_excellent": 0,
                                       "quality_good": 0, "quality_sufficient": 0, "quality_bad": 0,
                                       "completeness_share": None}


def test_the_quality_indicator_at_an_earlier_moment_reads_the_history(client, world, db):
    resource = publish(client, world)
    first = score(db, resource["id"]).points
    later = datetime.now(timezone.utc)
    revision = patch(client, world, resource, themes=["ECON"])
    act(client, world.editor_a, revision, "submit")
    act(client, world.reviewer_a, revision, "approve")
    act(client, world.admin, revision, "approve")
    with db.reader() as session:
        assert quality(session, later)[world.dept_a.id]["quality_mean_points"] == first
        assert quality(session)[world.dept_a.id]["quality_mean_points"] == first + 30
        assert quality(session, later - timedelta(days=1))[world.dept_a.id]["resources_scored"] == 0


def test_a_rescore_of_unchanged_documents_does_not_judge_them_again_unless_full(client, world, db, monkeypatch):
    from registry.quality import criteria

    resource = publish(client, world)
    judged = []
    real = criteria.schema_errors
    monkeypatch.setattr(criteria, "schema_errors", lambda doc: judged.append(doc) or real(doc))
    with db.transaction() as session:
        recompute(session, [resource["id"]])
    assert judged == []
    with db.transaction() as session:
        recompute(session, [resource["id"]], full=True)
    assert len(judged) == 1                      # published and working copy are one document here


def test_recomputing_in_several_processes_gives_the_same_scores(client, world, db, monkeypatch):
    ids = [publish(client, world, **extra)["id"] for extra in ({}, {"themes": ["ECON"]}, {"spatial": "330000"})]
    expected = {i: (score(db, i).points, score(db, i).missed) for i in ids}
    with db.transaction() as session:
        session.execute(QualityScore.__table__.delete())
    monkeypatch.setattr(quality_services, "CHUNK", 2)             # two batches, each scored by the pool
    assert recompute_all(db, jobs=2) == {"scored": 3, "changed": 3}
    assert {i: (score(db, i).points, score(db, i).missed) for i in ids} == expected
