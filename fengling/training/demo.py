"""One year of demo training records for the seeded district (issue 4 item 9).

Called by `fengling seed` after the tree and members are loaded, inside its transaction.
Like the demo loader it writes the tables directly with bulk inserts (the services would
take minutes at district scale); everything is derived from the seeded rows and `seed`, so
the same seed and date give the same records. What it creates, for the year of `as_of` up
to that day:

- 红领学院: one certifying class of the district for the party workers (≈85% enrolled),
  3 sessions of 8 hours, an exam (pass mark 60) and a certificate for each pass; most of
  the others hold a certificate from three years ago that expires within 90 days;
- 头雁论坛: two 4-hour sessions for the secretaries;
- 党课: each grassroots committee holds one course of 4 four-hour sessions for all
  its members (present ≈85%);
- own study: enough for about nine in ten members to keep pace with their 32 / 56 学时
  (5–15 records of 3–5 hours), 1–4 short ones for the rest; mostly approved, a few
  awaiting review;
- 10 secondments to Shanghai and 17 pairings with 千名好支书 (the seed's figures);
- each party worker's 述职 and 调研报告: last year's reviewed, this year's in every state.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from fengling.core.bulk import insert_rows
from fengling.members.models import ACTIVE_STATUSES, Member, MemberRole, MemberRoleKind
from fengling.organizations.kinds import COMMITTEE_KINDS
from fengling.organizations.models import CommitteePost, Organization

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
    PlacementKind,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    Session,
    StudyKind,
    StudyRecord,
    WorkReport,
)
from .selectors import party_worker_q

BATCH = 2000
CERTIFICATE_TITLE = "党务工作者资格证书"


def _bulk(model, rows):
    return model.objects.bulk_create(rows, batch_size=BATCH)


def load_training(as_of: dt.date, seed: int) -> dict[str, int]:
    rng = random.Random(seed * 7 + 4)
    tz = ZoneInfo(settings.TIME_ZONE)
    year = as_of.year
    jan1 = dt.date(year, 1, 1)
    span = max((as_of - jan1).days, 0)

    def day(fraction: float) -> dt.date:
        return jan1 + dt.timedelta(days=int(span * fraction))

    def moment(fraction: float, hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(day(fraction), dt.time(hour), tzinfo=tz)

    district = Organization.objects.filter(depth=1).order_by("path").first()
    if district is None:
        return {}
    members = list(Member.objects.filter(status__in=ACTIVE_STATUSES).order_by("pk")
                   .values_list("pk", "organization__path"))
    workers = list(Member.objects.filter(status__in=ACTIVE_STATUSES).filter(party_worker_q())
                   .order_by("pk").values_list("pk", flat=True))
    secretaries = list(MemberRole.objects.filter(role=MemberRoleKind.SECRETARY)
                       .order_by("member_id").values_list("member_id", flat=True))

    def course(org_id, kind, title, starts, certifies=False, ends=None):
        return Course(organization_id=org_id, kind=kind, title=title, starts_on=starts,
                      ends_on=ends, certifies=certifies)

    # Courses first (one insert), then their sessions.
    academy = course(district.pk, CourseKind.ACADEMY, f"红领学院{year}年党务工作者培训班",
                     day(0.2), certifies=True, ends=day(0.5))
    old_academy = course(district.pk, CourseKind.ACADEMY, f"红领学院{year - 3}年党务工作者培训班",
                         dt.date(year - 3, 1, 1), certifies=True)
    forum = course(district.pk, CourseKind.FORUM, f"{year}年“头雁论坛”专题培训班", day(0.3),
                   ends=day(0.6))
    committees = list(Organization.objects.filter(kind__in=COMMITTEE_KINDS)
                      .order_by("path").values_list("pk", "path", "name"))
    classes = [course(pk, CourseKind.PARTY_CLASS, f"{name}{year}年党课", jan1)
               for pk, _path, name in committees]
    courses = _bulk(Course, [academy, old_academy, forum, *classes])
    academy, old_academy, forum, classes = courses[0], courses[1], courses[2], courses[3:]

    sessions: list[Session] = []
    sessions += [Session(course=academy, title=topic, starts_at=moment(f), hours=8,
                         place="海曙区委党校") for topic, f in
                 (("党务工作基础", 0.25), ("组织生活规范", 0.3), ("党费与档案管理", 0.35))]
    sessions += [Session(course=forum, title=topic, starts_at=moment(f, 14), hours=4,
                         place="海曙区委党校", speaker="专家学者") for topic, f in
                 (("区域融合后的基层治理创新", 0.35), ("新型社区建设", 0.55))]
    quarter_points = [f for f in (0.1, 0.35, 0.6, 0.85) if f <= 1]
    for party_class in classes:
        for n, f in enumerate(quarter_points, 1):
            sessions.append(Session(course=party_class, title=f"第{n}季度党课",
                                    starts_at=moment(f, 19), hours=4))
    sessions = _bulk(Session, sessions)
    by_course: dict[int, list[Session]] = {}
    for s in sessions:
        by_course.setdefault(s.course_id, []).append(s)

    enrolments: list[tuple] = []
    attendance: list[tuple] = []
    date_value = connection.ops.adapt_datefield_value

    def enrol(c, member_ids, present_rate):
        on = date_value(c.starts_on)
        course_sessions = [s.pk for s in by_course.get(c.pk, [])]
        for m in member_ids:
            enrolments.append((c.pk, m, on))
            for s in course_sessions:
                attendance.append((s, m, rng.random() < present_rate))

    academy_ids = [m for m in workers if rng.random() < 0.85]
    enrol(academy, academy_ids, 0.95)
    enrol(forum, secretaries, 0.9)
    # Each member takes the party class of the nearest committee above their home.
    committee_at = {path: c for (_pk, path, _n), c in zip(committees, classes, strict=True)}
    lengths = sorted({len(p) for p in committee_at}, reverse=True)
    members_of: dict[int, list[int]] = {}
    for pk, path in members:
        for length in lengths:
            c = committee_at.get(path[:length])
            if c is not None:
                members_of.setdefault(c.pk, []).append(pk)
                break
    for c in classes:
        enrol(c, members_of.get(c.pk, []), 0.85)
    insert_rows(Enrolment, ("course_id", "member_id", "enrolled_on"), enrolments)
    insert_rows(Attendance, ("session_id", "member_id", "present"), attendance)

    # Exam and certificates.
    exam = Exam.objects.create(course=academy, title="结业考试", held_on=day(0.5),
                               pass_mark=Decimal("60"))
    scores = [ExamScore(exam=exam, member_id=m, score=Decimal(rng.randint(45, 99)),
                        passed=False) for m in academy_ids]
    for s in scores:
        s.passed = rules.exam_passed(s.score, exam.pass_mark, exam.max_score)
    scores = _bulk(ExamScore, scores)
    certificates = []
    for n, s in enumerate([s for s in scores if s.passed], 1):
        certificates.append(Certificate(
            number=rules.certificate_number(year, n), member_id=s.member_id, course=academy,
            exam_score=s, title=CERTIFICATE_TITLE, issued_on=exam.held_on,
            expires_on=rules.certificate_expiry(exam.held_on)))
    CertificateSequence.objects.update_or_create(year=year,
                                                 defaults={"last": len(certificates)})
    old_issue = as_of - dt.timedelta(days=3 * 365 - 40)
    # Some who skipped this year's class hold a certificate from three years ago.
    enrolled = set(academy_ids)
    old = [m for m in workers if m not in enrolled and rng.random() < 0.6]
    for n, m in enumerate(old, 1):
        certificates.append(Certificate(
            number=rules.certificate_number(old_issue.year, n), member_id=m,
            course=old_academy, title=CERTIFICATE_TITLE, issued_on=old_issue,
            expires_on=rules.certificate_expiry(old_issue)))
    CertificateSequence.objects.update_or_create(year=old_issue.year,
                                                 defaults={"last": len(old)})
    _bulk(Certificate, certificates)

    # Own study.
    records: list[tuple] = []
    kinds = [StudyKind.ONLINE, StudyKind.ONLINE, StudyKind.SELF_STUDY]
    titles = ["学习强国专题学习", "党员教育网络课程", "自学党章党规"]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    decimal_value = connection.ops.adapt_decimalfield_value
    # Most members keep pace with the year's requirement (32 学时, 56 for 班子成员 and
    # secretaries: RULES Part A "Study"); about one in ten lags behind, as the warnings
    # (`alerts.rules.study_hours_behind`) should show a branch: a few names, not everyone.
    leaders = set(secretaries) | set(
        CommitteePost.objects.current().filter(member__isnull=False)
        .values_list("member_id", flat=True))
    for pk, _path in members:
        if rng.random() < 0.10:
            count, low, high = rng.randint(1, 4), 2, 6  # 1–3 hours each
        else:
            count = rng.randint(10, 15) if pk in leaders else rng.randint(5, 9)
            low, high = 6, 10  # 3–5 hours each
        for _ in range(count):
            k = rng.randrange(3)
            status = ReviewStatus.PENDING if rng.random() < 0.05 else ReviewStatus.APPROVED
            records.append((
                pk, str(kinds[k]), titles[k], date_value(day(rng.random())),
                decimal_value(Decimal(rng.randint(low, high)) / 2, 4, 1), str(status), "",
                now, now))
    insert_rows(StudyRecord, ("member_id", "kind", "title", "studied_on", "hours", "status",
                          "review_comment", "created_at", "updated_at"), records)

    # Secondments and pairings (the seed: 10 to Shanghai, 17 paired with 千名好支书).
    placements = [Placement(member_id=m, kind=PlacementKind.SECONDMENT,
                            counterpart="上海市社区挂职锻炼", counterpart_unit="上海市",
                            starts_on=day(0.2), ends_on=day(0.2) + dt.timedelta(days=90))
                  for m in secretaries[:10]]
    placements += [Placement(member_id=m, kind=PlacementKind.PAIRING,
                             counterpart="浙江省“千名好支书”", starts_on=jan1)
                   for m in secretaries[10:27]]
    _bulk(Placement, placements)

    # Reports: last year's reviewed; this year's in every state.
    reports = []
    states = [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.REVIEWED,
              ReportStatus.RETURNED]
    for m in workers:
        for kind, title in ((ReportKind.ANNUAL, "党务专题述职"), (ReportKind.RESEARCH,
                                                                   "党建调研报告")):
            reports.append(WorkReport(member_id=m, kind=kind, year=year - 1,
                                      title=f"{year - 1}年{title}", body="（演示数据）",
                                      status=ReportStatus.REVIEWED))
            if rng.random() < 0.5:
                status = rng.choice(states)
                reports.append(WorkReport(
                    member_id=m, kind=kind, year=year, title=f"{year}年{title}",
                    body="（演示数据）", status=status,
                    review_comment="请补充具体数据。" if status == ReportStatus.RETURNED else ""))
    _bulk(WorkReport, reports)
    # Fresh planner statistics for the new tables, as the seed does for its own.
    with connection.cursor() as cursor:
        for model in (Course, Session, Enrolment, Attendance, StudyRecord, Certificate,
                      ExamScore, Placement, WorkReport):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"courses": len(courses), "sessions": len(sessions), "attendance": len(attendance),
            "study_records": len(records), "certificates": len(certificates)}
