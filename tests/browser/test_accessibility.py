"""Every page for people who use a keyboard or a screen reader: what an accessibility audit checks first
(the language, one <h1> and no skipped heading level, a name for every field, button and link, unique ids,
the skip link first), and a search done, filtered and paged with the keyboard alone."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from tests.browser.test_workspace import sign_in

PAGES = ("/", "/search?q=交通", "/search?q=没有这样的资源zzz", "/departments", "/classification", "/developers",
         "/resources/1", "/workspace", "/workspace/new", "/workspace/tokens", "/workspace/upload", "/review",
         "/admin/departments", "/admin/users", "/admin/harvest", "/admin/harvest/new", "/evaluation",
         "/sharing/outbox", "/sharing/overview", "/notifications", "/no/such/page")

# Problems an audit finds on the open page, in words; an empty list when there are none.
AUDIT = """
const problems = [];
const visible = e => !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length) || e.closest('.sr-only');
const text = e => (e.textContent || '').trim();
function named(e) {
  if ((e.getAttribute('aria-label') || '').trim() || e.getAttribute('title')) return true;
  const by = e.getAttribute('aria-labelledby');
  if (by && by.split(/\\s+/).every(id => document.getElementById(id) && text(document.getElementById(id)))) return true;
  if (e.id && Array.from(document.querySelectorAll('label')).some(l => l.htmlFor === e.id && text(l))) return true;
  const wrapping = e.closest('label');
  return !!(wrapping && text(wrapping));
}
if (!/^(zh|en)/.test(document.documentElement.lang)) problems.push('html lang is ' + document.documentElement.lang);
if (!document.title.trim()) problems.push('no title');
const h1 = document.querySelectorAll('h1');
if (h1.length !== 1) problems.push(h1.length + ' h1 elements');
let last = 0;
for (const h of document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')) {
  const level = Number(h.tagName[1]);
  if (last && level > last + 1) problems.push('heading ' + h.tagName + ' "' + text(h).slice(0, 30) + '" after h' + last);
  last = level;
}
for (const e of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset'].includes(e.type) || !visible(e)) continue;
  if (!named(e)) problems.push('unnamed field ' + e.tagName + '[name=' + e.name + ']');
}
for (const e of document.querySelectorAll('button, a[href]')) {
  if (visible(e) && !text(e) && !named(e) && !e.querySelector('img[alt]')) problems.push('unnamed ' + e.tagName + ' ' + (e.getAttribute('href') || ''));
}
for (const e of document.querySelectorAll('img, svg[role=img]')) {
  if (e.tagName === 'IMG' && !e.hasAttribute('alt')) problems.push('image without alt ' + e.src);
}
for (const e of document.querySelectorAll('[tabindex]')) {
  if (Number(e.getAttribute('tabindex')) > 0) problems.push('positive tabindex on ' + e.tagName);
}
for (const e of document.querySelectorAll('[aria-describedby]')) {
  for (const id of e.getAttribute('aria-describedby').split(/\\s+/))
    if (!document.getElementById(id)) problems.push('aria-describedby "' + id + '" of ' + e.name + ' leads nowhere');
}
const ids = {};
for (const e of document.querySelectorAll('[id]')) ids[e.id] = (ids[e.id] || 0) + 1;
for (const [id, n] of Object.entries(ids)) if (n > 1) problems.push('id "' + id + '" used ' + n + ' times');
const skip = document.querySelector('a[href]');
if (!skip || !skip.classList.contains('skip')) problems.push('the first link is not the skip link');
else if (!document.getElementById(skip.getAttribute('href').slice(1))) problems.push('the skip link leads nowhere');
return problems;
"""


def test_every_page_passes_the_audit_in_both_languages(browser):
    sign_in(browser, "admin")
    found = {}
    for lang in ("zh", "en"):
        browser.open("/?lang=" + lang)
        for path in PAGES:
            browser.open(path)
            problems = browser.driver.execute_script(AUDIT)
            if problems:
                found[f"{lang} {path}"] = problems
        # A form sent with errors: each message tied to its field, the fields marked invalid.
        browser.open("/workspace/new")
        browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "button[value=save]"))
        invalid = browser.driver.find_elements(By.CSS_SELECTOR, "[aria-invalid=true]")
        assert invalid, "the empty form was not refused field by field"
        problems = browser.driver.execute_script(AUDIT)
        if problems:
            found[f"{lang} /workspace/new with errors"] = problems
    assert found == {}


def test_the_skip_link_is_the_first_stop_and_shows_itself(browser):
    browser.open("/search?q=交通")
    browser.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.driver.switch_to.active_element
    assert "skip" in focused.get_attribute("class")
    assert focused.location["x"] >= 0 and focused.is_displayed()        # moved on screen while focused
    focused.send_keys(Keys.ENTER)
    assert browser.driver.execute_script("return location.hash") == "#main"


def test_search_filter_and_page_with_the_keyboard_alone(browser):
    browser.open("/")
    box = browser.driver.find_element(By.CSS_SELECTOR, "input[type=search]")
    box.send_keys("数据", Keys.ENTER)
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "p.total")))
    total = int(browser.driver.find_element(By.CSS_SELECTOR, "p.total strong").text)
    # A folded facet ("N more") opens with the keyboard.
    summary = browser.driver.find_element(By.CSS_SELECTOR, ".facet details summary")
    summary.send_keys(Keys.ENTER)
    assert summary.find_element(By.XPATH, "..").get_attribute("open") is not None
    # Walk with Tab to the first facet value and take it with Enter, as a keyboard user does.
    first = browser.driver.find_element(By.CSS_SELECTOR, ".facet li a")
    for _ in range(60):
        active = browser.driver.switch_to.active_element
        if active == first:
            break
        active.send_keys(Keys.TAB)
    assert browser.driver.switch_to.active_element == first, "the facets cannot be reached with Tab"
    outline = browser.driver.execute_script("const s = getComputedStyle(arguments[0]);"
                                            "return s.outlineStyle + ' ' + s.outlineWidth", first)
    assert not outline.startswith("none"), "a focused link shows no focus ring"
    page = browser.driver.find_element(By.TAG_NAME, "html")
    first.send_keys(Keys.ENTER)
    browser.wait(EC.staleness_of(page))
    chosen = browser.driver.find_element(By.CSS_SELECTOR, ".facet a[aria-current=true]")
    assert chosen.find_element(By.CSS_SELECTOR, ".sr-only").get_attribute("textContent").strip()
    assert int(browser.driver.find_element(By.CSS_SELECTOR, "p.total strong").text) <= total


def test_a_form_sent_without_its_csrf_token_is_refused_in_words_and_stores_nothing(browser):
    sign_in(browser, "admin")
    browser.open("/workspace/tokens")
    rows = len(browser.driver.find_elements(By.CSS_SELECTOR, "table tbody tr"))
    browser.driver.execute_script("document.querySelector('form.token input[name=csrf_token]').remove()")
    browser.driver.find_element(By.ID, "f-name").send_keys("without a token")
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "form.token button[type=submit]"))
    assert "防跨站令牌" in browser.driver.find_element(By.TAG_NAME, "main").text     # an HTML page, not JSON
    browser.open("/workspace/tokens")
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, "table tbody tr")) == rows
    assert "without a token" not in browser.driver.page_source
