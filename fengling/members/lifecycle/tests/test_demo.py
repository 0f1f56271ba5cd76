"""The demo district carries a status history consistent with every member's status."""

import datetime as dt

import pytest

from fengling.demo.loader import seed
from fengling.members.lifecycle import rules
from fengling.members.lifecycle.models import LostContactRecord, MobileRecord, StatusChange
from fengling.members.models import Member, MemberStatus

pytestmark = pytest.mark.django_db


def test_demo_history_derives_each_status():
    seed("small", as_of=dt.date(2025, 9, 1))
    rows: dict[int, list] = {}
    for member_id, kind, status, day, pk in StatusChange.objects.values_list(
            "member_id", "kind", "status", "effective_on", "id"):
        rows.setdefault(member_id, []).append(rules.HistoryRow(kind, status, day, pk))
    members = list(Member.objects.values_list("pk", "status", "join_date"))
    assert len(rows) == len(members) == 300
    for pk, status, join_date in members:
        assert rules.derive_status(rows[pk], default="none") == status
        assert min(r.effective_on for r in rows[pk]) == join_date
    mobile = Member.objects.filter(status=MemberStatus.MOBILE)
    assert mobile.exists()
    assert set(MobileRecord.objects.open().values_list("member_id", flat=True)) == set(
        mobile.values_list("pk", flat=True))
    # Annual reports follow the rules the service enforces.
    from fengling.members.lifecycle.models import MobileReport
    reports = list(MobileReport.objects.select_related("record"))
    assert reports
    for report in reports:
        assert report.record.since <= report.reported_on <= dt.date(2025, 9, 1)
        assert report.record.since.year <= report.year == report.reported_on.year
    assert set(LostContactRecord.objects.open().values_list("member_id", flat=True)) == set(
        Member.objects.filter(status=MemberStatus.LOST_CONTACT).values_list("pk", flat=True))


def test_demo_has_letters_under_way_some_overdue():
    from fengling.members.lifecycle.models import Transfer
    as_of = dt.date(2025, 9, 1)
    seed("small", as_of=as_of)
    letters = list(Transfer.objects.all())
    assert len(letters) >= 2
    assert all(t.from_organization_id != t.to_organization_id for t in letters)
    assert all(t.member.organization_id == t.from_organization_id for t in letters)
    assert Transfer.objects.overdue(as_of).exists()
