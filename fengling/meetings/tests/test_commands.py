"""`fengling meeting_reminders` and `fengling close_meetings`: idempotent, with --date."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from fengling.meetings import services
from fengling.meetings.models import MeetingState
from fengling.notifications.models import Notification

from .helpers import library

pytestmark = pytest.mark.django_db


def run(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_reminders_and_closing_by_date(cast):
    theme, template = library()
    meeting, _ = services.party_day_create_for_month(
        cast.branch_secretary, cast.branch_a, month=dt.date(2026, 9, 1), theme=theme,
        template=template)
    assert run("meeting_reminders", "--date", "2026-09-13").startswith("0 meeting")
    assert run("meeting_reminders", "--date", "2026-09-14").startswith("1 meeting")
    run("meeting_reminders", "--date", "2026-09-14")
    assert Notification.objects.filter(kind="meeting_reminder").count() == 2
    services.meeting_signin(cast.branch_secretary, meeting, now=meeting.starts_at)
    assert "held=1" in run("close_meetings", "--date", "2026-09-16")
    assert "held=0" in run("close_meetings", "--date", "2026-09-17")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.HELD
    assert meeting.attendance.get(member=cast.member_a).status == "absent"
