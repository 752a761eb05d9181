"""An administrator sets up a harvest source in the browser and runs it, with no API: add it and
check its first records, set the defaults the check asks for, run it, read the job."""
from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from harvesters.models import HarvestJob, HarvestSource
from registry.resources.models import Resource
from tests.harvesters.conftest import catalog_page, dataset_doc
from tests.registry.ui.test_workspace import post, signed_in

BROWSER = {"Accept": "text/html"}


def counter(page: str, name: str) -> int:
    return int(re.search(rf'data-counter="{name}"><dt>[^<]*</dt><dd>(\d+)</dd>', page).group(1))


def test_add_check_set_defaults_run_and_read_the_job(client, db, world, remote):
    foreign = {k: v for k, v in dataset_doc(1).items() if k not in ("share_type", "share_method")}
    untitled = {k: v for k, v in dataset_doc(2).items() if k != "title"}
    url = remote.serve("/c.ttl", catalog_page({f"{remote.url}/datasets/1": foreign,
                                               f"{remote.url}/datasets/2": untitled}))
    signed_in(client, "admin")
    checked = post(client, "/admin/harvest/new", {"name": "portal", "type": "dcat", "url": url,
                                                   "department": world.dept_a.credit_code, "publish": "direct"},
                   action="check")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "portal" in page
    assert counter(page, "incomplete") == 1 and counter(page, "failed") == 1
    assert "<code>share_type</code>" in page and "--default share_type=" in page
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(Resource)) == 0        # a check stores nothing

    saved = post(client, "/admin/harvest/portal", {"url": url, "publish": "direct", "active": "1",
                                                   "defaults": "share_type=unconditional\nshare_method=platform_api"})
    assert saved.status_code == 302
    with db.reader() as session:
        assert session.scalars(select(HarvestSource.defaults)).one() == {"share_type": "unconditional",
                                                                          "share_method": "platform_api"}
    assert post(client, "/admin/harvest/portal/run", {}).status_code == 302
    deadline = time.monotonic() + 30
    while True:
        with db.reader() as session:
            job = session.scalars(select(HarvestJob).where(HarvestJob.status != "dry_run")).first()
        if job is not None and job.status != "running":
            break
        assert time.monotonic() < deadline, "the run did not end"
        time.sleep(0.1)
    page = client.get(f"/admin/harvest/jobs/{job.id}").get_data(as_text=True)
    assert 'data-status="succeeded"' in page and counter(page, "created") == 1 and counter(page, "failed") == 1
    assert "no title" in page
    listing = client.get("/admin/harvest").get_data(as_text=True)
    assert 'data-source="portal"' in listing and "succeeded" in listing


def test_bad_input_is_explained_beside_its_input_and_nothing_is_stored(client, db, world):
    signed_in(client, "admin")
    answer = post(client, "/admin/harvest/new", {"name": "has spaces", "type": "dcat", "url": "file:///etc/passwd",
                                                 "department": world.dept_a.credit_code, "max_bytes": "lots"},
                  action="add")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="e-name"' in page and 'id="e-max_bytes"' in page
    with db.reader() as session:
        assert session.scalar(select(func.count()).select_from(HarvestSource)) == 0


def test_only_those_who_manage_sources_see_them(client, world):
    signed_in(client, "editor_a")
    assert client.get("/admin/harvest", headers=BROWSER).status_code == 403
    assert client.get("/admin/harvest/new", headers=BROWSER).status_code == 403
