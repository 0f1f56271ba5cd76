"""Study and training (教育培训): courses and forums, sessions, attendance, study hours,
exams, 红领学院 certificates, secondments and pairings, party workers' reports.

Study hours come from two sources only: attendance at a session (its hours when present)
and an individually recorded study (self-study, online) once it is approved. Required hours
per year are data (`StudyRequirement`), see `rules.py`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet


class CourseKind(models.TextChoices):
    FORUM = "forum", _("Leading Geese Forum")  # 头雁论坛
    ACADEMY = "academy", _("Red Collar Academy")  # 红领学院
    SECRETARY_TRAINING = "secretary_training", _("Secretary training")  # 书记培训班
    PARTY_CLASS = "party_class", _("Party class")  # 党课
    ONLINE = "online", _("Online study")  # 网络学习
    OTHER = "other", _("Other training")


class CourseQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Course(TimeStampedModel):
    """A class or forum run by an organization (头雁论坛, 红领学院 班, 书记培训班 …)."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organized by"),
        on_delete=models.PROTECT, related_name="courses",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Passing this course's exam earns the 红领学院 certificate (资格证书, 持证上岗).
    certifies = models.BooleanField(_("passing earns the certificate"), default=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["organization", "starts_on"],
                                name="course_org_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class SessionQuerySet(ScopedQuerySet):
    scope_path_lookup = "course__organization__path"


class Session(TimeStampedModel):
    """One sitting of a course: a date and time, a place and the study hours it is worth."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="sessions")
    title = models.CharField(_("topic"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    hours = models.DecimalField(_("study hours"), max_digits=4, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5"))])
    place = models.CharField(_("place"), max_length=120, blank=True)
    speaker = models.CharField(_("speaker"), max_length=60, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            # A session is worth 0.5 to 12 study hours (one day at most).
            models.CheckConstraint(
                condition=models.Q(hours__gte=Decimal("0.5")) & models.Q(hours__lte=12),
                name="session_hours_half_to_twelve",
            ),
        ]

    def __str__(self):
        return self.title


class EnrolmentQuerySet(ScopedQuerySet):
    scope_path_lookup = "course__organization__path"
    scope_member_lookup = "member"


class Enrolment(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"))

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="enrolment_once"),
        ]

    def __str__(self):
        return f"{self.member} · {self.course}"


class AttendanceQuerySet(ScopedQuerySet):
    scope_path_lookup = "session__course__organization__path"
    scope_member_lookup = "member"


class Attendance(models.Model):
    """Present or absent at one session; present earns the session's hours."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="training_attendance")
    present = models.BooleanField(_("present"))

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once"),
        ]
        indexes = [
            models.Index(fields=["member", "present"], name="training_attendance_member_idx"),
        ]

    def __str__(self):
        return f"{self.member} · {self.session}"


class StudyKind(models.TextChoices):
    SELF_STUDY = "self_study", _("Self-study")
    ONLINE = "online", _("Online course")
    OTHER = "other", _("Other study")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class StudyRecordQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class StudyRecord(TimeStampedModel):
    """Study a member did on their own (自学, 网络学习); counts once approved."""

    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="study_records")
    kind = models.CharField(_("kind"), max_length=16, choices=StudyKind.choices)
    title = models.CharField(_("what was studied"), max_length=120)
    studied_on = models.DateField(_("date"))
    hours = models.DecimalField(_("study hours"), max_digits=4, decimal_places=1)
    status = models.CharField(_("status"), max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.CharField(_("review comment"), max_length=200, blank=True)

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        ordering = ["-studied_on", "-id"]
        indexes = [models.Index(fields=["member", "status", "studied_on"],
                                name="study_member_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=Decimal("0.5")) & models.Q(hours__lte=12),
                name="study_hours_half_to_twelve",
            ),
        ]

    def __str__(self):
        return self.title


class RequirementGroup(models.TextChoices):
    MEMBER = "member", _("Party members")
    LEADER = "leader", _("Secretaries and committee members")


class StudyRequirement(models.Model):
    """Required study hours a year for a group, effective from a year (data, not code).

    Defaults (党员教育管理工作条例 2019 第十四条): members ≥32 学时; 基层党组织书记 and
    班子成员 ≥56 学时. A row applies from `effective_year` until a later row replaces it.
    """

    effective_year = models.PositiveSmallIntegerField(_("effective from year"))
    group = models.CharField(_("group"), max_length=16, choices=RequirementGroup.choices)
    hours = models.DecimalField(_("required hours"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("study requirement")
        verbose_name_plural = _("study requirements")
        ordering = ["group", "-effective_year"]
        constraints = [
            models.UniqueConstraint(fields=["effective_year", "group"],
                                    name="study_requirement_once_a_year"),
            models.CheckConstraint(condition=models.Q(hours__gt=0),
                                   name="study_requirement_positive"),
        ]

    def __str__(self):
        return f"{self.effective_year} {self.get_group_display()}: {self.hours}"


class ExamQuerySet(ScopedQuerySet):
    scope_path_lookup = "course__organization__path"


class Exam(TimeStampedModel):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.CASCADE,
                               related_name="exams")
    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    max_score = models.DecimalField(_("full marks"), max_digits=5, decimal_places=1,
                                    default=Decimal("100"))
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=1,
                                    default=Decimal("60"))

    objects = ExamQuerySet.as_manager()

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pass_mark__gt=0)
                & models.Q(pass_mark__lte=models.F("max_score")),
                name="exam_pass_mark_within_full_marks",
            ),
        ]

    def __str__(self):
        return self.title


class ExamScoreQuerySet(ScopedQuerySet):
    scope_path_lookup = "exam__course__organization__path"
    scope_member_lookup = "member"


class ExamScore(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="exam_scores")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1)
    # Kept with the score: the pass mark may be corrected later, a result is not.
    passed = models.BooleanField(_("passed"))

    objects = ExamScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("exam score")
        verbose_name_plural = _("exam scores")
        constraints = [
            models.UniqueConstraint(fields=["exam", "member"], name="exam_score_once"),
            models.CheckConstraint(condition=models.Q(score__gte=0),
                                   name="exam_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.member} {self.score}"


class CertificateQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"

    def valid_on(self, day):
        return self.filter(revoked=False, issued_on__lte=day, expires_on__gte=day)


class Certificate(TimeStampedModel):
    """红领学院 qualification certificate (资格证书) of a party worker: 持证上岗.

    Numbered `HL-<year>-<6-digit sequence>` per year of issue (see `rules.certificate_number`).
    """

    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.PROTECT, related_name="certificates")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="certificates")
    exam_score = models.OneToOneField(ExamScore, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="certificate")
    title = models.CharField(_("title"), max_length=120)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"))
    revoked = models.BooleanField(_("revoked"), default=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["member", "expires_on"], name="cert_member_expiry_idx")]
        constraints = [
            models.UniqueConstraint(fields=["member", "course"],
                                    name="certificate_once_per_course"),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("issued_on")),
                                   name="certificate_expires_after_issue"),
        ]

    def __str__(self):
        return self.number


class CertificateSequence(models.Model):
    """The last certificate number used in a year; bumped under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate sequence")

    def __str__(self):
        return f"{self.year}: {self.last}"


class PlacementKind(models.TextChoices):
    SECONDMENT = "secondment", _("Secondment")  # 挂职锻炼
    PAIRING = "pairing", _("Pairing")  # 结对


class PlacementQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class Placement(TimeStampedModel):
    """A secondment (挂职: 10 community secretaries to Shanghai) or a pairing (结对: 17
    secretaries paired with the province's 千名好支书)."""

    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.PROTECT, related_name="placements")
    kind = models.CharField(_("kind"), max_length=16, choices=PlacementKind.choices)
    counterpart = models.CharField(
        _("host unit or partner"), max_length=120,
        help_text=_("Where the secondment is, or whom the member is paired with."),
    )
    counterpart_unit = models.CharField(_("partner's unit"), max_length=120, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("secondment or pairing")
        verbose_name_plural = _("secondments and pairings")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.counterpart}"


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Annual work report")  # 党务专题述职
    RESEARCH = "research", _("Research report")  # 党建调研报告


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned")


class WorkReportQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class WorkReport(TimeStampedModel):
    """A party worker's yearly report: one 述职 and one 调研报告 a year (the seed)."""

    member = models.ForeignKey("members.Member", verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="work_reports")
    kind = models.CharField(_("kind"), max_length=16, choices=ReportKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices,
                              default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    objects = WorkReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-year", "member_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "year"],
                                    name="work_report_once_a_year"),
        ]

    def __str__(self):
        return self.title
