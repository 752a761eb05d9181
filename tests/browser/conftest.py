"""Fixtures for the browser tests: a live govcat with the demo catalog, and headless Chromium.

Chromium and chromedriver are Debian's packages (``chromium``, ``chromium-driver``);
``scripts/test`` installs them with a CJK font and sets ``GOVCAT_TEST_CHROMIUM`` and
``GOVCAT_TEST_CHROMEDRIVER``.  Without ``GOVCAT_TEST_CHROMIUM`` the browser tests are skipped —
loudly, in the summary — and when ``GOVCAT_REQUIRE_ENGINES=1`` they fail instead.

Selenium gets the driver's path explicitly, so it never looks for or downloads a browser or a
driver; the browser runs with a fresh profile and without its background connections (updates,
sync, field trials), which a closed network refuses.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry import create_app
from registry.cli import init_database
from registry.db import get_db
from registry.demo.loader import load_demo
from registry.search import get_engine
from registry.search.outbox import drain
from tests.conftest import live_server, require_engine

# Selenium Manager must never run (it would try to download a driver or a browser).
os.environ.setdefault("SE_OFFLINE", "true")

CHROMIUM = os.environ.get("GOVCAT_TEST_CHROMIUM")
CHROMEDRIVER = os.environ.get("GOVCAT_TEST_CHROMEDRIVER") or "/usr/bin/chromedriver"
WINDOW = (1280, 1024)
WAIT_SECONDS = 10
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    """``(browser, driver)`` paths; skips (or fails, when engines are required) without Chromium."""
    require_engine(("chromium",), bool(CHROMIUM),
                   "browser tests skipped: GOVCAT_TEST_CHROMIUM is not set (scripts/test sets it)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.fail("browser tests need Selenium: install the test extra (pip install -e '.[test]')",
                    pytrace=False)
    for name, path in (("GOVCAT_TEST_CHROMIUM", CHROMIUM), ("GOVCAT_TEST_CHROMEDRIVER", CHROMEDRIVER)):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{name}: {path} is not an executable file", pytrace=False)
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture(scope="session")
def driver(chromium, tmp_path_factory):
    """One headless Chromium for the session; quit (browser and driver) at the end."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, chromedriver = chromium
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    log = tmp_path_factory.mktemp("chromedriver") / "chromedriver.log"
    service = Service(executable_path=chromedriver, log_output=str(log))
    web = webdriver.Chrome(service=service, options=options)
    web.set_page_load_timeout(30)
    yield web
    web.quit()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """govcat on SQLite with the embedded search engine, the demo catalog loaded and indexed."""
    instance = tmp_path_factory.mktemp("instance")
    app = create_app({"GOVCAT_INSTANCE": str(instance), "GOVCAT_DATABASE_URL": f"sqlite:///{instance / 'govcat.db'}",
                      "GOVCAT_SEARCH_URL": "", "GOVCAT_SECRET_KEY": "test", "TESTING": True})
    init_database(app)
    assert load_demo(get_db(app))["loaded"]
    drain(get_db(app), get_engine(app))
    yield app
    get_db(app).dispose()


@pytest.fixture(scope="session")
def server(live_app):
    """The origin (``http://127.0.0.1:<port>``) of govcat served in a thread for the session."""
    with live_server(live_app) as origin:
        yield origin


@dataclass
class Browser:
    """The session's browser pointed at the live server, with a place for this test's screenshots."""

    driver: object
    origin: str
    shots: Path

    def open(self, path: str) -> None:
        self.driver.get(self.origin + path)

    def wait(self, condition, seconds: float = WAIT_SECONDS):
        from selenium.webdriver.support.ui import WebDriverWait
        return WebDriverWait(self.driver, seconds).until(condition)

    def follow(self, element) -> None:
        """Click a link or button and wait until the next page has replaced this one."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.common.by import By
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_driver) -> bool:
            # Chromium answers a node of a document just replaced either as stale or, while it swaps
            # documents, as an inspector error: "Node with given id does not belong to the document".
            try:
                page.is_enabled()
            except StaleElementReferenceException:
                return True
            except WebDriverException as error:
                if "does not belong to the document" in str(error):
                    return True
                raise
            return False
        self.wait(replaced)

    def screenshot(self, name: str) -> Path:
        """Save the window as ``<name>.png`` in the test's tmp dir; check it is a real, non-empty PNG."""
        path = self.shots / f"{name}.png"
        assert self.driver.save_screenshot(str(path)), f"screenshot {name} failed"
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, f"{path} is not a non-empty PNG"
        return path


@pytest.fixture
def browser(driver, server, tmp_path) -> Browser:
    """A signed-out browser for one test (cookies of earlier tests are cleared)."""
    driver.get(server + "/")
    driver.delete_all_cookies()
    yield Browser(driver, server, tmp_path)
    driver.delete_all_cookies()
