"""Training services: validation, enrolment, attendance, exams, certificates, reports."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fengling.core.models import AuditEntry
from fengling.members.models import MemberRole, MemberRoleKind
from fengling.training import rules, services
from fengling.training.models import (
    Certificate,
    CertificateSequence,
    CourseKind,
    ExamScore,
    ReportKind,
    ReportStatus,
    StudyKind,
    WorkReport,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def test_course_created_by_a_writer_is_audited(cast):
    course = services.course_create(cast.community_secretary, organization=cast.community_a,
                                    kind=CourseKind.FORUM, title="头雁论坛",
                                    starts_on=dt.date(2026, 5, 1))
    assert not course.certifies  # only 红领学院 certifies by default
    assert AuditEntry.objects.filter(action="training.course.create").count() == 1


@pytest.mark.parametrize("who", ["auditor", "outsider_secretary", "member"])
def test_course_in_an_organization_outside_write_scope_is_refused(cast, who):
    with pytest.raises(PermissionDenied):
        services.course_create(getattr(cast, who), organization=cast.community_a,
                               kind=CourseKind.FORUM, title="x", starts_on=dt.date(2026, 5, 1))


@pytest.mark.parametrize("hours", ["0", "0.4", "12.5", "1.3"])
def test_session_hours_are_half_hours_between_half_and_twelve(cast, training, hours):
    with pytest.raises(ValidationError):
        services.session_add(cast.district_admin, training.course, title="x",
                             starts_at=at(2026, 5, 1), hours=D(hours))


def test_session_outside_the_course_dates_is_refused(cast, training):
    with pytest.raises(ValidationError, match="课程|course"):
        services.session_add(cast.district_admin, training.course, title="x",
                             starts_at=at(2026, 7, 1), hours=2)


def test_enrolment_takes_only_members_of_the_organizing_subtree(cast, training):
    with pytest.raises(ValidationError):
        services.enrol_members(cast.district_admin, training.course, [cast.member_b.pk])
    assert training.course.enrolments.count() == 2
    assert services.enrol_members(cast.district_admin, training.course,
                                  [cast.member_a.pk, cast.member_a2.pk]) == 1


def test_attendance_before_the_session_starts_is_refused(cast, training):
    with pytest.raises(ValidationError):
        services.attendance_record(cast.district_admin, training.session1, [],
                                   now=at(2026, 3, 9))
    assert not training.session1.attendance.exists()


def test_only_enrolled_members_can_be_marked_present(cast, training):
    with pytest.raises(ValidationError):
        services.attendance_record(cast.district_admin, training.session1,
                                   [cast.member_a2.pk], now=at(2026, 11, 1))


def test_study_in_the_future_or_by_someone_else_is_refused(cast):
    with pytest.raises(ValidationError):
        services.study_record_add(cast.member, cast.member_a, kind=StudyKind.ONLINE,
                                  title="x", studied_on=dt.date(2026, 12, 1), hours=1,
                                  today=dt.date(2026, 11, 24))
    with pytest.raises(PermissionDenied):
        services.study_record_add(cast.member, cast.secretary_a_member, kind=StudyKind.ONLINE,
                                  title="x", studied_on=dt.date(2026, 11, 1), hours=1)


def test_a_secretary_cannot_approve_their_own_study(cast):
    record = services.study_record_add(cast.branch_secretary, cast.secretary_a_member,
                                       kind=StudyKind.ONLINE, title="x",
                                       studied_on=dt.date(2026, 11, 1), hours=1,
                                       today=dt.date(2026, 11, 24))
    assert record.status == "pending"
    with pytest.raises(ValidationError):
        services.study_record_review(cast.branch_secretary, record, approve=True)
    services.study_record_review(cast.community_secretary, record, approve=True)
    record.refresh_from_db()
    assert record.status == "approved"


def test_rejecting_needs_a_reason(cast):
    record = services.study_record_add(cast.member, cast.member_a, kind=StudyKind.ONLINE,
                                       title="x", studied_on=dt.date(2026, 11, 1), hours=1,
                                       today=dt.date(2026, 11, 24))
    with pytest.raises(ValidationError):
        services.study_record_review(cast.branch_secretary, record, approve=False)
    record.refresh_from_db()
    assert record.status == "pending"


# --- exams and certificates -----------------------------------------------------------------


@pytest.mark.parametrize(("score", "passed"), [("59.9", False), ("60", True), ("100", True)])
def test_scores_at_the_pass_mark_pass(cast, training, score, passed):
    row = services.exam_score_record(cast.district_admin, training.exam, cast.member_a, score)
    assert row.passed is passed
    assert Certificate.objects.filter(member=cast.member_a).exists() is passed


@pytest.mark.parametrize("score", ["-1", "100.5"])
def test_scores_outside_the_range_change_nothing(cast, training, score):
    with pytest.raises(ValidationError):
        services.exam_score_record(cast.district_admin, training.exam, cast.member_a, score)
    assert not ExamScore.objects.exists()


def test_only_enrolled_members_sit_the_exam(cast, training):
    with pytest.raises(ValidationError):
        services.exam_score_record(cast.district_admin, training.exam, cast.member_a2, "90")


def test_exam_pass_mark_must_be_within_full_marks(cast, training):
    with pytest.raises(ValidationError):
        services.exam_create(cast.district_admin, training.course, title="x",
                             held_on=dt.date(2026, 6, 1), pass_mark=120, max_score=100)


def test_passing_issues_one_numbered_certificate(cast, training):
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "85")
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "90")
    services.exam_score_record(cast.district_admin, training.exam, cast.secretary_a_member,
                               "75")
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == ["HL-2026-000001", "HL-2026-000002"]
    cert = Certificate.objects.get(member=cast.member_a)
    assert cert.issued_on == dt.date(2026, 6, 30)
    assert cert.expires_on == dt.date(2029, 6, 29)


def test_a_score_corrected_to_a_fail_withdraws_the_certificate_it_earned(cast, training):
    """85 issues the certificate; corrected to 40 it is withdrawn (the worker is no longer
    certified, audited); corrected back to 80 the same certificate is valid again."""
    from fengling.core.models import AuditEntry

    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "85")
    cert = Certificate.objects.get(member=cast.member_a)
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "40")
    cert.refresh_from_db()
    assert cert.revoked
    assert not Certificate.objects.valid_on(dt.date(2026, 7, 1)).filter(
        member=cast.member_a).exists()
    assert AuditEntry.objects.filter(action="training.certificate.revoke",
                                     object_id=str(cert.pk)).exists()
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "80")
    assert list(Certificate.objects.filter(member=cast.member_a)
                .values_list("number", "revoked")) == [(cert.number, False)]


def test_certificate_numbers_are_unique_and_count_per_year(cast, training):
    course = training.course
    a = services.certificate_issue(cast.district_admin, member=cast.member_a, course=course,
                                   issued_on=dt.date(2026, 6, 30))
    course2 = services.course_create(cast.district_admin, organization=cast.community_a,
                                     kind=CourseKind.ACADEMY, title="第二期",
                                     starts_on=dt.date(2027, 1, 1))
    b = services.certificate_issue(cast.district_admin, member=cast.member_a, course=course2,
                                   issued_on=dt.date(2027, 1, 10))
    c = services.certificate_issue(cast.district_admin, member=cast.secretary_a_member,
                                   course=course2, issued_on=dt.date(2027, 1, 10))
    assert [a.number, b.number, c.number] == ["HL-2026-000001", "HL-2027-000001",
                                              "HL-2027-000002"]
    assert CertificateSequence.objects.get(year=2027).last == 2
    for cert in (a, b, c):
        assert rules.parse_certificate_number(cert.number) is not None


def test_a_non_certifying_course_issues_no_certificate(cast, training):
    training.course.certifies = False
    training.course.save()
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "95")
    assert not Certificate.objects.exists()


# --- reports ----------------------------------------------------------------------------------


def test_report_workflow_draft_submit_return_submit_accept(cast):
    MemberRole.objects.create(member=cast.secretary_a_member, role=MemberRoleKind.SECRETARY)
    author = cast.branch_secretary
    report = services.report_save(author, cast.secretary_a_member, kind=ReportKind.ANNUAL,
                                  year=2026, title="2026年党务专题述职", body="一年来……")
    assert report.status == ReportStatus.DRAFT
    services.report_transition(author, report, "submit")
    with pytest.raises(ValidationError):  # own report
        services.report_transition(author, report, "accept")
    with pytest.raises(ValidationError):  # returning needs a comment
        services.report_transition(cast.community_secretary, report, "return")
    with pytest.raises(PermissionDenied):  # read-only
        services.report_transition(cast.auditor, report, "accept")
    services.report_transition(cast.community_secretary, report, "return", "补充数据")
    assert report.status == ReportStatus.RETURNED
    services.report_save(author, cast.secretary_a_member, kind=ReportKind.ANNUAL, year=2026,
                         title="2026年党务专题述职", body="修改后", report=report)
    services.report_transition(author, report, "submit")
    services.report_transition(cast.community_secretary, report, "accept", "同意")
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED
    assert report.reviewed_by == cast.community_secretary
    with pytest.raises(ValidationError):
        services.report_save(author, cast.secretary_a_member, kind=ReportKind.ANNUAL,
                             year=2026, title="x", body="y", report=report)
    with pytest.raises(ValidationError):
        services.report_transition(author, report, "submit")


def test_one_report_of_a_kind_a_year(cast):
    services.report_save(cast.member, cast.member_a, kind=ReportKind.RESEARCH, year=2026,
                         title="调研", body="正文")
    with pytest.raises(ValidationError):
        services.report_save(cast.member, cast.member_a, kind=ReportKind.RESEARCH, year=2026,
                             title="调研2", body="正文")
    assert WorkReport.objects.count() == 1


def test_placement_dates_are_checked(cast):
    with pytest.raises(ValidationError):
        services.placement_create(cast.district_admin, cast.member_a, kind="secondment",
                                  counterpart="上海市某街道", starts_on=dt.date(2026, 5, 1),
                                  ends_on=dt.date(2026, 4, 1))
    with pytest.raises(PermissionDenied):
        services.placement_create(cast.outsider_secretary, cast.member_a, kind="pairing",
                                  counterpart="千名好支书", starts_on=dt.date(2026, 5, 1))
