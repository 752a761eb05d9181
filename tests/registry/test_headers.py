"""Every answer, page or API, carries the security headers, and the pages satisfy their strict policy."""
from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/login", "/api/v1/docs", "/api/v1/resources",
                                  "/api/v1/resources/999999", "/catalog.ttl", "/no-such-page"])
def test_security_headers_on_every_answer(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/login", "/api/v1/docs"])
def test_pages_use_only_what_their_policy_allows(client, path):
    response = client.get(path)
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    styles = re.findall(r"<style([^>]*)>", html)
    assert styles and all(f'nonce="{nonce}"' in attributes for attributes in styles)
    # Scripts only as files of this site (the policy's 'self'); no inline script, style attribute or handler.
    assert all(re.fullmatch(r'<script src="/static/[\w.-]+\.js" defer></script>', tag)
               for tag in re.findall(r"<script[^>]*>[^<]*</script>", html))
    assert html.count("<script") == len(re.findall(r"<script[^>]*>[^<]*</script>", html))
    assert not re.search(r"\sstyle=|\son\w+=", html)
    assert client.get(path).headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]
