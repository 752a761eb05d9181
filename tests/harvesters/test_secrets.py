"""Auth headers are encrypted at rest, survive a changed key without breaking listings, and migrate both ways."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from harvesters import services
from harvesters.models import HarvestJob, HarvestSource
from registry import create_app
from registry.db import Database, get_db
from registry.migrate import current_revision, downgrade, head_revision, upgrade
from registry.secrets import PREFIX, Keyring, SecretUnreadable, UnreadableSecret, rotate
from tests.harvesters.conftest import catalog_page, dataset_doc

SECRET = "Authorization: Bearer s3cret-token-value"


def stored(db, name: str) -> str:
    """The auth header as the database holds it, bypassing the column type."""
    with db.reader() as session:
        return session.execute(text("SELECT auth_header FROM harvest_sources WHERE name = :name"),
                               {"name": name}).scalar_one()


@pytest.fixture
def source(db, world, remote):
    remote.serve("/catalog.ttl", catalog_page({f"{remote.url}/datasets/1": dataset_doc(1)}))
    with db.transaction() as session:
        services.add_source(session, name="dept-a", type="dcat", url=remote.url + "/catalog.ttl",
                            department=world.dept_a.credit_code, auth_header=SECRET)
    return "dept-a"


def _app_with(database_url, tmp_path, key: str, previous: str = ""):
    """The same database, opened by an app with secret key ``key`` (and former keys ``previous``)."""
    return create_app({"GOVCAT_DATABASE_URL": database_url, "GOVCAT_INSTANCE": str(tmp_path / key.replace(" ", "-")),
                       "GOVCAT_SECRET_KEY": key, "GOVCAT_SECRET_KEY_PREVIOUS": previous, "TESTING": True})


@pytest.fixture
def other_key_app(database_url, tmp_path):
    """The same database, opened by an app whose GOVCAT_SECRET_KEY changed."""
    app = _app_with(database_url, tmp_path, "a different key")
    yield app
    get_db(app).dispose()


def test_the_header_is_stored_encrypted_and_read_back_in_clear(db, source):
    raw = stored(db, source)
    assert raw.startswith(PREFIX) and "s3cret" not in raw
    with db.reader() as session:
        assert services.get_source(session, source).auth_header == SECRET


def test_two_sources_with_the_same_header_store_different_ciphertexts(db, world, source, remote):
    with db.transaction() as session:
        services.add_source(session, name="dept-a-2", type="dcat", url=remote.url + "/c",
                            department=world.dept_a.credit_code, auth_header=SECRET)
    assert stored(db, source) != stored(db, "dept-a-2")


def test_the_header_is_sent_after_a_round_trip_through_the_database(db, source, remote):
    report = services.run_source(db, source)
    assert report.status == "succeeded", report.error
    assert remote.requests[0][1]["Authorization"] == "Bearer s3cret-token-value"


def test_keys_are_derived_and_values_do_not_open_under_another_key():
    sealed = Keyring("one key").seal("Bearer x")
    assert sealed.startswith(PREFIX) and Keyring("one key").open(sealed) == "Bearer x"
    with pytest.raises(SecretUnreadable, match="another secret key"):
        Keyring("another key").open(sealed)
    with pytest.raises(SecretUnreadable):
        Keyring("one key").open(PREFIX + "not a token")


def test_a_changed_key_keeps_listings_working(db, world, source, other_key_app):
    client = other_key_app.test_client()
    response = client.get("/api/v1/harvest/sources", headers=world.admin.headers)
    assert response.status_code == 200
    [item] = response.get_json()["items"]
    assert item["has_auth_header"] is True and item["auth_header_unreadable"] is True
    with get_db(other_key_app).reader() as session:
        header = services.get_source(session, source).auth_header
    assert isinstance(header, UnreadableSecret) and "s3cret" not in repr(header) + str(header)


def test_a_changed_key_fails_the_harvest_with_a_message_naming_the_source(source, remote, other_key_app):
    report = services.run_source(get_db(other_key_app), source)
    assert report.status == "failed"
    assert "auth header of harvest source dept-a cannot be decrypted" in report.error
    assert "set it again" in report.error and remote.requests == []    # nothing sent without its header
    with get_db(other_key_app).reader() as session:
        job = session.get(HarvestJob, report.job_id)
        assert job.status == "failed" and "dept-a" in job.error


def test_saving_a_source_whose_header_cannot_be_read_keeps_the_header(db, world, source, other_key_app):
    before = stored(db, source)
    client = other_key_app.test_client()
    response = client.patch(f"/api/v1/harvest/sources/{source}", json={"schedule": "6h"}, headers=world.admin.headers)
    assert response.status_code == 200 and response.get_json()["schedule"] == "6h"
    assert stored(db, source) == before
    with db.reader() as session:
        assert services.get_source(session, source).auth_header == SECRET   # the right key still opens it


def test_setting_the_header_again_under_the_new_key_repairs_the_source(world, source, remote, other_key_app):
    client = other_key_app.test_client()
    response = client.patch(f"/api/v1/harvest/sources/{source}", json={"auth_header": "Bearer renewed"},
                            headers=world.admin.headers)
    assert response.get_json()["auth_header_unreadable"] is False
    assert services.run_source(get_db(other_key_app), source).status == "succeeded"
    assert remote.requests[0][1]["Authorization"] == "Bearer renewed"


def test_a_database_opened_without_the_key_cannot_store_a_header(database_url, db, world):
    bare = Database(database_url)
    try:
        with pytest.raises(StatementError, match="without the app's secret key"), bare.transaction() as session:
            services.add_source(session, name="bare", type="dcat", url="http://127.0.0.1/c",
                                department=world.dept_a.credit_code, auth_header=SECRET)
    finally:
        bare.dispose()


def test_the_migration_encrypts_plaintext_headers_and_its_downgrade_restores_them(db, source):
    try:
        downgrade(db, "0003")
        assert stored(db, source) == SECRET                    # the form 0003 stored
        upgrade(db)
        assert current_revision(db) == head_revision()
        assert stored(db, source).startswith(PREFIX)
        with db.reader() as session:
            assert session.scalar(select(HarvestSource.auth_header).where(HarvestSource.name == source)) == SECRET
    finally:
        upgrade(db)


def test_the_migration_refuses_to_run_without_the_key_when_there_is_something_to_encrypt(database_url, db, source):
    bare = Database(database_url)
    try:
        downgrade(db, "0003")
        with pytest.raises(RuntimeError, match="GOVCAT_SECRET_KEY"):
            upgrade(bare)
        assert stored(db, source) == SECRET
    finally:
        bare.dispose()
        upgrade(db)


def test_a_key_rotation_keeps_every_header(db, source, database_url, tmp_path):
    new = _app_with(database_url, tmp_path, "the new key", previous="another old key, test")
    try:
        with get_db(new).reader() as session:        # read under the previous key meanwhile
            assert services.get_source(session, source).auth_header == SECRET
        before = stored(db, source)
        assert rotate(get_db(new)) == {"harvest_sources.auth_header": 1}
        assert stored(db, source) != before and "s3cret" not in stored(db, source)
    finally:
        get_db(new).dispose()
    after = _app_with(database_url, tmp_path, "the new key")          # the old key dropped
    try:
        with get_db(after).reader() as session:
            assert services.get_source(session, source).auth_header == SECRET
    finally:
        get_db(after).dispose()
    with db.reader() as session:                        # and the old key alone no longer opens it
        assert isinstance(services.get_source(session, source).auth_header, UnreadableSecret)


def test_a_rotation_leaves_a_header_no_key_opens_as_it_was_and_says_so(db, source, database_url, tmp_path):
    before = stored(db, source)
    stranger = _app_with(database_url, tmp_path, "a key never used")
    try:
        assert rotate(get_db(stranger)) == {"unreadable": 1}
    finally:
        get_db(stranger).dispose()
    assert stored(db, source) == before
