"""Lifecycle pages over the cast: scope on every page (404 outside, 403 read-only), the
forms' flows, the member page's timeline, and pinned query counts on the lists."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fengling.members.lifecycle import services
from fengling.members.lifecycle.models import LostContactRecord, MobileRecord, Transfer
from fengling.members.models import Member
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def records(cast):
    sec = cast.branch_secretary
    transfer = services.transfer_issue(sec, cast.member_a, letter_number="L-1",
                                       issued_on=dt.date(2026, 5, 1),  # overdue from 1 June
                                       to_organization=cast.branch_b)
    mobile = services.mobile_open(sec, cast.secretary_a_member, destination="上海",
                                  since=dt.date(2025, 1, 1))
    lost = services.lost_open(cast.district_admin, cast.member_a2, since=dt.date(2025, 6, 1))
    return transfer, mobile, lost


def page(client, user, name, *args, method="get", data=None, **query):
    client.force_login(user)
    url = reverse(f"lifecycle:{name}", args=args)
    if method == "post":
        return client.post(url, data or {})
    return client.get(url, query)


# Every page that names a member or record: (url name, args from the records and cast).
MEMBER_FORMS = ["status_new", "transfer_new", "transfer_incoming", "mobile_new", "lost_new"]


@pytest.mark.parametrize("name", MEMBER_FORMS)
@pytest.mark.parametrize(("who", "code"), [
    ("branch_secretary", 200), ("auditor", 403), ("member", 403),
    ("outsider_secretary", 404)])
def test_member_forms_scope(client, cast, name, who, code):
    assert page(client, getattr(cast, who), name, cast.member_a.pk).status_code == code


@pytest.mark.parametrize(("name", "index"), [
    ("mobile_report", 1), ("mobile_close", 1), ("lost_effort", 2), ("lost_found", 2)])
@pytest.mark.parametrize(("who", "code"), [
    ("community_secretary", 200), ("auditor", 403), ("outsider_secretary", 404)])
def test_record_forms_scope(client, cast, records, name, index, who, code):
    assert page(client, getattr(cast, who), name, records[index].pk).status_code == code


@pytest.mark.parametrize(("who", "code"), [
    ("branch_secretary", 200), ("outsider_secretary", 200), ("auditor", 200),
    ("member", 200), ("district_admin", 200)])
def test_transfer_page_seen_from_both_ends(client, cast, records, who, code):
    assert page(client, getattr(cast, who), "transfer", records[0].pk).status_code == code


def test_transfer_page_out_of_scope_is_404(client, cast, records):
    other = services.transfer_issue(cast.district_admin, MemberFactory(organization=cast.
                                    branch_a2), letter_number="L-2",
                                    issued_on=dt.date(2026, 5, 20),
                                    to_organization=cast.branch_a3)
    assert page(client, cast.outsider_secretary, "transfer", other.pk).status_code == 404
    response = page(client, cast.outsider_secretary, "transfer_act", other.pk, "reject",
                    method="post", data={"reason": "x"})
    assert response.status_code == 404


def test_transfer_actions_from_the_page(client, cast, records):
    transfer = records[0]
    # Read-only: 403; the sender may not reject: 403.
    assert page(client, cast.auditor, "transfer_act", transfer.pk, "reject", method="post",
                data={"reason": "x"}).status_code == 403
    assert page(client, cast.branch_secretary, "transfer_act", transfer.pk, "reject",
                method="post", data={"reason": "x"}).status_code == 403
    # Overdue: the receiver sees only reject, and a receipt is refused with a message.
    response = page(client, cast.outsider_secretary, "transfer", transfer.pk)
    assert b"/receive/" not in response.content and b"/reject/" in response.content
    response = page(client, cast.outsider_secretary, "transfer_act", transfer.pk, "receive",
                    method="post", data={})
    assert response.status_code == 302
    assert Transfer.objects.get().state == "issued"
    page(client, cast.outsider_secretary, "transfer_act", transfer.pk, "reject", method="post",
         data={"reason": "已过期"})
    assert Transfer.objects.get().state == "rejected"


@pytest.mark.parametrize("name", ["transfers", "mobile", "lost"])
@pytest.mark.parametrize(("who", "code"), [
    ("district_admin", 200), ("auditor", 200), ("member", 403)])
def test_lists_for_staff_only(client, cast, name, who, code):
    assert page(client, getattr(cast, who), name).status_code == code


@pytest.mark.parametrize("name", ["transfers", "mobile", "lost"])
def test_lists_of_an_organization_out_of_scope_are_404(client, cast, name):
    response = page(client, cast.branch_secretary, name, organization=cast.branch_b.pk)
    assert response.status_code == 404


def test_transfer_list_highlights_overdue_and_filters(client, cast, records):
    response = page(client, cast.community_secretary, "transfers",
                    organization=cast.branch_a.pk, direction="out", state="overdue")
    html = response.content.decode()
    assert "L-1" in html and "table-danger" in html
    response = page(client, cast.outsider_secretary, "transfers",
                    organization=cast.community_b.pk, direction="out")
    assert "L-1" not in response.content.decode()
    response = page(client, cast.outsider_secretary, "transfers",
                    organization=cast.community_b.pk, direction="in")
    assert "L-1" in response.content.decode()


def test_mobile_and_lost_lists_show_only_their_scope(client, cast, records):
    html = page(client, cast.branch_secretary, "mobile").content.decode()
    assert "李四" in html and "table-warning" in html  # no annual report since 2025-01-01
    assert "上海" not in page(client, cast.outsider_secretary, "mobile").content.decode()
    html = page(client, cast.community_secretary, "lost").content.decode()
    assert "王五" in html and "table-danger" in html  # 6 months passed on 2025-12-01
    assert "王五" not in page(client, cast.branch_secretary, "lost").content.decode()


def _grow(cast, n):
    """n more members of branch A2 with a letter out, a mobile and a lost-contact record."""
    admin = cast.district_admin
    for i in range(n):
        m1, m2, m3 = (MemberFactory(organization=cast.branch_a2) for _ in range(3))
        services.transfer_issue(admin, m1, letter_number=f"G-{Transfer.objects.count()}-{i}",
                                issued_on=dt.date(2026, 5, 20), to_organization=cast.branch_b)
        record = services.mobile_open(admin, m2, destination="杭州", since=dt.date(2025, 1, 1))
        services.mobile_report_add(admin, record, year=2025, reported_on=dt.date(2025, 12, 1))
        lost = services.lost_open(admin, m3, since=dt.date(2025, 1, 1))
        services.lost_effort_add(admin, lost, made_on=dt.date(2025, 2, 1), method="电话")


@pytest.mark.parametrize("name", ["transfers", "mobile", "lost"])
def test_list_query_counts_do_not_grow_with_rows(client, cast, django_assert_num_queries,
                                                 name):
    client.force_login(cast.community_secretary)
    url = reverse(f"lifecycle:{name}")
    _grow(cast, 1)
    client.get(url)  # warm the session
    # session, user, scope, count, page of rows (reading saves no session).
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    _grow(cast, 4)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    assert MobileRecord.objects.count() == LostContactRecord.objects.count() == 5


def test_member_page_shows_the_timeline_and_records(client, cast, records,
                                                    django_assert_max_num_queries):
    services.status_change_add(cast.branch_secretary, cast.secretary_a_member,
                               kind="reserved", effective_on=dt.date(2026, 5, 1),
                               reason="长期出国")
    client.force_login(cast.branch_secretary)
    url = reverse("members:detail", args=[cast.secretary_a_member.pk])
    # The member page's 14 plus the prefetches of the records that exist (reports, efforts).
    with django_assert_max_num_queries(16):
        html = client.get(url).content.decode()
    assert "长期出国" in html and "上海" in html
    # An auditor sees the history but no action buttons.
    client.force_login(cast.auditor)
    html = client.get(url).content.decode()
    assert "长期出国" in html
    assert reverse("lifecycle:status_new", args=[cast.secretary_a_member.pk]) not in html


def test_status_form_records_a_change(client, cast):
    response = page(client, cast.branch_secretary, "status_new", cast.member_a.pk,
                    method="post", data={"kind": "deceased", "effective_on": "2026-05-30",
                                         "reason": "病故"})
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a.pk).status == "deceased"


def test_status_form_refuses_bad_input_with_messages(client, cast):
    response = page(client, cast.branch_secretary, "status_new", cast.member_a.pk,
                    method="post", data={"kind": "deceased", "effective_on": "2026-06-02",
                                         "reason": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"reason"}  # the form's own check
    response = page(client, cast.branch_secretary, "status_new", cast.member_a.pk,
                    method="post", data={"kind": "deceased", "effective_on": "2026-06-02",
                                         "reason": "病故"})
    assert set(response.context["form"].errors) == {"effective_on"}  # the service's
    assert Member.objects.get(pk=cast.member_a.pk).status == "normal"


def test_member_edit_form_has_no_status_field(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.get(reverse("members:edit", args=[cast.member_a.pk]))
    assert "status" not in response.context["form"].fields


def test_transfer_filters_answer_htmx_with_the_results_only(client, cast, records):
    client.force_login(cast.district_admin)
    response = client.get(reverse("lifecycle:transfers"), {"state": "overdue"},
                          headers={"HX-Request": "true", "HX-Target": "transfer-results"})
    html = response.content.decode()
    assert "L-1" in html and "<form" not in html


def test_lost_list_flags_removal_two_years_after_stopping(client, cast):
    lost = services.lost_open(cast.branch_secretary, cast.member_a, since=dt.date(2023, 1, 1))
    services.lost_effort_add(cast.branch_secretary, lost, made_on=dt.date(2023, 3, 1),
                             method="走访")
    with time_machine.travel(dt.datetime(2023, 8, 1, tzinfo=dt.UTC), tick=False):
        services.status_change_add(cast.branch_secretary, cast.member_a, kind="stopped",
                                   effective_on=dt.date(2023, 7, 15), reason="失联满6个月")
    with time_machine.travel(dt.datetime(2025, 7, 14, 12, tzinfo=dt.UTC), tick=False):
        html = page(client, cast.branch_secretary, "lost").content.decode()
    assert "2025-07-15" in html and "table-danger" not in html
    html = page(client, cast.branch_secretary, "lost").content.decode()  # 2026-06-01
    assert "2025-07-15" in html and "table-danger" in html
