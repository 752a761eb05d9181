"""An administrator sets up a harvest source and runs it in the browser, with no API: add it with a
check of its first records, set the default the check asks for, run it, and read the job."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.browser.test_workspace import sign_in, sign_out
from tests.harvesters.conftest import catalog_page, dataset_doc


@pytest.fixture
def department_catalog():
    """A department's DCAT catalog whose records lack the sharing type, served from loopback."""
    docs = {f"http://127.0.0.1/datasets/{n}": {k: v for k, v in dataset_doc(n).items()
                                                if k not in ("share_type", "share_method")} for n in range(3)}
    body = catalog_page(docs)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 — the standard library's name
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/catalog.ttl"
    server.shutdown()
    server.server_close()


def submit_and_wait(browser, button) -> None:
    """Press a form's button and wait for the next page and its message (the page before may carry one too)."""
    browser.follow(button)
    browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, ".flash")))


def test_an_administrator_adds_checks_sets_defaults_and_runs_a_source(browser, department_catalog):
    sign_in(browser, "admin")
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "采集源"))
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "添加采集源"))
    browser.driver.find_element(By.NAME, "name").send_keys("browser-portal")
    Select(browser.driver.find_element(By.NAME, "type")).select_by_value("dcat")
    browser.driver.find_element(By.NAME, "url").send_keys(department_catalog)
    Select(browser.driver.find_element(By.NAME, "department")).select_by_index(1)
    browser.driver.find_element(By.CSS_SELECTOR, "button[value=check]").click()
    report = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "section.report")))
    assert report.find_element(By.CSS_SELECTOR, "[data-counter=incomplete] dd").text == "3"
    assert "share_type" in report.text
    browser.screenshot("harvest-check")

    defaults = browser.driver.find_element(By.NAME, "defaults")
    defaults.send_keys("share_type=unconditional\nshare_method=platform_api")
    submit_and_wait(browser, browser.driver.find_element(By.CSS_SELECTOR, "form.source button[type=submit]"))
    assert "已保存" in browser.driver.find_element(By.CSS_SELECTOR, ".flash").text
    submit_and_wait(browser, browser.driver.find_element(By.XPATH, "//button[text()='立即运行']"))

    def finished(driver):      # the address of the finished job's page, once the source's page lists it
        driver.refresh()
        try:
            links = driver.find_elements(By.XPATH, "//tr[td[contains(@class, 'status-succeeded')]]//a")
            return links[0].get_attribute("href") if links else False
        except StaleElementReferenceException:        # the page was still being replaced
            return False
    browser.driver.get(browser.wait(finished, 30))
    status = browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-status]")))
    assert status.get_attribute("data-status") == "succeeded"
    assert browser.driver.find_element(By.CSS_SELECTOR, "[data-counter=created] dd").text == "3"
    browser.screenshot("harvest-job")
    sign_out(browser)
