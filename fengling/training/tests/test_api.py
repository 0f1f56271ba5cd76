"""/api/v1/training: scope (outside 404, read-only 403), writes, hours, certificates, reports."""

import datetime as dt

import pytest

from fengling.accounts.services import api_token_issue
from fengling.members.models import MemberRole, MemberRoleKind
from fengling.training import services
from fengling.training.models import Attendance, Course, WorkReport

from .conftest import at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/training"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def get(client, user, path, **params):
    return client.get(BASE + path, params, headers=bearer(user))


def send(client, user, method, path, data):
    return getattr(client, method)(BASE + path, data, content_type="application/json",
                                   headers=bearer(user))


@pytest.mark.parametrize(("who", "count"), [("district_admin", 1), ("street_admin", 1),
                                            ("auditor", 1), ("outsider_secretary", 0),
                                            ("member", 0)])
def test_course_list_is_scoped(client, cast, training, who, count):
    response = get(client, getattr(cast, who), "/courses")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_unauthenticated_is_401(client):
    response = client.get(BASE + "/courses")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("path", ["/courses/{c}", "/courses/{c}/sessions",
                                  "/sessions/{s}/attendance", "/certificates/{cert}",
                                  "/certificates/{cert}/pdf"])
def test_outsider_gets_404(client, cast, training, path):
    cert = services.certificate_issue(cast.district_admin, member=cast.member_a,
                                      course=training.course, issued_on=dt.date(2026, 6, 30))
    url = path.format(c=training.course.pk, s=training.session1.pk, cert=cert.pk)
    response = get(client, cast.outsider_secretary, url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert get(client, cast.auditor, url).status_code == 200


def test_create_course_add_session_enrol_and_record_attendance(client, cast, time_machine):
    time_machine.move_to(at(2026, 11, 24))
    admin = cast.community_secretary
    response = send(client, admin, "post", "/courses", {
        "organization": cast.community_a.pk, "kind": "academy", "title": "红领学院第二期",
        "starts_on": "2026-09-01"})
    assert response.status_code == 201, response.content
    course = response.json()
    assert course["certifies"] is True
    response = send(client, admin, "post", f"/courses/{course['id']}/sessions", {
        "title": "党务实务", "starts_at": "2026-09-10T09:00:00+08:00", "hours": "3"})
    assert response.status_code == 201, response.content
    session_id = response.json()["id"]
    response = send(client, admin, "post", f"/courses/{course['id']}/enrolments",
                    {"members": [cast.member_a.pk, cast.member_a2.pk]})
    assert response.json() == {"added": 2}
    response = send(client, admin, "put", f"/sessions/{session_id}/attendance",
                    {"present": [cast.member_a.pk]})
    assert response.json() == {"present": 1, "absent": 1}
    rows = get(client, admin, f"/sessions/{session_id}/attendance").json()
    assert {r["member"]["name"]: r["present"] for r in rows} == {"张三": True, "王五": False}
    hours = get(client, admin, f"/hours/members/{cast.member_a.pk}", year=2026).json()
    assert (hours["attended"], hours["done"], hours["required"]) == ("3.0", "3.0", "32.0")


def test_read_only_writes_are_403_and_change_nothing(client, cast, training):
    auditor = cast.auditor
    assert send(client, auditor, "post", "/courses", {
        "organization": cast.community_a.pk, "kind": "forum", "title": "x",
        "starts_on": "2026-09-01"}).status_code == 403
    response = send(client, auditor, "put", f"/sessions/{training.session1.pk}/attendance",
                    {"present": []})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Course.objects.count() == 1 and not Attendance.objects.exists()
    assert send(client, cast.outsider_secretary, "post",
                f"/courses/{training.course.pk}/sessions",
                {"title": "x", "starts_at": "2026-05-01T09:00:00+08:00", "hours": "1"}
                ).status_code == 404


def test_service_validation_is_422_with_fields(client, cast, training):
    response = send(client, cast.district_admin, "post",
                    f"/courses/{training.course.pk}/sessions",
                    {"title": "x", "starts_at": "2026-05-01T09:00:00+08:00", "hours": "13"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["fields"]["hours"] == ["学时须在 0.5 至 12 之间。"]


def test_hours_list_and_rollup_are_scoped(client, cast, training):
    names = {i["name"] for i in get(client, cast.community_secretary, "/hours",
                                    year=2026).json()["items"]}
    assert names == {"张三", "李四", "王五"}
    assert get(client, cast.community_secretary, "/hours",
               organization=cast.branch_b.pk).status_code == 404
    assert get(client, cast.member, "/hours").json()["count"] == 1
    rollup = get(client, cast.community_secretary, "/hours/rollup", year=2026).json()
    assert [r["organization"]["name"] for r in rollup] == [
        "望春社区党委", "望春社区第一支部", "望春社区第二支部"]
    assert rollup[0]["members"] == 3
    assert get(client, cast.outsider_secretary,
               f"/hours/members/{cast.member_a.pk}").status_code == 404


def test_member_records_own_study(client, cast):
    response = send(client, cast.member, "post", "/study-records", {
        "kind": "online", "title": "学习强国", "studied_on": "2026-01-05", "hours": "1.5"})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


def test_certificates_and_pdf(client, cast, training):
    services.exam_score_record(cast.district_admin, training.exam, cast.member_a, "80")
    items = get(client, cast.member, "/certificates").json()["items"]
    assert [i["number"] for i in items] == ["HL-2026-000001"]
    assert items[0]["course"]["name"] == "红领学院第一期党务工作者培训班"
    response = get(client, cast.member, f"/certificates/{items[0]['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert get(client, cast.outsider_secretary, "/certificates").json()["count"] == 0


def test_revoking_a_certificate(client, cast, training):
    MemberRole.objects.create(member=cast.member_a, role=MemberRoleKind.PARTY_WORKER)
    cert = services.certificate_issue(cast.district_admin, member=cast.member_a,
                                      course=training.course, issued_on=dt.date(2026, 6, 30))
    url = f"/certificates/{cert.pk}/revoke"
    assert send(client, cast.member, "post", url, {"reason": "x"}).status_code == 403
    assert send(client, cast.auditor, "post", url, {"reason": "x"}).status_code == 403
    assert send(client, cast.outsider_secretary, "post", url,
                {"reason": "x"}).status_code == 404
    response = send(client, cast.community_secretary, "post", url, {"reason": "  "})
    assert response.status_code == 422
    response = send(client, cast.community_secretary, "post", url, {"reason": "调离党务岗位"})
    assert response.json()["revoked"] is True
    rows = get(client, cast.community_secretary, "/certification").json()["items"]
    assert [(r["member"]["name"], r["status"]) for r in rows] == [("张三", "uncertified")]
    again = send(client, cast.community_secretary, "post", url, {"reason": "x"})
    assert again.json()["fields"]["__all__"] == ["该证书已被撤销。"]


def test_certification_status(client, cast, training):
    MemberRole.objects.create(member=cast.secretary_a_member, role=MemberRoleKind.SECRETARY)
    rows = get(client, cast.community_secretary, "/certification").json()["items"]
    assert [(r["member"]["name"], r["status"]) for r in rows] == [("李四", "uncertified")]


def test_report_without_an_author_is_422(client, cast):
    response = send(client, cast.auditor, "post", "/reports", {
        "kind": "annual", "year": 2026, "title": "述职", "body": "正文"})
    assert response.status_code == 422
    assert response.json()["fields"]["member"] == ["请说明这是谁的报告。"]


def test_report_flow(client, cast):
    response = send(client, cast.member, "post", "/reports", {
        "kind": "annual", "year": 2026, "title": "述职", "body": "正文"})
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    assert send(client, cast.member, "post", f"/reports/{rid}/actions",
                {"action": "submit"}).json()["status"] == "submitted"
    assert send(client, cast.auditor, "post", f"/reports/{rid}/actions",
                {"action": "accept"}).status_code == 403
    assert send(client, cast.outsider_secretary, "post", f"/reports/{rid}/actions",
                {"action": "accept"}).status_code == 404
    response = send(client, cast.branch_secretary, "post", f"/reports/{rid}/actions",
                    {"action": "accept", "comment": "同意"})
    assert response.json()["status"] == "reviewed"
    assert WorkReport.objects.get().reviewed_by == cast.branch_secretary


def test_openapi_documents_the_training_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {"/courses", "/courses/{course_id}", "/courses/{course_id}/sessions",
                "/courses/{course_id}/enrolments", "/sessions/{session_id}/attendance",
                "/hours", "/hours/rollup", "/hours/members/{member_id}", "/study-records",
                "/certificates", "/certificates/{certificate_id}",
                "/certificates/{certificate_id}/pdf", "/certificates/{certificate_id}/revoke",
                "/certification", "/placements",
                "/reports", "/reports/{report_id}", "/reports/{report_id}/actions"}
    assert {f"/api/v1/training{p}" for p in expected} <= set(paths)
    pdf = paths["/api/v1/training/certificates/{certificate_id}/pdf"]["get"]["responses"]
    assert "application/pdf" in pdf["200"]["content"]
    assert {"401", "404"} <= set(pdf)
