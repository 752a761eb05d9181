"""My API tokens page: a token is created and shown once, works in the API, and is revoked."""
from __future__ import annotations

import re

from tests.registry.ui.test_workspace import post, signed_in


def test_create_see_once_use_and_revoke(client, world):
    signed_in(client)
    answer = post(client, "/workspace/tokens", {"name": "报表程序", "expires_in_days": "30"})
    page = answer.get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    me = client.application.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.get_json()["username"] == "editor_a"
    later = client.get("/workspace/tokens").get_data(as_text=True)
    assert "报表程序" in later and secret not in later                       # shown once
    token_id = re.search(r'data-token="(\d+)"><td>报表程序', later).group(1)
    assert post(client, f"/workspace/tokens/{token_id}/revoke", {}).status_code == 302
    me = client.application.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 401


def test_a_bad_lifetime_is_explained_beside_its_input(client, world):
    signed_in(client)
    answer = post(client, "/workspace/tokens", {"name": "x", "expires_in_days": "2912103"})
    assert answer.status_code == 422 and 'id="e-days"' in answer.get_data(as_text=True)
    answer = post(client, "/workspace/tokens", {"name": "x", "expires_in_days": "soon"})
    assert answer.status_code == 422 and 'id="e-days"' in answer.get_data(as_text=True)


def test_nobody_revokes_someone_elses_token(client, world):
    signed_in(client, "editor_b")
    other = client.get("/workspace/tokens").get_data(as_text=True)
    assert "tests" in other
    signed_in(client, "editor_a")
    mine = re.findall(r'data-token="(\d+)"', client.get("/workspace/tokens").get_data(as_text=True))
    theirs = re.findall(r'data-token="(\d+)"', other)
    assert set(mine).isdisjoint(theirs)
    post(client, f"/workspace/tokens/{theirs[0]}/revoke", {})
    assert client.application.test_client().get("/api/v1/me", headers=world.editor_b.headers).status_code == 200
