"""The cockpit (驾驶舱): scope (outside 404, members 403), the figures a user would check
against the rows behind them, every drill-down address landing on those rows, the printable
version, the refresh fragment, the cache, and a query count that does not grow with data."""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengling.alerts import services as alert_services
from fengling.alerts.models import Alert, Case
from fengling.dues.models import BillStatus, DuesBill, DuesPayment
from fengling.meetings.models import Meeting
from fengling.reports.cockpit import cockpit_figures
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 5)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 4, 5, 10, tzinfo=dt.UTC), tick=False):
        yield


def alert(org, level="red", rule="lost_contact", member=None, subject=None, first_seen=TODAY,
          **kw):
    return Alert.objects.create(
        rule=rule, level=level, organization=org, member=member,
        subject=subject or f"{rule}:{org.pk}:{member.pk if member else ''}",
        first_seen=first_seen, last_seen=TODAY, params={"name": "x", "since": "2025-01-01"},
        evidence=[], **kw)


def meeting(org, day, kind="branch_committee"):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    return Meeting.objects.create(organization=org, kind=kind, state="held", topic="t",
                                  starts_at=start, ends_at=start + dt.timedelta(hours=1))


def bill(member, month, amount, status=BillStatus.OPEN):
    payment = None
    if status == BillStatus.PAID:
        payment = DuesPayment.objects.create(
            member=member, organization=member.organization,
            receipt_number=f"R{member.pk}-{month:%Y%m}",
            paid_on=month, method="cash", amount=Decimal(amount), dues_amount=Decimal(amount),
            voluntary_amount=Decimal(0), first_month=month, last_month=month)
    return DuesBill.objects.create(member=member, organization=member.organization, month=month,
                                   category="employed", amount=Decimal(amount), status=status,
                                   payment=payment)


def figures_of(client, user, org=None):
    client.force_login(user)
    url = reverse("reports:cockpit_org", args=[org.pk]) if org else reverse("reports:cockpit")
    response = client.get(url)
    assert response.status_code == 200
    return response, response.context["figures"]


# --- scope --------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "org", "status"), [
    ("district_admin", "district", 200),
    ("district_admin", "street2", 200),
    ("street_admin", "street1", 200),
    ("street_admin", "community_a", 200),
    ("street_admin", "street2", 404),       # another street
    ("street_admin", "district", 404),      # the level above
    ("outsider_secretary", "street1", 404),
    ("outsider_secretary", "community_b", 200),
    ("auditor", "street1", 200),            # read-only may look
    ("member", "branch_a", 403),            # members have no cockpit
])
def test_cockpit_scope(client, cast, who, org, status):
    client.force_login(getattr(cast, who))
    response = client.get(reverse("reports:cockpit_org", args=[getattr(cast, org).pk]))
    assert response.status_code == status


def test_cockpit_without_id_is_the_top_of_the_scope(client, cast):
    _response, f = figures_of(client, cast.street_admin)
    assert f["organization"]["id"] == cast.street1.pk
    _response, f = figures_of(client, cast.district_admin)
    assert f["organization"]["id"] == cast.district.pk


def test_cockpit_wrong_method(client, cast):
    client.force_login(cast.district_admin)
    assert client.post(reverse("reports:cockpit")).status_code == 405


def test_member_has_no_cockpit_in_the_menu(client, cast):
    client.force_login(cast.member)
    assert reverse("reports:cockpit") not in client.get("/").content.decode()
    client.force_login(cast.street_admin)
    assert reverse("reports:cockpit") in client.get("/").content.decode()


# --- the figures ----------------------------------------------------------------------------


def test_figures_count_what_is_in_the_subtree(client, cast):
    alert(cast.branch_a, "red", member=cast.member_a)
    alert(cast.branch_a2, "yellow", rule="branch_size")
    alert(cast.branch_b, "red", member=cast.member_b)        # street 2
    alert(cast.branch_a, "red", rule="dues_arrears_red", member=cast.member_a,
          state="resolved", resolved_on=TODAY)                # resolved: not counted
    case = alert_services.case_open(cast.community_secretary, cast.branch_a, title="整改",
                                    responsible=cast.branch_secretary, plan="p",
                                    deadline=TODAY + dt.timedelta(days=1))
    Case.objects.filter(pk=case.pk).update(deadline=TODAY - dt.timedelta(days=1))  # overdue
    _response, f = figures_of(client, cast.street_admin)
    assert f["members"]["active"] == 3  # member A, secretary A, member A2; not member B
    levels = {row["level"]: row["count"] for row in f["warnings"]["by_level"]}
    assert levels == {"red": 1, "yellow": 1, "upcoming": 0}
    assert {r["rule"]: r["count"] for r in f["warnings"]["by_rule"]} == {
        "lost_contact": 1, "branch_size": 1}
    assert f["cases"] == {**f["cases"], "open": 1, "overdue": 1}
    kinds = {k["kind"]: k["count"] for k in f["organizations"]["by_kind"]}
    assert kinds == {"street": 1, "community": 2, "branch": 3}
    # The heat grid: one row per community of street 1.
    rows = {r["organization"]["name"]: {c["key"]: c["value"] for c in r["cells"]}
            for r in f["grid"]["rows"]}
    assert set(rows) == {cast.community_a.name, cast.community_a2.name}
    assert rows[cast.community_a.name]["red"] == 1
    assert rows[cast.community_a.name]["cases"] == 1
    assert rows[cast.community_a.name]["members"] == 3
    assert rows[cast.community_a2.name]["red"] == 0


def test_dues_rate_and_trends(client, cast):
    bill(cast.member_a, dt.date(2026, 3, 1), "10.00", BillStatus.PAID)
    bill(cast.member_a, dt.date(2026, 4, 1), "10.00")
    bill(cast.member_a2, dt.date(2026, 3, 1), "30.00")
    meeting(cast.branch_a, dt.date(2026, 3, 10))
    meeting(cast.branch_a, dt.date(2026, 3, 20))
    meeting(cast.branch_b, dt.date(2026, 3, 20))  # another street
    alert(cast.branch_a, "yellow", rule="branch_size", first_seen=dt.date(2026, 2, 3))
    _response, f = figures_of(client, cast.street_admin)
    assert f["dues"]["rate"] == 20.0  # 10 paid of 50 due
    trends = f["trends"]
    assert trends["months"][0] == "2025-05" and trends["months"][-1] == "2026-04"
    series = {s["key"]: s for s in trends["series"]}
    march = trends["months"].index("2026-03")
    assert series["meetings_held"]["values"][march] == 2
    assert series["dues_rate"]["values"][march] == 25.0  # 10 of 40
    assert series["dues_rate"]["values"][march + 1] == 0.0
    assert series["dues_rate"]["values"][0] is None  # nothing due
    assert series["warnings_opened"]["values"][trends["months"].index("2026-02")] == 1


# --- drill-down: each address lists the rows behind the number -----------------------------


def test_red_segment_drills_down_to_the_red_warnings_of_the_organization(client, cast):
    alert(cast.branch_a, "red", member=cast.member_a)
    alert(cast.branch_a2, "yellow", rule="branch_size")
    alert(cast.branch_b, "red", member=cast.member_b)
    _response, f = figures_of(client, cast.district_admin, cast.street1)
    red = next(row for row in f["warnings"]["by_level"] if row["level"] == "red")
    assert red["url"] == f"/alerts/?level=red&organization={cast.street1.pk}"
    page = client.get(red["url"])
    assert page.status_code == 200
    assert [a.member for a in page.context["page"]] == [cast.member_a]


def test_trend_point_drills_down_to_the_warnings_opened_that_month(client, cast):
    alert(cast.branch_a, "yellow", rule="branch_size", first_seen=dt.date(2026, 2, 3))
    alert(cast.branch_a2, "yellow", rule="branch_size", first_seen=dt.date(2026, 3, 3))
    _response, f = figures_of(client, cast.street_admin)
    series = next(s for s in f["trends"]["series"] if s["key"] == "warnings_opened")
    url = series["urls"][f["trends"]["months"].index("2026-02")]
    page = client.get(url)
    assert [a.organization for a in page.context["page"]] == [cast.branch_a]


def test_count_by_kind_drills_down_to_the_organizations_of_that_kind_below(client, cast):
    _response, f = figures_of(client, cast.district_admin, cast.street1)
    branches = next(k for k in f["organizations"]["by_kind"] if k["kind"] == "branch")
    page = client.get(branches["url"])
    names = {o.name for o in page.context["results"]}
    assert names == {cast.branch_a.name, cast.branch_a2.name, cast.branch_a3.name}


def test_within_outside_scope_is_404(client, cast):
    client.force_login(cast.street_admin)
    response = client.get(reverse("organizations:tree"), {"within": cast.street2.pk})
    assert response.status_code == 404


def test_every_drill_down_address_opens(client, cast):
    alert(cast.branch_a, "red", member=cast.member_a)
    response, f = figures_of(client, cast.district_admin)
    urls = [f["members"]["url"], f["members"]["full_url"], f["warnings"]["url"],
            f["meetings"]["url"], f["dues"]["url"], f["study"]["url"], f["cases"]["url"],
            f["cases"]["overdue_url"]]
    urls += [row["url"] for row in f["warnings"]["by_level"] + f["warnings"]["by_rule"]]
    urls += [row["url"] for row in f["organizations"]["by_kind"]]
    urls += [row["organization"]["url"] for row in f["grid"]["rows"]]
    for s in f["trends"]["series"]:
        urls += s["urls"][-2:]
    for url in urls:
        assert client.get(url).status_code == 200, url
    body = response.content.decode()
    # The numbers are in the page as text and links, not only in the charts.
    assert f["warnings"]["by_level"][0]["url"].replace("&", "&amp;") in body
    assert 'id="cockpit-data"' in body


# --- print, refresh, cache ----------------------------------------------------------------


def test_printable_version_has_no_navigation_and_open_tables(client, cast):
    client.force_login(cast.district_admin)
    body = client.get(reverse("reports:cockpit"), {"print": "1"}).content.decode()
    assert "navbar" not in body
    assert "<details class=\"mb-2\" open>" in body
    assert 'id="table-trends"' in body


def test_refresh_fragment_is_the_figures_only(client, cast):
    client.force_login(cast.district_admin)
    url = reverse("reports:cockpit_org", args=[cast.district.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 300s"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="cockpit-figures"')
    assert "navbar" not in fragment and "chart-levels" not in fragment
    data = fragment.split('<script id="cockpit-data" type="application/json">')[1]
    assert json.loads(data.split("</script>")[0])["organization"]["id"] == cast.district.pk


def test_figures_are_cached_per_organization_and_day(cast):
    from django.core.cache import cache
    cache.clear()
    with override_settings(COCKPIT_CACHE_SECONDS=60):
        first = cockpit_figures(cast.district_admin, cast.street1)
        alert(cast.branch_a, "red", member=cast.member_a)
        assert cockpit_figures(cast.street_admin, cast.street1) == first  # shared, cached
        fresh = cockpit_figures(cast.street_admin, cast.street1,
                                today=TODAY + dt.timedelta(days=1))
        assert fresh["warnings"]["open"] == 1
    cache.clear()


def test_query_count_does_not_grow_with_data(client, cast, django_assert_num_queries):
    client.force_login(cast.district_admin)
    url = reverse("reports:cockpit")
    # The dues roll-up reads the paths once bills exist.
    bill(cast.member_a, dt.date(2026, 3, 1), "5.00")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    # Session, user and scope, then about 20 grouped reads of the figures.
    assert few == 27
    for i in range(5):
        member = MemberFactory(organization=cast.branch_a3)
        alert(cast.branch_a3, "red", member=member, subject=f"s{i}")
        meeting(cast.branch_a3, dt.date(2026, 3, 1 + i))
        bill(member, dt.date(2026, 3, 1), "5.00")
    assert count() == few
    with django_assert_num_queries(few):
        client.get(url)
