"""/api/v1/dues over the cast: profiles, bills, payments, arrears, collection, statements;
scoped (404 outside, 403 read-only), payments recorded once, OpenAPI complete."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from fengling.accounts.services import api_token_issue
from fengling.dues import services
from fengling.dues.models import DuesBill, DuesPayment, DuesProfile

pytestmark = pytest.mark.django_db

D = Decimal
API = "/api/v1/dues"
TODAY = dt.date(2026, 3, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def billed(cast):
    for member, base in ((cast.member_a, "4000"), (cast.secretary_a_member, "6000"),
                         (cast.member_a2, "2000"), (cast.member_b, "10000")):
        services.dues_profile_set(cast.district_admin, member,
                                  effective_month=dt.date(2026, 1, 1), category="in_service",
                                  income_base=D(base))
    for month in (1, 2, 3):
        services.generate_bills(dt.date(2026, month, 1))
    return cast


def headers(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def get(client, user, path, **params):
    return client.get(f"{API}{path}", params, headers=headers(user))


def send(client, user, method, path, data):
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json",
                                   headers=headers(user))


def payment(member, **over):
    return {"member": member.pk, "receipt_number": "API-1", "amount": "40.00",
            "paid_on": "2026-03-15", "method": "alipay", "months": 1, **over}


# --- profiles --------------------------------------------------------------------------------


def test_profile_get_and_set(client, billed):
    response = send(client, billed.branch_secretary, "put", f"/profiles/{billed.member_a.pk}",
                    {"effective_month": "2026-03", "category": "retiree", "income_base": "5000.01"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current"]["category"] == "retiree"
    assert body["current"]["income_base"] == "5000.01"
    assert [p["effective_month"] for p in body["history"]] == ["2026-03-01", "2026-01-01"]
    assert DuesBill.objects.get(member=billed.member_a, month=dt.date(2026, 3, 1)).amount == \
        D("50.00")
    assert get(client, billed.member, f"/profiles/{billed.member_a.pk}").status_code == 200


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("member", 403),
                                             ("outsider_secretary", 404)])
def test_profile_set_refused_outside_or_read_only(client, billed, who, status):
    response = send(client, getattr(billed, who), "put", f"/profiles/{billed.member_a.pk}",
                    {"effective_month": "2026-03", "category": "student"})
    assert response.status_code == status
    assert DuesProfile.objects.filter(member=billed.member_a).count() == 1


def test_profile_get_outside_scope_is_404(client, billed):
    assert get(client, billed.outsider_secretary,
               f"/profiles/{billed.member_a.pk}").status_code == 404


def test_profile_validation_errors_are_field_messages(client, billed):
    response = send(client, billed.branch_secretary, "put", f"/profiles/{billed.member_a.pk}",
                    {"effective_month": "2026-03", "category": "in_service"})
    assert response.status_code == 422
    assert "income_base" in response.json()["fields"]
    response = send(client, billed.branch_secretary, "put", f"/profiles/{billed.member_a.pk}",
                    {"effective_month": "2026-3", "category": "in_service"})
    assert response.status_code == 422


# --- bills, payments -------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "count"), [("district_admin", 12), ("community_secretary", 9),
                                            ("branch_secretary", 6), ("auditor", 9),
                                            ("outsider_secretary", 3), ("member", 3)])
def test_bills_list_is_scoped(client, billed, who, count):
    response = get(client, getattr(billed, who), "/bills")
    assert response.status_code == 200
    assert response.json()["count"] == count


def test_bills_filters(client, billed):
    body = get(client, billed.district_admin, "/bills", organization=billed.community_a.pk,
               month="2026-02").json()
    assert body["count"] == 3
    assert {i["month"] for i in body["items"]} == {"2026-02-01"}
    assert get(client, billed.district_admin, "/bills", status="paid").json()["count"] == 0
    assert get(client, billed.outsider_secretary, "/bills",
               organization=billed.branch_a.pk).status_code == 404
    assert get(client, billed.outsider_secretary, "/bills",
               member=billed.member_a.pk).status_code == 404


def test_payment_is_recorded_once(client, billed):
    response = send(client, billed.branch_secretary, "post", "/payments", payment(billed.member_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["first_month"], body["remit_to_central"]) == (
        "40.00", "2026-01-01", False)
    response = send(client, billed.branch_secretary, "post", "/payments", payment(billed.member_a))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "API-1" in response.json()["fields"]["receipt_number"][0]
    assert DuesPayment.objects.count() == 1
    assert get(client, billed.member, "/payments").json()["count"] == 1
    assert get(client, billed.outsider_secretary, "/payments").json()["count"] == 0


def test_voluntary_payment_for_the_centre_over_the_api(client, billed):
    response = send(client, billed.branch_secretary, "post", "/payments",
                    payment(billed.member_a, amount="1000", months=0, receipt_number="V"))
    assert response.status_code == 201
    assert response.json()["remit_to_central"] is True
    assert response.json()["voluntary_amount"] == "1000.00"


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("member", 403),
                                             ("outsider_secretary", 404)])
def test_payment_refused_outside_or_read_only(client, billed, who, status):
    response = send(client, getattr(billed, who), "post", "/payments", payment(billed.member_a))
    assert response.status_code == status
    assert not DuesPayment.objects.exists()


def test_payment_beyond_the_prepayment_limit_is_refused(client, billed):
    response = send(client, billed.branch_secretary, "post", "/payments",
                    payment(billed.member_a, months=10, amount="400"))
    assert response.status_code == 422
    assert "months" in response.json()["fields"]
    assert not DuesPayment.objects.exists()


# --- arrears, collection, statements ---------------------------------------------------------


def test_arrears_and_collection(client, billed):
    send(client, billed.branch_secretary, "post", "/payments",
         payment(billed.member_a, months=3, amount="120"))
    body = get(client, billed.community_secretary, "/arrears",
               organization=billed.community_a.pk).json()
    assert [(i["member"]["name"], i["months_owed"], i["level"], i["amount_owed"])
            for i in body["items"]] == [("李四", 3, "yellow", "270.00"),
                                        ("王五", 3, "yellow", "30.00")]
    body = get(client, billed.district_admin, "/collection", organization=billed.district.pk,
               month="2026-01", last_month="2026-03").json()
    assert body["total"]["amount_due"] == "870.00"
    assert body["total"]["amount_paid"] == "120.00"
    assert body["total"]["rate_percent"] == "13.8"
    assert [c["organization"]["name"] for c in body["children"]] == ["望春街道党工委",
                                                                     "南门街道党工委"]
    assert get(client, billed.outsider_secretary, "/collection",
               organization=billed.community_a.pk).status_code == 404
    assert get(client, billed.member, "/arrears",
               organization=billed.branch_a.pk).status_code == 404


def test_statement(client, billed):
    body = get(client, billed.member, f"/statements/{billed.member_a.pk}", year=2026).json()
    assert (body["total_due"], body["months_owed"], len(body["bills"])) == ("120.00", 3, 3)
    assert get(client, billed.outsider_secretary,
               f"/statements/{billed.member_a.pk}").status_code == 404


def test_openapi_documents_every_dues_operation(client, billed):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: set(ops) for p, ops in schema["paths"].items() if p.startswith(API)}
    assert paths == {
        f"{API}/profiles/{{member_id}}": {"get", "put"},
        f"{API}/bills": {"get"},
        f"{API}/payments": {"get", "post"},
        f"{API}/arrears": {"get"},
        f"{API}/collection": {"get"},
        f"{API}/statements/{{member_id}}": {"get"},
    }
    for ops in (schema["paths"][p] for p in paths):
        for op in ops.values():
            assert op.get("summary") and "401" in op["responses"]


def test_unauthenticated_is_401(client, billed):
    assert client.get(f"{API}/bills").status_code == 401


def test_bills_list_query_count_does_not_grow(client, billed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengling.testing.factories import MemberFactory

    auth = headers(billed.district_admin)
    client.get(f"{API}/bills", headers=auth)  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as first:
        client.get(f"{API}/bills", headers=auth)
    for _ in range(5):
        MemberFactory(organization=billed.branch_b)
    services.generate_bills(dt.date(2026, 3, 1))
    services.dues_payment_record(billed.district_admin, billed.member_a, receipt_number="Q",
                                 amount="40", paid_on=TODAY, method="cash", today=TODAY)
    with CaptureQueriesContext(connection) as second:
        response = client.get(f"{API}/bills", headers=auth)
    assert response.json()["count"] == 17
    assert len(second.captured_queries) == len(first.captured_queries)
