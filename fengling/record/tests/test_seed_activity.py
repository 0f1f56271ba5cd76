"""The seed's year of activity (issue 4 item 9) over the cast: meetings with attendance,
dues bills and payments, and the counts `fengling stats --json` reports (additive keys)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from fengling.demo.loader import load_activity
from fengling.dues.models import DuesBill, DuesPayment
from fengling.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db


def test_activity_is_added_and_counted(cast):
    counts = load_activity(dt.date(2026, 6, 15), 7)
    assert counts["meetings"] == Meeting.objects.count() > 0
    assert counts["attendance"] == Attendance.objects.count() > 0
    assert counts["bills"] == DuesBill.objects.count() > 0
    assert counts["payments"] == DuesPayment.objects.count() > 0
    # Held meetings only up to the date; later ones are planned and have no attendance yet.
    assert not Attendance.objects.filter(meeting__starts_at__date__gt=dt.date(2026, 6, 15))
    out = StringIO()
    call_command("stats", as_json=True, stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["meetings"] == counts["meetings"]
    assert stats["meeting_attendance"] == counts["attendance"]
    assert stats["dues_bills"] == counts["bills"]
    assert stats["dues_payments"] == counts["payments"]
    assert "members" in stats and "organizations" in stats  # the old keys stay
