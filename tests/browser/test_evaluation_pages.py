"""The evaluation pages in a real browser: reached from the header, readable on a 360 px phone."""
from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from registry.db import get_db
from registry.evaluation.snapshots import take_snapshot
from tests.browser.conftest import WINDOW
from tests.browser.test_workspace import sign_in

PHONE = (360, 800)


def fits(browser) -> None:
    width = browser.driver.execute_script("return window.innerWidth")
    scrolled = browser.driver.execute_script("return document.documentElement.scrollWidth")
    assert scrolled <= width, f"the page is {scrolled} px wide in a {width} px window"


def smallest_chart_text(browser) -> float:
    return browser.driver.execute_script(
        "return Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".map(t => t.getBoundingClientRect().height).filter(h => h > 0))")


def test_the_ranking_and_a_scorecard_on_a_phone(browser, live_app):
    take_snapshot(get_db(live_app))
    sign_in(browser, "editor")
    browser.driver.set_window_size(*PHONE)
    try:
        browser.open("/")
        browser.follow(browser.driver.find_element(By.CSS_SELECTOR, 'header a[href="/evaluation"]'))
        assert browser.driver.find_element(By.TAG_NAME, "h1").text == "部门评价"
        chart = browser.driver.find_element(By.CSS_SELECTOR, "svg.chart")
        assert chart.is_displayed() and chart.size["width"] <= PHONE[0]
        assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar")) > 10
        assert smallest_chart_text(browser) >= 9          # the chart's words stay legible
        fits(browser)                                     # the wide table scrolls in its own box
        browser.screenshot("evaluation-phone")
        first = browser.driver.find_element(By.CSS_SELECTOR, "#ranking tbody tr a")
        name = first.text
        browser.follow(first)
        browser.wait(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart circle.point")))
        assert name in browser.driver.find_element(By.TAG_NAME, "h1").text
        assert browser.driver.find_element(By.CSS_SELECTOR, 'dd[data-key="rank"]').text.startswith("第 1 名")
        fits(browser)
        browser.screenshot("scorecard-phone")
    finally:
        browser.driver.set_window_size(*WINDOW)
