"""Scoped reads of training records, study hours and certification status.

Study hours are computed set-based: attendance hours and approved study grouped by member
in one query each, never one query per member.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from fengling.core.scoping import guard, path_q, scope_of
from fengling.members.models import Member, MemberRole, MemberRoleKind
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import CommitteePost, Organization, Post

from . import rules
from .models import (
    Attendance,
    Certificate,
    Course,
    Enrolment,
    Exam,
    ExamScore,
    Placement,
    ReviewStatus,
    Session,
    StudyRecord,
    StudyRequirement,
    WorkReport,
)

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=7, decimal_places=1)


# --- guards ---------------------------------------------------------------------------------


def access_course(user, pk, write: bool = False) -> Course:
    return guard(Course.objects.select_related("organization"), user, pk, write=write)


def access_session(user, pk, write: bool = False) -> Session:
    return guard(Session.objects.select_related("course__organization"), user, pk,
                 write=write)


def access_exam(user, pk, write: bool = False) -> Exam:
    return guard(Exam.objects.select_related("course__organization"), user, pk, write=write)


def access_certificate(user, pk) -> Certificate:
    return guard(Certificate.objects.select_related("member__organization",
                                                    "course__organization"), user, pk)


def access_study_record(user, pk, write: bool = False) -> StudyRecord:
    return guard(StudyRecord.objects.select_related("member__organization"), user, pk,
                 write=write)


def access_report(user, pk, write: bool = False) -> WorkReport:
    return guard(WorkReport.objects.select_related("member__organization", "reviewed_by"),
                 user, pk, write=write)


# --- years ----------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `year` in the local time zone, as aware datetimes."""
    tz = timezone.get_current_timezone()
    return (dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz))


def requirements() -> list[rules.Requirement]:
    return [rules.Requirement(r.effective_year, r.group, r.hours)
            for r in StudyRequirement.objects.all()]


def required_by_group(year: int) -> dict[str, Decimal]:
    """{'member': 32, 'leader': 56} for `year`, from the data (one query)."""
    rows = requirements()
    return {group: rules.required_hours(rows, year, group) or ZERO
            for group in ("member", "leader")}


# --- courses --------------------------------------------------------------------------------


def course_owner_choices(user, levels_below: int = 2):
    """Organizations where `user` may run a course: writable, the top of their write scope
    and `levels_below` levels under it (no Party groups or functional organizations)."""
    scope = scope_of(user)
    qs = Organization.objects.visible_to(user, write=True).exclude(
        kind__in=(OrgKind.PARTY_GROUP, OrgKind.FUNCTIONAL))
    if scope.everything:
        top = 1
    elif scope.write_paths:
        top = min(len(p) for p in scope.write_paths) // Organization.steplen
    else:
        return qs.none()
    return qs.filter(depth__lte=top + levels_below).order_by("path")


def course_list(user, *, kind: str = "", year: int | None = None):
    qs = Course.objects.visible_to(user).select_related("organization")
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(starts_on__year=year)
    # Counted in subqueries: two joins would multiply sessions by enrolments first.
    sessions = (Session.objects.filter(course=OuterRef("pk")).order_by().values("course")
                .annotate(n=Count("pk")).values("n"))
    enrolled = (Enrolment.objects.filter(course=OuterRef("pk")).order_by().values("course")
                .annotate(n=Count("pk")).values("n"))
    return qs.annotate(
        session_count=Coalesce(Subquery(sessions), Value(0)),
        enrolled_count=Coalesce(Subquery(enrolled), Value(0)),
    ).order_by("-starts_on", "-id")


@dataclass
class CoursePage:
    course: Course
    sessions: list
    enrolments: list
    exams: list
    can_write: bool


def course_page(user, pk) -> CoursePage:
    course = access_course(user, pk)
    sessions = list(course.sessions.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True))
    ).order_by("starts_at", "id"))
    enrolments = list(course.enrolments.select_related("member__organization")
                      .order_by("member__organization__path", "member__name"))
    exams = list(course.exams.annotate(
        scored=Count("scores"), passed_count=Count("scores", filter=Q(scores__passed=True)),
    ).order_by("held_on", "id"))
    can_write = scope_of(user).covers_path(course.organization.path, write=True)
    return CoursePage(course, sessions, enrolments, exams, can_write)


def session_roll(session: Session) -> list[tuple[Member, bool | None]]:
    """Every enrolled member with their attendance (None: not recorded yet); two queries."""
    marks = dict(session.attendance.values_list("member_id", "present"))
    members = Member.objects.filter(enrolments__course=session.course_id).select_related(
        "organization").order_by("organization__path", "name", "id")
    return [(m, marks.get(m.pk)) for m in members]


def exam_roll(exam: Exam) -> list[tuple[Member, ExamScore | None]]:
    scores = {s.member_id: s for s in exam.scores.all()}
    members = Member.objects.filter(enrolments__course=exam.course_id).select_related(
        "organization").order_by("organization__path", "name", "id")
    return [(m, scores.get(m.pk)) for m in members]


# --- study hours ----------------------------------------------------------------------------


def leader_q(prefix: str = "") -> Q:
    """A condition on Member: a secretary or committee member (班子成员), who must study 56
    hours (RULES Part A: "branch secretaries and committee members ≥56")."""
    pk = OuterRef(f"{prefix}pk")
    post = CommitteePost.objects.current().filter(member=pk)
    role = MemberRole.objects.filter(member=pk, role=MemberRoleKind.SECRETARY)
    return Q(Exists(post)) | Q(Exists(role))


def party_worker_q() -> Q:
    """A condition on Member: a party worker who must hold the 红领学院 certificate
    (持证上岗): a secretary or 专职党务工作者 by role, or a secretary / deputy on a committee."""
    pk = OuterRef("pk")
    role = MemberRole.objects.filter(
        member=pk, role__in=(MemberRoleKind.SECRETARY, MemberRoleKind.PARTY_WORKER))
    post = CommitteePost.objects.current().filter(
        member=pk, post__in=(Post.SECRETARY, Post.DEPUTY_SECRETARY))
    return Q(Exists(role)) | Q(Exists(post))


def _attended_sum(year: int):
    start, end = year_bounds(year)
    return (Attendance.objects.filter(member=OuterRef("pk"), present=True,
                                      session__starts_at__gte=start,
                                      session__starts_at__lt=end)
            .order_by().values("member").annotate(s=Sum("session__hours")).values("s"))


def _studied_sum(year: int):
    return (StudyRecord.objects.filter(member=OuterRef("pk"), status=ReviewStatus.APPROVED,
                                       studied_on__year=year)
            .order_by().values("member").annotate(s=Sum("hours")).values("s"))


def with_hours(members, year: int, required: dict[str, Decimal]):
    """Annotate a Member QuerySet with `attended`, `studied`, `done`, `is_leader`,
    `required` for `year` (correlated subqueries: use on a page of rows)."""
    return members.annotate(
        attended=Coalesce(Subquery(_attended_sum(year), output_field=HOURS),
                          Value(ZERO), output_field=HOURS),
        studied=Coalesce(Subquery(_studied_sum(year), output_field=HOURS),
                         Value(ZERO), output_field=HOURS),
        is_leader=leader_q(),
    ).annotate(
        done=F("attended") + F("studied"),
        required=Case(When(is_leader=True, then=Value(required["leader"])),
                      default=Value(required["member"]), output_field=HOURS),
    )


def member_hours_list(user, organization: Organization | None, year: int, *,
                      behind_only: bool = False):
    """Active members in scope (in `organization`'s subtree) with their hours for `year`."""
    required = required_by_group(year)
    qs = Member.objects.visible_to(user).active().select_related("organization")
    if organization is not None:
        qs = qs.in_subtree(organization.path)
    qs = with_hours(qs, year, required)
    if behind_only:
        qs = qs.filter(done__lt=F("required"))
    return qs.order_by("organization__path", "name", "id")


@dataclass
class HoursRollup:
    organization: Organization
    members: int = 0
    met: int = 0
    hours: Decimal = ZERO

    @property
    def rate(self) -> int | None:
        return round(100 * self.met / self.members) if self.members else None

    @property
    def average(self) -> Decimal | None:
        return (self.hours / self.members).quantize(Decimal("0.1")) if self.members else None


def _hours_by_member(paths: tuple[str, ...], year: int) -> dict[int, Decimal]:
    """Done hours of every member under `paths` in `year`: two grouped queries."""
    start, end = year_bounds(year)
    done: dict[int, Decimal] = defaultdict(lambda: ZERO)
    attended = (Attendance.objects.filter(path_q("member__organization__path", paths),
                                          present=True, session__starts_at__gte=start,
                                          session__starts_at__lt=end)
                .order_by().values_list("member_id").annotate(s=Sum("session__hours")))
    studied = (StudyRecord.objects.filter(path_q("member__organization__path", paths),
                                          status=ReviewStatus.APPROVED, studied_on__year=year)
               .order_by().values_list("member_id").annotate(s=Sum("hours")))
    for member_id, hours in [*attended, *studied]:
        done[member_id] += hours
    return done


def hours_rollup(organizations: list[Organization], year: int) -> list[HoursRollup]:
    """Required vs done for each organization's whole subtree (members counted where they
    belong; an organization's row includes everything below it). Four queries in all."""
    if not organizations:
        return []
    required = required_by_group(year)
    paths = tuple(sorted({o.path for o in organizations}))
    done = _hours_by_member(paths, year)
    members = (Member.objects.active().filter(path_q("organization__path", paths))
               .annotate(is_leader=leader_q()).order_by()
               .values_list("pk", "organization__path", "is_leader"))
    by_path = {o.path: HoursRollup(o) for o in organizations}
    lengths = sorted({len(p) for p in by_path})
    for pk, path, is_leader in members:
        hours = done.get(pk, ZERO)
        need = required["leader" if is_leader else "member"]
        for length in lengths:
            row = by_path.get(path[:length])
            if row is not None:
                row.members += 1
                row.hours += hours
                row.met += hours >= need
    return [by_path[o.path] for o in organizations]


def report_organizations(user, organization: Organization | None) -> tuple:
    """(the organization the report is about, its rows): an organization and its children,
    or the top of the user's scope."""
    scope = scope_of(user)
    if organization is None:
        roots = (Organization.objects.filter(depth=1) if scope.everything
                 else Organization.objects.filter(path__in=scope.read_paths))
        roots = list(roots.order_by("path"))
        if len(roots) == 1:
            organization = roots[0]
        else:
            return None, roots
    # Party groups and functional organizations hold no members of their own.
    children = list(Organization.objects.children_of(organization)
                    .exclude(kind__in=(OrgKind.PARTY_GROUP, OrgKind.FUNCTIONAL))
                    .order_by("path"))
    return organization, [organization, *children]


# --- one member -----------------------------------------------------------------------------


@dataclass
class MyStudy:
    member: Member
    year: int
    attended: list
    records: list
    certificates: list
    done: Decimal
    required: Decimal
    is_leader: bool
    missing: Decimal = field(default=ZERO)


def member_study(member: Member, year: int) -> MyStudy:
    """One member's study in `year`: attended sessions, own records, certificates, totals."""
    start, end = year_bounds(year)
    attended = list(Attendance.objects.filter(
        member=member, present=True, session__starts_at__gte=start, session__starts_at__lt=end,
    ).select_related("session__course").order_by("session__starts_at"))
    records = list(StudyRecord.objects.filter(member=member, studied_on__year=year)
                   .order_by("-studied_on", "-id"))
    certificates = list(Certificate.objects.filter(member=member).select_related("course"))
    is_leader = Member.objects.filter(pk=member.pk).filter(leader_q()).exists()
    required = required_by_group(year)["leader" if is_leader else "member"]
    done = (sum((a.session.hours for a in attended), ZERO)
            + sum((r.hours for r in records if r.status == ReviewStatus.APPROVED), ZERO))
    return MyStudy(member, year, attended, records, certificates, done, required, is_leader,
                   missing=max(required - done, ZERO))


def pending_study_records(user):
    """Study records awaiting review that `user` may review (write scope)."""
    return (StudyRecord.objects.visible_to(user, write=True)
            .filter(status=ReviewStatus.PENDING)
            .select_related("member__organization").order_by("studied_on", "id"))


# --- certification (持证上岗) ---------------------------------------------------------------


def _latest_expiry(today: dt.date):
    return (Certificate.objects.filter(member=OuterRef("pk"), revoked=False,
                                       issued_on__lte=today)
            .order_by().values("member").annotate(m=Max("expires_on")).values("m"))


def certification_list(user, *, status: str = "", today: dt.date | None = None,
                       organization: Organization | None = None):
    """Party workers in scope with `valid_until` (their latest certificate's end)."""
    today = today or timezone.localdate()
    qs = Member.objects.visible_to(user).active().filter(party_worker_q())
    if organization is not None:
        qs = qs.in_subtree(organization.path)
    latest = (Certificate.objects.filter(member=OuterRef("pk"), revoked=False,
                                         issued_on__lte=today)
              .order_by("-expires_on", "-id").values("pk")[:1])
    qs = qs.select_related("organization").annotate(
        valid_until=Subquery(_latest_expiry(today)), certificate_id=Subquery(latest))
    soon = today + dt.timedelta(days=rules.EXPIRING_WITHIN_DAYS)
    conditions = {
        rules.UNCERTIFIED: Q(valid_until__isnull=True),
        rules.EXPIRED: Q(valid_until__lt=today),
        rules.EXPIRING: Q(valid_until__gte=today, valid_until__lt=soon),
        rules.CERTIFIED: Q(valid_until__gte=soon),
    }
    if status in conditions:
        qs = qs.filter(conditions[status])
    return qs.order_by("organization__path", "name", "id"), conditions


def certification_counts(user, *, today: dt.date | None = None,
                         organization: Organization | None = None) -> dict[str, int]:
    qs, conditions = certification_list(user, today=today, organization=organization)
    return qs.order_by().aggregate(
        total=Count("pk"), **{k: Count("pk", filter=c) for k, c in conditions.items()}
    )


def certificate_list(user):
    return Certificate.objects.visible_to(user).select_related(
        "member__organization", "course").order_by("-issued_on", "-id")


# --- placements and reports -----------------------------------------------------------------


def placement_list(user, *, kind: str = ""):
    qs = Placement.objects.visible_to(user).select_related("member__organization")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-starts_on", "-id")


def report_list(user, *, status: str = "", year: int | None = None, kind: str = ""):
    qs = WorkReport.objects.visible_to(user).select_related("member__organization")
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "member__organization__path", "member__name", "kind", "id")


def enrolable_members(course: Course):
    """Active members of the course organization's subtree not yet enrolled."""
    return (Member.objects.active().in_subtree(course.organization.path)
            .exclude(enrolments__course=course).select_related("organization")
            .order_by("organization__path", "name", "id"))




# --- one member's record (锋领e家) ------------------------------------------------------------


def member_sessions_in(member_id: int, year: int):
    """Training sessions of `year` the member attended (present), newest first."""
    start, end = year_bounds(year)
    return (Attendance.objects.filter(member_id=member_id, present=True,
                                      session__starts_at__gte=start, session__starts_at__lt=end)
            .select_related("session__course").order_by("-session__starts_at", "-id"))


def member_study_records_in(member_id: int, year: int):
    """The member's own study records (自学) of `year`, newest first."""
    return StudyRecord.objects.filter(member_id=member_id, studied_on__year=year).order_by(
        "-studied_on", "-id")


def member_certificates_in(member_id: int, year: int):
    """Certificates issued to the member in `year`, newest first."""
    return (Certificate.objects.filter(member_id=member_id, issued_on__year=year)
            .select_related("course").order_by("-issued_on", "-id"))


def member_hours_summary(member_id: int, year: int, today: dt.date) -> dict:
    """Hours done vs required in `year` (32 or 56, RULES Part A) and the member's valid
    certificates: three queries (requirements, one annotated member row, certificates)."""
    required = required_by_group(year)
    row = (with_hours(Member.objects.filter(pk=member_id), year, required)
           .values("done", "required").first())
    certificates = Certificate.objects.filter(member_id=member_id, revoked=False,
                                              expires_on__gte=today).count()
    if row is None:
        return {"done": ZERO, "required": required["member"], "certificates": certificates}
    return {"done": row["done"], "required": row["required"], "certificates": certificates}
