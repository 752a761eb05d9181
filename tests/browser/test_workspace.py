"""A resource from the form to the public catalog in the browser, with no API: an editor registers it
(a row added, errors shown, then submitted), the department's reviewer and the centre approve it, and
the public finds it."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from registry.demo.loader import DEMO_PASSWORD
from tests.browser.conftest import WINDOW


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
    browser.driver.find_element(By.LINK_TEXT, "审核").click()
    browser.driver.find_element(By.LINK_TEXT, title).click()
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
    browser.driver.find_element(By.LINK_TEXT, "登记信息资源").click()
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
    browser.driver.set_window_size(390, 844)
    try:
        browser.open("/workspace/new")
        width = browser.driver.execute_script("return window.innerWidth")
        assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= width
        browser.open("/workspace")
        assert browser.driver.execute_script("return document.documentElement.scrollWidth") <= width
        browser.screenshot("workspace-phone")
    finally:
        browser.driver.set_window_size(*WINDOW)
