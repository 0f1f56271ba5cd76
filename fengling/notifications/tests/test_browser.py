"""In a real browser: the badge fills in, and "mark read" swaps the row and the badge."""

import pytest
from django.conf import settings

from fengling.notifications.models import Kind, Notification
from fengling.notifications.services import notify
from fengling.testing.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_mark_read_updates_the_row_and_the_badge(live_server, browser, client):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from fengling.testing.cast import build_cast

    cast = build_cast()
    for key in ("a", "b"):
        notify([cast.member], kind=Kind.SYSTEM, title=f"通知{key}", dedupe_key=key)
    client.force_login(cast.member)
    browser.get(f"{live_server.url}/healthz")
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value})
    browser.get(f"{live_server.url}/notifications/")
    wait = WebDriverWait(browser, 10)
    badge = (By.CSS_SELECTOR, "#notification-badge .badge")
    wait.until(ec.text_to_be_present_in_element(badge, "2"))
    first = Notification.objects.get(dedupe_key="a")
    browser.find_element(By.CSS_SELECTOR, f"#notification-{first.pk} button").click()
    wait.until(ec.text_to_be_present_in_element(badge, "1"))
    row = browser.find_element(By.ID, f"notification-{first.pk}")
    assert not row.find_elements(By.CSS_SELECTOR, "button")  # no "mark read" any more
    assert "fw-bold" not in row.get_attribute("innerHTML")
    first.refresh_from_db()
    assert first.read_at is not None
