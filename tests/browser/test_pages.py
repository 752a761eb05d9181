"""What a person checks in the browser: the home page, signing in, the API reference, the JSON API."""
from __future__ import annotations

import json
import shutil
import subprocess

try:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
except ImportError:  # the chromium fixture skips or fails every test, saying why
    By = EC = None

from registry.api.docs import page_model
from registry.api.openapi import build_openapi
from registry.demo.loader import DEMO_PASSWORD
from tests.browser.conftest import WINDOW

CATALOG_NAME = "政务信息资源目录"


def test_home_page_shows_the_catalog_in_chinese_and_leads_developers_to_the_api(browser):
    browser.open("/")
    assert CATALOG_NAME in browser.driver.title
    assert CATALOG_NAME in browser.driver.find_element(By.TAG_NAME, "h1").text
    links = {a.get_attribute("href") for a in browser.driver.find_elements(By.CSS_SELECTOR, "main a")}
    assert {browser.origin + "/departments", browser.origin + "/classification", browser.origin + "/developers"} <= links
    browser.screenshot("home")

    browser.driver.find_element(By.CSS_SELECTOR, "header").find_element(By.LINK_TEXT, "开发者").click()
    browser.wait(EC.url_to_be(browser.origin + "/developers"))
    for path in ("/api/v1/docs", "/catalog.ttl", "/catalog/dump.nt.gz", "/api/3/action/package_search?rows=10"):
        assert browser.driver.find_element(By.CSS_SELECTOR, f'main a[href="{path}"]')
    browser.driver.find_element(By.LINK_TEXT, "API 文档").click()
    browser.wait(EC.url_to_be(browser.origin + "/api/v1/docs"))
    assert browser.driver.find_element(By.TAG_NAME, "h1").text


def test_chinese_text_is_drawn_with_a_cjk_font(browser):
    # Without a CJK font Chromium draws every Chinese character as the same empty box, so two
    # different texts of the same length would give the very same picture.
    fc_list = shutil.which("fc-list")
    assert fc_list, "fc-list (Debian package fontconfig) is missing"
    fonts = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    assert fonts.strip(), "no CJK font installed (Debian: apt-get install fonts-noto-cjk)"

    browser.open("/")
    pictures = []
    for text in ("政务信息", "资源目录"):
        span = browser.driver.execute_script(
            "const s = document.createElement('span'); s.textContent = arguments[0];"
            "s.style.fontSize = '48px'; document.querySelector('main').prepend(s); return s;", text)
        pictures.append(span.screenshot_as_png)
        browser.driver.execute_script("arguments[0].remove();", span)
    assert pictures[0] != pictures[1], "Chinese characters are drawn as identical boxes: no CJK font in use"
    browser.screenshot("home-cjk")


def _sign_in(browser, username: str, password: str) -> None:
    browser.open("/login")
    browser.driver.find_element(By.ID, "username").send_keys(username)
    browser.driver.find_element(By.ID, "password").send_keys(password)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()


def test_demo_editor_signs_in_and_lands_on_the_home_page(browser):
    _sign_in(browser, "editor", DEMO_PASSWORD)
    browser.wait(EC.url_to_be(browser.origin + "/"))
    header = browser.driver.find_element(By.TAG_NAME, "header")
    assert "editor" in [span.text for span in header.find_elements(By.TAG_NAME, "span")]
    assert not header.find_elements(By.LINK_TEXT, "登录")
    browser.screenshot("signed-in")


def test_wrong_password_shows_the_error_and_stays_on_the_login_page(browser):
    _sign_in(browser, "editor", DEMO_PASSWORD + "-wrong")
    error = browser.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, "p.error[role=alert]")))
    assert "用户名或密码错误" in error.text
    assert browser.driver.current_url == browser.origin + "/login"
    assert browser.driver.find_element(By.ID, "username").get_attribute("value") == "editor"
    assert browser.driver.find_elements(By.LINK_TEXT, "登录"), "signed in despite the wrong password"
    browser.screenshot("login-error")


def test_api_docs_show_every_operation_and_load_nothing_from_elsewhere(browser, live_app):
    browser.open("/api/v1/docs")
    groups = page_model(build_openapi(live_app))["groups"]
    expected = [f"{op['method']} {op['path']}" for group in groups for op in group["operations"]]
    assert expected
    headings = browser.driver.find_elements(By.CSS_SELECTOR, "section.op h3")
    shown = [" ".join(h.find_element(By.CSS_SELECTOR, selector).text for selector in (".method", ".path"))
             for h in headings]
    assert shown == expected

    browser.wait(lambda d: d.execute_script("return document.readyState") == "complete")
    names = browser.driver.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => e.name);")
    assert names and all(name.startswith(browser.origin + "/") for name in names), names
    browser.screenshot("api-docs")


def test_json_api_search_in_the_browser_marks_the_query(browser):
    query = "交通"
    browser.open(f"/api/v1/resources?q={query}")
    raw = browser.driver.find_element(By.TAG_NAME, "pre").text
    assert f"<mark>{query}</mark>" in raw
    answer = json.loads(raw)
    assert answer["total"] > 0
    assert any(f"<mark>{query}</mark>" in snippet for item in answer["items"] for snippet in item["highlight"].values())
    browser.screenshot("api-search")



def test_search_from_the_home_page_with_facets(browser):
    """Type a word on the home page, read highlighted results, narrow them with a facet, open one."""
    browser.open("/")
    box = browser.driver.find_element(By.NAME, "q")
    box.send_keys("交通")
    box.submit()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".total strong")))
    total = int(browser.driver.find_element(By.CSS_SELECTOR, ".total strong").text)
    assert total > 0
    marks = browser.driver.find_elements(By.CSS_SELECTOR, ".hit mark")
    assert marks and all(mark.text == "交通" for mark in marks)
    browser.screenshot("search")
    link = browser.driver.find_element(By.CSS_SELECTOR, "[data-facet=share_type] a")
    narrowed_to = int(link.find_element(By.XPATH, "following-sibling::span").text)
    link.click()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-facet=share_type] a.selected")))
    assert int(browser.driver.find_element(By.CSS_SELECTOR, ".total strong").text) == narrowed_to <= total
    first = browser.driver.find_element(By.CSS_SELECTOR, ".hit h2 a")
    title = first.text
    first.click()
    browser.wait(EC.presence_of_element_located((By.TAG_NAME, "h1")))
    assert browser.driver.find_element(By.TAG_NAME, "h1").text == title


def test_a_bad_filter_is_explained_on_the_page(browser):
    browser.open("/search?theme=NOPE")
    assert "theme" in browser.driver.find_element(By.CSS_SELECTOR, "[role=alert]").text


def test_the_pages_styles_apply_under_their_content_security_policy(browser):
    for path in ("/", "/search?q=x", "/api/v1/docs"):
        browser.open(path)
        # Every page's style block carries the request's nonce: the strict policy lets it apply.
        layout = browser.driver.execute_script(
            "return getComputedStyle(document.querySelector('header')).display")
        assert layout == "flex", path
    browser.open("/")
    assert browser.driver.execute_script(
        "return getComputedStyle(document.querySelector('form.search')).display") == "flex"


def test_the_search_page_fits_a_phone(browser):
    """At 390 px the facets go above the results and nothing scrolls sideways."""
    browser.driver.set_window_size(390, 844)
    try:
        browser.open("/search?q=交通")
        width = browser.driver.execute_script("return window.innerWidth")
        scrolled = browser.driver.execute_script("return document.documentElement.scrollWidth")
        assert scrolled <= width, f"the page is {scrolled} px wide in a {width} px window"
        browser.screenshot("search-phone")
    finally:
        browser.driver.set_window_size(*WINDOW)


def test_the_language_switch_is_offered_and_sticks(browser):
    browser.open("/search?q=交通")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    browser.driver.find_element(By.LINK_TEXT, "English").click()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "html[lang=en]")))
    assert browser.driver.find_element(By.NAME, "q").get_attribute("value") == "交通"
    browser.open("/")
    assert browser.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.driver.find_element(By.LINK_TEXT, "Search")
    browser.driver.find_element(By.LINK_TEXT, "中文").click()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "html[lang=zh-CN]")))


def test_the_search_box_suggests_titles_as_one_types(browser):
    """A script served by govcat itself fills the box's list; the page allows no other script."""
    browser.open("/")
    browser.driver.find_element(By.NAME, "q").send_keys("交通")
    browser.wait(lambda driver: driver.execute_script("return document.querySelectorAll('#suggestions option').length"))
    titles = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('#suggestions option')).map(o => o.value)")
    assert titles and all("交通" in title for title in titles)
