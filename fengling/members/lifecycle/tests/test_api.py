"""/api/v1/lifecycle over the cast: every endpoint in scope, out of scope (404), read-only
(403), and the documented schema."""

import datetime as dt

import pytest
import time_machine

from fengling.accounts.services import api_token_issue
from fengling.members.lifecycle import services
from fengling.members.models import Member
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/lifecycle"
TODAY = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def call(client, user, method, url, data=None):
    headers = {"authorization": f"Bearer {api_token_issue(user)[0]}"}
    if method == "get":
        return client.get(BASE + url, data or {}, headers=headers)
    return client.post(BASE + url, data or {}, content_type="application/json",
                       headers=headers)


@pytest.fixture
def records(cast):
    """A letter from branch A to branch B, a mobile and a lost-contact record in branch A."""
    sec = cast.branch_secretary
    transfer = services.transfer_issue(sec, cast.member_a, letter_number="L-1",
                                       issued_on=dt.date(2026, 5, 20),
                                       to_organization=cast.branch_b)
    mobile = services.mobile_open(sec, cast.secretary_a_member, destination="上海",
                                  since=dt.date(2025, 1, 1))
    lost = services.lost_open(cast.district_admin, cast.member_a2, since=dt.date(2025, 6, 1))
    return transfer, mobile, lost


def test_openapi_documents_every_lifecycle_operation(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    ours = {p: set(ops) for p, ops in paths.items() if p.startswith(BASE)}
    assert ours == {
        f"{BASE}/members/{{member_id}}/status-history": {"get", "post"},
        f"{BASE}/transfers": {"get", "post"},
        f"{BASE}/transfers/incoming": {"post"},
        f"{BASE}/transfers/{{transfer_id}}": {"get"},
        **{f"{BASE}/transfers/{{transfer_id}}/{a}": {"post"}
           for a in ("receive", "reject", "suspend", "resume")},
        f"{BASE}/mobile": {"get", "post"},
        f"{BASE}/mobile/{{record_id}}/reports": {"post"},
        f"{BASE}/mobile/{{record_id}}/close": {"post"},
        f"{BASE}/lost-contact": {"get", "post"},
        f"{BASE}/lost-contact/{{record_id}}/efforts": {"post"},
        f"{BASE}/lost-contact/{{record_id}}/found": {"post"},
    }
    for path, ops in ours.items():
        for op in ops:
            responses = set(paths[path][op]["responses"])
            assert {"401", "404", "422"} <= responses, (path, op)
            if op == "post":
                assert "403" in responses, path
            assert paths[path][op]["summary"]


def test_status_history_list_and_add(client, cast):
    url = f"/members/{cast.member_a.pk}/status-history"
    response = call(client, cast.branch_secretary, "post", url, {
        "kind": "reserved", "effective_on": "2026-05-01", "reason": "出国学习"})
    assert response.status_code == 201, response.content
    items = call(client, cast.member, "get", url).json()  # the member sees their own
    assert [i["kind"] for i in items] == ["initial", "reserved"]
    assert Member.objects.get(pk=cast.member_a.pk).status == "reserved"


@pytest.mark.parametrize(("who", "code"), [
    ("outsider_secretary", 404), ("auditor", 403), ("member", 403)])
def test_status_history_add_refused(client, cast, who, code):
    response = call(client, getattr(cast, who), "post",
                    f"/members/{cast.member_a.pk}/status-history",
                    {"kind": "deceased", "effective_on": "2026-05-01", "reason": "x"})
    assert response.status_code == code
    assert Member.objects.get(pk=cast.member_a.pk).status == "normal"


def test_status_history_bad_input_is_422_with_the_field(client, cast):
    response = call(client, cast.branch_secretary, "post",
                    f"/members/{cast.member_a.pk}/status-history",
                    {"kind": "restored", "effective_on": "2026-07-01", "reason": ""})
    assert response.status_code == 422
    assert {"kind", "effective_on", "reason"} <= set(response.json()["fields"])


def test_history_out_of_scope_is_404(client, cast):
    url = f"/members/{cast.member_b.pk}/status-history"
    assert call(client, cast.branch_secretary, "get", url).status_code == 404


@pytest.mark.parametrize(("who", "letters"), [
    ("district_admin", ["L-1"]),
    ("branch_secretary", ["L-1"]),  # the sending side
    ("outsider_secretary", ["L-1"]),  # the receiving side
    ("auditor", ["L-1"]),
    ("member", ["L-1"]),  # their own transfer
])
def test_transfers_are_seen_from_both_ends(client, cast, records, who, letters):
    response = call(client, getattr(cast, who), "get", "/transfers")
    assert [i["letter_number"] for i in response.json()["items"]] == letters


def test_transfers_are_not_seen_from_outside(client, cast, records):
    other = services.transfer_issue(cast.district_admin,
                                    MemberFactory(organization=cast.branch_a2),
                                    letter_number="L-2",
                                    issued_on=dt.date(2026, 5, 20),
                                    to_organization=cast.branch_a3)
    response = call(client, cast.outsider_secretary, "get", "/transfers")
    assert [i["letter_number"] for i in response.json()["items"]] == ["L-1"]
    assert call(client, cast.outsider_secretary, "get",
                f"/transfers/{other.pk}").status_code == 404


def test_issue_receive_through_the_api(client, cast):
    response = call(client, cast.branch_secretary, "post", "/transfers", {
        "member": cast.member_a.pk, "to_organization": cast.branch_b.pk,
        "letter_number": "L-9", "issued_on": "2026-05-25"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["valid_until"]) == ("issued", "2026-06-24")
    pk = body["id"]
    # The sender may not receive (403); the receiver may.
    assert call(client, cast.branch_secretary, "post", f"/transfers/{pk}/receive",
                {}).status_code == 403
    response = call(client, cast.outsider_secretary, "post", f"/transfers/{pk}/receive", {})
    assert response.json()["state"] == "received"
    assert Member.objects.get(pk=cast.member_a.pk).organization == cast.branch_b


def test_overdue_filter_and_flag(client, cast, records):
    with time_machine.travel(dt.datetime(2026, 6, 20, tzinfo=dt.UTC), tick=False):
        items = call(client, cast.district_admin, "get", "/transfers",
                     {"state": "overdue"}).json()["items"]
    assert [(i["letter_number"], i["state"], i["overdue"]) for i in items] == [
        ("L-1", "expired", True)]
    assert call(client, cast.district_admin, "get", "/transfers",
                {"state": "overdue"}).json()["items"] == []


@pytest.mark.parametrize(("who", "action", "data", "code"), [
    ("auditor", "reject", {"reason": "x"}, 403),
    ("outsider_secretary", "suspend", {"reason": "x"}, 403),  # the receiver cannot suspend
    ("branch_secretary", "reject", {"reason": "x"}, 403),  # the sender cannot reject
    ("outsider_secretary", "reject", {"reason": "x"}, 200),
    ("branch_secretary", "suspend", {"reason": "x"}, 200),
    ("outsider_secretary", "reject", {}, 422),
    ("branch_secretary", "resume", None, 422),  # not suspended
])
def test_transfer_actions_by_side(client, cast, records, who, action, data, code):
    transfer = records[0]
    response = call(client, getattr(cast, who), "post", f"/transfers/{transfer.pk}/{action}",
                    data)
    assert response.status_code == code, response.content


def test_transfer_actions_out_of_scope_are_404(client, cast, records):
    other = services.transfer_issue(cast.district_admin,
                                    MemberFactory(organization=cast.branch_a2),
                                    letter_number="L-2",
                                    issued_on=dt.date(2026, 5, 20),
                                    to_organization=cast.branch_a3)
    response = call(client, cast.outsider_secretary, "post", f"/transfers/{other.pk}/reject",
                    {"reason": "x"})
    assert response.status_code == 404


def test_mobile_endpoints(client, cast, records):
    _t, mobile, _l = records
    items = call(client, cast.branch_secretary, "get", "/mobile").json()["items"]
    assert [(i["member"]["name"], i["report_due"]) for i in items] == [("李四", "2026-01-01")]
    assert call(client, cast.outsider_secretary, "get", "/mobile").json()["items"] == []
    url = f"/mobile/{mobile.pk}/reports"
    assert call(client, cast.auditor, "post", url, {"year": 2026, "reported_on": "2026-05-01"}
                ).status_code == 403
    assert call(client, cast.outsider_secretary, "post", url,
                {"year": 2026, "reported_on": "2026-05-01"}).status_code == 404
    response = call(client, cast.branch_secretary, "post", url,
                    {"year": 2026, "reported_on": "2026-05-01"})
    assert response.status_code == 201, response.content
    response = call(client, cast.branch_secretary, "post", f"/mobile/{mobile.pk}/close",
                    {"ended_on": "2026-05-30"})
    assert response.json()["ended_on"] == "2026-05-30"
    response = call(client, cast.branch_secretary, "post", "/mobile", {
        "member": cast.member_b.pk, "destination": "x", "since": "2026-01-01"})
    assert response.status_code == 404


def test_lost_contact_endpoints(client, cast, records):
    _t, _m, lost = records
    items = call(client, cast.community_secretary, "get", "/lost-contact").json()["items"]
    assert [(i["member"]["name"], i["stop_due"]) for i in items] == [("王五", "2025-12-01")]
    assert call(client, cast.branch_secretary, "get", "/lost-contact").json()["items"] == []
    url = f"/lost-contact/{lost.pk}/efforts"
    assert call(client, cast.auditor, "post", url, {"made_on": "2026-05-01", "method": "走访"}
                ).status_code == 403
    assert call(client, cast.branch_secretary, "post", url,
                {"made_on": "2026-05-01", "method": "走访"}).status_code == 404
    assert call(client, cast.community_secretary, "post", url,
                {"made_on": "2026-05-01", "method": "走访"}).status_code == 201
    response = call(client, cast.community_secretary, "post", f"/lost-contact/{lost.pk}/found",
                    {"found_on": "2026-05-31"})
    assert response.json()["effort_count"] == 1
    assert Member.objects.get(pk=cast.member_a2.pk).status == "normal"
    response = call(client, cast.auditor, "post", "/lost-contact",
                    {"member": cast.member_a.pk, "since": "2026-01-01"})
    assert response.status_code == 403


def _endpoints(cast, records):
    """Every lifecycle endpoint naming something in branch A (street 1), with a valid body."""
    transfer, mobile, lost = records
    m = cast.member_a.pk
    return [
        ("get", f"/members/{m}/status-history", None),
        ("post", f"/members/{m}/status-history",
         {"kind": "deceased", "effective_on": "2026-05-30", "reason": "x"}),
        ("get", f"/transfers/{transfer.pk}", None),
        ("post", "/transfers", {"member": cast.secretary_a_member.pk, "letter_number": "Z",
                                "issued_on": "2026-05-30", "outside_unit": "外地"}),
        ("post", "/transfers/incoming", {"member": m, "to_organization": cast.branch_a.pk,
                                         "outside_unit": "外地", "letter_number": "Z2",
                                         "issued_on": "2026-05-30"}),
        ("post", f"/transfers/{transfer.pk}/suspend", {"reason": "x"}),
        ("post", f"/mobile/{mobile.pk}/reports", {"year": 2026, "reported_on": "2026-05-01"}),
        ("post", f"/mobile/{mobile.pk}/close", {"ended_on": "2026-05-30"}),
        ("post", "/mobile", {"member": m, "destination": "x", "since": "2026-05-01"}),
        ("post", f"/lost-contact/{lost.pk}/efforts", {"made_on": "2026-05-01", "method": "x"}),
        ("post", f"/lost-contact/{lost.pk}/found", {"found_on": "2026-05-30"}),
        ("post", "/lost-contact", {"member": m, "since": "2026-05-01"}),
    ]


def test_every_endpoint_is_404_outside_the_scope_and_403_read_only(client, cast, records):
    # The outsider secretary (street 2) is the receiving end of `transfer`, so for the
    # transfer the outsider is a district member's secretary of yet another branch.
    from fengling.core.roles import Role
    from fengling.testing.factories import make_org, make_user
    far = make_user("far", Role.BRANCH_SECRETARY,
                    make_org(cast.community_b, "南门社区第二支部", "branch"))
    for method, url, body in _endpoints(cast, records):
        response = call(client, far, method, url, body)
        assert response.status_code == 404, (url, response.content)
        if method == "post":
            response = call(client, cast.auditor, method, url, body)
            assert response.status_code == 403, (url, response.content)
    # Nothing changed.
    assert Member.objects.get(pk=cast.member_a.pk).status == "normal"
