"""Dues reminders: members in arrears with an account get one per month, idempotently."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from fengling.dues import services
from fengling.dues.reminders import dues_reminders_send
from fengling.notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)


def test_reminders_go_once_a_month_to_members_in_arrears(cast):
    services.dues_profile_set(cast.district_admin, cast.member_a,
                              effective_month=dt.date(2026, 1, 1), category="in_service",
                              income_base=Decimal("4000"))
    services.dues_profile_set(cast.district_admin, cast.secretary_a_member,
                              effective_month=dt.date(2026, 1, 1), category="student")
    for month in (1, 2, 3):
        services.generate_bills(dt.date(2026, month, 1))
    services.dues_payment_record(cast.district_admin, cast.secretary_a_member,
                                 receipt_number="S1", amount="0.60", paid_on=TODAY,
                                 method="cash", months=3, today=TODAY)
    # 张三 (user "member") owes 3 months; 李四 (branch secretary) paid; the others owe only
    # unassessed months or have no account.
    assert dues_reminders_send(TODAY) == 1
    note = Notification.objects.get()
    assert note.recipient == cast.member
    assert note.kind == "dues_reminder"
    assert "120.00" in note.body and "2026-01" in note.body
    assert dues_reminders_send(TODAY) == 0
    assert dues_reminders_send(dt.date(2026, 4, 2)) == 1  # a new month, a new reminder


def test_dues_reminders_command(cast):
    with time_machine.travel(dt.datetime(2026, 3, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        out = StringIO()
        call_command("dues_reminders", stdout=out)
    assert "0 dues reminders sent" in out.getvalue()
