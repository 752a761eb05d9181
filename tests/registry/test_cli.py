"""The govcat command line, run as an operator would run it."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from registry.cli import main


@pytest.fixture
def govcat(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVCAT_DATABASE_URL", database_url)
    monkeypatch.setenv("GOVCAT_INSTANCE", str(tmp_path / "instance"))
    runner = CliRunner()

    def run(*args, input=None, ok=True):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output
        return result
    return run


def test_init_is_repeatable(govcat):
    assert "database ready" in govcat("init").output
    assert "database ready" in govcat("init").output


def test_user_and_token_creation(govcat, tmp_path):
    govcat("init")
    result = govcat("user", "create", "centre", "--role", "admin", input="a long password\n")
    assert "created user centre (admin)" in result.output
    token = govcat("token", "create", "centre").stdout.strip()
    assert token.startswith("gct_")
    from registry import create_app
    app = create_app()
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["role"] == "admin"


def test_user_errors_are_readable(govcat):
    govcat("init")
    result = govcat("user", "create", "ed", "--role", "editor", input="a long password\n", ok=False)
    assert result.exit_code == 1
    assert "error: department:" in result.output and "Traceback" not in result.output
    result = govcat("user", "create", "x", "--role", "admin", input="short\n", ok=False)
    assert result.exit_code == 1 and "error: password:" in result.output
    assert govcat("token", "create", "nobody", ok=False).exit_code == 1


def test_export_jsonl_holds_the_published_catalog(govcat, tmp_path):
    govcat("init")
    govcat("demo", "--no-serve")
    out = tmp_path / "catalog.jsonl"
    result = govcat("export", "--format", "jsonl", "--output", str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert f"exported {len(lines)} resources" in result.output
    records = [json.loads(line) for line in lines]
    assert len(records) >= 280
    assert all(r["state"] == "published" and r["revision"] == "published" for r in records)
    assert any("交通" in r["title"] for r in records)


def test_demo_loads_once(govcat):
    govcat("init")
    first = govcat("demo", "--no-serve").output
    assert "demo catalog loaded" in first and "admin" in first
    assert "already loaded" in govcat("demo", "--no-serve").output


def test_the_run_command_serves_the_demo_over_http(tmp_path):
    """What a newcomer does first: ``govcat demo`` on an empty instance, then the API over real HTTP."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GOVCAT_INSTANCE": str(tmp_path / "instance")}
    env.pop("GOVCAT_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "registry.cli", "demo", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/resources?per_page=1", timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the demo server did not answer within 60 s"
                time.sleep(0.3)
        assert listing["total"] >= 300
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/docs", timeout=5) as r:
            assert r.status == 200 and "govcat API" in r.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_search_status_reindex_and_drain(govcat):
    govcat("init")
    govcat("demo", "--no-serve")
    report = json.loads(govcat("search", "status", "--json").stdout)
    assert report["in_step"] is True and report["backlog"] == 0
    assert report["index"] == report["database"] and report["index"]["public"] >= 300
    result = govcat("reindex")
    assert f"indexed {report['index']['public'] + report['index']['working']} documents" in result.output
    assert "in step:   yes" in govcat("search", "status").output
    assert "indexed 0 changed resources" in govcat("search", "drain").output


def test_secrets_rotate_says_what_it_did(govcat):
    govcat("init")
    assert "no stored secret to encrypt again" in govcat("secrets", "rotate").output


def test_validate_checks_rdf_against_the_govcat_profile(govcat, tmp_path):
    good = tmp_path / "good.ttl"
    govcat("init")
    govcat("demo", "--no-serve")
    govcat("export", "--format", "ttl", "-o", str(good))
    assert "govcat: conforms" in govcat("validate", str(good)).output
    broken = tmp_path / "broken.ttl"
    text = good.read_text(encoding="utf-8")
    broken.write_text(text.replace("govcat:shareType", "govcat:unknownProperty"), encoding="utf-8")
    result = govcat("validate", str(broken), ok=False)
    assert result.exit_code == 1 and "Violation" in result.output and "does not conform" in result.output
    garbage = tmp_path / "garbage.ttl"
    garbage.write_text("this is <not turtle", encoding="utf-8")
    assert govcat("validate", str(garbage), ok=False).exit_code == 2


def test_rdf_export_is_the_same_with_several_worker_processes(govcat, tmp_path):
    govcat("init")
    govcat("demo", "--no-serve")
    one, two = tmp_path / "one.nt", tmp_path / "two.nt.gz"
    govcat("export", "--format", "nt", "--jobs", "1", "-o", str(one))
    result = govcat("export", "--format", "nt", "--jobs", "2", "-o", str(two))
    import gzip
    assert gzip.decompress(two.read_bytes()) == one.read_bytes()
    assert "exported" in result.output
    from rdflib import Graph
    from vocab.namespaces import DCAT
    graph = Graph().parse(one, format="nt")
    assert len(set(graph.subjects(None, DCAT.Dataset))) >= 300


@pytest.mark.parametrize("args", [("search", "status"), ("harvest", "list")])
def test_a_setting_that_cannot_be_read_is_a_one_line_error(args, tmp_path):
    result = CliRunner().invoke(main, list(args), env={"GOVCAT_INSTANCE": str(tmp_path),
                                                       "GOVCAT_HARVEST_DENY": "10.8.0.0/16, intranet"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "configuration: GOVCAT_HARVEST_DENY: 'intranet' is not an IP network" in result.output
