"""Training pages: scope (outside 404, read-only 403), the flows a user walks, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.members.models import MemberRole, MemberRoleKind
from fengling.testing.factories import MemberFactory
from fengling.training import services
from fengling.training.models import (
    Attendance,
    Certificate,
    Course,
    CourseKind,
    ExamScore,
    Placement,
    ReportKind,
    StudyKind,
    StudyRecord,
    WorkReport,
)

from .conftest import at

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# --- scope matrix ---------------------------------------------------------------------------


def object_pages(t, cast):
    cert = services.certificate_issue(cast.district_admin, member=cast.member_a,
                                      course=t.course, issued_on=dt.date(2026, 6, 30))
    return {
        "course": reverse("training:course", args=[t.course.pk]),
        "session": reverse("training:session", args=[t.session1.pk]),
        "exam": reverse("training:exam", args=[t.exam.pk]),
        "certificate": reverse("training:certificate_pdf", args=[cert.pk]),
    }


@pytest.mark.parametrize("page", ["course", "session", "exam", "certificate"])
def test_outsider_gets_404_on_every_object_page(client, cast, training, page):
    url = object_pages(training, cast)[page]
    assert login(client, cast.outsider_secretary).get(url).status_code == 404


@pytest.mark.parametrize("page", ["course", "session", "exam", "certificate"])
@pytest.mark.parametrize("who", ["district_admin", "street_admin", "community_secretary",
                                 "auditor"])
def test_staff_in_scope_read_every_object_page(client, cast, training, page, who):
    url = object_pages(training, cast)[page]
    assert login(client, getattr(cast, who)).get(url).status_code == 200


def test_member_reads_own_certificate_but_not_the_course(client, cast, training):
    pages = object_pages(training, cast)
    c = login(client, cast.member)
    assert c.get(pages["certificate"]).status_code == 200
    assert c.get(pages["course"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [("session_add", {"title": "x", "starts_at": "2026-05-01T09:00", "hours": "2"}),
     ("exam_add", {"title": "x", "held_on": "2026-06-01", "max_score": "100",
                   "pass_mark": "60"}),
     ("enrol", {"member": ""})],
)
def test_read_only_writes_are_403_and_outside_404(client, cast, training, name, data):
    url = reverse(f"training:{name}", args=[training.course.pk])
    assert login(client, cast.auditor).post(url, data).status_code == 403
    assert login(client, cast.outsider_secretary).post(url, data).status_code == 404
    assert training.course.sessions.count() == 2
    assert training.course.exams.count() == 1


def test_read_only_cannot_record_attendance_or_scores(client, cast, training):
    c = login(client, cast.auditor)
    url = reverse("training:session", args=[training.session1.pk])
    assert c.post(url, {"present": [cast.member_a.pk]}).status_code == 403
    url = reverse("training:exam", args=[training.exam.pk])
    assert c.post(url, {f"score_{cast.member_a.pk}": "90"}).status_code == 403
    assert not Attendance.objects.exists() and not ExamScore.objects.exists()


@pytest.mark.parametrize("name", ["courses", "hours", "certification", "study_review",
                                  "placements"])
def test_staff_pages_are_refused_to_a_plain_member(client, cast, name):
    assert login(client, cast.member).get(reverse(f"training:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["courses", "hours", "certification", "study_review",
                                  "placements", "reports"])
def test_staff_pages_render(client, cast, training, name):
    response = login(client, cast.community_secretary).get(reverse(f"training:{name}"))
    assert response.status_code == 200
    assert "学习培训" in response.content.decode()  # the nav entry


@pytest.mark.parametrize("name", ["hours", "certification"])
def test_organization_filter_outside_scope_is_404(client, cast, name):
    url = reverse(f"training:{name}")
    response = login(client, cast.community_secretary).get(url, {"organization": cast.branch_b.pk})
    assert response.status_code == 404


def test_my_study_needs_a_member_record(client, cast):
    assert login(client, cast.auditor).get(reverse("training:my_study")).status_code == 404


def test_login_required(client):
    response = client.get(reverse("training:courses"))
    assert response.status_code == 302


def test_wrong_method_is_405(client, cast, training):
    c = login(client, cast.district_admin)
    assert c.get(reverse("training:session_add", args=[training.course.pk])).status_code == 405
    assert c.post(reverse("training:courses")).status_code == 405


# --- flows ----------------------------------------------------------------------------------


def test_course_create_and_page(client, cast):
    c = login(client, cast.community_secretary)
    response = c.post(reverse("training:course_create"), {
        "organization": cast.community_a.pk, "kind": CourseKind.FORUM, "title": "头雁论坛第一期",
        "starts_on": "2026-05-01", "ends_on": "2026-05-02"})
    course = Course.objects.get(title="头雁论坛第一期")
    assert response.status_code == 302
    page = c.get(reverse("training:course", args=[course.pk])).content.decode()
    assert "头雁论坛" in page and "望春社区党委" in page


def test_branch_secretary_runs_a_course_in_their_branch(client, cast):
    c = login(client, cast.branch_secretary)
    offered = [v for v, _l in c.get(reverse("training:course_create")).context["form"]
               .fields["organization"].choices]
    assert offered == [cast.branch_a.pk]
    response = c.post(reverse("training:course_create"), {
        "organization": cast.branch_a.pk, "kind": CourseKind.PARTY_CLASS, "title": "支部党课",
        "starts_on": "2026-05-01"})
    assert response.status_code == 302


def test_course_create_with_end_before_start_shows_the_error(client, cast):
    c = login(client, cast.community_secretary)
    response = c.post(reverse("training:course_create"), {
        "organization": cast.community_a.pk, "kind": CourseKind.FORUM, "title": "x",
        "starts_on": "2026-05-02", "ends_on": "2026-05-01"})
    assert response.status_code == 200
    assert "课程结束日期不能早于开始日期。" in response.content.decode()
    assert not Course.objects.exists()


def test_course_create_in_another_scope_is_refused(client, cast):
    c = login(client, cast.community_secretary)
    response = c.post(reverse("training:course_create"), {
        "organization": cast.community_b.pk, "kind": CourseKind.FORUM, "title": "x",
        "starts_on": "2026-05-02"})
    assert response.status_code == 200  # not a choice offered: a form error
    assert not Course.objects.exists()


def test_session_and_exam_added_from_the_course_page(client, cast, training):
    c = login(client, cast.community_secretary)
    response = c.post(reverse("training:session_add", args=[training.course.pk]), {
        "title": "党史专题", "starts_at": "2026-05-20T14:30", "hours": "2.5",
        "place": "社区党群服务中心"})
    assert response.status_code == 302
    session = training.course.sessions.get(title="党史专题")
    assert session.hours == 2.5
    assert session.starts_at == at(2026, 5, 20, 14, 30)
    response = c.post(reverse("training:session_add", args=[training.course.pk]), {
        "title": "x", "starts_at": "2026-08-20T14:30", "hours": "2"})
    assert response.status_code == 422
    assert "课次时间须在课程起止日期之内。" in response.content.decode()
    response = c.post(reverse("training:exam_add", args=[training.course.pk]), {
        "title": "补考", "held_on": "2026-06-30", "max_score": "100", "pass_mark": "70"})
    assert response.status_code == 302
    assert training.course.exams.count() == 2


def test_enrol_search_and_enrol(client, cast, training):
    c = login(client, cast.community_secretary)
    url = reverse("training:enrol", args=[training.course.pk])
    page = c.get(url, {"q": "王"}).content.decode()
    assert "王五" in page and "赵六" not in page
    assert c.post(url, {"member": [cast.member_a2.pk]}).status_code == 302
    assert training.course.enrolments.count() == 3


def test_attendance_roll_is_recorded(client, cast, training, time_machine):
    time_machine.move_to(at(2026, 11, 24))
    c = login(client, cast.community_secretary)
    url = reverse("training:session", args=[training.session1.pk])
    assert c.post(url, {"present": [cast.member_a.pk]}).status_code == 302
    marks = dict(Attendance.objects.values_list("member__name", "present"))
    assert marks == {"张三": True, "李四": False}
    page = c.get(url).content.decode()
    assert "checked" in page


def test_scores_all_or_nothing(client, cast, training):
    c = login(client, cast.community_secretary)
    url = reverse("training:exam", args=[training.exam.pk])
    response = c.post(url, {f"score_{cast.member_a.pk}": "90",
                            f"score_{cast.secretary_a_member.pk}": "120"})
    assert response.status_code == 422
    assert "成绩须在 0 至 100.0 之间。" in response.content.decode()
    assert not ExamScore.objects.exists() and not Certificate.objects.exists()
    response = c.post(url, {f"score_{cast.member_a.pk}": "90",
                            f"score_{cast.secretary_a_member.pk}": "50"})
    assert response.status_code == 302
    assert list(Certificate.objects.values_list("member__name", flat=True)) == ["张三"]


def test_my_study_shows_hours_and_records_study(client, cast, training, time_machine):
    time_machine.move_to(at(2026, 11, 24))
    services.attendance_record(cast.district_admin, training.session1, [cast.member_a.pk])
    c = login(client, cast.member)
    page = c.get(reverse("training:my_study"), {"year": 2026}).content.decode()
    assert "4.0" in page and "32" in page and "党章学习" in page
    response = c.post(reverse("training:my_study"), {
        "kind": StudyKind.ONLINE, "title": "学习强国专题", "studied_on": "2026-11-20",
        "hours": "2"})
    assert response.status_code == 302
    assert StudyRecord.objects.get().status == "pending"
    bad = c.post(reverse("training:my_study"), {
        "kind": StudyKind.ONLINE, "title": "x", "studied_on": "2026-11-20", "hours": "20"})
    assert bad.status_code == 422
    assert "学时须在 0.5 至 12 之间。" in bad.content.decode()


def test_study_review_approve(client, cast):
    record = services.study_record_add(cast.member, cast.member_a, kind=StudyKind.ONLINE,
                                       title="学习强国", studied_on=dt.date(2026, 1, 5), hours=2)
    c = login(client, cast.branch_secretary)
    assert "学习强国" in c.get(reverse("training:study_review")).content.decode()
    url = reverse("training:study_decide", args=[record.pk])
    assert login(client, cast.auditor).post(url, {"decision": "approve"}).status_code == 403
    assert login(client, cast.outsider_secretary).post(url, {"decision": "approve"}) \
        .status_code == 404
    login(client, cast.branch_secretary).post(url, {"decision": "approve"})
    record.refresh_from_db()
    assert record.status == "approved"


def test_certification_page_lists_party_workers_by_status(client, cast, training):
    MemberRole.objects.create(member=cast.member_a, role=MemberRoleKind.PARTY_WORKER)
    MemberRole.objects.create(member=cast.secretary_a_member, role=MemberRoleKind.SECRETARY)
    MemberRole.objects.create(member=cast.member_b, role=MemberRoleKind.SECRETARY)
    services.certificate_issue(cast.district_admin, member=cast.member_a, course=training.course,
                               issued_on=dt.date(2026, 6, 30))
    c = login(client, cast.community_secretary)
    response = c.get(reverse("training:certification"))
    assert response.context["counts"]["total"] == 2  # 赵六 is outside the scope
    assert response.context["counts"]["certified"] == 1
    assert response.context["counts"]["uncertified"] == 1
    names = [m.name for m, _s in c.get(reverse("training:certification"),
                                       {"status": "uncertified"}).context["rows"]]
    assert names == ["李四"]


def test_report_write_submit_review_by_pages(client, cast):
    c = login(client, cast.member)
    response = c.post(reverse("training:report_new"), {
        "kind": ReportKind.RESEARCH, "year": 2026, "title": "社区党建调研", "body": "调研内容"})
    report = WorkReport.objects.get()
    assert response.status_code == 302
    url = reverse("training:report", args=[report.pk])
    c.post(url, {"action": "submit"})
    report.refresh_from_db()
    assert report.status == "submitted"
    assert c.post(url, {"action": "accept"}).status_code == 403  # a member reads only
    assert login(client, cast.auditor).post(url, {"action": "accept"}).status_code == 403
    assert login(client, cast.outsider_secretary).get(url).status_code == 404
    s = login(client, cast.community_secretary)
    s.post(url, {"action": "return", "comment": ""})
    report.refresh_from_db()
    assert report.status == "submitted"  # returning needs a comment
    s.post(url, {"action": "return", "comment": "请补充数据"})
    report.refresh_from_db()
    assert report.status == "returned"
    assert "请补充数据" in login(client, cast.member).get(url).content.decode()


def test_placement_recorded_from_the_page(client, cast):
    MemberRole.objects.create(member=cast.secretary_a_member, role=MemberRoleKind.SECRETARY)
    c = login(client, cast.community_secretary)
    response = c.post(reverse("training:placements"), {
        "member": cast.secretary_a_member.pk, "kind": "secondment",
        "counterpart": "上海市静安区某街道", "starts_on": "2026-03-01", "ends_on": "2026-08-31"})
    assert response.status_code == 302
    assert Placement.objects.get().counterpart == "上海市静安区某街道"
    assert login(client, cast.auditor).post(reverse("training:placements"), {}).status_code == 403


# --- query counts ---------------------------------------------------------------------------


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx)


def test_course_list_query_count_is_pinned(client, cast, training):
    c = login(client, cast.district_admin)
    url = reverse("training:courses")
    before = count_queries(c, url)
    for i in range(4):
        services.course_create(cast.district_admin, organization=cast.branch_b,
                               kind=CourseKind.PARTY_CLASS, title=f"党课{i}",
                               starts_on=dt.date(2026, 4, 1))
    assert count_queries(c, url) == before


def test_hours_report_query_count_is_pinned(client, cast, training, time_machine):
    time_machine.move_to(at(2026, 11, 24))
    c = login(client, cast.district_admin)
    url = reverse("training:hours")
    before = count_queries(c, url, year=2026)
    for _ in range(5):
        m = MemberFactory(organization=cast.branch_a)
        StudyRecord.objects.create(member=m, kind="other", title="x", hours=2,
                                   studied_on=dt.date(2026, 3, 1), status="approved")
    services.enrol_members(cast.district_admin, training.course, [cast.member_a2.pk])
    services.attendance_record(cast.district_admin, training.session1, [cast.member_a.pk])
    assert count_queries(c, url, year=2026) == before


def test_certification_and_report_lists_query_counts_are_pinned(client, cast, training):
    c = login(client, cast.district_admin)
    cert_url, report_url = reverse("training:certification"), reverse("training:reports")

    def add(n, start):
        for i in range(start, start + n):
            m = MemberFactory(organization=cast.branch_a)
            MemberRole.objects.create(member=m, role=MemberRoleKind.PARTY_WORKER)
            if i % 2:
                services.certificate_issue(cast.district_admin, member=m,
                                           course=training.course,
                                           issued_on=dt.date(2026, 6, 30))
            services.report_save(cast.district_admin, m, kind=ReportKind.ANNUAL, year=2026,
                                 title=f"述职{i}", body="正文")

    add(1, 0)
    before = (count_queries(c, cert_url), count_queries(c, report_url))
    add(4, 1)
    assert (count_queries(c, cert_url), count_queries(c, report_url)) == before


def test_placements_and_review_query_counts_are_pinned(client, cast):
    c = login(client, cast.district_admin)
    urls = (reverse("training:placements"), reverse("training:study_review"))

    def add(n):
        for _ in range(n):
            m = MemberFactory(organization=cast.branch_a2)
            services.placement_create(cast.district_admin, m, kind="pairing",
                                      counterpart="千名好支书", starts_on=dt.date(2026, 1, 1))
            StudyRecord.objects.create(member=m, kind="other", title="x", hours=2,
                                       studied_on=dt.date(2026, 3, 1))

    add(1)
    before = [count_queries(c, u) for u in urls]
    add(4)
    assert [count_queries(c, u) for u in urls] == before
