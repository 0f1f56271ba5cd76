"""Writes of the training module: one transaction each, validated, audited.

Validation errors are `ValidationError`s with translated messages; nothing is changed when
one is raised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of
from fengling.members.models import ACTIVE_STATUSES, Member
from fengling.organizations.models import Organization

from . import rules
from .models import (
    Attendance,
    Certificate,
    CertificateSequence,
    Course,
    CourseKind,
    Enrolment,
    Exam,
    ExamScore,
    Placement,
    ReportStatus,
    ReviewStatus,
    Session,
    StudyRecord,
    StudyRequirement,
    WorkReport,
)


def _can_write(actor, path: str) -> bool:
    return scope_of(actor).covers_path(path, write=True)


def _require_write(actor, path: str) -> None:
    if not _can_write(actor, path):
        raise PermissionDenied


def _hours(value) -> Decimal:
    hours = Decimal(str(value))
    if hours < Decimal("0.5") or hours > 12:
        raise ValidationError({"hours": [_("Study hours must be between 0.5 and 12.")]})
    if hours * 2 != int(hours * 2):
        raise ValidationError({"hours": [_("Study hours are counted in half hours.")]})
    return hours


# --- courses, sessions, enrolment, attendance -----------------------------------------------


@transaction.atomic
def course_create(actor, *, organization: Organization, kind: str, title: str,
                  starts_on: dt.date, ends_on: dt.date | None = None, description: str = "",
                  certifies: bool | None = None) -> Course:
    _require_write(actor, organization.path)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("A course cannot end before it starts.")]})
    if certifies is None:
        certifies = kind == CourseKind.ACADEMY
    course = Course.objects.create(organization=organization, kind=kind, title=title.strip(),
                                   starts_on=starts_on, ends_on=ends_on,
                                   description=description, certifies=certifies)
    audit_log(actor, "training.course.create", course, {"title": course.title},
              organization_path=organization.path)
    return course


@transaction.atomic
def session_add(actor, course: Course, *, title: str, starts_at: dt.datetime, hours,
                place: str = "", speaker: str = "") -> Session:
    _require_write(actor, course.organization.path)
    hours = _hours(hours)
    day = timezone.localtime(starts_at).date()
    if day < course.starts_on or (course.ends_on and day > course.ends_on):
        raise ValidationError(
            {"starts_at": [_("The session must fall within the course's dates.")]})
    session = Session.objects.create(course=course, title=title.strip(), starts_at=starts_at,
                                     hours=hours, place=place, speaker=speaker)
    audit_log(actor, "training.session.add", session,
              {"course": course.pk, "hours": str(hours)},
              organization_path=course.organization.path)
    return session


@transaction.atomic
def enrol_members(actor, course: Course, member_ids: Iterable[int],
                  today: dt.date | None = None) -> int:
    """Enrol members of the course organization's subtree; already enrolled are kept.
    Returns how many were added."""
    _require_write(actor, course.organization.path)
    ids = {int(i) for i in member_ids}
    found = set(Member.objects.filter(pk__in=ids, status__in=ACTIVE_STATUSES)
                .in_subtree(course.organization.path).values_list("pk", flat=True))
    if ids - found:
        raise ValidationError({"members": [
            _("Only active members of the organizing organization and below may be enrolled.")
        ]})
    have = set(course.enrolments.values_list("member_id", flat=True))
    new = sorted(ids - have)
    day = today or timezone.localdate()
    Enrolment.objects.bulk_create([Enrolment(course=course, member_id=m, enrolled_on=day)
                                   for m in new])
    if new:
        audit_log(actor, "training.enrol", course, {"members": new},
                  organization_path=course.organization.path)
    return len(new)


@transaction.atomic
def attendance_record(actor, session: Session, present_ids: Iterable[int],
                      now: dt.datetime | None = None) -> dict[str, int]:
    """Mark every enrolled member present (those in `present_ids`) or absent: one set-based
    write. Recording again replaces the marks. Returns the counts."""
    course = session.course
    _require_write(actor, course.organization.path)
    if session.starts_at > (now or timezone.now()):
        raise ValidationError(
            _("Attendance can be recorded once the session has started."))
    enrolled = set(course.enrolments.values_list("member_id", flat=True))
    present = {int(i) for i in present_ids}
    if present - enrolled:
        raise ValidationError(_("Only enrolled members can be marked present."))
    rows = [Attendance(session=session, member_id=m, present=m in present) for m in enrolled]
    Attendance.objects.bulk_create(rows, update_conflicts=True,
                                   unique_fields=["session", "member"],
                                   update_fields=["present"])
    counts = {"present": len(present), "absent": len(enrolled - present)}
    audit_log(actor, "training.attendance", session, counts,
              organization_path=course.organization.path)
    return counts


# --- individually recorded study -------------------------------------------------------------


@transaction.atomic
def study_record_add(actor, member: Member, *, kind: str, title: str, studied_on: dt.date,
                     hours, today: dt.date | None = None) -> StudyRecord:
    """A member records their own study (awaiting review); a writer over the member records
    it for them, approved at once (they are the reviewer)."""
    own = actor.member_id == member.pk
    writer = _can_write(actor, member.organization.path)
    if not (own or writer):
        raise PermissionDenied
    hours = _hours(hours)
    if studied_on > (today or timezone.localdate()):
        raise ValidationError({"studied_on": [_("The date cannot be in the future.")]})
    approved = writer and not own
    record = StudyRecord.objects.create(
        member=member, kind=kind, title=title.strip(), studied_on=studied_on, hours=hours,
        status=ReviewStatus.APPROVED if approved else ReviewStatus.PENDING,
        reviewed_by=actor if approved else None,
        reviewed_at=timezone.now() if approved else None,
    )
    audit_log(actor, "training.study.add", record, {"hours": str(hours)},
              organization_path=member.organization.path)
    return record


@transaction.atomic
def study_record_review(actor, record: StudyRecord, *, approve: bool,
                        comment: str = "") -> StudyRecord:
    _require_write(actor, record.member.organization.path)
    if actor.member_id == record.member_id:
        raise ValidationError(_("You cannot review your own study record."))
    if record.status != ReviewStatus.PENDING:
        raise ValidationError(_("This study record has already been reviewed."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": [_("Say why the record is rejected.")]})
    record.status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    record.reviewed_by = actor
    record.reviewed_at = timezone.now()
    record.review_comment = comment.strip()
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment",
                               "updated_at"])
    audit_log(actor, "training.study.review", record, {"status": record.status},
              organization_path=record.member.organization.path)
    return record


@transaction.atomic
def study_requirement_set(actor, *, effective_year: int, group: str, hours) -> StudyRequirement:
    """Change the required hours from a year on (district administrators only)."""
    if not scope_of(actor).everything and not Organization.objects.filter(
        depth=1, path__in=scope_of(actor).write_paths
    ).exists():
        raise PermissionDenied
    hours = Decimal(str(hours))
    if hours <= 0:
        raise ValidationError({"hours": [_("Required hours must be more than zero.")]})
    row, _created = StudyRequirement.objects.update_or_create(
        effective_year=effective_year, group=group, defaults={"hours": hours})
    audit_log(actor, "training.requirement.set", row, {"hours": str(hours)})
    return row


# --- exams and certificates -----------------------------------------------------------------


@transaction.atomic
def exam_create(actor, course: Course, *, title: str, held_on: dt.date,
                pass_mark=Decimal("60"), max_score=Decimal("100")) -> Exam:
    _require_write(actor, course.organization.path)
    pass_mark, max_score = Decimal(str(pass_mark)), Decimal(str(max_score))
    if max_score <= 0 or pass_mark <= 0 or pass_mark > max_score:
        raise ValidationError({"pass_mark": [
            _("The pass mark must be above zero and not above full marks.")]})
    exam = Exam.objects.create(course=course, title=title.strip(), held_on=held_on,
                               pass_mark=pass_mark, max_score=max_score)
    audit_log(actor, "training.exam.create", exam, {"pass_mark": str(pass_mark)},
              organization_path=course.organization.path)
    return exam


def _next_certificate_number(year: int) -> str:
    """The year's next number under a row lock: concurrent issues never share one."""
    CertificateSequence.objects.get_or_create(year=year)
    CertificateSequence.objects.select_for_update().filter(year=year).update(
        last=F("last") + 1)
    last = CertificateSequence.objects.get(year=year).last
    return rules.certificate_number(year, last)


def _certificate_title() -> str:
    # Printed on an official document: always in Chinese, whoever issues it.
    with translation.override("zh-hans"):
        return _("Party Worker Qualification Certificate")


@transaction.atomic
def certificate_issue(actor, *, member: Member, course: Course, issued_on: dt.date,
                      exam_score: ExamScore | None = None) -> Certificate:
    """Issue the course's certificate to `member` (once per course)."""
    existing = Certificate.objects.filter(member=member, course=course).first()
    if existing is not None:
        return existing
    certificate = Certificate.objects.create(
        number=_next_certificate_number(issued_on.year), member=member, course=course,
        exam_score=exam_score, title=_certificate_title(),
        issued_on=issued_on, expires_on=rules.certificate_expiry(issued_on),
    )
    audit_log(actor, "training.certificate.issue", certificate,
              {"number": certificate.number, "member": member.pk},
              organization_path=member.organization.path)
    return certificate


@transaction.atomic
def certificate_revoke(actor, certificate: Certificate, reason: str) -> Certificate:
    """Withdraw a certificate (the worker no longer qualifies); only the issuing side may."""
    _require_write(actor, certificate.course.organization.path)
    if certificate.revoked:
        raise ValidationError(_("This certificate is already revoked."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the certificate is revoked.")]})
    certificate.revoked = True
    certificate.save(update_fields=["revoked", "updated_at"])
    audit_log(actor, "training.certificate.revoke", certificate,
              {"number": certificate.number, "reason": reason.strip()},
              organization_path=certificate.member.organization.path)
    return certificate


@transaction.atomic
def exam_score_record(actor, exam: Exam, member: Member, score) -> ExamScore:
    """Record (or correct) a member's score. Passing a certifying course's exam issues the
    certificate (红领学院: "合格后给予资格证书")."""
    course = exam.course
    _require_write(actor, course.organization.path)
    if not Enrolment.objects.filter(course=course, member=member).exists():
        raise ValidationError({"member": [_("Only enrolled members can sit the exam.")]})
    score = Decimal(str(score))
    try:
        passed = rules.exam_passed(score, exam.pass_mark, exam.max_score)
    except rules.ScoreError:
        raise ValidationError({"score": [
            _("The score must be between 0 and %(max)s.") % {"max": exam.max_score}
        ]}) from None
    row, _created = ExamScore.objects.update_or_create(
        exam=exam, member=member, defaults={"score": score, "passed": passed})
    audit_log(actor, "training.exam.score", row, {"score": str(score), "passed": passed},
              organization_path=course.organization.path)
    if not course.certifies:
        return row
    # A corrected score moves the certificate it earned with it: a pass corrected to a fail
    # withdraws it, a fail corrected back to a pass restores it (same number).
    earned = Certificate.objects.filter(exam_score=row).first()
    if passed and earned is None:
        certificate_issue(actor, member=member, course=course, issued_on=exam.held_on,
                          exam_score=row)
    elif earned is not None and earned.revoked == passed:
        earned.revoked = not passed
        earned.save(update_fields=["revoked", "updated_at"])
        audit_log(actor, "training.certificate.reinstate" if passed
                  else "training.certificate.revoke", earned,
                  {"number": earned.number, "reason": "exam score corrected",
                   "score": str(score)},
                  organization_path=member.organization.path)
    return row


# --- secondments and pairings ---------------------------------------------------------------


@transaction.atomic
def placement_create(actor, member: Member, *, kind: str, counterpart: str,
                     starts_on: dt.date, ends_on: dt.date | None = None,
                     counterpart_unit: str = "", notes: str = "") -> Placement:
    _require_write(actor, member.organization.path)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The end date cannot be before the start.")]})
    placement = Placement.objects.create(
        member=member, kind=kind, counterpart=counterpart.strip(),
        counterpart_unit=counterpart_unit.strip(), starts_on=starts_on, ends_on=ends_on,
        notes=notes)
    audit_log(actor, "training.placement.create", placement, {"kind": kind},
              organization_path=member.organization.path)
    return placement


# --- party workers' reports (述职, 调研报告) ---------------------------------------------------


def _may_author(actor, member: Member) -> bool:
    return actor.member_id == member.pk or _can_write(actor, member.organization.path)


@transaction.atomic
def report_save(actor, member: Member, *, kind: str, year: int, title: str, body: str,
                report: WorkReport | None = None) -> WorkReport:
    """Create or edit a report; only drafts and returned reports can be edited."""
    if not _may_author(actor, member):
        raise PermissionDenied
    if not title.strip() or not body.strip():
        raise ValidationError(_("A report needs a title and a text."))
    if report is None:
        if WorkReport.objects.filter(member=member, kind=kind, year=year).exists():
            raise ValidationError(_("This report already exists for that year."))
        report = WorkReport(member=member, kind=kind, year=year)
    elif report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("A submitted report can no longer be edited."))
    report.title, report.body = title.strip(), body
    report.save()
    audit_log(actor, "training.report.save", report, {"kind": kind, "year": year},
              organization_path=member.organization.path)
    return report


@transaction.atomic
def report_transition(actor, report: WorkReport, action: str, comment: str = "") -> WorkReport:
    """submit (the author), accept or return (a reviewer who is not the author)."""
    target = rules.report_next_state(report.status, action)
    if target is None:
        raise ValidationError(_("This step is not possible in the report's present state."))
    member = report.member
    if action in rules.AUTHOR_ACTIONS:
        if not _may_author(actor, member):
            raise PermissionDenied
        report.submitted_at = timezone.now()
    else:
        _require_write(actor, member.organization.path)
        if actor.member_id == member.pk:
            raise ValidationError(_("You cannot review your own report."))
        if action == "return" and not comment.strip():
            raise ValidationError({"comment": [_("Say what should be improved.")]})
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.review_comment = comment.strip()
    before = report.status
    report.status = target
    report.save()
    audit_log(actor, f"training.report.{action}", report, {"from": before, "to": target},
              organization_path=member.organization.path)
    return report
