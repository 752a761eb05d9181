"""Fixtures of the RDF tests: the demo catalog as DCAT-AP, and the official DCAT-AP 3.0.1 shapes.

The shapes are the standard's own files, read where the project's shared standards live
(``../shared/standards`` beside the repository), never copied into it.  When they are missing,
the conformance tests are skipped — loudly, in the summary (the standards are reference data, not
a service the test command could start).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from vocab.codes import format_resource_code
from registry.demo.catalog import generate_resources, load_departments
from registry.resources.schemas import normalize_metadata

REPO_ROOT = Path(__file__).resolve().parents[2]
DCAT_AP_DIR = REPO_ROOT.parent / "shared" / "standards" / "dcat-ap-3.0.1"
BASE = "https://data.example.gov.cn"
MODIFIED = "2025-06-30T08:00:00+00:00"
SAMPLE_SIZE = 40
MISSING_STANDARDS: list[str] = []


@pytest.fixture(scope="session")
def dcat_ap_dir() -> Path:
    if not (DCAT_AP_DIR / "html" / "shacl" / "shapes.ttl").is_file():
        message = (f"DCAT-AP 3.0.1 SHACL shapes not found in {DCAT_AP_DIR.relative_to(REPO_ROOT.parent)} "
                   "beside the repository: the DCAT-AP conformance tests did NOT run")
        # A skip, not a failure, even in CI: the standards are reference data beside the project,
        # not a service the test command can start; the summary says loudly that they were missing.
        MISSING_STANDARDS.append(message)
        pytest.skip(message)
    return DCAT_AP_DIR


def assign_branch_codes(departments: list[dict]) -> list[dict]:
    """Give each demo department a branch-3 code as the registry would (parents come first)."""
    used: dict[str, int] = {}
    by_credit = {}
    for department in departments:
        parent = by_credit[department["parent"]]["branch_code"] if department["parent"] else "3"
        used[parent] = used.get(parent, 0) + 1
        department["branch_code"] = f"{parent}{used[parent]:0{2 if parent == '3' else 3}d}"
        by_credit[department["credit_code"]] = department
    return departments


@pytest.fixture(scope="session")
def demo_departments() -> list[dict]:
    return assign_branch_codes(load_departments())


@pytest.fixture(scope="session")
def demo_documents(demo_departments) -> list[dict]:
    """Every demo resource, normalised, with a code as the registry would assign it."""
    resources = generate_resources({d["credit_code"]: d["branch_code"] for d in demo_departments})
    documents, sequence = [], {}
    for data in resources:
        doc = normalize_metadata(data)
        sequence[doc["classification"]] = sequence.get(doc["classification"], 0) + 1
        documents.append({"code": format_resource_code(doc["classification"], sequence[doc["classification"]]),
                          "doc": doc})
    return documents


@pytest.fixture(scope="session")
def demo_sample(demo_documents, demo_departments) -> list[dict]:
    """Forty resources spread over the demo catalog, as ``resource_representation`` envelopes."""
    names = {d["credit_code"]: d["name"] for d in demo_departments}
    step = max(1, len(demo_documents) // SAMPLE_SIZE)
    return [{"code": item["code"], "modified": MODIFIED, "provider_name": names[item["doc"]["provider"]],
             **item["doc"]} for item in demo_documents[::step][:SAMPLE_SIZE]]


def pytest_terminal_summary(terminalreporter):
    if MISSING_STANDARDS:
        terminalreporter.section("DCAT-AP CONFORMANCE NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.write_line(MISSING_STANDARDS[0], red=True, bold=True)
