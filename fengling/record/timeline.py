"""The member's record (锋领e家): one chronological timeline of everything recorded about a
member, and the summary cards above it.

Each source app exposes a selector for its rows of one member and one year (meetings'
attendance, dues bills and payments, training sessions, study records and certificates,
status changes and transfers, development milestones). This module runs each selector once
(one query per source, bounded by the year), turns the rows into `Entry` values and merges
them in Python, newest first. A kind filter runs only that kind's sources. So the number of
queries is fixed whatever the member's history (pinned in tests/test_timeline.py).

No models: this module only reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengling.development.selectors import member_milestones_in
from fengling.dues.selectors import (
    member_dues_summary,
    member_open_bills_in,
    member_payments_in,
)
from fengling.meetings.models import AttendanceStatus
from fengling.meetings.selectors import member_attendance_counts, member_attendance_in
from fengling.members.lifecycle.selectors import member_status_changes_in, member_transfers_in
from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.training.selectors import (
    member_certificates_in,
    member_hours_summary,
    member_sessions_in,
    member_study_records_in,
)


class Kind(models.TextChoices):
    MEETING = "meeting", gettext_lazy("Meetings")
    DUES = "dues", gettext_lazy("Dues")
    STUDY = "study", gettext_lazy("Study")
    CERTIFICATE = "certificate", gettext_lazy("Certificates")
    STATUS = "status", gettext_lazy("Status")
    TRANSFER = "transfer", gettext_lazy("Transfers")
    DEVELOPMENT = "development", gettext_lazy("Development")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline."""

    kind: str
    day: dt.date
    title: str
    detail: str = ""
    # A machine value for the outcome (present, leave, absent, expected, paid, owed,
    # approved, pending, rejected, issued, ...) and its label.
    outcome: str = ""
    outcome_label: str = ""
    url: str = ""
    amount: Decimal | None = None
    hours: Decimal | None = None
    # Orders entries of one day: a meeting's start time, else midnight.
    moment: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def sort_key(self) -> tuple:
        return (self.day, self.moment.time() if self.moment else dt.time.min)


@dataclass(frozen=True)
class Summary:
    """The cards above the timeline, for one year."""

    year: int
    meetings_attended: int
    meetings_required: int
    dues_paid: Decimal
    dues_owed: Decimal
    arrears_months: int
    arrears_level: str | None
    hours_done: Decimal
    hours_required: Decimal
    certificates: int

    @property
    def hours_missing(self) -> Decimal:
        return max(self.hours_required - self.hours_done, Decimal("0"))

    @property
    def hours_percent(self) -> int:
        if not self.hours_required:
            return 100
        return min(100, int(self.hours_done * 100 / self.hours_required))


@dataclass
class Timeline:
    member: Member
    year: int
    kind: str
    entries: list[Entry]
    summary: Summary
    years: list[int] = field(default_factory=list)


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def _meeting_entries(member_id: int, year: int) -> list[Entry]:
    start, end = _year_bounds(year)
    entries = []
    for a in member_attendance_in(member_id, start, end):
        meeting = a.meeting
        starts = timezone.localtime(meeting.starts_at)
        detail = f"{meeting.get_kind_display()} · {meeting.organization.name}"
        if a.status == AttendanceStatus.LEAVE and a.reason:
            detail += f" · {a.reason}"
        entries.append(Entry(
            kind=Kind.MEETING, day=starts.date(), moment=starts, title=meeting.topic,
            detail=detail, outcome=a.status, outcome_label=a.get_status_display(),
            url=reverse("meetings:detail", args=[meeting.pk])))
    return entries


def _dues_entries(member_id: int, year: int, today: dt.date) -> list[Entry]:
    entries = []
    for bill in member_open_bills_in(member_id, year, today):
        entries.append(Entry(
            kind=Kind.DUES, day=bill.month,
            title=_("Dues for %(month)s") % {"month": f"{bill.month:%Y-%m}"},
            outcome="owed", outcome_label=_("Owed"), amount=bill.amount))
    for p in member_payments_in(member_id, year):
        months = ""
        if p.first_month and p.last_month:
            months = (f"{p.first_month:%Y-%m}" if p.first_month == p.last_month
                      else f"{p.first_month:%Y-%m} – {p.last_month:%Y-%m}")
        detail = " · ".join(x for x in (months, p.get_method_display(),
                                        _("receipt %(n)s") % {"n": p.receipt_number}) if x)
        entries.append(Entry(
            kind=Kind.DUES, day=p.paid_on, title=_("Dues paid"), detail=detail,
            outcome="paid", outcome_label=_("Paid"), amount=p.amount))
    return entries


def _study_entries(member_id: int, year: int) -> list[Entry]:
    entries = []
    for a in member_sessions_in(member_id, year):
        session = a.session
        starts = timezone.localtime(session.starts_at)
        entries.append(Entry(
            kind=Kind.STUDY, day=starts.date(), moment=starts, title=session.title,
            detail=session.course.title, outcome="present", outcome_label=_("Attended"),
            hours=session.hours, url=reverse("training:course", args=[session.course_id])))
    for r in member_study_records_in(member_id, year):
        entries.append(Entry(
            kind=Kind.STUDY, day=r.studied_on, title=r.title, detail=r.get_kind_display(),
            outcome=r.status, outcome_label=r.get_status_display(), hours=r.hours))
    return entries


def _certificate_entries(member_id: int, year: int) -> list[Entry]:
    return [
        Entry(kind=Kind.CERTIFICATE, day=c.issued_on, title=c.title,
              detail=_("No. %(number)s, valid until %(until)s")
              % {"number": c.number, "until": f"{c.expires_on:%Y-%m-%d}"},
              outcome="revoked" if c.revoked else "issued",
              outcome_label=_("Revoked") if c.revoked else _("Issued"))
        for c in member_certificates_in(member_id, year)
    ]


def _status_entries(member_id: int, year: int) -> list[Entry]:
    return [
        Entry(kind=Kind.STATUS, day=s.effective_on, title=s.get_kind_display(),
              detail=s.reason, outcome=s.status, outcome_label=s.get_status_display())
        for s in member_status_changes_in(member_id, year)
    ]


def _transfer_entries(member_id: int, year: int) -> list[Entry]:
    entries = []
    for t in member_transfers_in(member_id, year):
        ends = [o.name if o else t.outside_unit for o in (t.from_organization,
                                                           t.to_organization)]
        entries.append(Entry(
            kind=Kind.TRANSFER, day=t.issued_on, title=t.letter_number,
            detail=" → ".join(e for e in ends if e), outcome=t.state,
            outcome_label=t.get_state_display()))
    return entries


def _development_entries(member_id: int, year: int) -> list[Entry]:
    return [
        Entry(kind=Kind.DEVELOPMENT, day=m.date, title=m.get_step_display(), detail=m.note)
        for m in member_milestones_in(member_id, year)
    ]


def timeline_entries(member_id: int, year: int, *, kind: str = "",
                     today: dt.date | None = None) -> list[Entry]:
    """The member's entries of `year` (of one `kind` if given), newest first: one query
    per source (two for dues and for study), merged here."""
    today = today or timezone.localdate()
    sources = {
        Kind.MEETING: lambda: _meeting_entries(member_id, year),
        Kind.DUES: lambda: _dues_entries(member_id, year, today),
        Kind.STUDY: lambda: _study_entries(member_id, year),
        Kind.CERTIFICATE: lambda: _certificate_entries(member_id, year),
        Kind.STATUS: lambda: _status_entries(member_id, year),
        Kind.TRANSFER: lambda: _transfer_entries(member_id, year),
        Kind.DEVELOPMENT: lambda: _development_entries(member_id, year),
    }
    entries: list[Entry] = []
    for name, load in sources.items():
        if not kind or kind == name:
            entries += load()
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries


def member_summary(member_id: int, year: int, *, today: dt.date | None = None) -> Summary:
    """This year's cards: meetings attended / required, dues paid / owed and arrears months,
    study hours vs required (32 / 56, RULES Part A), valid certificates. Five queries."""
    today = today or timezone.localdate()
    start, end = _year_bounds(year)
    now = timezone.make_aware(dt.datetime.combine(today, dt.time.max))
    meetings = member_attendance_counts(member_id, start, end, now)
    dues = member_dues_summary(member_id, year, today)
    hours = member_hours_summary(member_id, year, today)
    return Summary(
        year=year, meetings_attended=meetings["attended"],
        meetings_required=meetings["required"], dues_paid=dues["paid"],
        dues_owed=dues["owed"], arrears_months=dues["arrears_months"],
        arrears_level=dues["level"], hours_done=hours["done"],
        hours_required=hours["required"], certificates=hours["certificates"],
    )


def member_timeline(user, pk, *, year: int | None = None, kind: str = "",
                    today: dt.date | None = None) -> Timeline:
    """The record page of member `pk` for `user` (404 outside the scope; a member may read
    their own record)."""
    today = today or timezone.localdate()
    member = access_member(user, pk)
    year = year or today.year
    if kind and kind not in Kind.values:
        kind = ""
    first = min(member.join_date.year if member.join_date else today.year, today.year)
    return Timeline(
        member=member, year=year, kind=kind,
        entries=timeline_entries(member.pk, year, kind=kind, today=today),
        summary=member_summary(member.pk, year, today=today),
        years=list(range(today.year, max(first, today.year - 10) - 1, -1)),
    )


# --- the member's own home page (我的锋领e家) ----------------------------------------------------


@dataclass
class MyHome:
    member: Member
    upcoming: list
    summary: Summary
    payments: list
    birthday: dt.date | None


def my_home(user, *, today: dt.date | None = None) -> MyHome | None:
    """What the member's phone home page shows: upcoming meetings (with sign-in), dues owed
    and paid, hours vs required, the political birthday card (the unread count comes from the
    notifications badge endpoint by HTMX). A fixed number of queries. None for an account
    without a member record."""
    from fengling.birthdays.rules import anniversary
    from fengling.meetings.selectors import meetings_of_member

    if not user.member_id:
        return None
    today = today or timezone.localdate()
    member = access_member(user, user.member_id)
    upcoming = list(meetings_of_member(member.pk, since=timezone.now())[:5])
    payments = list(member_payments_in(member.pk, today.year)[:3])
    return MyHome(
        member=member, upcoming=upcoming,
        summary=member_summary(member.pk, today.year, today=today), payments=payments,
        birthday=anniversary(member.join_date, today.year) if member.join_date else None,
    )
