"""The member's record (锋领e家): contents, order, kind filter, summary cards, the query-count
pin, and scope (404 outside, a member sees only their own)."""

import datetime as dt
import itertools

import pytest
import time_machine
from django.urls import reverse

from fengling.dues.models import BillStatus
from fengling.meetings.models import AttendanceStatus, MeetingState
from fengling.record.timeline import Kind, member_summary, member_timeline, timeline_entries

from .helpers import D, at, bill, certificate, meeting, payment, session, status_change, study

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


NUMBERS = itertools.count(1)


def fill(member, n: int = 1, dues: bool = True):
    """n rows of each source for `member` in 2026 (and one in 2025 that must not show)."""
    for k in range(n):
        meeting(member, dt.date(2026, 3, 10 + k), AttendanceStatus.PRESENT, topic=f"三月{k}")
        meeting(member, dt.date(2026, 4, 10 + k), AttendanceStatus.ABSENT, topic=f"四月{k}")
        sess = session(member, at(2026, 2, 1 + k, 9), title=f"课{k}")
        study(member, dt.date(2026, 5, 1 + k))
        certificate(member, sess.course, dt.date(2026, 5, 20), number=f"HL2026-{next(NUMBERS):04d}")
        status_change(member, dt.date(2026, 1, 5 + k))
    if not dues:
        return
    paid = payment(member, dt.date(2026, 3, 20), (dt.date(2026, 1, 1), dt.date(2026, 2, 1)))
    bill(member, dt.date(2026, 1, 1), BillStatus.PAID, payment=paid)
    bill(member, dt.date(2026, 2, 1), BillStatus.PAID, payment=paid)
    for month in (3, 4, 5, 6):
        bill(member, dt.date(2026, month, 1))
    bill(member, dt.date(2026, 7, 1))  # next month's bill, generated ahead: not owed yet
    meeting(member, dt.date(2025, 12, 10), topic="去年")


def test_timeline_holds_every_source_newest_first(cast):
    fill(cast.member_a)
    entries = timeline_entries(cast.member_a.pk, 2026, today=TODAY)
    kinds = {e.kind for e in entries}
    assert kinds == {Kind.MEETING, Kind.DUES, Kind.STUDY, Kind.CERTIFICATE, Kind.STATUS}
    days = [e.day for e in entries]
    assert days == sorted(days, reverse=True)
    titles = [e.title for e in entries]
    assert "去年" not in titles
    meetings = {e.title: e.outcome for e in entries if e.kind == Kind.MEETING}
    assert meetings == {"三月0": "present", "四月0": "absent"}
    owed = [e.day for e in entries if e.outcome == "owed"]
    assert owed == [dt.date(2026, m, 1) for m in (6, 5, 4, 3)]  # not July: not due yet
    paid = [e for e in entries if e.outcome == "paid"]
    assert [(p.day, p.amount) for p in paid] == [(dt.date(2026, 3, 20), D("40.00"))]
    assert "2026-01 – 2026-02" in paid[0].detail
    assert entries[0].day == dt.date(2026, 6, 1)


def test_kind_filter_and_other_years(cast):
    fill(cast.member_a)
    only = timeline_entries(cast.member_a.pk, 2026, kind=Kind.STUDY, today=TODAY)
    assert {e.kind for e in only} == {Kind.STUDY}
    assert sorted(e.hours for e in only) == [D("2.0"), D("4.0")]
    last_year = timeline_entries(cast.member_a.pk, 2025, today=TODAY)
    assert [e.title for e in last_year] == ["去年"]


def test_cancelled_meetings_are_left_out(cast):
    meeting(cast.member_a, dt.date(2026, 3, 1), topic="取消了", state=MeetingState.CANCELLED)
    assert timeline_entries(cast.member_a.pk, 2026, today=TODAY) == []


def test_summary_cards(cast):
    fill(cast.member_a)
    meeting(cast.member_a, dt.date(2026, 5, 3), AttendanceStatus.LEAVE)
    s = member_summary(cast.member_a.pk, 2026, today=TODAY)
    assert (s.meetings_attended, s.meetings_required) == (1, 3)
    assert s.dues_paid == D("40.00")
    assert s.dues_owed == D("80.00")
    assert s.arrears_months == 4
    assert s.hours_done == D("6.0")
    assert s.hours_required == D("32")  # RULES Part A: 32 hours for a member
    assert s.hours_missing == D("26.0")
    assert s.certificates == 1


def test_query_count_does_not_grow_with_rows(cast, django_assert_num_queries):
    fill(cast.member_a, 1)
    member = cast.member_a
    member_timeline(cast.district_admin, member.pk, year=2026, today=TODAY)  # scope cached
    # The member, 9 sources (meetings, bills, payments, sessions, study records,
    # certificates, status changes, transfers, milestones), 5 for the summary cards.
    with django_assert_num_queries(15) as first:
        timeline = member_timeline(cast.district_admin, member.pk, year=2026, today=TODAY)
    small = len(timeline.entries)
    fill(member, 3, dues=False)
    with django_assert_num_queries(len(first.captured_queries)):
        timeline = member_timeline(cast.district_admin, member.pk, year=2026, today=TODAY)
    assert len(timeline.entries) > small


def test_page_shows_cards_and_timeline(client, cast):
    fill(cast.member_a)
    client.force_login(cast.branch_secretary)
    response = client.get(reverse("record:member", args=[cast.member_a.pk]),
                          {"year": 2026})
    assert response.status_code == 200
    text = response.content.decode()
    assert "三月0" in text and "四月0" in text
    assert 'id="card-meetings">1 / 2<' in text
    assert 'id="card-hours">6 / 32<' in text
    study_only = client.get(reverse("record:member", args=[cast.member_a.pk]),
                            {"year": 2026, "kind": "study"}).content.decode()
    assert "三月0" not in study_only and "自学党史" in study_only


def test_scope(client, cast):
    url = reverse("record:member", args=[cast.member_a.pk])
    client.force_login(cast.outsider_secretary)
    assert client.get(url).status_code == 404
    client.force_login(cast.auditor)  # read-only roles read the record
    assert client.get(url).status_code == 200
    client.force_login(cast.member)  # the member reads their own ...
    assert client.get(url).status_code == 200
    other = reverse("record:member", args=[cast.secretary_a_member.pk])
    assert client.get(other).status_code == 404  # ... and no one else's
    mine = client.get(reverse("record:mine"))
    assert mine.status_code == 302 and mine.url == url
    assert client.post(url).status_code == 405  # the record is read-only


def test_api_timeline_scope_and_contents(client, cast):
    from fengling.accounts.services import api_token_issue

    fill(cast.member_a)

    def get(user, path, **query):
        token = api_token_issue(user)[0]
        return client.get(path, query, headers={"authorization": f"Bearer {token}"})

    path = f"/api/v1/members/{cast.member_a.pk}/timeline"
    body = get(cast.district_admin, path, year=2026).json()
    assert body["member_id"] == cast.member_a.pk
    assert body["summary"]["arrears_months"] == 4
    assert body["entries"][0]["day"] == "2026-06-01"
    assert {e["kind"] for e in get(cast.district_admin, path, year=2026,
                                   kind="dues").json()["entries"]} == {"dues"}
    assert get(cast.outsider_secretary, path).status_code == 404
    assert get(cast.member, path).status_code == 200
    assert get(cast.member, f"/api/v1/members/{cast.member_b.pk}/timeline").status_code == 404
    assert get(cast.district_admin, path, kind="nonsense").status_code == 422
    mine = get(cast.member, "/api/v1/me/record", year=2026).json()
    assert mine["member_id"] == cast.member_a.pk and mine["summary"]["certificates"] == 1
    assert get(cast.district_admin, "/api/v1/me/record").status_code == 404


def test_openapi_documents_the_record(client, cast):
    client.force_login(cast.district_admin)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/members/{member_id}/timeline" in paths
    assert "/api/v1/me/record" in paths
