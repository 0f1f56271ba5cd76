"""Dues pages over the cast: who sees what (404 outside, 403 read-only), forms, export,
pinned query counts."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fengling.core.models import AuditEntry
from fengling.dues import services
from fengling.dues.models import DuesBill, DuesPayment, DuesProfile, Remittance
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 15)
D = Decimal


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 3, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def billed(cast):
    for member, base in ((cast.member_a, "4000"), (cast.secretary_a_member, "6000"),
                         (cast.member_a2, "2000"), (cast.member_b, "10000")):
        services.dues_profile_set(cast.district_admin, member, effective_month=dt.date(2026, 1, 1),
                                  category="in_service", income_base=D(base))
    for month in (1, 2, 3):
        services.generate_bills(dt.date(2026, month, 1))
    return cast


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


READERS = ["district_admin", "street_admin", "community_secretary", "auditor"]


@pytest.mark.parametrize("who", READERS)
def test_organization_overview_in_scope(client, billed, who):
    response = get(client, getattr(billed, who), "dues:organization", billed.community_a.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "望春社区第一支部" in html and "张三" in html  # child row and arrears row
    total = response.context["total"]
    assert (total.amount_due, total.amount_paid) == (D("140.00"), D("0.00"))  # March
    assert [r["months_owed"] for r in response.context["arrears_rows"]] == [3, 3, 3]
    assert "赵六" not in html


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
def test_organization_overview_outside_scope_is_404(client, billed, who):
    assert get(client, getattr(billed, who), "dues:organization",
               billed.community_a.pk).status_code == 404


def test_month_selector_changes_the_month(client, billed):
    services.dues_payment_record(billed.district_admin, billed.member_a, receipt_number="R1",
                                 amount="40.00", paid_on=TODAY, method="cash", today=TODAY)
    response = get(client, billed.district_admin, "dues:organization", billed.branch_a.pk,
                   month="2026-01")
    assert response.context["month"] == dt.date(2026, 1, 1)
    assert response.context["total"].amount_paid == D("40.00")
    response = get(client, billed.district_admin, "dues:organization", billed.branch_a.pk,
                   month="2026-02")
    assert response.context["total"].amount_paid == D("0.00")
    response = get(client, billed.district_admin, "dues:organization", billed.branch_a.pk,
                   month="junk")
    assert response.context["month"] == dt.date(2026, 3, 1)


def test_overview_query_count_does_not_grow_with_members(client, billed):
    client.force_login(billed.district_admin)
    url = reverse("dues:organization", args=[billed.district.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for _ in range(6):
        MemberFactory(organization=billed.branch_a2)
    services.generate_bills(dt.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.context["arrears"].paginator.count == 4
    assert len(second.captured_queries) == len(first.captured_queries)


def test_index_sends_staff_to_their_top_organization_and_members_to_their_dues(client, cast):
    response = get(client, cast.community_secretary, "dues:index")
    assert response.url == reverse("dues:organization", args=[cast.community_a.pk])
    response = get(client, cast.member, "dues:index")
    assert response.url == reverse("dues:member", args=[cast.member_a.pk])


def test_nav_has_the_dues_entry(client, cast):
    html = get(client, cast.member, "reports:home").content.decode()
    assert reverse("dues:index") in html
    assert "党费" in html


# --- member page and forms -------------------------------------------------------------------


@pytest.mark.parametrize("who", [*READERS, "branch_secretary", "member"])
def test_member_page_in_scope(client, billed, who):
    response = get(client, getattr(billed, who), "dues:member", billed.member_a.pk)
    assert response.status_code == 200
    dues = response.context["dues"]
    assert [b.amount for b in dues.bills] == [D("40.00")] * 3
    assert dues.arrears.months_owed == 3
    has_form = reverse("dues:member_pay", args=[billed.member_a.pk]) in response.content.decode()
    assert has_form == (who not in ("auditor", "member"))


def test_member_page_outside_scope_is_404(client, billed):
    assert get(client, billed.outsider_secretary, "dues:member",
               billed.member_a.pk).status_code == 404
    assert get(client, billed.member, "dues:member", billed.member_a2.pk).status_code == 404


def test_member_page_query_count_is_pinned(client, billed):
    client.force_login(billed.branch_secretary)
    url = reverse("dues:member", args=[billed.member_a.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    services.dues_payment_record(billed.district_admin, billed.member_a, receipt_number="R1",
                                 amount="80.00", paid_on=TODAY, method="cash", months=2,
                                 today=TODAY)
    services.dues_payment_record(billed.district_admin, billed.member_a, receipt_number="R2",
                                 amount="5.00", paid_on=TODAY, method="cash", months=0,
                                 today=TODAY)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(response.context["dues"].payments) == 2
    assert len(second.captured_queries) == len(first.captured_queries)


def pay_data(**over):
    return {"receipt_number": "HS-001", "amount": "120.00", "paid_on": "2026-03-15",
            "method": "wechat", "months": "3", "note": "", **over}


def test_secretary_records_a_quarterly_payment_once(client, billed):
    client.force_login(billed.branch_secretary)
    url = reverse("dues:member_pay", args=[billed.member_a.pk])
    response = client.post(url, pay_data())
    assert response.status_code == 302
    assert DuesBill.objects.filter(member=billed.member_a, status="paid").count() == 3
    response = client.post(url, pay_data())
    assert response.status_code == 422
    assert "HS-001" in response.content.decode()
    assert DuesPayment.objects.count() == 1


def test_prepayment_beyond_six_months_is_refused_on_the_page(client, billed):
    client.force_login(billed.branch_secretary)
    response = client.post(reverse("dues:member_pay", args=[billed.member_a.pk]),
                           pay_data(months="10", amount="400.00"))
    assert response.status_code == 422
    assert "6" in str(response.context["payment_form"].errors["months"])
    assert not DuesPayment.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("member", 403),
                                             ("outsider_secretary", 404)])
def test_payment_and_profile_forms_refuse_readers_and_outsiders(client, billed, who, status):
    client.force_login(getattr(billed, who))
    assert client.post(reverse("dues:member_pay", args=[billed.member_a.pk]),
                       pay_data()).status_code == status
    assert client.post(reverse("dues:member_profile", args=[billed.member_a.pk]),
                       {"effective_month": "2026-03", "category": "student"}).status_code == status
    assert not DuesPayment.objects.exists()


def test_forms_refuse_get(client, billed):
    client.force_login(billed.branch_secretary)
    assert client.get(reverse("dues:member_pay", args=[billed.member_a.pk])).status_code == 405


def test_profile_form_sets_the_base_and_reprices(client, billed):
    client.force_login(billed.branch_secretary)
    response = client.post(reverse("dues:member_profile", args=[billed.member_a.pk]),
                           {"effective_month": "2026-03", "category": "in_service",
                            "income_base": "10000.01"})
    assert response.status_code == 302
    assert DuesBill.objects.get(member=billed.member_a, month=dt.date(2026, 3, 1)).amount == \
        D("200.00")
    assert DuesProfile.objects.filter(member=billed.member_a).count() == 2
    response = client.post(reverse("dues:member_profile", args=[billed.member_a.pk]),
                           {"effective_month": "2026-13", "category": "in_service"})
    assert response.status_code == 422
    assert "effective_month" in response.context["profile_form"].errors


# --- statement, remittances, export ----------------------------------------------------------


def test_yearly_statement_is_printable_and_scoped(client, billed):
    response = get(client, billed.member, "dues:statement", billed.member_a.pk, 2026)
    assert response.status_code == 200
    html = response.content.decode()
    assert "d-print-none" in html and "120.00" in html
    assert get(client, billed.outsider_secretary, "dues:statement", billed.member_a.pk,
               2026).status_code == 404


def test_remittances_page_records_and_lists(client, billed):
    client.force_login(billed.branch_secretary)
    url = reverse("dues:remittances", args=[billed.branch_a.pk])
    data = {"first_month": "2026-01", "last_month": "2026-03", "amount": "120.00",
            "remitted_on": "2026-03-15", "reference": "Q1"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 422
    assert Remittance.objects.count() == 1
    response = get(client, billed.community_secretary, "dues:remittances",
                   billed.community_a.pk)
    assert "120.00" in response.content.decode()  # received from branch A


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider_secretary", 404)])
def test_remittance_refused_for_readers_and_outsiders(client, billed, who, status):
    client.force_login(getattr(billed, who))
    response = client.post(reverse("dues:remittances", args=[billed.branch_a.pk]),
                           {"first_month": "2026-01", "last_month": "2026-03",
                            "amount": "1.00", "remitted_on": "2026-03-15"})
    assert response.status_code == status
    assert not Remittance.objects.exists()


def test_remittances_page_query_count_is_pinned(client, billed):
    client.force_login(billed.district_admin)
    url = reverse("dues:remittances", args=[billed.community_a.pk])

    def remit(branch, month):
        services.remittance_record(billed.district_admin, branch,
                                   first_month=dt.date(2026, month, 1),
                                   last_month=dt.date(2026, month, 1), amount="10.00",
                                   remitted_on=TODAY, today=TODAY)

    remit(billed.branch_a, 1)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for branch, month in ((billed.branch_a2, 1), (billed.branch_a, 2)):
        remit(branch, month)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 3
    assert len(second.captured_queries) == len(first.captured_queries)


def test_export_holds_the_subtrees_bills_and_payments_and_is_audited(client, billed):
    services.dues_payment_record(billed.district_admin, billed.member_a, receipt_number="R9",
                                 amount="40.00", paid_on=TODAY, method="cash", today=TODAY)
    response = get(client, billed.auditor, "dues:export", billed.community_a.pk, year="2026")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    bills, payments = book.worksheets
    rows = list(bills.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 9  # 3 members of community A × 3 months
    assert {r[1] for r in rows} == {"张三", "李四", "王五"}
    assert [r[1] for r in payments.iter_rows(min_row=2, values_only=True)] == ["R9"]
    entry = AuditEntry.objects.get(action="dues.export")
    assert entry.data == {"year": 2026, "rows": 10}


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
def test_export_outside_scope_is_404(client, billed, who):
    assert get(client, getattr(billed, who), "dues:export",
               billed.community_a.pk).status_code == 404
    assert not AuditEntry.objects.filter(action="dues.export").exists()


@pytest.mark.parametrize(("who", "status"), [("outsider_secretary", 404), ("member", 404),
                                             ("auditor", 200), ("community_secretary", 200)])
def test_remittances_page_scope(client, billed, who, status):
    assert get(client, getattr(billed, who), "dues:remittances",
               billed.branch_a.pk).status_code == status


def test_user_without_a_role_or_record_gets_403_from_the_dues_index(client, cast):
    from fengling.testing.factories import make_user

    assert get(client, make_user("newcomer"), "dues:index").status_code == 403


def test_pages_need_a_login(client, cast):
    response = client.get(reverse("dues:organization", args=[cast.branch_a.pk]))
    assert response.status_code == 302 and "login" in response.url
