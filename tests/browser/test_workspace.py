"""Department staff in the browser, with no API: a resource from the form to the public catalog (an
editor registers it, the department's reviewer and the centre approve it, the public finds it), a
spreadsheet registered after its preview, a harvested record completed from the worklist."""
from __future__ import annotations

import csv

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from registry.accounts.models import User
from registry.db import get_db
from registry.demo.loader import DEMO_PASSWORD
from registry.resources import sheet_export, sheets
from registry.resources.services import create_resource
from tests.browser.conftest import WINDOW
from tests.factories import ResourceDataFactory


def sign_in(browser, username: str) -> None:
    browser.open("/login?next=/workspace")
    browser.driver.find_element(By.ID, "username").send_keys(username)
    browser.driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    browser.driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]").click()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "ul.states")))


def sign_out(browser) -> None:
    browser.driver.find_element(By.CSS_SELECTOR, "header form button").click()
    browser.wait(EC.presence_of_element_located((By.LINK_TEXT, "登录")))


def approve(browser, username: str, title: str) -> None:
    sign_in(browser, username)
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "审核"))
    browser.follow(browser.driver.find_element(By.LINK_TEXT, title))
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "table.diff")))
    browser.driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    sign_out(browser)


def fill(browser, name: str, text: str) -> None:
    box = browser.driver.find_element(By.NAME, name)
    box.clear()
    box.send_keys(text)


def choose(browser, name: str, value: str | None = None) -> None:
    menu = Select(browser.driver.find_element(By.NAME, name))
    if value is None:
        menu.select_by_index(1)
    else:
        menu.select_by_value(value)


def test_register_submit_approve_twice_and_find_it(browser):
    sign_in(browser, "editor")
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "登记信息资源"))
    fill(browser, "title", "浏览器登记的停车泊位信息")
    fill(browser, "description", "全市道路停车泊位的位置与数量。")
    choose(browser, "classification")
    choose(browser, "format_class", "database")
    fill(browser, "data_items-0-name", "泊位编号")
    choose(browser, "data_items-0-type", "C")
    browser.driver.find_element(By.CSS_SELECTOR, "button[value=add-data_items]").click()   # no script: a round trip
    browser.wait(EC.presence_of_element_located((By.NAME, "data_items-1-name")))
    assert browser.driver.find_element(By.NAME, "data_items-0-name").get_attribute("value") == "泊位编号"
    fill(browser, "data_items-1-name", "所在道路")
    choose(browser, "data_items-1-type", "C")
    fill(browser, "contact_point-email", "not an address")
    browser.driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
    summary = browser.wait(EC.visibility_of_element_located((By.CSS_SELECTOR, ".summary[role=alert]")))
    assert "未保存" in summary.text
    invalid = browser.driver.find_elements(By.CSS_SELECTOR, "[aria-invalid=true]")
    assert {e.get_attribute("name") for e in invalid} >= {"share_type", "contact_point-email"}
    browser.screenshot("form-errors")
    choose(browser, "share_type", "unconditional")
    choose(browser, "share_method", "platform_file")
    choose(browser, "open_type", "unconditional")
    choose(browser, "update_frequency", "monthly")
    fill(browser, "contact_point-email", "data@example.gov.cn")
    fill(browser, "contact_point-name", "信息中心")
    fill(browser, "distributions-0-access_url", "https://data.example.gov.cn/parking")
    browser.driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
    state = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "strong[data-state]")))
    assert state.get_attribute("data-state") == "submitted"
    assert "已保存" in browser.driver.find_element(By.CSS_SELECTOR, ".flash").text
    browser.screenshot("form-submitted")
    sign_out(browser)
    approve(browser, "reviewer", "浏览器登记的停车泊位信息")
    approve(browser, "admin", "浏览器登记的停车泊位信息")
    browser.open("/search?q=停车泊位")
    titles = [a.text for a in browser.driver.find_elements(By.CSS_SELECTOR, ".hit h2 a")]
    assert "浏览器登记的停车泊位信息" in titles


def test_the_form_fits_a_phone(browser):
    sign_in(browser, "editor")
    browser.driver.set_window_size(360, 800)
    try:
        browser.open("/workspace/new")
        width = browser.driver.execute_script("return window.innerWidth")
        assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= width
        browser.open("/workspace")
        assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= width
        browser.screenshot("workspace-phone")
    finally:
        browser.driver.set_window_size(*WINDOW)


def test_a_spreadsheet_with_one_bad_row_is_reported_and_the_rest_stored_after_confirmation(browser, live_app, tmp_path):
    cells = [sheet_export.row_cells({**ResourceDataFactory(title=f"浏览器表格登记{n}"), "code": None}) for n in range(3)]
    cells[1][sheets.HEADERS.index("共享类型")] = "内部共享"
    sheet = tmp_path / "目录.csv"
    with sheet.open("w", encoding="gbk", newline="") as out:
        csv.writer(out).writerows([sheets.HEADERS] + cells)
    sign_in(browser, "editor")
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "用表格登记"))
    browser.driver.find_element(By.ID, "file").send_keys(str(sheet))
    browser.driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    bad = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "tr.invalid")))
    assert bad.get_attribute("data-row") == "3" and "共享类型" in bad.text
    assert len(browser.driver.find_elements(By.CSS_SELECTOR, "tr.valid")) == 2
    browser.screenshot("upload-preview")
    browser.driver.find_element(By.CSS_SELECTOR, "form[action$='/confirm'] button").click()
    created = browser.wait(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "ul.created a")))
    assert sorted(a.text for a in created) == ["浏览器表格登记0", "浏览器表格登记2"]


def test_a_harvested_record_is_completed_from_the_worklist(browser, live_app):
    with get_db(live_app).transaction() as session:      # as a harvest stores a record lacking guide fields
        editor = session.scalars(select(User).where(User.username == "editor")).one()
        resource = create_resource(session, editor, ResourceDataFactory(title="浏览器补录的采集记录"))
        resource.doc = {k: value for k, value in resource.doc.items() if k not in ("share_type", "share_method")}
        resource.state, resource.missing_fields = "incomplete", ["share_type"]
    sign_in(browser, "editor")
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "a[data-state=incomplete]"))
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "浏览器补录的采集记录"))
    missing = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".field.missing select[name=share_type]")))
    assert missing
    choose(browser, "share_type", "unconditional")
    choose(browser, "share_method", "platform_file")
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "button[value=submit]"))   # this page shows a state too
    state = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "strong[data-state]")))
    assert state.get_attribute("data-state") == "submitted"


def test_every_page_fits_a_phone(browser):
    """At 360 px (the narrowest phones in use) no page scrolls sideways: wide tables scroll inside their own box, rows wrap."""
    sign_in(browser, "admin")
    browser.driver.set_window_size(360, 800)
    try:
        wide = {}
        for path in ("/", "/search?q=交通", "/departments", "/classification", "/developers", "/resources/1",
                     "/workspace", "/workspace/new", "/workspace/tokens", "/workspace/upload", "/review",
                     "/admin/departments", "/admin/users", "/admin/harvest", "/admin/harvest/new", "/api/v1/docs",
                     "/evaluation", "/sharing/outbox", "/sharing/overview", "/notifications"):
            browser.open(path)
            width = browser.driver.execute_script("return window.innerWidth")
            scrolled = browser.driver.execute_script("return document.documentElement.scrollWidth")
            if scrolled > width:        # name what sticks out, outside the boxes that scroll on their own
                wide[path] = [scrolled, *browser.driver.execute_script(
                    "return Array.from(document.querySelectorAll('main *')).filter(e => !e.closest('.scroll')"
                    " && e.getBoundingClientRect().right > window.innerWidth + 1)"
                    ".slice(0, 3).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 30))")]
        assert wide == {}, f"pages wider than the {width} px window"
    finally:
        browser.driver.set_window_size(*WINDOW)
