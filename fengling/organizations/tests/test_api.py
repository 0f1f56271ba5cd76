"""GET /api/v1/organizations and /api/v1/organizations/{id}, over the cast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengling.accounts.services import api_token_issue
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import CommitteePost, CommitteeTerm, Post
from fengling.testing.factories import make_org

pytestmark = pytest.mark.django_db

LIST = "/api/v1/organizations"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def get(client, user, url, **params):
    return client.get(url, params, headers=bearer(user))


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


def test_district_admin_lists_the_whole_tree_in_tree_order(client, cast):
    body = get(client, cast.district_admin, LIST).json()
    assert body["count"] == 10
    assert body["items"][0]["name"] == "海曙区委"
    assert body["items"][0]["children_count"] == 2


def test_community_secretary_lists_only_their_community(client, cast):
    assert names(get(client, cast.community_secretary, LIST)) == sorted(
        ["望春社区党委", "望春社区第一支部", "望春社区第二支部"]
    )


def test_outsider_list_has_nothing_of_street_one(client, cast):
    assert names(get(client, cast.outsider_secretary, LIST)) == sorted(
        ["南门社区党委", "南门社区第一支部"]
    )


def test_member_lists_no_organizations(client, cast):
    assert get(client, cast.member, LIST).json() == {"items": [], "count": 0}


def test_parent_lists_direct_children(client, cast):
    assert names(get(client, cast.community_secretary, LIST, parent=cast.community_a.pk)) == [
        "望春社区第一支部", "望春社区第二支部"
    ]
    assert names(get(client, cast.district_admin, LIST, parent=cast.district.pk)) == [
        "南门街道党工委", "望春街道党工委"
    ]


@pytest.mark.parametrize(
    ("who", "parent"),
    [
        ("outsider_secretary", "community_a"),
        ("member", "community_a"),
        ("member", "branch_a"),
        ("community_secretary", "street1"),
        ("community_secretary", "community_a2"),
    ],
)
def test_parent_outside_scope_is_404(client, cast, who, parent):
    response = get(client, getattr(cast, who), LIST, parent=getattr(cast, parent).pk)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_search_and_kind_filter(client, cast):
    assert names(get(client, cast.street_admin, LIST, search="五江口")) == [
        "五江口社区党委", "五江口社区第一支部"
    ]
    assert names(get(client, cast.street_admin, LIST, kind=OrgKind.COMMUNITY)) == [
        "五江口社区党委", "望春社区党委"
    ]
    assert names(get(client, cast.outsider_secretary, LIST, search="望春")) == []


def test_unknown_kind_is_422(client, cast):
    response = get(client, cast.district_admin, LIST, kind="castle")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "kind" in response.json()["fields"]


def test_pages(client, cast):
    body = get(client, cast.district_admin, LIST, page=2, page_size=4).json()
    assert body["count"] == 10
    assert len(body["items"]) == 4


def test_list_query_count_does_not_grow_with_rows(client, cast):
    headers = bearer(cast.district_admin)
    client.get(LIST, headers=headers)  # the token's first use records itself
    with CaptureQueriesContext(connection) as before:
        client.get(LIST, headers=headers)
    for i in range(12):
        make_org(cast.community_a2, f"五江口社区第{i + 2}支部", OrgKind.BRANCH)
    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST, headers=headers)
    assert response.json()["count"] == 22
    assert len(after) == len(before)


def test_wrong_methods_are_405(client, cast):
    headers = bearer(cast.district_admin)
    assert client.post(LIST, {}, content_type="application/json",
                       headers=headers).status_code == 405
    response = client.delete(f"{LIST}/{cast.branch_a.pk}", headers=headers)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- detail ---------------------------------------------------------------------------------


@pytest.fixture
def term(cast):
    term = CommitteeTerm.objects.create(
        organization=cast.community_a, started_on=dt.date(2021, 6, 1), years=5
    )
    CommitteePost.objects.create(term=term, post=Post.SECRETARY, member=cast.secretary_a_member,
                                 started_on=dt.date(2021, 6, 1))
    CommitteePost.objects.create(term=term, post=Post.MEMBER, external_name="周民警",
                                 external_unit="望春派出所", started_on=dt.date(2021, 6, 1))
    return term


def test_detail_shows_kind_place_counts_and_current_term(client, cast, term):
    response = get(client, cast.district_admin, f"{LIST}/{cast.community_a.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "community"
    assert body["domain"] == "community"
    assert body["depth"] == 3
    assert body["parent_id"] == cast.street1.pk
    assert body["children_count"] == 2
    assert body["subtree_counts"] == {"branch": 2}
    assert body["member_count"] == 3
    assert body["term"]["started_on"] == "2021-06-01"
    assert body["term"]["years"] == 5
    assert body["term"]["ends_on"] == term.ends_on.isoformat()
    assert body["term"]["election_due_on"] == term.election_due_on.isoformat()
    posts = {p["post"]: p for p in body["term"]["posts"]}
    assert posts["secretary"]["holder_name"] == "李四"
    assert posts["member"]["is_part_time"] is True
    assert posts["member"]["external_unit"] == "望春派出所"


def test_secretary_sees_their_community_without_the_parent_outside_their_scope(
    client, cast, term
):
    body = get(client, cast.community_secretary, f"{LIST}/{cast.community_a.pk}").json()
    assert body["name"] == "望春社区党委"
    assert body["parent_id"] is None
    branch = get(client, cast.community_secretary, f"{LIST}/{cast.branch_a.pk}").json()
    assert branch["parent_id"] == cast.community_a.pk
    assert branch["term"] is None


@pytest.mark.parametrize(
    ("who", "org"),
    [
        ("outsider_secretary", "community_a"),
        ("outsider_secretary", "branch_a"),
        ("member", "community_a"),
        ("member", "branch_a"),
        ("community_secretary", "community_a2"),
        ("auditor", "community_b"),
    ],
)
def test_detail_outside_scope_is_404(client, cast, who, org):
    response = get(client, getattr(cast, who), f"{LIST}/{getattr(cast, org).pk}")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"]}


def test_detail_of_a_missing_organization_is_404(client, cast):
    assert get(client, cast.district_admin, f"{LIST}/999999").status_code == 404
