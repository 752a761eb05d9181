"""Timeliness and openness: the arithmetic of each measure, on published resources only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from registry.db import utcnow
from registry.evaluation.indicators import openness, overdue_after, timeliness
from registry.resources.models import Resource
from registry.resources.services import prepare_registration, register_resources, update_resource
from tests.factories import ResourceDataFactory

NOW = utcnow()


@pytest.mark.parametrize("frequency, days", [("realtime", 1), ("daily", 2), ("weekly", 8), ("monthly", 32),
                                             ("quarterly", 93), ("semiannual", 184), ("annual", 366)])
def test_each_frequency_has_its_period(frequency, days):
    assert overdue_after(frequency) == timedelta(days=days)


@pytest.mark.parametrize("frequency", ["irregular", None, "fortnightly"])
def test_irregular_and_unknown_frequencies_are_not_measurable(frequency):
    assert overdue_after(frequency) is None


def test_a_resource_is_overdue_only_past_its_frequency(db, world, publish):
    a = world.dept_a
    publish(a, NOW - timedelta(days=31), update_frequency="monthly")           # within 32 days
    publish(a, NOW - timedelta(days=33), update_frequency="monthly")           # overdue
    publish(a, NOW - timedelta(days=3), update_frequency="daily")              # overdue
    publish(a, NOW - timedelta(hours=12), update_frequency="daily")
    publish(a, NOW - timedelta(days=400), update_frequency="irregular")        # not measurable
    publish(a, NOW - timedelta(days=365), update_frequency="annual")
    with db.reader() as session:
        found = timeliness(session, NOW)
    assert found == {a.id: {"resources_with_frequency": 5, "overdue_resources": 2, "timely_share": pytest.approx(0.6)}}


def test_now_moves_the_boundary(db, world, publish):
    publish(world.dept_a, NOW - timedelta(days=5), update_frequency="weekly")
    with db.reader() as session:
        assert timeliness(session, NOW)[world.dept_a.id]["overdue_resources"] == 0
        assert timeliness(session, NOW + timedelta(days=3))[world.dept_a.id]["overdue_resources"] == 0   # 8 days
        assert timeliness(session, NOW + timedelta(days=3, seconds=1))[world.dept_a.id]["overdue_resources"] == 1


def test_only_irregular_resources_give_no_timeliness_not_zero(db, world, publish):
    publish(world.dept_b, NOW - timedelta(days=900), update_frequency="irregular")
    with db.reader() as session:
        found = timeliness(session, NOW)[world.dept_b.id]
    assert found == {"resources_with_frequency": 0, "overdue_resources": 0, "timely_share": None}


def test_departments_without_published_resources_are_absent(db, world, publish):
    with db.transaction() as session:      # a draft does not count
        register_resources(session, None, [prepare_registration(
            session, None, {**ResourceDataFactory(), "provider": world.dept_b.credit_code}, check_permission=False)])
    publish(world.dept_a, NOW)
    with db.reader() as session:
        assert set(timeliness(session, NOW)) == {world.dept_a.id}
        assert set(openness(session, NOW)) == {world.dept_a.id}


def test_a_pending_revision_is_no_update_and_its_frequency_is_not_yet_public(db, world, publish):
    resource_id = publish(world.dept_a, NOW - timedelta(days=10), update_frequency="weekly")   # overdue
    with db.transaction() as session:
        update_resource(session, world.editor_a.user, resource_id, {"update_frequency": "annual"},
                        expected_version=1, partial=True)
    with db.reader() as session:
        assert session.get(Resource, resource_id).published_doc["update_frequency"] == "weekly"
        assert timeliness(session, NOW)[world.dept_a.id]["overdue_resources"] == 1


def test_withdrawn_resources_do_not_count(db, world, publish):
    kept = publish(world.dept_a, NOW - timedelta(days=100), update_frequency="monthly")
    gone = publish(world.dept_a, NOW - timedelta(days=100), update_frequency="monthly", not_shared=True)
    with db.transaction() as session:
        session.execute(update(Resource).where(Resource.id == gone).values(is_public=False, state="withdrawn"))
    with db.reader() as session:
        assert timeliness(session, NOW)[world.dept_a.id]["resources_with_frequency"] == 1
        assert openness(session, NOW)[world.dept_a.id] == {"resources": 1, "unconditional_share": 1.0}
    assert kept


def test_openness_is_the_share_shared_unconditionally(db, world, publish):
    a, b = world.dept_a, world.dept_b
    for _ in range(3):
        publish(a)
    publish(a, conditional_share=True)
    publish(a, not_shared=True)
    publish(b, conditional_share=True)
    with db.reader() as session:
        found = openness(session, NOW)
    assert found[a.id] == {"resources": 5, "unconditional_share": pytest.approx(0.6)}
    assert found[b.id] == {"resources": 1, "unconditional_share": 0.0}
