"""/api/v1/development: candidates, milestones, admit, convert, deadlines — over the cast."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengling.accounts.services import api_token_issue
from fengling.core.lib import crypto
from fengling.development.models import Candidate
from fengling.members.models import Member
from fengling.testing.factories import make_id_number

from .factories import make_candidate, record_until

pytestmark = pytest.mark.django_db
D = dt.date
BASE = "/api/v1/development"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 8, 1, 4, tzinfo=dt.UTC), tick=False):
        yield


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def get(client, user, url, **params):
    return client.get(url, params, headers=bearer(user))


def post(client, user, url, data):
    return client.post(url, data, content_type="application/json", headers=bearer(user))


@pytest.fixture
def files(cast):
    return {
        "a": make_candidate(cast.district_admin, cast.branch_a, name="孙一",
                            applied_on=D(2026, 7, 10)),
        "b": make_candidate(cast.district_admin, cast.branch_b, name="孙四",
                            applied_on=D(2026, 6, 1)),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("district_admin", ["孙一", "孙四"]), ("community_secretary", ["孙一"]),
     ("auditor", ["孙一"]), ("outsider_secretary", ["孙四"])],
)
def test_list_in_scope(client, cast, files, who, expected):
    response = get(client, getattr(cast, who), f"{BASE}/candidates")
    assert response.status_code == 200
    items = response.json()["items"]
    assert sorted(i["name"] for i in items) == expected
    for item in items:
        assert item["stage"] == 1 and item["last_step"] == 1
        assert item["phone_masked"] == "139****1234"


def test_list_for_a_member_is_403_and_outside_organization_404(client, cast, files):
    assert get(client, cast.member, f"{BASE}/candidates").status_code == 403
    response = get(client, cast.outsider_secretary, f"{BASE}/candidates",
                   organization=cast.branch_a.pk)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_list_query_count_does_not_grow(client, cast, files):
    headers = bearer(cast.district_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{BASE}/candidates", headers=headers).status_code == 200
        return len(ctx.captured_queries)

    count()  # the token's first use is recorded once
    before = count()
    for i in range(10):
        make_candidate(cast.district_admin, cast.branch_a, name=f"钱{i}")
    assert count() == before


@pytest.mark.parametrize(("who", "status"), [("branch_secretary", 200), ("auditor", 200),
                                             ("outsider_secretary", 404), ("member", 404)])
def test_detail_scope(client, cast, files, who, status):
    response = get(client, getattr(cast, who), f"{BASE}/candidates/{files['a'].pk}")
    assert response.status_code == status


def test_detail_has_rules_and_next_steps_and_never_the_clear_id(client, cast, files):
    candidate = files["a"]
    response = get(client, cast.branch_secretary, f"{BASE}/candidates/{candidate.pk}")
    body = response.json()
    assert body["stage"] == 1
    assert [s["number"] for s in body["next_steps"]] == [2]
    talk = next(r for r in body["rules"] if r["rule"] == "talk_within_one_month")
    assert talk["status"] == "pending" and talk["due"] == "2026-08-10"
    assert body["id_number_masked"] == candidate.id_number_masked
    assert crypto.decrypt(candidate.id_number_cipher) not in response.content.decode()


def create_payload(cast, **extra):
    return {"organization": cast.branch_a.pk, "id_number": make_id_number(D(2000, 1, 2), "F"),
            "name": "吴九", "gender": "F", "birth_date": "2000-01-02", "education": "bachelor",
            "occupation": "student", "applied_on": "2026-07-01", **extra}


def test_create(client, cast):
    response = post(client, cast.branch_secretary, f"{BASE}/candidates", create_payload(cast))
    assert response.status_code == 201, response.content
    assert response.json()["milestones"][0]["step"] == 1


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider_secretary", 404)])
def test_create_outside_scope_or_read_only(client, cast, who, status):
    response = post(client, getattr(cast, who), f"{BASE}/candidates", create_payload(cast))
    assert response.status_code == status
    assert not Candidate.objects.exists()


def test_create_under_age_is_422_with_the_field(client, cast):
    payload = create_payload(cast, birth_date="2010-01-02",
                             id_number=make_id_number(D(2010, 1, 2), "F"))
    response = post(client, cast.branch_secretary, f"{BASE}/candidates", payload)
    assert response.status_code == 422
    assert "applied_on" in response.json()["fields"]


def test_milestones_add_and_refusal(client, cast, files):
    url = f"{BASE}/candidates/{files['a'].pk}/milestones"
    response = post(client, cast.branch_secretary, url, {"step": 3, "date": "2026-07-20"})
    assert response.status_code == 422
    assert "step" in response.json()["fields"]
    response = post(client, cast.branch_secretary, url, {"step": 2, "date": "2026-07-20"})
    assert response.status_code == 201
    assert [m["step"] for m in response.json()["milestones"]] == [1, 2]


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider_secretary", 404),
                                             ("member", 404)])
def test_writes_outside_scope_or_read_only(client, cast, files, who, status):
    pk = files["a"].pk
    user = getattr(cast, who)
    for path, body in ((f"{pk}/milestones", {"step": 2, "date": "2026-07-20"}),
                       (f"{pk}/admit", {"date": "2026-07-20"}),
                       (f"{pk}/convert", {"date": "2026-07-20"}),
                       (f"{pk}/extension", {"decided_on": "2026-07-20", "months": 6,
                                            "reason": "x"}),
                       (f"{pk}/withdraw", {"date": "2026-07-20", "reason": "x"})):
        assert post(client, user, f"{BASE}/candidates/{path}", body).status_code == status
    response = client.patch(f"{BASE}/candidates/{pk}", {"name": "改名"},
                            content_type="application/json", headers=bearer(user))
    assert response.status_code == status
    assert Candidate.objects.get(pk=pk).name == "孙一"
    assert Candidate.objects.get(pk=pk).milestones.count() == 1


def test_update_extension_and_withdraw(client, cast, files):
    pk = files["a"].pk
    response = client.patch(f"{BASE}/candidates/{pk}", {"name": "孙一一", "phone": "1360000"},
                            content_type="application/json", headers=bearer(cast.branch_secretary))
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "孙一一"
    response = post(client, cast.branch_secretary, f"{BASE}/candidates/{pk}/extension",
                    {"decided_on": "2026-07-20", "months": 6, "reason": "x"})
    assert response.status_code == 422  # not a probationary member
    response = post(client, cast.branch_secretary, f"{BASE}/candidates/{pk}/withdraw",
                    {"date": "2026-07-20", "reason": "本人撤回"})
    assert response.status_code == 200
    assert response.json()["progress"] == "withdrawn"


def test_admit_and_convert_through_the_api(client, cast):
    sponsors = [cast.member_a, cast.secretary_a_member]
    candidate = record_until(cast.branch_secretary,
                             make_candidate(cast.branch_secretary, cast.branch_a, name="郑十"),
                             8)
    url = f"{BASE}/candidates/{candidate.pk}"
    response = post(client, cast.branch_secretary, f"{url}/milestones",
                    {"step": 9, "date": "2025-03-10", "sponsors": [cast.member_b.pk,
                                                                   cast.member_a.pk]})
    assert response.status_code == 422  # member B is not in the branch
    response = post(client, cast.branch_secretary, f"{url}/milestones",
                    {"step": 9, "date": "2025-03-10", "sponsors": [s.pk for s in sponsors]})
    assert response.status_code == 201
    candidate = record_until(cast.branch_secretary, candidate, 0)
    for step, day, extra in ((10, "2025-03-15", {}), (11, "2025-04-01", {"hours": 24}),
                             (12, "2025-05-06", {}), (13, "2025-05-10", {}),
                             (14, "2025-05-15", {}), (15, "2025-06-01", {}),
                             (16, "2025-06-10", {})):
        assert post(client, cast.branch_secretary, f"{url}/milestones",
                    {"step": step, "date": day, **extra}).status_code == 201
    response = post(client, cast.branch_secretary, f"{url}/admit", {"date": "2025-07-01"})
    assert response.status_code == 200, response.content
    member = Member.objects.get(pk=response.json()["member_id"])
    assert member.membership == "probationary" and member.join_date == D(2025, 6, 1)
    response = post(client, cast.branch_secretary, f"{url}/convert", {"date": "2026-07-01"})
    assert response.status_code == 422  # steps 18–23 are not recorded
    for step, day in ((18, "2025-07-05"), (19, "2025-07-06"), (20, "2025-07-07"),
                      (21, "2025-12-01"), (22, "2026-05-01"), (23, "2026-06-01")):
        assert post(client, cast.branch_secretary, f"{url}/milestones",
                    {"step": step, "date": day}).status_code == 201
    response = post(client, cast.branch_secretary, f"{url}/convert", {"date": "2026-07-01"})
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.membership, member.conversion_date) == ("full", D(2026, 6, 1))


def test_deadlines_per_organization(client, cast, files):
    response = get(client, cast.district_admin, f"{BASE}/deadlines")
    body = response.json()
    assert [(d["candidate"]["name"], d["rule"], d["due"]) for d in body["upcoming"]] == [
        ("孙一", "talk_within_one_month", "2026-08-10")]
    assert [(d["candidate"]["name"], d["rule"], d["overdue"]) for d in body["missed"]] == [
        ("孙四", "talk_within_one_month", True)]
    body = get(client, cast.community_secretary, f"{BASE}/deadlines").json()
    assert body["missed"] == []
    assert get(client, cast.outsider_secretary, f"{BASE}/deadlines",
               organization=cast.branch_a.pk).status_code == 404
    assert get(client, cast.member, f"{BASE}/deadlines").status_code == 403


def test_openapi_documents_the_development_endpoints(client, cast):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/candidates", "/candidates/{candidate_id}",
                 "/candidates/{candidate_id}/extension", "/candidates/{candidate_id}/withdraw",
                 "/candidates/{candidate_id}/milestones", "/candidates/{candidate_id}/admit",
                 "/candidates/{candidate_id}/convert", "/candidates/{candidate_id}/reveal",
                 "/deadlines"):
        assert f"/api/v1/development{path}" in schema["paths"]
