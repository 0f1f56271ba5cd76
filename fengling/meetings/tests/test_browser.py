"""The themed Party Day in one click, walked in a real browser (headless Chromium):
the secretary presses the button, the event is created and the members notified; a member
opens the sign-in link on a phone-sized window and signs in.

Skipped when Debian's chromium and chromedriver are not installed.
"""

import datetime as dt
import shutil
import tempfile

import pytest
from django.utils import timezone

from fengling.meetings.models import Meeting, MeetingState
from fengling.notifications.models import Notification
from fengling.testing.cast import PASSWORD

from .helpers import library

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)),
                       reason="needs Debian chromium and chromedriver "
                              "(apt-get install chromium chromium-driver)"),
]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", f"--user-data-dir={tempfile.mkdtemp()}",
                 "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(flag)
    # Pages follow the browser's language: ask for Chinese, as our users' browsers do.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def login(driver, base, username):
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(f"{base}/accounts/login/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form .btn-primary").click()
    driver.find_element(By.CSS_SELECTOR, "nav .navbar-nav")  # logged in: the menu is there


def test_one_click_themed_day_and_phone_sign_in(live_server, cast, browser):
    from selenium.webdriver.common.by import By

    # Today is the branch's fixed day and the template starts a few minutes ago, so the
    # sign-in window is open while the test runs.
    now = timezone.localtime()
    start = (now - dt.timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    if start > now.time():  # just after midnight: start at 00:00 instead
        start = dt.time(0, 0)
    theme, template = library(start_time=start)
    from fengling.meetings.models import PartyDaySetting

    PartyDaySetting.objects.create(organization=cast.branch_a, day_of_month=now.day)

    login(browser, live_server.url, "branch_secretary")
    browser.get(f"{live_server.url}/meetings/party-day/?organization={cast.branch_a.pk}")
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.NAME, "theme")).select_by_value(str(theme.pk))
    Select(browser.find_element(By.NAME, "template")).select_by_value(str(template.pk))
    browser.find_element(By.ID, "one-click").click()

    state = browser.find_element(By.ID, "meeting-state")
    meeting = Meeting.objects.get()
    assert browser.current_url.endswith(f"/meetings/{meeting.pk}/")
    assert meeting.state == MeetingState.NOTIFIED and state.text == "已通知"
    assert "张三" in browser.find_element(By.ID, "attendance-heading").find_element(
        By.XPATH, "..").text
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "member", "branch_secretary"}
    signin_url = browser.find_element(By.ID, "signin-link").get_attribute("href")

    # The member, on a phone: opens the link, signs in with one tap; a second tap is refused.
    browser.set_window_size(390, 844)
    login(browser, live_server.url, "member")
    browser.get(signin_url)
    browser.find_element(By.ID, "signin-button").click()
    assert "签到" in browser.find_element(By.ID, "signin-result").text
    browser.get(signin_url)
    browser.find_element(By.ID, "signin-button").click()
    assert "无需重复签到" in browser.find_element(By.ID, "signin-error").text
    assert meeting.attendance.get(member=cast.member_a).status == "present"
