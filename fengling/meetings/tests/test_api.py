"""/api/v1/meetings: scope (outside 404, read-only 403), state changes, attendance, sign-in,
compliance, the one-click themed day, and a complete OpenAPI schema."""

import pytest
import time_machine

from fengling.accounts.services import api_token_issue
from fengling.meetings.models import Meeting

from .helpers import at, library, schedule

pytestmark = pytest.mark.django_db

BASE = "/api/v1/meetings"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def call(client, user, method, url, data=None, **params):
    fn = getattr(client, method)
    if method == "get":
        return fn(url, params, headers=bearer(user))
    return fn(url, data or {}, content_type="application/json", headers=bearer(user))


@pytest.fixture
def meeting(cast):
    return schedule(cast.branch_secretary, cast.branch_a)


@pytest.mark.parametrize(
    ("who", "status"),
    [("branch_secretary", 200), ("community_secretary", 200), ("street_admin", 200),
     ("auditor", 200), ("district_admin", 200), ("outsider_secretary", 404), ("member", 404)],
)
def test_detail_and_attendance_scope(client, cast, meeting, who, status):
    user = getattr(cast, who)
    assert call(client, user, "get", f"{BASE}/{meeting.pk}").status_code == status
    assert call(client, user, "get", f"{BASE}/{meeting.pk}/attendance").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("branch_secretary", 200), ("auditor", 403), ("outsider_secretary", 404), ("member", 404)],
)
def test_writes_scope(client, cast, meeting, who, status):
    user = getattr(cast, who)
    url = f"{BASE}/{meeting.pk}"
    assert call(client, user, "patch", url, {"topic": "新议题"}).status_code == status
    assert call(client, user, "post", f"{url}/attendance",
                {"items": [{"member": cast.member_a.pk, "status": "present"}]}
                ).status_code == status
    r = call(client, user, "post", f"{url}/state", {"state": "cancelled", "reason": "改期"})
    assert r.status_code == status
    if status != 200:
        assert r.json()["code"] in {"forbidden", "not_found"}
        meeting.refresh_from_db()
        assert meeting.state == "planned" and meeting.topic == "学习会"


def test_list_is_scoped_and_filtered(client, cast, meeting):
    schedule(cast.outsider_secretary, cast.branch_b, kind="lecture")
    names = lambda r: [m["organization"]["name"] for m in r.json()["items"]]  # noqa: E731
    assert names(call(client, cast.street_admin, "get", BASE)) == ["望春社区第一支部"]
    assert len(call(client, cast.district_admin, "get", BASE).json()["items"]) == 2
    r = call(client, cast.district_admin, "get", BASE, kind="lecture")
    assert names(r) == ["南门社区第一支部"]
    item = call(client, cast.street_admin, "get", BASE).json()["items"][0]
    assert (item["expected_count"], item["present_count"]) == (2, 0)
    assert call(client, cast.street_admin, "get", BASE,
                organization=cast.branch_b.pk).status_code == 404


def test_create_and_state_changes(client, cast):
    payload = {"organization": cast.branch_a.pk, "kind": "committee", "topic": "支委会",
               "starts_at": "2030-03-01T09:00:00+08:00", "ends_at": "2030-03-01T10:00:00+08:00",
               "online": True}
    r = call(client, cast.branch_secretary, "post", BASE, payload)
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["signin_url"].startswith("http://testserver/meetings/signin/")
    r = call(client, cast.branch_secretary, "post", f"{BASE}/{pk}/state", {"state": "notified"})
    assert r.json()["state"] == "notified"
    r = call(client, cast.branch_secretary, "post", f"{BASE}/{pk}/state", {"state": "planned"})
    assert r.status_code == 422 and Meeting.objects.get(pk=pk).state == "notified"
    r = call(client, cast.auditor, "post", BASE, payload)
    assert r.status_code == 403
    r = call(client, cast.outsider_secretary, "post", BASE, payload)
    assert r.status_code == 404
    bad = {**payload, "ends_at": "2030-03-01T08:00:00+08:00"}
    r = call(client, cast.branch_secretary, "post", BASE, bad)
    assert r.status_code == 422 and "ends_at" in r.json()["fields"]


def test_auditor_gets_no_signin_link(client, cast, meeting):
    assert call(client, cast.auditor, "get", f"{BASE}/{meeting.pk}").json()["signin_url"] == ""


def test_signin_refusals_and_success(client, cast, meeting):
    token = meeting.signin_token
    with time_machine.travel(at(2026, 3, 10, 8, 0), tick=False):
        r = call(client, cast.member, "post", f"{BASE}/signin", {"token": token})
        assert (r.status_code, r.json()["code"]) == (409, "too_early")
    with time_machine.travel(at(2026, 3, 10, 9, 5), tick=False):
        r = call(client, cast.member, "post", f"{BASE}/signin", {"token": token})
        assert r.status_code == 200 and r.json()["status"] == "present"
        r = call(client, cast.member, "post", f"{BASE}/signin", {"token": token})
        assert (r.status_code, r.json()["code"]) == (409, "twice")
        r = call(client, cast.outsider_secretary, "post", f"{BASE}/signin", {"token": token})
        assert r.json()["code"] == "no_member"
    r = call(client, cast.member, "post", f"{BASE}/signin", {"token": "guess"})
    assert r.status_code == 404


def test_party_day_one_click_is_idempotent(client, cast):
    lib = library()
    body = {"organization": cast.branch_a.pk, "month": "2030-05-20",
            "theme": lib[0].pk,
            "template": lib[1].pk}
    r = call(client, cast.branch_secretary, "post", f"{BASE}/party-day", body)
    assert r.status_code == 201 and r.json()["created"] is True
    assert r.json()["meeting"]["starts_at"].startswith("2030-05-15")
    r = call(client, cast.branch_secretary, "post", f"{BASE}/party-day", body)
    assert r.status_code == 200 and r.json()["created"] is False
    assert Meeting.objects.count() == 1
    assert call(client, cast.auditor, "post", f"{BASE}/party-day", body).status_code == 403
    body["organization"] = cast.branch_b.pk
    assert call(client, cast.branch_secretary, "post", f"{BASE}/party-day",
                body).status_code == 404
    themes = call(client, cast.member, "get", f"{BASE}/party-day/themes")
    assert themes.status_code == 200 and len(themes.json()) >= 1


def test_compliance_report(client, cast):
    params = {"organization": cast.community_a.pk, "start": "2025-01-01", "end": "2025-12-31"}
    r = call(client, cast.street_admin, "get", f"{BASE}/reports/compliance", **params)
    assert r.status_code == 200
    total = {c["kind"]: c["required"] for c in r.json()["total"]["cells"]}
    assert total["party_day"] == 24 and total["general_assembly"] == 8  # two branches
    assert call(client, cast.outsider_secretary, "get", f"{BASE}/reports/compliance",
                **params).status_code == 404
    params["end"] = "2024-01-01"
    assert call(client, cast.street_admin, "get", f"{BASE}/reports/compliance",
                **params).status_code == 422


def test_openapi_documents_every_meeting_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    ops = {(path, method) for path, item in schema["paths"].items()
           if path.startswith("/api/v1/meetings") for method in item}
    assert ops >= {
        ("/api/v1/meetings", "get"), ("/api/v1/meetings", "post"),
        ("/api/v1/meetings/{meeting_id}", "get"), ("/api/v1/meetings/{meeting_id}", "patch"),
        ("/api/v1/meetings/{meeting_id}/state", "post"),
        ("/api/v1/meetings/{meeting_id}/attendance", "get"),
        ("/api/v1/meetings/{meeting_id}/attendance", "post"),
        ("/api/v1/meetings/signin", "post"), ("/api/v1/meetings/reports/compliance", "get"),
        ("/api/v1/meetings/party-day", "post"),
    }
    for path, method in ops:
        op = schema["paths"][path][method]
        assert op.get("summary") and "401" in op["responses"], (path, method)


def test_meeting_days_are_local_dates(client, cast):
    m = schedule(cast.branch_secretary, cast.branch_a, start=at(2026, 1, 1, 0, 30))
    r = call(client, cast.branch_secretary, "get", BASE, start="2026-01-01", end="2026-01-01")
    assert [i["id"] for i in r.json()["items"]] == [m.pk]  # 2025-12-31 16:30 UTC
    r = call(client, cast.branch_secretary, "get", BASE, start="2025-12-31", end="2025-12-31")
    assert r.json()["items"] == []


def test_patch_host_outside_scope_is_404_and_changes_nothing(client, cast, meeting):
    url = f"{BASE}/{meeting.pk}"
    r = call(client, cast.branch_secretary, "patch", url, {"host": cast.member_b.pk})
    assert r.status_code == 404
    r = call(client, cast.branch_secretary, "patch", url,
             {"host": cast.member_a.pk, "minutes": "记录"})
    assert r.status_code == 200 and r.json()["host"]["name"] == "张三"
    assert r.json()["minutes"] == "记录"


def test_attendance_set_refuses_leave_without_reason(client, cast, meeting):
    url = f"{BASE}/{meeting.pk}/attendance"
    r = call(client, cast.branch_secretary, "post", url,
             {"items": [{"member": cast.member_a.pk, "status": "leave"}]})
    assert r.status_code == 422
    r = call(client, cast.branch_secretary, "post", url,
             {"items": [{"member": cast.member_a.pk, "status": "leave", "reason": "出差"}]})
    assert r.json() == {"changed": 1}
    rows = call(client, cast.auditor, "get", url).json()
    assert {(a["member"]["name"], a["status"]) for a in rows} == {("张三", "leave"),
                                                                  ("李四", "expected")}
