"""Issue 5 acceptance in a real browser (headless Chromium): the district admin opens the
cockpit, clicks the red segment of the warnings chart, lands on the red warnings behind it,
opens one and starts a rectification naming the branch secretary; the branch secretary logs
in and finds it in "my to-do" and on the home page. Then the cockpit at phone width.

Screenshots go to $FENGLING_SCREENSHOTS when set (docs/screenshots/cockpit-*.png are made
with `FENGLING_SCREENSHOTS=docs/screenshots pytest fengling/reports/tests/test_cockpit_browser.py`),
else to a temporary folder. Skipped when Debian's chromium and chromedriver are missing.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from fengling.alerts.models import Alert, Case
from fengling.dues.models import DuesBill
from fengling.meetings.models import Meeting
from fengling.testing.browser import BROWSER_MARKS, chromium
from fengling.testing.factories import MemberFactory

from .test_cockpit import bill

RED = "#c8102e"
# (dx, dy) from an SVG element's centre to a point where it is the topmost element.
ON_SEGMENT = """
const el = arguments[0], r = el.getBoundingClientRect();
for (let fy = 0.1; fy < 1; fy += 0.1) for (let fx = 0.1; fx < 1; fx += 0.1) {
  const x = r.left + r.width * fx, y = r.top + r.height * fy;
  if (document.elementFromPoint(x, y) === el)
    return [Math.round(x - r.left - r.width / 2), Math.round(y - r.top - r.height / 2)];
}
return [0, 0];
"""

pytestmark = BROWSER_MARKS


def _chromium():
    return chromium("--hide-scrollbars")


@pytest.fixture
def browsers():
    """A fresh browser per person: no cookie (nor a late polling answer) of another user."""
    opened = []

    def start():
        opened.append(_chromium())
        return opened[-1]
    yield start
    for driver in opened:
        driver.quit()


@pytest.fixture
def shots():
    folder = Path(os.environ.get("FENGLING_SCREENSHOTS") or tempfile.mkdtemp())
    folder.mkdir(parents=True, exist_ok=True)

    def take(driver, name: str, full: bool = True):
        if full:  # the whole page, not just the window
            width = driver.get_window_size()["width"]
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(width, min(max(height + 120, 600), 4000))
        driver.save_screenshot(str(folder / f"cockpit-{name}.png"))
    return take


def login(driver, base, username):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from fengling.testing.cast import PASSWORD

    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form .btn-primary").click()
    # Logged in as this user (not still on the previous page of someone else).
    WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: username in d.find_element(By.CSS_SELECTOR, "nav").text)


def activity(cast):
    """A little of everything the cockpit shows, in both streets."""
    today = timezone.localdate()
    extra = [MemberFactory(organization=org) for org in
             (cast.branch_a, cast.branch_a2, cast.branch_a3, cast.branch_b, cast.branch_b)]
    Alert.objects.create(rule="lost_contact", level="red", organization=cast.branch_a,
                         member=cast.member_a, subject=f"m{cast.member_a.pk}",
                         first_seen=today, last_seen=today,
                         params={"name": cast.member_a.name, "since": "2025-06-01"},
                         evidence=[{"text": cast.member_a.name,
                                    "url": f"/members/{cast.member_a.pk}/"}])
    for i, (org, rule, level) in enumerate([
        (cast.branch_a2, "branch_size", "yellow"), (cast.branch_a3, "meeting_missed", "yellow"),
        (cast.branch_b, "silent_branch", "yellow"), (cast.branch_b, "dues_arrears_red", "red"),
        (cast.branch_a3, "meeting_due", "upcoming"),
    ]):
        Alert.objects.create(rule=rule, level=level, organization=org, subject=f"s{i}",
                             first_seen=today - dt.timedelta(days=40 * i), last_seen=today,
                             params={"name": "", "since": "2025-06-01", "days": 40, "kind": "",
                                     "period": "", "months": 5, "count": 2},
                             evidence=[])
    for months_ago in range(6):
        day = (today.replace(day=1) - dt.timedelta(days=30 * months_ago)).replace(day=10)
        for org in (cast.branch_a, cast.branch_a2, cast.branch_b):
            start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
            Meeting.objects.create(organization=org, kind="branch_committee", state="held",
                                   topic="支委会", starts_at=start,
                                   ends_at=start + dt.timedelta(hours=1))
        for n, member in enumerate([cast.member_a, cast.member_a2, cast.member_b, *extra]):
            bill(member, day.replace(day=1), "12.00",
                 "paid" if (n + months_ago) % 3 else "open")
    assert DuesBill.objects.exists()


def test_cockpit_red_segment_to_rectification_to_the_secretary_todo(live_server, cast,
                                                                    browsers, shots):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    activity(cast)
    base = live_server.url

    browser = browsers()
    wait = WebDriverWait(browser, 10)
    login(browser, base, "district_admin")
    browser.get(f"{base}/cockpit/")
    wait.until(lambda d: d.execute_script("return document.documentElement.dataset.cockpitReady"))
    assert "驾驶舱" in browser.title
    shots(browser, "district")
    browser.set_window_size(1280, 900)

    # The red segment of "open warnings by level" (SVG: one path per segment).
    # After the opening animation, when the segments have their final shape.
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#chart-levels[data-rendered]")))
    segment = wait.until(ec.presence_of_element_located(
        (By.CSS_SELECTOR, f"#chart-levels path[fill='{RED}']")))
    # A ring segment's bounding-box centre may be off the ring: find a point on it (the
    # chart is within the first screen: no scrolling between measuring and clicking).
    dx, dy = browser.execute_script(ON_SEGMENT, segment)
    ActionChains(browser).move_to_element_with_offset(segment, dx, dy).click().perform()
    wait.until(ec.url_contains("level=red"))
    assert f"organization={cast.district.pk}" in browser.current_url
    rows = browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert len(rows) == 2  # the two red warnings, nothing else
    shots(browser, "warnings")
    browser.set_window_size(1280, 900)

    browser.find_element(By.XPATH, f"//td[contains(., '{cast.member_a.name}')]/..//a").click()
    wait.until(ec.url_matches(r"/alerts/\d+/$"))
    shots(browser, "warning")
    browser.set_window_size(1280, 900)

    browser.find_element(By.CSS_SELECTOR, "a[href$='/rectify/']").click()
    Select(browser.find_element(By.NAME, "responsible")).select_by_visible_text(
        "branch_secretary")
    browser.find_element(By.NAME, "plan").send_keys("两周内恢复联系，支部书记上门走访。")
    shots(browser, "rectify")
    browser.set_window_size(1280, 900)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit], main form .btn-primary"
                         ).click()
    wait.until(ec.url_matches(r"/alerts/cases/\d+/$"))
    case = Case.objects.get()
    assert case.responsible == cast.branch_secretary and case.warning.member == cast.member_a

    browser = browsers()
    login(browser, base, "branch_secretary")
    browser.get(f"{base}/alerts/cases/mine/")
    assert case.title in browser.find_element(By.TAG_NAME, "main").text
    shots(browser, "todo")
    browser.set_window_size(1280, 900)
    browser.get(f"{base}/")
    todo = browser.find_element(By.CSS_SELECTOR, ".fl-alerts-panel a[href='/alerts/cases/mine/']")
    assert todo.text.startswith("1")
    shots(browser, "secretary-home")

    # The cockpit at a phone's width.
    browser = browsers()
    wait = WebDriverWait(browser, 10)
    login(browser, base, "district_admin")
    browser.set_window_size(390, 844)
    browser.get(f"{base}/cockpit/")
    wait.until(lambda d: d.execute_script("return document.documentElement.dataset.cockpitReady"))
    shots(browser, "phone")
    # And the printable version.
    browser.set_window_size(1000, 900)
    browser.get(f"{base}/cockpit/?print=1")
    wait.until(lambda d: d.execute_script("return document.documentElement.dataset.cockpitReady"))
    assert not browser.find_elements(By.CSS_SELECTOR, ".navbar")
    shots(browser, "print")
