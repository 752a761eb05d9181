"""The pages' languages: Chinese by default, English by a switch that sticks, every text translated."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "registry" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def page_texts() -> set:
    """Every text the pages and views hand to the translation functions."""
    found = set()
    for folder, method in (("templates", [("**.html", "jinja2")]), ("registry", [("**.py", "python")]),
                           ("harvesters", [("pages.py", "python")])):
        for _file, _line, message, _comments, _context in extract_from_dir(ROOT / folder, method):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_text_of_the_pages_has_its_chinese():
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    translated = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog
                  if m.id and "fuzzy" not in m.flags and all(m.string if isinstance(m.string, tuple) else [m.string])}
    texts = page_texts()
    assert len(texts) > 30
    assert texts - translated == set(), "texts without Chinese: run pybabel extract/update and translate them"


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_chinese_by_default_english_by_the_switch_which_sticks(client):
    page = client.get("/search?q=交通")
    assert html_lang(page) == "zh-CN" and "检索" in page.get_data(as_text=True)
    switch = re.search(r'<a href="([^"]+)" lang="en">English</a>', page.get_data(as_text=True)).group(1)
    assert "q=" in switch and "lang=en" in switch           # the same page, the same query
    english = client.get(switch.replace("&amp;", "&"))
    assert html_lang(english) == "en" and "Search the catalog" in english.get_data(as_text=True)
    assert "lang=en" in english.headers["Set-Cookie"]
    later = client.get("/login")                             # no parameter: the choice is kept
    assert html_lang(later) == "en" and ">Password<" in later.get_data(as_text=True)
    back = client.get("/?lang=zh")
    assert html_lang(back) == "zh-CN" and "政务信息资源目录" in back.get_data(as_text=True)
    assert html_lang(client.get("/")) == "zh-CN"


def test_an_unknown_language_is_chinese_and_the_api_keeps_both(client):
    assert html_lang(client.get("/?lang=xx")) == "zh-CN"
    client.get("/?lang=en")
    error = client.get("/api/v1/resources?per_page=0").get_json()["error"]
    assert error["message"].startswith("The parameter") and error["message_zh"].startswith("参数")


# What Chromium sends when it opens a page: HTML among image types of the same weight.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
                     "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"}


def test_a_browser_meets_errors_as_pages_in_its_language(client):
    missing = client.get("/resources/999999", headers=BROWSER)
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "<h1>未找到该页面" in missing.get_data(as_text=True) and "未找到该信息资源" in missing.get_data(as_text=True)
    english = client.get("/no-such-page?lang=en", headers=BROWSER)
    assert english.status_code == 404 and html_lang(english) == "en"
    assert "<h1>Page not found" in english.get_data(as_text=True)
    # Programs keep their JSON: the API, and an RDF or JSON client at the same address.
    assert client.get("/api/v1/nothing", headers=BROWSER).get_json()["error"]["status"] == 404
    assert client.get("/resources/999999", headers={"Accept": "text/turtle"}).get_json()["error"]["code"] == "not_found"
