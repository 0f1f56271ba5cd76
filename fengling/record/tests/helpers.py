"""Rows of every source for one member, written directly (the record only reads them)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from fengling.dues.models import BillStatus, DuesBill, DuesPayment
from fengling.meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
)
from fengling.members.lifecycle.models import StatusChange
from fengling.training.models import Attendance as SessionAttendance
from fengling.training.models import Certificate, Course, Session, StudyRecord

D = Decimal


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def meeting(member, day: dt.date, status=AttendanceStatus.PRESENT, *, topic="学习会",
            state=MeetingState.HELD, hour=14):
    m = Meeting.objects.create(
        organization=member.organization, kind=MeetingKind.PARTY_DAY, state=state, topic=topic,
        starts_at=at(day.year, day.month, day.day, hour),
        ends_at=at(day.year, day.month, day.day, hour + 2))
    Attendance.objects.create(meeting=m, member=member, status=status,
                              reason="出差" if status == AttendanceStatus.LEAVE else "")
    return m


def bill(member, month: dt.date, status=BillStatus.OPEN, amount="20.00", payment=None):
    return DuesBill.objects.create(member=member, organization=member.organization,
                                   month=month, category="in_service", amount=D(amount),
                                   status=status, payment=payment)


def payment(member, paid_on: dt.date, months: tuple[dt.date, dt.date], amount="40.00",
            receipt=""):
    return DuesPayment.objects.create(
        member=member, organization=member.organization,
        receipt_number=receipt or f"R-{member.pk}-{paid_on:%Y%m%d}-{months[0]:%m}",
        paid_on=paid_on, method="wechat", amount=D(amount), dues_amount=D(amount),
        voluntary_amount=D("0"), first_month=months[0], last_month=months[1])


def session(member, when: dt.datetime, hours="4.0", *, course=None, title="党章学习"):
    course = course or Course.objects.create(
        organization=member.organization, kind="secretary_training", title="书记培训班",
        starts_on=when.date())
    s = Session.objects.create(course=course, title=title, starts_at=when, hours=D(hours))
    SessionAttendance.objects.create(session=s, member=member, present=True)
    return s


def study(member, day: dt.date, hours="2.0", status="approved"):
    return StudyRecord.objects.create(member=member, kind="self_study", title="自学党史",
                                      studied_on=day, hours=D(hours), status=status)


def certificate(member, course, day: dt.date, number="HL2026-0001"):
    return Certificate.objects.create(number=number, member=member, course=course,
                                      title="红领学院结业证书", issued_on=day,
                                      expires_on=day.replace(year=day.year + 3))


def status_change(member, day: dt.date, kind="mobile", status="mobile"):
    return StatusChange.objects.create(member=member, kind=kind, status=status,
                                       effective_on=day, reason="外出务工")
