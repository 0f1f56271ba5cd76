"""The themed Party Day in one click, walked in a real browser (headless Chromium):
the secretary presses the button, the event is created and the members notified; a member
opens the sign-in link on a phone-sized window and signs in.

Skipped when Debian's chromium and chromedriver are not installed.
"""

import datetime as dt

from django.utils import timezone

from fengling.meetings.models import Meeting, MeetingState
from fengling.notifications.models import Notification
from fengling.testing.browser import BROWSER_MARKS, login

from .helpers import library

pytestmark = BROWSER_MARKS


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
