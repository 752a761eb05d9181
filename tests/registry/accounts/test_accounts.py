"""Users and API tokens: created by administrators, tokens shown once, stored hashed, revocable, expiring."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.accounts.models import ApiToken, User
from registry.db import utcnow
from tests.conftest import form_token, sign_in, sign_out


def test_admin_creates_department_users(client, world):
    body = {"username": "new.editor", "password": "long enough password", "role": "editor",
            "department": world.dept_b.credit_code, "display_name": "新编目员"}
    response = client.post("/api/v1/users", json=body, headers=world.admin.headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["department"] == world.dept_b.credit_code
    assert "password" not in response.get_json()
    assert client.post("/api/v1/users", json=body, headers=world.admin.headers).status_code == 409
    assert client.post("/api/v1/users", json={**body, "username": "x2"}, headers=world.editor_a.headers) \
        .status_code == 403


def test_user_input_errors(client, world):
    cases = [
        ({"username": "a b", "password": "long enough password", "role": "editor"}, "username"),
        ({"username": "ok", "password": "short", "role": "admin"}, "password"),
        ({"username": "ok", "password": "long enough password", "role": "boss"}, "role"),
        ({"username": "ok", "password": "long enough password", "role": "editor"}, "department"),
        ({"username": "ok", "password": "long enough password", "role": "editor", "department": "nope"},
         "department"),
        ({"username": "ok", "password": "long enough password", "role": "admin",
          "department": world.dept_a.credit_code}, "department"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/users", json=body, headers=world.admin.headers)
        assert response.status_code == 422, body
        assert {e["field"] for e in response.get_json()["error"]["errors"]} == {field}, body


def test_password_is_hashed(db, world):
    with db.reader() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "editor_a"))
    assert stored and "correct horse battery" not in stored


def test_token_is_shown_once_and_stored_as_a_digest(client, world, db):
    response = client.post("/api/v1/tokens", json={"name": "harvest robot", "expires_in_days": 30},
                           headers=world.editor_a.headers)
    assert response.status_code == 201
    secret = response.get_json()["token"]
    assert secret.startswith("gct_")
    with db.reader() as session:
        digests = list(session.scalars(select(ApiToken.digest)))
    assert secret not in digests and all(len(d) == 64 for d in digests)
    listed = client.get("/api/v1/tokens", headers=world.editor_a.headers).get_json()["items"]
    assert {t["name"] for t in listed} == {"tests", "harvest robot"}
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).get_json()["username"] == "editor_a"


def test_revoked_token_stops_working(client, world):
    created = client.post("/api/v1/tokens", json={"name": "temp"}, headers=world.editor_a.headers).get_json()
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=world.editor_b.headers).status_code == 404
    assert client.delete(f"/api/v1/tokens/{created['id']}", headers=headers).status_code == 200
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_expired_token_stops_working(client, world, db):
    created = client.post("/api/v1/tokens", json={"name": "short", "expires_in_days": 1},
                          headers=world.editor_a.headers).get_json()
    with db.transaction() as session:
        session.get(ApiToken, created["id"]).expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {created['token']}"}).status_code == 401


def test_deactivated_user_is_locked_out(client, world):
    assert client.patch("/api/v1/users/editor_b", json={"active": False}, headers=world.admin.headers) \
        .status_code == 200
    assert client.get("/api/v1/me", headers=world.editor_b.headers).status_code == 401


def test_a_token_is_created_by_its_owner_only(client, world):
    # A token acts as its owner: one made for the centre's administrator would let its maker publish as them.
    for person in (world.admin, world.sysadmin, world.editor_a):
        response = client.post("/api/v1/tokens", json={"name": "for someone", "username": "admin" if person is not
                                                        world.admin else "editor_b"}, headers=person.headers)
        assert response.status_code == 403 and response.get_json()["error"]["errors"][0]["field"] == "username"
    own = client.post("/api/v1/tokens", json={"name": "mine", "username": "editor_a"}, headers=world.editor_a.headers)
    assert own.status_code == 201 and own.get_json()["user"] == "editor_a"


def test_nobody_locks_themselves_out_and_the_last_sysadmin_stays(client, world):
    me = client.patch("/api/v1/users/sysadmin", json={"active": False}, headers=world.sysadmin.headers)
    assert me.status_code == 409 and me.get_json()["error"]["errors"][0]["field"] == "active"
    assert client.get("/api/v1/me", headers=world.sysadmin.headers).status_code == 200
    other = client.post("/api/v1/users", json={"username": "sysadmin2", "role": "sysadmin", "password": "long enough pw"},
                        headers=world.sysadmin.headers)
    assert other.status_code == 201, other.get_json()
    assert client.patch("/api/v1/users/sysadmin2", json={"active": False},
                        headers=world.sysadmin.headers).status_code == 200
    last = client.patch("/api/v1/users/sysadmin", json={"active": False}, headers=world.sysadmin.headers)
    assert last.status_code == 409


def test_browser_sign_in_with_a_session(client, world):
    assert client.get("/api/v1/me").status_code == 401
    wrong = sign_in(client, "editor_a", "wrong")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    response = sign_in(client, "editor_a", "correct horse battery")
    assert response.status_code == 302
    assert client.get("/api/v1/me").get_json()["username"] == "editor_a"
    sign_out(client)
    assert client.get("/api/v1/me").status_code == 401


def test_token_endpoints_need_a_signed_in_user(client):
    assert client.get("/api/v1/tokens").status_code == 401
    assert client.post("/api/v1/tokens", json={"name": "x"}).status_code == 401
    assert client.delete("/api/v1/tokens/1").status_code == 401


@pytest.mark.parametrize("target", ["/%09/evil.example/phish", "//evil.example/x", "/\\evil.example", "https://evil.example/",
                                    "/%0d%0a/evil.example", "javascript:alert(1)", "/ok\x7f"])
def test_after_sign_in_a_next_that_leads_elsewhere_is_ignored(client, world, target):
    response = sign_in(client, "editor_a", "correct horse battery", target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_after_sign_in_a_path_on_this_site_is_followed(client, world):
    response = sign_in(client, "editor_a", "correct horse battery", "/search%3Fq%3D%E4%BF%A1%E7%94%A8")
    assert response.status_code == 302 and response.headers["Location"] == "/search?q=%E4%BF%A1%E7%94%A8"


@pytest.mark.parametrize("days", [0, 3651, 2912103, 10 ** 30])
def test_a_token_lifetime_out_of_range_is_a_field_error(client, world, days):
    response = client.post("/api/v1/tokens", json={"name": "x", "expires_in_days": days}, headers=world.editor_a.headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["errors"][0]["field"] == "expires_in_days"


def _signed_in(app, world, username="editor_a", password="correct horse battery"):
    browser = app.test_client()
    assert sign_in(browser, username, password).status_code == 302
    assert browser.get("/api/v1/me").status_code == 200
    return browser


def test_signing_out_ends_every_session_of_the_user(app, world):
    first, second = _signed_in(app, world), _signed_in(app, world)
    cookie = first.get_cookie("session")
    sign_out(first)
    assert second.get("/api/v1/me").status_code == 401         # the other browser's session too
    replay = app.test_client()                                  # a cookie saved before signing out
    replay.set_cookie("session", cookie.value)
    assert replay.get("/api/v1/me").status_code == 401


def test_a_new_password_or_deactivation_ends_the_users_sessions(app, client, world):
    browser = _signed_in(app, world)
    assert client.patch("/api/v1/users/editor_a", json={"password": "a brand new secret"},
                        headers=world.sysadmin.headers).status_code == 200
    assert browser.get("/api/v1/me").status_code == 401
    browser = _signed_in(app, world, password="a brand new secret")
    assert client.patch("/api/v1/users/editor_a", json={"active": False}, headers=world.sysadmin.headers).status_code == 200
    assert browser.get("/api/v1/me").status_code == 401


def test_guessing_passwords_meets_a_limit_per_account_and_per_address(app, world):
    app.config.update(GOVCAT_LOGIN_FAILURES_PER_ACCOUNT=3, GOVCAT_LOGIN_FAILURES_PER_ADDRESS=5)
    browser = app.test_client()
    for _ in range(3):
        assert sign_in(browser, "editor_a", "wrong").status_code == 401
    refused = sign_in(browser, "editor_a", "correct horse battery")
    assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "尝试次数过多" in refused.get_data(as_text=True)
    # Another account from the same address may still try, until the address's own limit.
    assert sign_in(browser, "editor_b", "wrong").status_code == 401
    assert sign_in(browser, "reviewer_a", "wrong").status_code == 401
    assert sign_in(browser, "reviewer_b", "x").status_code == 429


def test_a_successful_sign_in_starts_the_accounts_count_again(app, world):
    app.config.update(GOVCAT_LOGIN_FAILURES_PER_ACCOUNT=3, GOVCAT_LOGIN_FAILURES_PER_ADDRESS=100)
    browser = app.test_client()
    for _ in range(2):
        sign_in(browser, "editor_a", "wrong")
    assert sign_in(browser, "editor_a", "correct horse battery").status_code == 302
    for _ in range(2):
        assert sign_in(browser, "editor_a", "wrong").status_code == 401


def test_a_cross_site_sign_in_or_sign_out_is_refused(app, world):
    browser = app.test_client()
    # Login CSRF: another site's form would sign the victim in as the attacker.
    forged = browser.post("/login", data={"username": "editor_a", "password": "correct horse battery"})
    assert forged.status_code == 403 and "请重新登录" in forged.get_data(as_text=True)
    assert browser.get("/api/v1/me").status_code == 401
    assert sign_in(browser, "editor_a", "correct horse battery").status_code == 302
    assert browser.post("/logout").status_code == 403                          # a forged sign-out
    assert browser.get("/api/v1/me").status_code == 200
    token = app.test_client()                                                 # the token of another session
    stolen = browser.post("/logout", data={"csrf_token": form_token(token)})
    assert stolen.status_code == 403


def test_a_signed_in_browsers_state_changes_need_the_token_and_bearer_tokens_do_not(app, world):
    browser = app.test_client()
    sign_in(browser, "admin", "correct horse battery")
    source = {"name": "s", "type": "dcat", "url": "http://127.0.0.1:9/c.ttl", "department": world.dept_a.credit_code}
    # The harvest that a cross-site POST with the session cookie started before.
    assert browser.post("/api/v1/harvest/sources", json=source).status_code == 403
    assert browser.post("/api/v1/harvest/sources", json=source, headers={"X-CSRF-Token": form_token(browser),
                                                                         "Origin": "https://evil.example"}).status_code == 403
    created = browser.post("/api/v1/harvest/sources", json=source, headers={"X-CSRF-Token": form_token(browser)})
    assert created.status_code == 201, created.get_json()
    bearer = app.test_client().post("/api/v1/harvest/sources", json={**source, "name": "t"}, headers=world.admin.headers)
    assert bearer.status_code == 201
    assert app.test_client().post("/api/v1/resources", json={}).status_code == 401      # anonymous: as before


def test_behind_https_the_session_cookie_is_secure_and_the_proxys_client_address_counts(database_url, tmp_path, world):
    from registry import create_app

    app = create_app({"GOVCAT_DATABASE_URL": database_url, "GOVCAT_INSTANCE": str(tmp_path / "behind-proxy"),
                      "GOVCAT_SECRET_KEY": "test", "TESTING": True, "GOVCAT_SECURE_COOKIES": True,
                      "GOVCAT_PROXIES": 1, "GOVCAT_LOGIN_FAILURES_PER_ADDRESS": 2})
    browser = app.test_client()
    proxied = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      browser.get("/login", headers=proxied).get_data(as_text=True)).group(1)
    signed_in = browser.post("/login", headers=proxied, data={"username": "editor_a", "password": "correct horse battery",
                                                              "csrf_token": token})
    assert signed_in.status_code == 302
    assert "Secure" in signed_in.headers["Set-Cookie"] and "HttpOnly" in signed_in.headers["Set-Cookie"]
    for _ in range(2):          # two wrong passwords from the proxy's client …
        browser.post("/login", headers=proxied, data={"username": "x", "password": "y", "csrf_token": token})
    refused = browser.post("/login", headers=proxied, data={"username": "z", "password": "y", "csrf_token": token})
    assert refused.status_code == 429
    other = {**proxied, "X-Forwarded-For": "198.51.100.9"}    # … count against that client, not the proxy
    assert browser.post("/login", headers=other, data={"username": "z", "password": "y",
                                                       "csrf_token": token}).status_code == 401
