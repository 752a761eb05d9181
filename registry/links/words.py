"""A dead link's reason for the resource page, in the page's language.

The checker records its reasons in English words with their particulars ("no answer within 10 s",
"address refused: 10.1.2.3 is a private address"); an English page shows them as recorded, a
Chinese one the kind of failure in Chinese (and the status code, when the server answered).
"""
from __future__ import annotations

from flask_babel import gettext

from registry.i18n import in_language

# (how the recorded reason starts, its kind as a page text)
KINDS = [
    ("no connection within", lambda: gettext("no connection in time")),
    ("no answer within", lambda: gettext("no answer in time")),
    ("slower than", lambda: gettext("too slow")),
    ("connection refused", lambda: gettext("connection refused")),
    ("the server closed the connection", lambda: gettext("the server closed the connection without an answer")),
    ("the host name does not resolve", lambda: gettext("the host name does not resolve")),
    ("more than", lambda: gettext("too many redirects")),
    ("redirect loop", lambda: gettext("a redirect loop")),
    ("redirected to an address", lambda: gettext("redirected to an address that is not a web address")),
    ("address refused", lambda: gettext("an address the checker may not reach")),
    ("TLS", lambda: gettext("a secure connection could not be made")),
    ("not a valid address", lambda: gettext("not a valid address")),
]


def dead_reason(error: str | None) -> str:
    """``error`` as recorded on an English page; its kind on a Chinese page."""
    error = error or ""
    if error.startswith("HTTP "):
        status = error.split(" ", 2)[1].rstrip(",")
        zh = gettext("the server answered HTTP %(status)s", status=status)
        if ", then" in error:
            zh = gettext("the server answered HTTP %(status)s, then sent no data", status=status)
        return in_language(zh, error)
    for start, kind in KINDS:
        if error.startswith(start):
            return in_language(kind(), error)
    return error
