"""我的锋领e家: the member role's home page shows upcoming meetings with sign-in, my dues,
my hours vs required, my political birthday card and my unread notifications."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fengling.dues.models import BillStatus
from fengling.meetings.models import AttendanceStatus, MeetingState
from fengling.notifications.models import Notification

from .helpers import bill, meeting, payment, session, study

pytestmark = pytest.mark.django_db
KIND = Notification._meta.get_field("kind").choices[0][0]


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def test_member_home_shows_my_record(client, cast):
    member = cast.member_a
    upcoming = meeting(member, dt.date(2026, 6, 20), AttendanceStatus.EXPECTED,
                       topic="六月主题党日", state=MeetingState.NOTIFIED)
    meeting(member, dt.date(2026, 5, 20), topic="五月已开")
    paid = payment(member, dt.date(2026, 2, 10), (dt.date(2026, 1, 1), dt.date(2026, 1, 1)),
                   amount="20.00")
    bill(member, dt.date(2026, 1, 1), BillStatus.PAID, payment=paid)
    for month in (5, 6):
        bill(member, dt.date(2026, month, 1))
    session(member, dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), hours="4.0")
    study(member, dt.date(2026, 4, 1), hours="2.0")
    Notification.objects.create(recipient=cast.member, kind=KIND, title="通知一",
                                dedupe_key="t1", visible_from=dt.datetime(2026, 6, 1,
                                                                          tzinfo=dt.UTC))
    Notification.objects.create(recipient=cast.member, kind=KIND, title="通知二",
                                dedupe_key="t2", read_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
                                visible_from=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))

    client.force_login(cast.member)
    text = client.get(reverse("reports:home")).content.decode()
    assert 'id="my-home"' in text
    assert "六月主题党日" in text and "五月已开" not in text  # upcoming only
    assert reverse("meetings:signin", args=[upcoming.signin_token]) in text
    assert 'id="my-dues-owed" class="text-danger">40.00<' in text
    assert "¥20.00" in text  # the pay history
    assert 'id="my-hours">6 / 32<' in text  # RULES Part A: 32 hours a year
    assert reverse("birthdays:card", args=[member.pk]) in text
    assert 'id="my-unread-count" hx-get="/notifications/badge/"' in text
    assert ">1<" in client.get(reverse("notifications:badge")).content.decode()
    assert reverse("record:mine") in text


def test_other_roles_do_not_get_the_member_block(client, cast):
    client.force_login(cast.branch_secretary)
    assert 'id="my-home"' not in client.get(reverse("reports:home")).content.decode()


def test_member_home_query_count_is_fixed(client, cast, django_assert_max_num_queries):
    client.force_login(cast.member)
    client.get(reverse("reports:home"))
    with django_assert_max_num_queries(40) as before:
        client.get(reverse("reports:home"))
    for day in range(1, 6):
        meeting(cast.member_a, dt.date(2026, 7, day), AttendanceStatus.EXPECTED,
                state=MeetingState.NOTIFIED)
        payment(cast.member_a, dt.date(2026, 2, day), (dt.date(2026, 1, 1),) * 2)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("reports:home"))


def test_the_member_navigation_has_one_entry_for_their_own_record(client, cast):
    # The nav showed both "My record" (the personal data page) and "My 锋领e家"; the member
    # gets one entry, to their 锋领e家 record, which links on to the personal data page.
    import re

    from django.utils import translation

    client.force_login(cast.member)
    with translation.override("en"):
        page = client.get(reverse("reports:home"), HTTP_ACCEPT_LANGUAGE="en")
    nav = page.content.decode().split('class="navbar-nav', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="([^"]+)"', nav)
    assert links.count(reverse("record:mine")) == 1
    assert reverse("members:detail", args=[cast.member_a.pk]) not in links
    # Both addresses stay: the record's breadcrumb opens the personal data page.
    record = client.get(reverse("record:mine"), follow=True).content.decode()
    assert reverse("members:detail", args=[cast.member_a.pk]) in record
    assert client.get(reverse("members:detail", args=[cast.member_a.pk])).status_code == 200
