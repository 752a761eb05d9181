"""The pages' two languages: Chinese by default, English by a switch that sticks.

Every text of a page goes through Flask-Babel (``_()`` in templates and views); the source strings are
English and ``registry/translations/zh`` holds their Chinese, so a string nobody translated shows up
in English rather than vanishing (``tests/registry/test_i18n.py`` fails on any such string).  The
catalog's ``.po`` files are the only source: each process compiles them into the instance folder
when it starts (nothing binary in the repository, no build step to forget).

The language is chosen by ``?lang=`` (which the page's switch sets and a cookie then keeps), else the
``lang`` cookie, else Chinese.  The API is not affected: its errors carry both languages.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request
from flask_babel import Babel, get_locale

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
HTML_LANG = {"zh": "zh-CN", "en": "en"}
COOKIE = "lang"
COOKIE_DAYS = 365
SOURCES = Path(__file__).resolve().parent / "translations"


def init_app(app: Flask) -> None:
    compiled = _compile(Path(app.instance_path) / "translations")
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=current_language)
    app.context_processor(lambda: {"html_lang": HTML_LANG[current_language()], "language": current_language(),
                                   "switch_language": switch_language_url()})
    app.after_request(_keep_choice)


def current_language() -> str:
    """The language of this request's page."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(COOKIE)
    return kept if kept in LANGUAGES else DEFAULT


def in_language(zh: str, en: str) -> str:
    """One of a pair of texts (a service's error, a vocabulary's labels) in the page's language."""
    return en if str(get_locale()) == "en" else zh


def switch_language_url() -> str:
    """This page in the other language."""
    other = "en" if current_language() == "zh" else "zh"
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", other)]
    return f"{request.path}?{urlencode(args)}"


def _keep_choice(response):
    asked = request.args.get("lang")
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked and response.mimetype == "text/html":
        response.set_cookie(COOKIE, asked, max_age=COOKIE_DAYS * 86400, samesite="Lax", httponly=True,
                            secure=bool(current_app.config.get("GOVCAT_SECURE_COOKIES")))
    return response


def _compile(target: Path) -> Path:
    """Compile each language's ``.po`` into ``target`` when the ``.mo`` there is missing or older."""
    for po in SOURCES.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCES).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source)
        # Written aside, then moved in: processes starting together never read half a file.
        handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalog)
        os.replace(temporary, mo)
    return target
