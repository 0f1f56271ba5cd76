"""The notification and political birthday pages speak Chinese by default."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from fengling.birthdays.services import send_birthday_greetings
from fengling.core.tests.test_i18n import visible_text
from fengling.notifications.services import drain_outbox

pytestmark = pytest.mark.django_db

# Allowed Latin words: the language switch, login names, the command and the setting named
# on the outbox page, and the name of the class an administrator configures.
ALLOWED = {"English", "district", "admin", "member", "branch", "secretary", "fengling", "send",
           "notifications", "docs", "NOTIFY", "SENDERS", "sms", "senders", "SmsSender",
           "deliver", "settings"}


@pytest.fixture
def lived_in(cast, settings):
    settings.NOTIFY_CHANNELS = ["sms"]
    send_birthday_greetings(dt.date(2026, 7, 1))
    drain_outbox()  # the SMS stub fails: the outbox page lists it
    return cast


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("member", lambda c: reverse("notifications:inbox")),
        ("member", lambda c: reverse("birthdays:card", args=[c.member_a.pk]) + "?year=2026"),
        ("district_admin", lambda c: reverse("birthdays:month") + "?month=2026-07"),
        ("district_admin", lambda c: reverse("birthdays:month") + "?month=2026-07&print=1"),
        ("district_admin", lambda c: reverse("notifications:outbox")),
    ],
)
def test_pages_are_in_chinese(client, lived_in, who, url):
    client.force_login(getattr(lived_in, who))
    response = client.get(url(lived_in))
    assert response.status_code == 200
    text = visible_text(response)
    leftovers = set(re.findall(r"[A-Za-z]{3,}", text)) - ALLOWED
    assert not leftovers, sorted(leftovers)
