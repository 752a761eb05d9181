"""Resource codes: classification code + sequence number, unique under concurrent registrations."""
from __future__ import annotations

import threading
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from registry.resources.models import Resource
from registry.resources.services import create_resource, reserve_resource_codes
from tests.factories import ResourceDataFactory


def test_concurrent_registrations_get_distinct_codes(db, world):
    codes, errors = [], []
    start = threading.Barrier(8)

    def register(n):
        try:
            start.wait()
            for _ in range(5):
                with db.transaction() as session:
                    actor = session.merge(world.editor_a.user)
                    codes.append(create_resource(session, actor, ResourceDataFactory(classification="201")).code)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(codes) == [f"201/{n:06d}" for n in range(1, 41)]


def test_sequences_are_per_classification(db, world):
    with db.transaction() as session:
        assert [reserve_resource_codes(session, c)[0] for c in ["101", "101", "202", "101"]] == \
            ["101/000001", "101/000002", "202/000001", "101/000003"]
        assert reserve_resource_codes(session, "101", 3) == ["101/000004", "101/000005", "101/000006"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["101", "102", "205", "212"]), min_size=1, max_size=12))
def test_codes_follow_their_classification_without_gaps(sqlite_template, tmp_path_factory, classifications):
    import shutil

    from registry.db import Database
    from registry.departments.services import create_department
    from tests.factories import DepartmentDataFactory

    path = tmp_path_factory.mktemp("codes") / "govcat.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    with database.transaction() as session:
        department = create_department(session, None, DepartmentDataFactory(), check_permission=False)
        for classification in classifications:
            create_resource(session, None, ResourceDataFactory(classification=classification,
                                                               provider=department.credit_code),
                            check_permission=False)
    with database.reader() as session:
        codes = list(session.scalars(select(Resource.code).order_by(Resource.id)))
    database.dispose()
    seen = Counter()
    for classification, code in zip(classifications, codes):
        seen[classification] += 1
        assert code == f"{classification}/{seen[classification]:06d}"
