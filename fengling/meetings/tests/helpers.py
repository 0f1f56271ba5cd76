"""Shared test helpers: aware local datetimes and a meeting factory through the service."""

import datetime as dt

from django.utils import timezone

from fengling.meetings.models import MeetingKind
from fengling.meetings.services import meeting_schedule


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def schedule(user, org, *, kind=MeetingKind.GENERAL_ASSEMBLY, start=None, hours=2, **fields):
    start = start or at(2026, 3, 10, 9, 0)
    fields.setdefault("topic", "学习会")
    fields.setdefault("place", "党群服务中心")
    return meeting_schedule(user, org, kind=kind, starts_at=start,
                            ends_at=start + dt.timedelta(hours=hours), **fields)


def library(start_time=None):
    """A theme and a template of our own (tests do not rely on the seeded library)."""
    from fengling.meetings.models import PartyDayTemplate, PartyDayTheme

    theme = PartyDayTheme.objects.create(title="测试主题：学习党章", summary="学习党章")
    template = PartyDayTemplate.objects.create(
        name="测试模板", agenda="1. 重温入党誓词\n2. 学习", checklist="签到\n拍照",
        start_time=start_time or dt.time(9, 0), duration_minutes=120, place="党群服务中心")
    return theme, template
