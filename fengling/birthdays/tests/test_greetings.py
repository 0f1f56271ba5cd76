"""`send_birthday_greetings`: the day's political birthdays, once per member per year."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from fengling.birthdays.services import send_birthday_greetings
from fengling.members.models import MemberStatus
from fengling.notifications.models import Kind, Notification
from fengling.testing.factories import MemberFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def leapers(cast):
    """A member who joined on 29 February 2004 and one on 28 February 2010, with accounts."""
    leap = MemberFactory(organization=cast.branch_a, name="闰日", join_date=dt.date(2004, 2, 29),
                         conversion_date=dt.date(2005, 3, 1))
    plain = MemberFactory(organization=cast.branch_a, name="平日",
                          join_date=dt.date(2010, 2, 28), conversion_date=dt.date(2011, 3, 1))
    make_user("leap", member=leap)
    make_user("plain", member=plain)
    return leap, plain


def greeted(day=None) -> set[str]:
    qs = Notification.objects.filter(kind=Kind.BIRTHDAY)
    return set(qs.values_list("recipient__member__name", flat=True))


def test_greets_todays_members_once(cast):
    # The cast's members all joined on 1 July 2005; 张三 and 李四 have accounts.
    out = io.StringIO()
    call_command("send_birthday_greetings", "--date", "2026-07-01", stdout=out)
    assert greeted() == {"张三", "李四"}
    assert "4 political birthdays, 2 greeted, 2 without an account" in out.getvalue()
    note = Notification.objects.get(recipient=cast.member)
    assert "21" in note.title and "张三" in note.title
    assert "望春社区第一支部" in note.body
    assert note.url == f"/birthdays/card/{cast.member_a.pk}/?year=2026"
    # Again, the same day or later in the year: nothing new.
    call_command("send_birthday_greetings", "--date", "2026-07-01", stdout=io.StringIO())
    assert Notification.objects.filter(kind=Kind.BIRTHDAY).count() == 2
    # Next year: a new greeting.
    assert send_birthday_greetings(dt.date(2027, 7, 1)).greeted == 2


def test_other_days_and_inactive_members_get_nothing(cast):
    assert send_birthday_greetings(dt.date(2026, 7, 2)).due == 0
    cast.member_a.status = MemberStatus.TRANSFERRED_OUT
    cast.member_a.save()
    send_birthday_greetings(dt.date(2026, 7, 1))
    assert greeted() == {"李四"}


def test_the_year_of_joining_is_no_birthday(cast):
    assert send_birthday_greetings(dt.date(2005, 7, 1)).due == 0


def test_feb_29_is_greeted_on_feb_28_in_a_common_year(leapers):
    with time_machine.travel(dt.datetime(2026, 2, 28, 8, 0), tick=False):
        call_command("send_birthday_greetings", stdout=io.StringIO())
    assert greeted() == {"闰日", "平日"}
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, 0), tick=False):
        call_command("send_birthday_greetings", stdout=io.StringIO())
    assert Notification.objects.count() == 2


def test_feb_29_waits_for_its_day_in_a_leap_year(leapers):
    with time_machine.travel(dt.datetime(2028, 2, 28, 8, 0), tick=False):
        call_command("send_birthday_greetings", stdout=io.StringIO())
    assert greeted() == {"平日"}
    with time_machine.travel(dt.datetime(2028, 2, 29, 8, 0), tick=False):
        call_command("send_birthday_greetings", stdout=io.StringIO())
    assert greeted() == {"闰日", "平日"}
    leap_note = Notification.objects.get(recipient__username="leap")
    assert "24" in leap_note.title  # 2004 → 2028


def test_bad_date_is_refused(cast):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_birthday_greetings", "--date", "2026-02-30")
    assert not Notification.objects.exists()
