"""Member index (锋领指数): the default items, monthly crediting from meetings, dues and
study within caps, awards with evidence and review, frozen publications, and the index as
evidence in the appraisal."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from fengling.evaluation import index, services
from fengling.evaluation.models import IndexCredit, IndexItem, IndexSnapshotRow
from fengling.evaluation.rules import DEFAULT_INDEX_ITEMS, Dimension
from fengling.meetings.models import Attendance
from fengling.meetings.services import meeting_transition
from fengling.meetings.tests.helpers import at, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the pages' tests run in Chinese)."""
    from django.utils import translation
    with translation.override("en"):
        yield


def test_default_items_four_dimensions_about_33():
    assert len(DEFAULT_INDEX_ITEMS) == 33
    assert {d for _c, d, *_ in DEFAULT_INDEX_ITEMS} == set(Dimension.values)
    assert len({c for c, *_ in DEFAULT_INDEX_ITEMS}) == 33
    party_day = next(i for i in DEFAULT_INDEX_ITEMS if i[0] == "party_day")
    volunteer = next(i for i in DEFAULT_INDEX_ITEMS if i[0] == "volunteer")
    assert party_day[3] == D(1) and volunteer[3] == D(2)  # RULES Part B §6.2 examples


def held(user, org, kind, day):
    m = schedule(user, org, kind=kind, start=at(2026, 3, day, 9, 0))
    meeting_transition(user, m, "held")
    Attendance.objects.filter(meeting=m).update(status="present")
    return m


def test_credit_month_from_meetings_with_caps_and_links(cast):
    pd1 = held(cast.branch_secretary, cast.branch_a, "party_day", 10)
    held(cast.branch_secretary, cast.branch_a, "party_day", 20)  # second one: cap 1 a month
    held(cast.branch_secretary, cast.branch_a, "lecture", 12)
    n = index.credit_month(cast.branch_secretary, cast.branch_a, dt.date(2026, 3, 1))
    rows = IndexCredit.objects.filter(member=cast.member_a)
    assert {(c.item.code, c.points) for c in rows} == {("party_day", D(1)),
                                                        ("org_life", D(1))}
    assert rows.get(item__code="party_day").record == f"meetings.meeting:{pd1.pk}"
    # Idempotent: crediting again replaces, never doubles.
    assert index.credit_month(cast.branch_secretary, cast.branch_a, dt.date(2026, 3, 1)) == n
    assert index.totals([cast.member_a.pk], 2026) == {cast.member_a.pk: D(2)}
    with pytest.raises(PermissionDenied):
        index.credit_month(cast.auditor, cast.branch_a, dt.date(2026, 3, 1))


def test_credit_from_dues_on_time_and_study_hours(cast):
    from fengling.dues.models import DuesBill, DuesPayment
    from fengling.training.models import StudyRecord

    pay = DuesPayment.objects.create(
        member=cast.member_a, organization=cast.branch_a, receipt_number="R1",
        paid_on=dt.date(2026, 3, 5), method="cash", amount=D(15), dues_amount=D(15),
        voluntary_amount=D(0))
    DuesBill.objects.create(member=cast.member_a, organization=cast.branch_a,
                            month=dt.date(2026, 3, 1), category="in_service",
                            amount=D(15), status="paid", payment=pay)
    late = DuesPayment.objects.create(
        member=cast.member_a2, organization=cast.branch_a2, receipt_number="R2",
        paid_on=dt.date(2026, 4, 5), method="cash", amount=D(15), dues_amount=D(15),
        voluntary_amount=D(0))
    DuesBill.objects.create(member=cast.member_a2, organization=cast.branch_a2,
                            month=dt.date(2026, 3, 1), category="in_service",
                            amount=D(15), status="paid", payment=late)
    StudyRecord.objects.create(member=cast.member_a, kind="self_study", title="党章",
                               studied_on=dt.date(2026, 3, 8), hours=D(10), status="approved")
    index.credit_month(cast.community_secretary, cast.community_a, dt.date(2026, 3, 1))
    got = {(c.member_id, c.item.code): c.points for c in IndexCredit.objects.all()}
    assert got[(cast.member_a.pk, "dues")] == D(1)
    assert (cast.member_a2.pk, "dues") not in got  # paid late
    assert got[(cast.member_a.pk, "study")] == D(4)  # 10 h × 0.5 capped at 4 a month


def test_award_needs_evidence_and_another_reviewer(cast):
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    with pytest.raises(ValidationError, match="evidence"):
        index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 1), " ")
    party_day = IndexItem.objects.get(year=2026, code="party_day")
    with pytest.raises(ValidationError, match="from the records"):
        index.award(cast.branch_secretary, cast.member_a, party_day, dt.date(2026, 5, 1), "x")
    with pytest.raises(PermissionDenied):
        index.award(cast.outsider_secretary, cast.member_a, item, dt.date(2026, 5, 1), "x")
    credit = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 9),
                         "社区敬老志愿服务照片与签到表")
    assert index.totals([cast.member_a.pk], 2026) == {}  # pending: not counted
    with pytest.raises(ValidationError, match="someone other"):
        index.review(cast.branch_secretary, credit, True)
    index.review(cast.community_secretary, credit, True)
    assert index.totals([cast.member_a.pk], 2026) == {cast.member_a.pk: D(2)}


def test_awards_keep_to_the_items_monthly_cap(cast):
    """志愿服务 gives 2 points a day, at most 4 a month: a third award in May is refused
    with a message and nothing is written; a rejected one does not count; June is new."""
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    first = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 3), "照片")
    index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 10), "签到表")
    with pytest.raises(ValidationError, match="at most"):
        index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 17), "照片")
    assert IndexCredit.objects.filter(member=cast.member_a, item=item).count() == 2
    index.review(cast.community_secretary, first, False)  # rejected: frees its 2 points
    index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 17), "照片")
    index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 6, 1), "照片")


def test_half_year_publication_is_frozen_with_ranks(cast):
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    c = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 1), "照片")
    index.review(cast.community_secretary, c, True)
    snap = index.snapshot_take(cast.branch_secretary, cast.branch_a, 2026, "half_year")
    rows = {r.member_id: r for r in IndexSnapshotRow.objects.filter(snapshot=snap)}
    assert rows[cast.member_a.pk].rank == 1 and rows[cast.member_a.pk].total == D(2)
    assert rows[cast.secretary_a_member.pk].rank == 2
    # Later credits (and later item changes) do not move the publication.
    c2 = index.award(cast.branch_secretary, cast.secretary_a_member, item,
                     dt.date(2026, 5, 2), "照片")
    index.review(cast.community_secretary, c2, True)
    IndexItem.objects.filter(year=2027).delete()
    assert IndexSnapshotRow.objects.get(snapshot=snap, member=cast.secretary_a_member).total == 0
    with pytest.raises(ValidationError, match="already"):
        index.snapshot_take(cast.branch_secretary, cast.branch_a, 2026, "half_year")


def test_next_years_items_do_not_change_this_year(cast):
    index.index_items(2026)
    items27 = index.index_items(2027)
    IndexItem.objects.filter(year=2027, code="party_day").update(points=D(3))
    assert IndexItem.objects.get(year=2026, code="party_day").points == D(1)
    assert len(items27) == 33


def test_index_is_evidence_for_the_appraisal_proposal(cast):
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    c = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 1), "照片")
    index.review(cast.community_secretary, c, True)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    services.session_propose(cast.branch_secretary, s,
                             {p.pk: "qualified" for p in s.participants.all()})
    p = s.participants.get(member=cast.member_a)
    assert p.evidence == {"index_total": "2.00"}


def test_my_index_page_shows_where_points_came_from(client, cast):
    pd = held(cast.branch_secretary, cast.branch_a, "party_day", 10)
    index.credit_month(cast.branch_secretary, cast.branch_a, dt.date(2026, 3, 1))
    client.force_login(cast.member)
    r = client.get(reverse("evaluation:my_index") + "?year=2026")
    assert r.status_code == 200
    body = r.content.decode()
    assert reverse("meetings:detail", args=[pd.pk]) in body
    assert [c.member_id for c in r.context["credits"]] == [cast.member_a.pk]
    client.force_login(cast.district_admin)  # no member record: nothing to show
    assert client.get(reverse("evaluation:my_index")).status_code == 403


@pytest.mark.parametrize(("who", "status"), [
    ("member", 200), ("branch_secretary", 200), ("auditor", 200),
    ("outsider_secretary", 404)])
def test_api_member_index_scope(client, cast, who, status):
    from fengling.accounts.services import api_token_issue
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    c = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 1), "照片")
    index.review(cast.community_secretary, c, True)
    r = client.get(f"/api/v1/evaluation/index/members/{cast.member_a.pk}", {"year": 2026},
                   headers={"authorization": f"Bearer {api_token_issue(getattr(cast, who))[0]}"})
    assert r.status_code == status
    if status == 200:
        assert r.json()["total"] == "2.00" and r.json()["credits"][0]["evidence"] == "照片"


@pytest.mark.parametrize(("who", "status", "awarded"), [
    ("branch_secretary", 302, True), ("auditor", 403, False),
    ("outsider_secretary", 404, False), ("member", 403, False)])
def test_index_award_page_scope(client, cast, who, status, awarded):
    index.index_items(2026)
    client.force_login(getattr(cast, who))
    r = client.post(reverse("evaluation:index_action"), {
        "what": "award", "member": cast.member_a.pk, "item": "volunteer", "month": "2026-05",
        "evidence": "照片", "year": 2026})
    assert r.status_code == status
    assert IndexCredit.objects.filter(item__code="volunteer").exists() is awarded


def test_index_page_review_and_publish(client, cast, django_assert_num_queries):
    item = next(i for i in index.index_items(2026) if i.code == "volunteer")
    c = index.award(cast.branch_secretary, cast.member_a, item, dt.date(2026, 5, 1), "照片")
    client.force_login(cast.community_secretary)
    url = reverse("evaluation:index") + "?year=2026"
    r = client.get(url)
    assert [x.pk for x in r.context["pending"].object_list] == [c.pk]
    with django_assert_num_queries(7) as ctx:
        client.get(url)
    n = len(ctx.captured_queries)
    for m in (cast.secretary_a_member, cast.member_a2):
        index.award(cast.community_secretary, m, item, dt.date(2026, 5, 1), "照片")
    with django_assert_num_queries(n):
        r = client.get(url)
    assert len(r.context["pending"].object_list) == 3
    client.force_login(cast.outsider_secretary)
    assert c.pk not in [x.pk for x in client.get(url).context["pending"].object_list]
    assert client.post(reverse("evaluation:index_action"), {
        "what": "approve", "credit": c.pk, "year": 2026}).status_code == 404
    client.force_login(cast.community_secretary)
    client.post(reverse("evaluation:index_action"), {"what": "approve", "credit": c.pk,
                                                     "year": 2026})
    c.refresh_from_db()
    assert c.status == "approved"
    client.post(reverse("evaluation:index_action"), {
        "what": "publish", "organization": cast.branch_a.pk, "kind": "half_year",
        "year": 2026})
    snap = cast.branch_a.index_snapshots.get()
    r = client.get(reverse("evaluation:snapshot", args=[snap.pk]))
    assert r.status_code == 200
    assert [x.member_id for x in r.context["page"].object_list][0] == cast.member_a.pk
    client.force_login(cast.outsider_secretary)
    assert client.get(reverse("evaluation:snapshot", args=[snap.pk])).status_code == 404


def test_credit_month_page(client, cast):
    held(cast.branch_secretary, cast.branch_a, "party_day", 10)
    client.force_login(cast.auditor)
    r = client.post(reverse("evaluation:index_action"), {
        "what": "credit", "organization": cast.branch_a.pk, "month": "2026-03"})
    assert r.status_code == 403
    client.force_login(cast.branch_secretary)
    client.post(reverse("evaluation:index_action"), {
        "what": "credit", "organization": cast.branch_a.pk, "month": "2026-03"})
    assert IndexCredit.objects.filter(item__code="party_day").count() == 2


def test_credit_index_command_is_idempotent(cast):
    from io import StringIO

    from django.core.management import call_command
    held(cast.branch_secretary, cast.branch_a, "party_day", 10)
    out = StringIO()
    call_command("credit_index", "--month", "2026-03", stdout=out)
    assert out.getvalue().strip() == "month=2026-03 credits=2"
    call_command("credit_index", "--month", "2026-03", stdout=StringIO())
    assert IndexCredit.objects.count() == 2


def test_credit_index_year_to_date_credits_every_month_so_far(cast):
    """`make demo` runs it after seeding: as if the monthly job had run all year."""
    from io import StringIO

    import time_machine
    from django.core.management import call_command
    held(cast.branch_secretary, cast.branch_a, "party_day", 10)  # March
    out = StringIO()
    with time_machine.travel(dt.datetime(2026, 5, 20, 12, 0), tick=False):
        call_command("credit_index", "--year-to-date", stdout=out)
    assert [line.split()[0] for line in out.getvalue().split("\n") if line] == [
        "month=2026-01", "month=2026-02", "month=2026-03", "month=2026-04"]
    assert IndexCredit.objects.filter(month=dt.date(2026, 3, 1)).count() == 2


def test_credit_district_queries_do_not_grow_with_members(cast, django_assert_num_queries):
    """Crediting the whole district is set-based: the same number of queries with 2 members
    attending as with 12 (issue 6 item 2)."""
    from fengling.testing.factories import MemberFactory

    index.index_items(2026)
    held(cast.branch_secretary, cast.branch_a, "party_day", 10)
    with django_assert_num_queries(11) as ctx:
        first = index.credit_district(dt.date(2026, 3, 1))
    n = len(ctx.captured_queries)
    for i in range(10):
        MemberFactory(organization=cast.branch_a2, name=f"新{i}")
    held(cast.community_secretary, cast.branch_a2, "party_day", 11)
    held(cast.community_secretary, cast.branch_a2, "lecture", 12)
    with django_assert_num_queries(n):
        again = index.credit_district(dt.date(2026, 3, 1))
    assert again > first + 10


def test_my_index_page_links_dues_study_and_shows_award_evidence(client, cast):
    items = {i.code: i for i in index.index_items(2026)}
    month = dt.date(2026, 3, 1)
    IndexCredit.objects.create(member=cast.member_a, item=items["dues"], month=month,
                               points=D(1), record="dues.duesbill:7")
    IndexCredit.objects.create(member=cast.member_a, item=items["study"], month=month,
                               points=D(2), record="training.studyrecord:3")
    IndexCredit.objects.create(member=cast.member_a, item=items["volunteer"], month=month,
                               points=D(2), evidence="社区防汛志愿服务 3月8日")
    client.force_login(cast.member)
    body = client.get(reverse("evaluation:my_index") + "?year=2026").content.decode()
    assert f'href="{reverse("record:mine")}?kind=dues"' in body
    assert f'href="{reverse("training:my_study")}"' in body
    assert "社区防汛志愿服务 3月8日" in body
