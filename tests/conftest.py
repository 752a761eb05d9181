"""Fixtures: the app on each database engine, and the people who use it.

Every test that takes ``app`` (or anything built on it) runs once on SQLite and once on
PostgreSQL.  PostgreSQL comes from ``GOVCAT_TEST_POSTGRES_URL`` (``make test`` starts a private
server and sets it).  Without it the PostgreSQL runs are skipped — loudly, in the summary —
and when ``GOVCAT_REQUIRE_ENGINES=1`` (as in ``make test`` and CI) they fail instead.
"""
from __future__ import annotations

import re

import os
import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server

from registry import create_app
from registry.accounts import services as account_services
from registry.accounts.services import create_token, create_user
from registry.db import Database, get_db
from registry.departments.services import create_department, sync_fixed_classification
from registry.migrate import upgrade
from registry import all_tables
from tests.factories import DepartmentDataFactory

# No scheduled link checks in tests (worker processes they start included): the catalogs they build
# link to hosts outside the machine. Link-check tests turn the schedule on in their own app's config.
os.environ["GOVCAT_LINK_CHECK_EVERY"] = "off"
POSTGRES_URL = os.environ.get("GOVCAT_TEST_POSTGRES_URL")
REQUIRE_ENGINES = os.environ.get("GOVCAT_REQUIRE_ENGINES") == "1"
SKIPPED_ENGINES: set[str] = set()


def require_engine(engines: tuple[str, ...], available: bool, message: str) -> None:
    """Skip a test whose engine is not there — loudly, in the summary — or fail it when engines are required."""
    if available:
        return
    if REQUIRE_ENGINES:
        pytest.fail(message + " and GOVCAT_REQUIRE_ENGINES=1", pytrace=False)
    SKIPPED_ENGINES.update(engines)
    pytest.skip(message)


@contextmanager
def live_server(app):
    """Serve ``app`` over real HTTP on 127.0.0.1 in a thread; yields its origin (``http://127.0.0.1:<port>``)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="govcat-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes():
    # scrypt is the production default; tests hash hundreds of passwords, so use a cheap method.
    account_services.PASSWORD_METHOD = "pbkdf2:sha256:1000"
    yield
    account_services.PASSWORD_METHOD = "scrypt"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "govcat.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    with database.transaction() as session:
        sync_fixed_classification(session)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database():
    require_engine(("postgresql",), bool(POSTGRES_URL),
                   "PostgreSQL engine tests skipped: GOVCAT_TEST_POSTGRES_URL is not set (scripts/test sets it)")
    database = Database(POSTGRES_URL)
    with database.write_engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(database)
    yield database
    database.dispose()


def _empty_postgres(database: Database) -> None:
    tables = ", ".join(t.name for t in all_tables().sorted_tables)
    with database.transaction() as session:
        session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        sync_fixed_classification(session)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "govcat.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    database = request.getfixturevalue("postgres_database")
    _empty_postgres(database)
    return POSTGRES_URL


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"GOVCAT_DATABASE_URL": database_url, "GOVCAT_INSTANCE": str(tmp_path / "instance"),
                      "GOVCAT_SECRET_KEY": "test", "TESTING": True})
    yield app
    get_db(app).dispose()


@pytest.fixture
def db(app) -> Database:
    return get_db(app)


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Person:
    user: object
    token: str

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class World:
    """Two departments and the people of every role: what most tests act with."""

    dept_a: object
    dept_b: object
    people: dict

    def __getattr__(self, name):
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.fixture
def world(db) -> World:
    with db.transaction() as session:
        dept_a = create_department(session, None, DepartmentDataFactory(), check_permission=False)
        dept_b = create_department(session, None, DepartmentDataFactory(), check_permission=False)
        people = {}
        for name, role, dept in [("editor_a", "editor", dept_a), ("reviewer_a", "reviewer", dept_a),
                                 ("editor_b", "editor", dept_b), ("reviewer_b", "reviewer", dept_b),
                                 ("admin", "admin", None), ("sysadmin", "sysadmin", None)]:
            user = create_user(session, None, {"username": name, "password": "correct horse battery", "role": role,
                                               "department": dept.credit_code if dept else None},
                               check_permission=False)
            _token, secret = create_token(session, user, {"name": "tests"})
            people[name] = Person(user, secret)
    return World(dept_a, dept_b, people)


def pytest_terminal_summary(terminalreporter):
    if SKIPPED_ENGINES:
        terminalreporter.section("ENGINES NOT TESTED", sep="!", red=True, bold=True)
        for engine in sorted(SKIPPED_ENGINES):
            terminalreporter.write_line(f"{engine}: its tests were SKIPPED — this run does not prove govcat works on it",
                                        red=True, bold=True)


def form_token(client, path: str = "/login") -> str:
    """The CSRF token a page of ``client``'s browser session carries in its forms."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str, password: str, next_path: str | None = None):
    """Sign ``client`` in through the login form, as a browser does (with the form's CSRF token)."""
    url = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": form_token(client)})


def sign_out(client):
    return client.post("/logout", data={"csrf_token": form_token(client)})
