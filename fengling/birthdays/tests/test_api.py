"""/api/v1/birthdays: a month's political birthdays, scoped."""

import datetime as dt

import pytest

from fengling.accounts.services import api_token_issue
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/birthdays"


def get(client, user, **params):
    return client.get(URL, params, headers={"authorization": f"Bearer {api_token_issue(user)[0]}"})


@pytest.mark.parametrize(
    ("who", "names"),
    [("district_admin", {"张三", "李四", "王五", "赵六"}),
     ("branch_secretary", {"张三", "李四"}),
     ("outsider_secretary", {"赵六"}),
     ("member", {"张三"})],
)
def test_scoped_month(client, cast, who, names):
    data = get(client, getattr(cast, who), month="2026-07").json()
    assert {i["member"]["name"] for i in data["items"]} == names
    assert data["count"] == len(names)


def test_fields_and_the_feb_29_day(client, cast):
    MemberFactory(organization=cast.branch_a, name="闰日", join_date=dt.date(2004, 2, 29),
                  conversion_date=dt.date(2005, 3, 1))
    (item,) = get(client, cast.branch_secretary, month="2026-02").json()["items"]
    assert item["member"]["name"] == "闰日"
    assert item["organization"] == {"id": cast.branch_a.pk, "name": "望春社区第一支部"}
    assert item["join_date"] == "2004-02-29" and item["day"] == "2026-02-28"
    assert item["years"] == 22


def test_organization_outside_scope_is_404_and_bad_month_422(client, cast):
    response = get(client, cast.branch_secretary, organization=cast.branch_b.pk)
    assert response.status_code == 404
    response = get(client, cast.branch_secretary, month="2026-13")
    assert response.status_code == 422 and "month" in response.json()["fields"]


def test_pagination(client, cast):
    MemberFactory.create_batch(3, organization=cast.branch_a, join_date=dt.date(2001, 7, 9),
                               conversion_date=dt.date(2002, 7, 9))
    data = get(client, cast.branch_secretary, month="2026-07", page_size=2, page=2).json()
    assert data["count"] == 5 and len(data["items"]) == 2
