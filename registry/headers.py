"""Security headers on every answer, pages and API alike.

The pages load nothing from another host and run no inline script, so the Content-Security-Policy can
be strict: everything from this site only, scripts only as files served by govcat (the search box's
suggestions, ``registry/static``; every page works without them), style blocks only with the nonce drawn
for the request (templates put ``csp_nonce`` on their ``<style>``), never framed, forms posted
here only.  The rest: no MIME sniffing, no framing for old browsers, and the address of a page not
sent to other sites.
"""
from __future__ import annotations

import secrets

from flask import Flask, g

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; "
                           "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
                           "frame-ancestors 'none'")
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "strict-origin-when-cross-origin"}


def csp_nonce() -> str:
    """This request's nonce for style blocks, drawn when first asked for."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    @app.context_processor
    def _nonce():
        return {"csp_nonce": csp_nonce()}

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=csp_nonce()))
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
