"""Changes to meetings, attendance and themed Party Days: one transaction each, validated,
audited. Notifications go through `_notify_members` (the notifications app's interface)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of
from fengling.members.models import Member, MemberStatus
from fengling.notifications import conf as notification_conf
from fengling.notifications.services import notify_members, render
from fengling.organizations.models import CommitteePost, Organization

from . import rules
from .models import (
    Attendance,
    AttendanceStatus,
    FileKind,
    Meeting,
    MeetingFile,
    MeetingKind,
    MeetingState,
    MeetingVote,
    PartyDaySetting,
    PartyDayTemplate,
    PartyDayTheme,
    ThemePush,
)

# --- Settings (with defaults; see docs/meetings.md) ------------------------------------------


def signin_opens_before_minutes() -> int:
    return getattr(settings, "FENGLING_SIGNIN_OPENS_MINUTES_BEFORE", 30)


def signin_closes_after_minutes() -> int:
    return getattr(settings, "FENGLING_SIGNIN_CLOSES_MINUTES_AFTER", 0)


# Accepted uploads: extension → (kind, leading bytes that the content must start with).
_ZIP = (b"PK\x03\x04",)
ALLOWED_FILES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": (FileKind.PHOTO, (b"\xff\xd8\xff",)),
    ".jpeg": (FileKind.PHOTO, (b"\xff\xd8\xff",)),
    ".png": (FileKind.PHOTO, (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": (FileKind.DOCUMENT, (b"%PDF-",)),
    ".docx": (FileKind.DOCUMENT, _ZIP),
    ".xlsx": (FileKind.DOCUMENT, _ZIP),
    ".pptx": (FileKind.DOCUMENT, _ZIP),
}


def max_file_bytes() -> int:
    return getattr(settings, "FENGLING_MEETING_FILE_MAX_MB", 10) * 1024 * 1024


# --- Notifications (the notifications app: fengling.notifications.services) ------------------


def _notify_members(members, **kwargs) -> int:
    """Notify `members` through the notifications app (idempotent on `dedupe_key`): the one
    place this app calls it."""
    return notify_members(members, **kwargs)


# --- Who should attend -----------------------------------------------------------------------

# Members a meeting expects: the organization's members in these statuses. Lost-contact
# members cannot be reached and are left out. Mobile members (流动党员) take part where they
# are (RULES: they report to the sending branch at least once a year): they are listed, start
# as "on leave" with that reason, and become present if they sign in.
EXPECTED_STATUSES = (MemberStatus.NORMAL, MemberStatus.MOBILE)


def expected_members_q(kind: str, organization_ids: Iterable[int]) -> Q:
    """Who should attend a meeting of `kind` held by these organizations.

    A branch committee meeting (支委会) expects the members holding a current committee post;
    a Party group meeting (党小组会) held by a Party group expects the members placed in that
    group (RULES Part A: 党小组会 once a month; Part B §4.1 step 19 "编入党支部和党小组");
    every other kind expects the organization's own members.
    """
    ids = list(organization_ids)
    if kind == MeetingKind.COMMITTEE:
        posts = CommitteePost.objects.current().filter(
            term__organization_id__in=ids, member__isnull=False
        ).values("member_id")
        return Q(pk__in=posts)
    if kind == MeetingKind.GROUP:
        # A Party group has no members of its own (they belong to its branch): those placed
        # in it. A 党小组会 recorded on a branch still expects the branch's members.
        return Q(organization_id__in=ids) | Q(party_group_id__in=ids)
    return Q(organization_id__in=ids)


def _attendance_rows(meetings: list[Meeting]) -> list[Attendance]:
    """Attendance rows for `meetings`: one member query per meeting kind, not per meeting."""
    by_kind: dict[str, list[Meeting]] = {}
    for meeting in meetings:
        by_kind.setdefault(meeting.kind, []).append(meeting)
    rows: list[Attendance] = []
    mobile_reason = _("Mobile member: takes part where they are")
    for kind, group in by_kind.items():
        org_ids = {m.organization_id for m in group}
        members = Member.objects.filter(
            expected_members_q(kind, org_ids), status__in=EXPECTED_STATUSES
        ).values_list("pk", "organization_id", "status", "party_group_id")
        if kind == MeetingKind.COMMITTEE:
            posts = dict(
                CommitteePost.objects.current()
                .filter(term__organization_id__in=org_ids, member__isnull=False)
                .values_list("member_id", "term__organization_id")
            )
            members = [(pk, posts[pk], status, None) for pk, _org, status, _g in members]
        per_org: dict[int, list[tuple[int, str]]] = {}
        for pk, org_id, status, group_id in members:
            if org_id in org_ids:
                per_org.setdefault(org_id, []).append((pk, status))
            if kind == MeetingKind.GROUP and group_id in org_ids:
                per_org.setdefault(group_id, []).append((pk, status))
        for meeting in group:
            for pk, status in per_org.get(meeting.organization_id, ()):
                mobile = status == MemberStatus.MOBILE
                rows.append(Attendance(
                    meeting=meeting, member_id=pk,
                    status=AttendanceStatus.LEAVE if mobile else AttendanceStatus.EXPECTED,
                    reason=mobile_reason if mobile else "",
                ))
    return rows


def attendance_sync(meetings: list[Meeting]) -> int:
    """Add the members who should attend and are not listed yet (set-based, idempotent).

    Only open meetings are synced: a held meeting's list is its record.
    """
    open_meetings = [m for m in meetings if m.is_open]
    rows = _attendance_rows(open_meetings)
    created = Attendance.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(created)


# --- Meetings --------------------------------------------------------------------------------

MEETING_FIELDS = ("kind", "topic", "host", "recorder", "place", "online", "starts_at",
                  "ends_at", "agenda", "minutes", "resolutions")


def _check_meeting(meeting: Meeting) -> None:
    errors: dict[str, list[str]] = {}
    if meeting.kind not in MeetingKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of meeting."))
    if not (meeting.topic or "").strip():
        errors.setdefault("topic", []).append(_("Enter the topic."))
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors.setdefault("ends_at", []).append(_("The meeting must end after it starts."))
    if not meeting.online and not (meeting.place or "").strip():
        errors.setdefault("place", []).append(
            _("Enter the place, or mark the meeting as online."))
    if errors:
        raise ValidationError(errors)


def _check_writable(actor, organization: Organization) -> None:
    if not scope_of(actor).covers_path(organization.path, write=True):
        raise ValidationError({"organization": [
            _("You may not arrange meetings for this organization.")]})


@transaction.atomic
def meeting_schedule(actor, organization: Organization, **fields) -> Meeting:
    """Plan a meeting; its attendance list is derived from the organization at once."""
    _check_writable(actor, organization)
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    meeting = Meeting(organization=organization, created_by=actor if actor else None, **fields)
    _check_meeting(meeting)
    meeting.save()
    attendance_sync([meeting])
    audit_log(actor, "meeting.schedule", meeting, {"kind": meeting.kind, "topic": meeting.topic},
              organization_path=organization.path)
    return meeting


@transaction.atomic
def meeting_update(actor, meeting: Meeting, **fields) -> Meeting:
    unknown = set(fields) - set(MEETING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("A cancelled meeting cannot be changed."))
    if "kind" in fields and fields["kind"] != meeting.kind and not meeting.is_open:
        raise ValidationError({"kind": [_("The kind of a held meeting cannot change.")]})
    changed = []
    for name, value in fields.items():
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed.append(name)
    _check_meeting(meeting)
    meeting.save()
    if "kind" in changed and meeting.attendance.exists():
        _resync_attendance(meeting)
    audit_log(actor, "meeting.update", meeting, {"fields": sorted(changed)},
              organization_path=meeting.organization.path)
    return meeting


def _resync_attendance(meeting: Meeting) -> None:
    """A notified meeting whose kind changed (a 党员大会 made a 支委会) lists who the new kind
    expects: those it no longer expects go, unless they have signed in already; those it
    expects now are added."""
    expected = Member.objects.filter(expected_members_q(meeting.kind, [meeting.organization_id]),
                                     status__in=EXPECTED_STATUSES).values("pk")
    (Attendance.objects.filter(meeting=meeting)
     .exclude(status=AttendanceStatus.PRESENT).exclude(member__in=expected).delete())
    attendance_sync([meeting])


def _mark_absentees(meetings_q) -> int:
    """Everyone still 'not yet recorded' at a held meeting was absent (one UPDATE)."""
    return Attendance.objects.filter(
        meeting__in=meetings_q, status=AttendanceStatus.EXPECTED
    ).update(status=AttendanceStatus.ABSENT)


@transaction.atomic
def meeting_transition(actor, meeting: Meeting, target: str, *, reason: str = "",
                       now: dt.datetime | None = None) -> Meeting:
    """Move `meeting` along the state machine (rules.TRANSITIONS)."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().select_related("organization").get(
        pk=meeting.pk)
    if not rules.can_transition(meeting.state, target):
        raise ValidationError(_("A meeting that is “%(current)s” cannot become “%(target)s”.") % {
            "current": MeetingState(meeting.state).label,
            "target": MeetingState(target).label if target in MeetingState.values else target,
        })
    if target == MeetingState.CANCELLED:
        if not reason.strip():
            raise ValidationError({"reason": [_("Give the reason for cancelling.")]})
        meeting.cancel_reason = reason.strip()[:200]
    if target == MeetingState.HELD and meeting.starts_at > now:
        raise ValidationError(_("A meeting cannot be recorded as held before it starts."))
    previous = meeting.state
    meeting.state = target
    if target == MeetingState.HELD and meeting.ends_at <= now:
        meeting.closed_at = now
    meeting.save()
    if target == MeetingState.NOTIFIED:
        attendance_sync([meeting])
        _notify_meeting(meeting, "notice")
    if meeting.closed_at is not None:
        _mark_absentees(Meeting.objects.filter(pk=meeting.pk))
    audit_log(actor, "meeting.transition", meeting, {"from": previous, "to": target,
                                                     "reason": meeting.cancel_reason},
              organization_path=meeting.organization.path)
    return meeting


def _notify_meeting(meeting: Meeting, what: str) -> int:
    members = Member.objects.filter(
        attendance__meeting=meeting,
        attendance__status__in=(AttendanceStatus.EXPECTED, AttendanceStatus.LEAVE),
    )
    local = timezone.localtime(meeting.starts_at)
    # In the notification language, not the language of whoever pressed the button.
    with translation.override(notification_conf.language()):
        if what == "reminder":
            title = _("Reminder: %(kind)s tomorrow, %(time)s") % {
                "kind": meeting.get_kind_display(), "time": f"{local:%H:%M}"}
        else:
            title = _("%(kind)s on %(date)s: %(topic)s") % {
                "kind": meeting.get_kind_display(), "date": f"{local:%Y-%m-%d %H:%M}",
                "topic": meeting.topic}
        body = meeting.place or (_("Online") if meeting.online else "")
    return _notify_members(
        members, kind=f"meeting_{what}", title=title, body=body,
        # The members' own meetings page: a member cannot open the secretary's meeting page.
        url=reverse("meetings:mine"), dedupe_key=f"meeting:{meeting.pk}:{what}",
        organization=meeting.organization,
    )


# --- Attendance ------------------------------------------------------------------------------


@transaction.atomic
def attendance_set(actor, meeting: Meeting, changes: dict[int, tuple[str, str]]) -> int:
    """Record attendance: `changes` maps member id → (status, reason). All or nothing."""
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("A cancelled meeting has no attendance to record."))
    rows = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting,
                                                                member_id__in=list(changes))}
    errors: list[str] = []
    for member_id, (status, reason) in changes.items():
        if member_id not in rows:
            errors.append(_("Member %(id)s is not on this meeting's list.") % {"id": member_id})
        elif status not in AttendanceStatus.values:
            errors.append(_("Choose present, on leave or absent."))
        elif status == AttendanceStatus.LEAVE and not reason.strip():
            errors.append(_("%(name)s: give the reason for the leave.") % {
                "name": rows[member_id].member.name})
    if errors:
        raise ValidationError(errors)
    changed = []
    for member_id, (status, reason) in changes.items():
        row = rows[member_id]
        new_reason = reason.strip()[:200] if status == AttendanceStatus.LEAVE else ""
        if row.status != status or row.reason != new_reason:
            row.status, row.reason = status, new_reason
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["status", "reason"])
    if changed:
        audit_log(actor, "meeting.attendance", meeting,
                  {"changed": {r.member_id: r.status for r in changed}},
                  organization_path=meeting.organization.path)
    return len(changed)


class SigninRefused(ValidationError):
    """A sign-in that is refused; `.code` says why (window, cancelled, not_attendee, twice…)."""


def signin_window(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    return rules.signin_window(meeting.starts_at, meeting.ends_at,
                               opens_before_minutes=signin_opens_before_minutes(),
                               closes_after_minutes=signin_closes_after_minutes())


@transaction.atomic
def meeting_signin(user, meeting: Meeting, *, now: dt.datetime | None = None) -> Attendance:
    """The member behind `user` signs in to `meeting` (QR code or link): once, in the window,
    and only if they should attend. Refusals raise SigninRefused with a clear message."""
    now = now or timezone.now()
    if meeting.state not in rules.OPEN_STATES and meeting.state != MeetingState.HELD:
        raise SigninRefused(_("This meeting was cancelled."), code="cancelled")
    opens, closes = signin_window(meeting)
    if now < opens:
        raise SigninRefused(_("Sign-in opens at %(time)s.") % {
            "time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"}, code="too_early")
    if now > closes or meeting.closed_at is not None:
        raise SigninRefused(_("Sign-in closed at %(time)s.") % {
            "time": f"{timezone.localtime(closes):%Y-%m-%d %H:%M}"}, code="too_late")
    if not getattr(user, "member_id", None):
        raise SigninRefused(_("Your account is not linked to a member record."),
                            code="no_member")
    row = Attendance.objects.select_for_update().filter(
        meeting=meeting, member_id=user.member_id).first()
    if row is None:
        raise SigninRefused(_("You are not on the list of members who should attend this "
                              "meeting."), code="not_attendee")
    if row.signed_in_at is not None:
        raise SigninRefused(_("You have already signed in, at %(time)s.") % {
            "time": f"{timezone.localtime(row.signed_in_at):%H:%M}"}, code="twice")
    row.status = AttendanceStatus.PRESENT
    row.reason = ""
    row.signed_in_at = now
    row.save(update_fields=["status", "reason", "signed_in_at"])
    audit_log(user, "meeting.signin", meeting, {"member": user.member_id},
              organization_path=meeting.organization.path)
    return row


# --- Files -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_file_add(actor, meeting: Meeting, upload) -> MeetingFile:
    """Attach a photo (JPEG, PNG) or document (PDF, Word, Excel, PowerPoint) to `meeting`
    (`check_upload`)."""
    name, kind = check_upload(upload)
    item = MeetingFile(meeting=meeting, kind=kind, name=name[:200], size=upload.size,
                       uploaded_by=actor)
    item.file.save(name, upload, save=False)
    item.save()
    audit_log(actor, "meeting.file_add", meeting, {"file": item.name, "size": item.size},
              organization_path=meeting.organization.path)
    return item


def check_upload(upload) -> tuple[str, str]:
    """(file name, FileKind) of an uploaded photo (JPEG, PNG) or document (PDF, Word, Excel,
    PowerPoint), else a ValidationError on "file": the extension and the file's first bytes
    must agree, the size is capped. Used for meeting files and rectification evidence."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_FILES:
        raise ValidationError({"file": [_(
            "This type of file is not accepted. Upload a photo (JPG, PNG) or a document "
            "(PDF, DOCX, XLSX, PPTX).")]})
    if upload.size > max_file_bytes():
        raise ValidationError({"file": [_("The file is too large: at most %(mb)s MB.") % {
            "mb": max_file_bytes() // (1024 * 1024)}]})
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    kind, signatures = ALLOWED_FILES[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError({"file": [_(
            "The file's content does not match its name (%(ext)s).") % {"ext": ext}]})
    return name, kind


# --- Votes at a general assembly -------------------------------------------------------------


@transaction.atomic
def meeting_vote_record(actor, meeting: Meeting, *, subject: str, votes_for: int,
                        votes_against: int = 0, abstentions: int = 0) -> MeetingVote:
    """Record a general assembly's vote; refused without a quorum (RULES Part A: more than
    half of the full members present; passed with more than half of those who should
    attend)."""
    from fengling.members.models import Membership

    if meeting.kind != MeetingKind.GENERAL_ASSEMBLY:
        raise ValidationError(_("Only a general assembly takes votes."))
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("A cancelled meeting takes no votes."))
    if not subject.strip():
        raise ValidationError({"subject": [_("Enter what the vote is about.")]})
    full = Attendance.objects.filter(meeting=meeting, member__membership=Membership.FULL)
    full_members = full.count()
    full_present = full.filter(status=AttendanceStatus.PRESENT).count()
    if min(votes_for, votes_against, abstentions) < 0:
        raise ValidationError(_("Votes cannot be negative."))
    if votes_for + votes_against + abstentions > full_present:
        raise ValidationError(_("More votes than full members present (%(n)s).") % {
            "n": full_present})
    outcome = rules.vote_outcome(full_members, full_present, votes_for)
    if not outcome.quorate:
        raise ValidationError(_(
            "No quorum: %(present)s of %(total)s full members are present; more than half "
            "must be.") % {"present": full_present, "total": full_members})
    vote = MeetingVote.objects.create(
        meeting=meeting, subject=subject.strip()[:200], full_members=full_members,
        full_present=full_present, votes_for=votes_for, votes_against=votes_against,
        abstentions=abstentions, passed=outcome.passed)
    audit_log(actor, "meeting.vote", meeting, {"subject": vote.subject, "passed": vote.passed},
              organization_path=meeting.organization.path)
    return vote


# --- Themed Party Day (海曙新红图) ------------------------------------------------------------


def party_day_of(organization: Organization) -> int:
    setting = PartyDaySetting.objects.filter(organization=organization).first()
    return setting.day_of_month if setting else rules.DEFAULT_PARTY_DAY


@transaction.atomic
def party_day_setting_set(actor, organization: Organization, day_of_month: int) -> None:
    _check_writable(actor, organization)
    if not 1 <= day_of_month <= 31:
        raise ValidationError({"day_of_month": [_("Choose a day from 1 to 31.")]})
    PartyDaySetting.objects.update_or_create(organization=organization,
                                             defaults={"day_of_month": day_of_month})
    audit_log(actor, "party_day.setting", organization, {"day": day_of_month},
              organization_path=organization.path)


def _party_day_meeting(organization_id: int, month: dt.date, day: int,
                       theme: PartyDayTheme, template: PartyDayTemplate, actor,
                       push: ThemePush | None = None) -> Meeting:
    date = rules.party_day_date(month, day)
    starts = timezone.make_aware(dt.datetime.combine(date, template.start_time))
    return Meeting(
        organization_id=organization_id, kind=MeetingKind.PARTY_DAY,
        state=MeetingState.NOTIFIED, topic=theme.title, place=template.place,
        online=not template.place, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=template.duration_minutes),
        agenda=template.agenda, theme=theme, template=template, party_day_month=month,
        push=push, created_by=actor if actor else None,
    )


def _check_party_day_input(month: dt.date, theme, template) -> dt.date:
    if theme is None or not theme.is_active:
        raise ValidationError({"theme": [_("Choose a theme from the library.")]})
    if template is None or not template.is_active:
        raise ValidationError({"template": [_("Choose a template.")]})
    return rules.month_start(month)


@transaction.atomic
def party_day_create_for_month(actor, organization: Organization, *, month: dt.date,
                               theme: PartyDayTheme, template: PartyDayTemplate,
                               ) -> tuple[Meeting, bool]:
    """The one button: create the month's themed Party Day on the branch's fixed day from
    the template, list and notify every member who should attend; sign-in opens on the day.

    Idempotent: if the month already has its themed day, that one is returned, unchanged.
    """
    _check_writable(actor, organization)
    if organization.kind not in rules.PARTY_DAY_ORG_KINDS:
        raise ValidationError({"organization": [
            _("Themed Party Days are held by branches and general branches.")]})
    month = _check_party_day_input(month, theme, template)
    existing = Meeting.objects.filter(organization=organization, party_day_month=month).first()
    if existing is not None:
        return existing, False
    meeting = _party_day_meeting(organization.pk, month, party_day_of(organization), theme,
                                 template, actor)
    meeting.organization = organization
    meeting.save()
    attendance_sync([meeting])
    _notify_meeting(meeting, "notice")
    audit_log(actor, "party_day.create", meeting,
              {"month": f"{month:%Y-%m}", "theme": theme.pk, "template": template.pk},
              organization_path=organization.path)
    return meeting, True


@transaction.atomic
def party_day_push(actor, organization: Organization, *, month: dt.date,
                   theme: PartyDayTheme, template: PartyDayTemplate) -> tuple[ThemePush, int]:
    """A district or street pushes a theme to every branch below it for `month`.

    Set-based: one query finds the branches without that month's themed day, one INSERT
    creates their events, one more their attendance lists; branches whose day is still open
    take the pushed theme. Idempotent: a second push of the month changes nothing.
    Returns the push and how many events it created.
    """
    _check_writable(actor, organization)
    month = _check_party_day_input(month, theme, template)
    push = ThemePush.objects.filter(organization=organization, month=month).first()
    if push is not None:
        if push.theme_id != theme.pk:
            raise ValidationError({"theme": [_(
                "A theme was already pushed for %(month)s: “%(theme)s”.") % {
                "month": f"{month:%Y-%m}", "theme": push.theme.title}]})
        return push, 0
    push = ThemePush.objects.create(organization=organization, theme=theme, template=template,
                                    month=month, created_by=actor)
    branches = Organization.objects.subtree_of(organization).filter(
        kind__in=rules.PARTY_DAY_ORG_KINDS)
    taken = Meeting.objects.filter(organization__in=branches, party_day_month=month)
    # Open days of the month take the pushed theme; held or cancelled ones keep their record.
    taken.filter(state__in=rules.OPEN_STATES).update(
        push=push, theme=theme, topic=theme.title, updated_at=timezone.now())
    days = dict(PartyDaySetting.objects.filter(organization__in=branches)
                .values_list("organization_id", "day_of_month"))
    new_ids = list(branches.exclude(pk__in=taken.values("organization_id"))
                   .values_list("pk", flat=True))
    meetings = [
        _party_day_meeting(org_id, month, days.get(org_id, rules.DEFAULT_PARTY_DAY), theme,
                           template, actor, push)
        for org_id in new_ids
    ]
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    # bulk_create sets primary keys on PostgreSQL and SQLite ≥ 3.35; read them back to be sure.
    meetings = list(Meeting.objects.filter(push=push, organization_id__in=new_ids))
    attendance_sync(meetings)
    _notify_members(
        Member.objects.filter(attendance__meeting__push=push,
                              attendance__status=AttendanceStatus.EXPECTED),
        kind="themed_day",
        title=render(_lazy("Themed Party Day this month: %(theme)s")) % {"theme": theme.title},
        body=theme.summary, url=reverse("meetings:mine"),
        dedupe_key=f"theme_push:{push.pk}", organization=organization,
    )
    audit_log(actor, "party_day.push", push,
              {"month": f"{month:%Y-%m}", "theme": theme.pk, "created": len(meetings)},
              organization_path=organization.path)
    return push, len(meetings)


# --- Scheduled work --------------------------------------------------------------------------


def _local_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def meetings_remind(day: dt.date) -> int:
    """Remind everyone expected at a notified meeting that starts the day after `day`.
    Idempotent (each meeting's reminder has its own dedupe key). Returns meetings reminded."""
    start, end = _local_day_bounds(day + dt.timedelta(days=1))
    meetings = list(Meeting.objects.filter(state=MeetingState.NOTIFIED, starts_at__gte=start,
                                           starts_at__lt=end).select_related("organization"))
    for meeting in meetings:
        _notify_meeting(meeting, "reminder")
    return len(meetings)


@transaction.atomic
def meetings_close(day: dt.date, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Close the record of meetings whose day is over (ended before `day` began).

    Notified meetings at which someone signed in or was marked present become held; those at
    which nobody did are cancelled ("nobody attended") and so do not count as held. Held
    meetings close too. Everyone still "not yet recorded" is marked absent. Idempotent.
    """
    now = now or timezone.now()
    start, _end = _local_day_bounds(day)
    due = Meeting.objects.filter(closed_at__isnull=True, ends_at__lt=start,
                                 state__in=(MeetingState.NOTIFIED, MeetingState.HELD))
    attended = Attendance.objects.filter(status=AttendanceStatus.PRESENT).values("meeting_id")
    held = due.filter(state=MeetingState.NOTIFIED, pk__in=attended).update(
        state=MeetingState.HELD, updated_at=now)
    cancelled = due.filter(state=MeetingState.NOTIFIED).update(
        state=MeetingState.CANCELLED, cancel_reason=_("Nobody attended."), closed_at=now,
        updated_at=now)
    closing = due.filter(state=MeetingState.HELD)
    absent = _mark_absentees(closing.values("pk"))
    closed = closing.update(closed_at=now, updated_at=now)
    return {"held": held, "cancelled": cancelled, "closed": closed, "absent": absent}
