"""Every operation of the OpenAPI document, fuzzed against the app: the document is the contract.

The hand-written tests check the answers they thought of; this one lets schemathesis generate
requests from the published document itself — valid and invalid paths, query strings, headers
and bodies — and sends them to the app on the demo catalog, once anonymously and once with an
API token of each role.  Every answer must keep the contract: no 5xx, a status code the
operation documents, the documented content type and headers, and a body that matches the
documented schema.  So a 500, an undocumented status or a drifting answer shape fails CI.

Bounded and repeatable: SQLite only (the engines' own tests cover PostgreSQL), a fixed seed with
derandomized generation, no stateful phase, and a fresh copy of the demo catalog (and its search
index) for each operation and role.  The examples of one operation share that copy; the only thing
an example can break for the later ones is the caller's own way in (revoking its own token), so the
test checks its token after every answer and issues a new one when it stopped working.  No
operation is left out.  Name resolution is stubbed to fail, and harvest sources may reach no
address at all, so nothing leaves the machine.
"""
from __future__ import annotations

import shutil
import socket
import tempfile

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from sqlalchemy import select

from registry import create_app
from registry.accounts.models import User
from registry.accounts.services import create_token
from registry.api.openapi import build_openapi
from registry.db import get_db
from registry.demo.loader import load_demo
from registry.search import get_engine
from registry.search.services import reindex

pytestmark = pytest.mark.fuzz

ROLES = ["anonymous", "editor", "reviewer", "admin", "sysadmin"]   # the demo catalog has a user of each role
MAX_EXAMPLES = 12   # generated examples per operation and role, beside the examples and boundary cases
SEED = 11
# What every answer must keep: no 5xx, and the status, content type, headers and body the document gives it;
# and a request the document calls invalid must not be accepted.
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
          "response_schema_conformance", "negative_data_rejection"]
CONFIG = SchemathesisConfig.from_dict({
    "seed": SEED,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "with-security-parameters": False},
    "phases": {"stateful": {"enabled": False}},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    "suppress-health-check": ["all"],
})
SETTINGS = {"GOVCAT_SECRET_KEY": "test", "TESTING": True,
            "GOVCAT_HARVEST_DENY": "0.0.0.0/0,::/0"}   # harvest sources may reach nothing: the test stays offline


def _document() -> dict:
    """The app's OpenAPI document; collection needs it before any fixture exists.

    (Loading the schema from a fixture instead, with ``schemathesis.pytest.from_fixture``, fails under
    pytest 9.2, whose test items no longer have the attribute that loader renames.)
    """
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({**SETTINGS, "GOVCAT_DATABASE_URL": "sqlite://", "GOVCAT_INSTANCE": instance})
        return build_openapi(app)


schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


def _unresolvable(host, *args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, f"name resolution is off in this test: {host}")


def _app(path, instance):
    return create_app({**SETTINGS, "GOVCAT_DATABASE_URL": f"sqlite:///{path}", "GOVCAT_INSTANCE": str(instance)})


@pytest.fixture(scope="session")
def demo_catalog(sqlite_template, tmp_path_factory):
    """The demo catalog and its search index, made once and copied for each operation and role."""
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, root / "govcat.db")
    app = _app(root / "govcat.db", root / "instance")
    load_demo(get_db(app))
    reindex(get_db(app), get_engine(app))
    get_db(app).dispose()
    return root


class Caller:
    """The role an example acts as, and its bearer token (issued again if an example revoked it)."""

    def __init__(self, app, role: str):
        self.app, self.role, self.secret = app, role, None
        if role != "anonymous":
            self.renew()

    def renew(self) -> None:
        with get_db(self.app).transaction() as session:
            user = session.scalar(select(User).where(User.username == self.role))
            self.secret = create_token(session, user, {"name": "fuzz"})[1]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.secret}"} if self.secret else {}

    def keep_signed_in(self) -> None:
        if self.secret and self.app.test_client().get("/api/v1/me", headers=self.headers).status_code != 200:
            self.renew()


@pytest.fixture(params=ROLES)
def caller(request, demo_catalog, tmp_path, monkeypatch):
    """A fresh copy of the demo catalog for each operation and role, so no operation sees another's leftovers."""
    monkeypatch.setattr(socket, "getaddrinfo", _unresolvable)
    shutil.copy(demo_catalog / "govcat.db", tmp_path / "govcat.db")
    shutil.copytree(demo_catalog / "instance", tmp_path / "instance")
    app = _app(tmp_path / "govcat.db", tmp_path / "instance")
    yield Caller(app, request.param)
    get_db(app).dispose()


@schema.parametrize()
def test_every_operation_keeps_the_documented_contract(case, caller):
    case.call_and_validate(headers=caller.headers, app=caller.app)
    caller.keep_signed_in()
