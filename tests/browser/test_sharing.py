"""Two departments complete a conditional sharing request in the browser, and an overdue request shows up
for both of them and for the centre (its deadline is moved into the past in the database: the clock)."""
from __future__ import annotations

from datetime import date, timedelta

from selenium.webdriver.common.by import By
from sqlalchemy import select, update

from registry.accounts.models import User
from registry.accounts.services import create_user
from registry.db import get_db
from registry.demo.loader import DEMO_PASSWORD
from registry.departments.models import Department
from registry.resources.services import prepare_registration, register_resources
from registry.sharing.models import ShareRequest
from tests.factories import ResourceDataFactory

ITEMS = ["统一社会信用代码", "企业名称", "成立日期", "注册资本"]


def sign_in(browser, username: str, password: str = DEMO_PASSWORD) -> None:
    browser.open("/login?next=/notifications")
    browser.driver.find_element(By.ID, "username").send_keys(username)
    browser.driver.find_element(By.ID, "password").send_keys(password)
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "form.login button[type=submit]"))


def sign_out(browser) -> None:
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "header form button"))


def set_date(browser, element_id: str, day: date) -> None:
    """A date input takes its value in the browser's locale when typed; set it as the form sends it."""
    field = browser.driver.find_element(By.ID, element_id)
    browser.driver.execute_script("arguments[0].value = arguments[1]", field, day.isoformat())


def statuses(browser) -> list[tuple[str, str]]:
    return [(row.get_attribute("data-request"), row.get_attribute("data-status"))
            for row in browser.driver.find_elements(By.CSS_SELECTOR, "tr[data-request]")]


def _setup(live_app) -> tuple[int, int, str]:
    """Two conditional resources of the demo reviewer's department, and an editor of another department."""
    with get_db(live_app).transaction() as session:
        provider = session.scalar(select(User).where(User.username == "reviewer")).department
        other = session.scalar(select(Department).where(Department.id != provider.id).order_by(Department.id))
        ids = []
        for title in ("共享测试：企业登记库", "共享测试：逾期的申请"):
            doc = {**ResourceDataFactory(database=True, conditional_share=True, title=title),
                   "provider": provider.credit_code}
            ids += register_resources(session, None, [prepare_registration(session, None, doc, check_permission=False)],
                                      publish=True)
        create_user(session, None, {"username": "share_editor", "password": "correct horse battery", "role": "editor",
                                    "department": other.credit_code}, check_permission=False)
        return ids[0], ids[1], other.name


def request(browser, resource_id: int, items: list[str]) -> str:
    browser.open(f"/resources/{resource_id}")
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "申请共享此资源"))
    browser.driver.find_element(By.ID, "purpose").send_keys("企业开办一网通办的身份核验。")
    browser.driver.find_element(By.ID, "legal_basis").send_keys("《优化营商环境条例》。")
    for box in browser.driver.find_elements(By.NAME, "items"):
        if box.get_attribute("value") in items:
            box.click()
    set_date(browser, "period_end", date.today() + timedelta(days=200))
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "form.share button[type=submit]"))
    assert browser.driver.find_element(By.CSS_SELECTOR, "[data-status]").get_attribute("data-status") == "pending"
    return browser.driver.current_url.rsplit("/", 1)[1]


def test_two_departments_complete_a_conditional_request_and_an_overdue_one_shows_up(browser, live_app):
    granted_id, overdue_id, requester_name = _setup(live_app)
    sign_in(browser, "share_editor", "correct horse battery")
    first = request(browser, granted_id, ITEMS[:3])
    second = request(browser, overdue_id, ITEMS[:1])
    browser.screenshot("request")
    sign_out(browser)

    # The provider's reviewer finds it in the inbox (the header counts the news) and grants two of three items.
    sign_in(browser, "reviewer")
    assert int(browser.driver.find_element(By.CSS_SELECTOR, "a[data-unread]").get_attribute("data-unread")) >= 2
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "共享申请"))
    assert (first, "pending") in statuses(browser) and (second, "pending") in statuses(browser)
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, f"tr[data-request='{first}'] a"))
    browser.driver.find_element(By.CSS_SELECTOR, f"input[name=items][value='{ITEMS[2]}']").click()
    set_date(browser, "expires_on", date.today() + timedelta(days=90))
    browser.follow(browser.driver.find_element(By.CSS_SELECTOR, "button[value=grant]"))
    assert browser.driver.find_element(By.CSS_SELECTOR, "strong[data-status]").get_attribute("data-status") == "granted"
    grant = browser.driver.find_element(By.CSS_SELECTOR, "td[data-grant]").text
    assert ITEMS[0] in grant and ITEMS[2] not in grant
    browser.screenshot("granted")
    sign_out(browser)

    # The clock: the second request's deadline passes unanswered.
    with get_db(live_app).transaction() as session:
        session.execute(update(ShareRequest).where(ShareRequest.id == int(second))
                        .values(due_on=date.today() - timedelta(days=2)))

    sign_in(browser, "share_editor", "correct horse battery")
    notes = browser.driver.find_elements(By.CSS_SELECTOR, "li[data-kind=share_grant]")
    assert notes, "the requester is told of the grant"
    browser.open("/sharing/outbox")
    assert statuses(browser)[0] == (second, "overdue") and (first, "granted") in statuses(browser)
    sign_out(browser)

    sign_in(browser, "reviewer")
    browser.open("/sharing/inbox")
    assert statuses(browser)[0] == (second, "overdue")
    sign_out(browser)

    sign_in(browser, "admin")
    browser.follow(browser.driver.find_element(By.LINK_TEXT, "共享申请"))
    assert "/sharing/overview" in browser.driver.current_url
    assert statuses(browser)[0] == (second, "overdue")
    assert requester_name in browser.driver.find_element(By.CSS_SELECTOR, f"tr[data-request='{second}']").text
    browser.driver.set_window_size(360, 800)
    browser.screenshot("overview-360")
    width = browser.driver.execute_script("return document.documentElement.scrollWidth")
    browser.driver.set_window_size(1280, 1024)
    assert width <= 360
    sign_out(browser)
