"""The month's political birthdays (scoped, printable) and a member's card."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.members.models import MemberStatus
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

MONTH = reverse("birthdays:month")


def login(client, user, lang="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def page(client, user, **params):
    response = login(client, user).get(MONTH, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "shown", "hidden"),
    [
        ("district_admin", ["张三", "李四", "王五", "赵六"], []),
        ("community_secretary", ["张三", "李四", "王五"], ["赵六"]),
        ("branch_secretary", ["张三", "李四"], ["王五", "赵六"]),
        ("auditor", ["张三", "李四", "王五"], ["赵六"]),
        ("outsider_secretary", ["赵六"], ["张三", "李四", "王五"]),
    ],
)
def test_month_list_is_scoped(client, cast, who, shown, hidden):
    html = page(client, getattr(cast, who), month="2026-07")
    for name in shown:
        assert name in html
    for name in hidden:
        assert name not in html
    assert "21 years" in html


def test_organization_filter_and_other_months(client, cast):
    MemberFactory(organization=cast.branch_a2, name="孙七", join_date=dt.date(2010, 3, 5),
                  conversion_date=dt.date(2011, 3, 5))
    html = page(client, cast.district_admin, month="2026-07", organization=cast.branch_a.pk)
    assert "张三" in html and "王五" not in html and "赵六" not in html
    html = page(client, cast.district_admin, month="2026-03")
    assert "孙七" in html and "16 years" in html and "张三" not in html


def test_inactive_and_new_members_are_left_out(client, cast):
    cast.member_a2.status = MemberStatus.DECEASED
    cast.member_a2.save()
    MemberFactory(organization=cast.branch_a, name="新人", join_date=dt.date(2026, 7, 10),
                  membership="probationary", conversion_date=None)
    html = page(client, cast.district_admin, month="2026-07")
    assert "王五" not in html and "新人" not in html and "张三" in html


def test_organization_outside_scope_is_404(client, cast):
    login(client, cast.branch_secretary)
    assert client.get(MONTH, {"organization": cast.branch_b.pk}).status_code == 404


def test_a_member_has_no_roster_but_has_their_card(client, cast):
    login(client, cast.member)
    assert client.get(MONTH).status_code == 403
    card = reverse("birthdays:card", args=[cast.member_a.pk])
    assert client.get(card).status_code == 200
    other = reverse("birthdays:card", args=[cast.secretary_a_member.pk])
    assert client.get(other).status_code == 404


def test_card_outside_scope_is_404(client, cast):
    login(client, cast.outsider_secretary)
    assert client.get(reverse("birthdays:card", args=[cast.member_a.pk])).status_code == 404


def test_card_in_chinese(client, cast):
    response = login(client, cast.branch_secretary, lang="zh-hans").get(
        reverse("birthdays:card", args=[cast.member_a.pk]), {"year": "2026"})
    html = response.content.decode()
    assert "张三" in html and "望春社区第一支部" in html
    assert "2005年7月1日" in html and "21" in html
    assert "@media print" not in html  # print CSS is a static file (CSP)
    assert "css/print.css" in html


def test_printable_list(client, cast):
    html = page(client, cast.community_secretary, month="2026-07", print="1",
                organization=cast.community_a.pk)
    assert "css/print.css" in html and "data-print" in html
    assert "望春社区党委" in html and "张三" in html and "赵六" not in html


def _count(client, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(MONTH, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("params", "pinned"),
    # session, user, scope, (count, rows, organization choices); reading saves no session
    [({"month": "2026-07"}, 6), ({"month": "2026-07", "print": "1"}, 4)],
)
def test_query_count_does_not_grow(client, cast, params, pinned):
    login(client, cast.community_secretary)
    before = _count(client, **params)
    assert before == pinned
    MemberFactory.create_batch(25, organization=cast.branch_a, join_date=dt.date(2001, 7, 9),
                               conversion_date=dt.date(2002, 7, 9))
    MemberFactory.create_batch(5, organization=cast.branch_a2, join_date=dt.date(2001, 7, 9),
                               conversion_date=dt.date(2002, 7, 9))
    assert _count(client, **params) == before
