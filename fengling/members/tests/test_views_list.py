"""The member list: scope, filters, pagination, HTMX fragment, masking, query count."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.members.models import Member, Membership, MemberStatus
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:list")


def names_on(response) -> list[str]:
    return [m.name for m in response.context["page"].object_list]


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("community_secretary", ["张三", "李四", "王五"]),
        ("street_admin", ["张三", "李四", "王五"]),
        ("auditor", ["张三", "李四", "王五"]),
        ("district_admin", ["张三", "李四", "王五", "赵六"]),
        ("outsider_secretary", ["赵六"]),
        ("member", ["张三"]),
    ],
)
def test_list_shows_exactly_the_members_in_scope(client, cast, who, expected):
    response = get(client, getattr(cast, who))
    assert response.status_code == 200
    assert sorted(names_on(response)) == sorted(expected)
    html = response.content.decode()
    for name in {"张三", "李四", "王五", "赵六"} - set(expected):
        assert name not in html


def test_list_masks_phones_and_never_shows_id_numbers(client, cast):
    response = get(client, cast.district_admin)
    html = response.content.decode()
    for member in Member.objects.all():
        assert member.phone not in html
        assert f"{member.phone[:3]}****{member.phone[-4:]}" in html
        assert member.reveal_id_number() not in html


def test_list_shows_the_count_and_member_columns(client, cast):
    response = get(client, cast.community_secretary)
    html = response.content.decode()
    assert response.context["page"].paginator.count == 3
    assert 'id="member-count"' in html
    assert cast.branch_a.name in html
    assert reverse("members:detail", args=[cast.member_a.pk]) in html
    assert "2005-07-01" in html  # join date


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
def test_filtering_by_an_organization_outside_scope_is_404(client, cast, who):
    response = get(client, getattr(cast, who), organization=cast.branch_a.pk)
    assert response.status_code == 404


def test_filtering_by_a_malformed_organization_is_404(client, cast):
    assert get(client, cast.district_admin, organization="abc").status_code == 404


def test_organization_filter_takes_the_whole_subtree(client, cast):
    response = get(client, cast.district_admin, organization=cast.street1.pk)
    assert sorted(names_on(response)) == sorted(["张三", "李四", "王五"])
    response = get(client, cast.district_admin, organization=cast.branch_a2.pk)
    assert names_on(response) == ["王五"]


def test_organization_filter_offers_only_organizations_in_scope(client, cast):
    response = get(client, cast.community_secretary)
    offered = {label.strip("\u3000") for _v, label in
               response.context["form"].fields["organization"].choices[1:]}
    assert offered == {cast.community_a.name, cast.branch_a.name, cast.branch_a2.name}


def offered(response) -> list[str]:
    return [label.strip("\u3000") for _v, label in
            response.context["form"].fields["organization"].choices[1:]]


def test_organization_filter_drills_down_one_level_at_a_time(client, cast):
    # The district administrator chooses among the streets first, not among every community.
    top = offered(get(client, cast.district_admin))
    assert cast.street1.name in top and cast.street2.name in top
    assert cast.community_a.name not in top
    # A street chosen: its communities appear under it, other streets' stay folded.
    street = offered(get(client, cast.district_admin, organization=cast.street1.pk))
    assert {cast.community_a.name, cast.community_a2.name} <= set(street)
    assert cast.community_b.name not in street
    # A community chosen: its branches, and the street's other communities to switch to.
    community = offered(get(client, cast.district_admin, organization=cast.community_a.pk))
    assert {cast.branch_a.name, cast.branch_a2.name, cast.community_a2.name} <= set(community)
    assert community.index(cast.street1.name) < community.index(cast.community_a.name) \
        < community.index(cast.branch_a.name)  # tree order


def test_organization_filter_offers_every_root_of_a_scope(client, cast):
    from fengling.accounts.models import RoleAssignment

    # The street administrator is also the secretary of a branch in another street: a
    # second, deeper root of their scope.
    RoleAssignment.objects.create(user=cast.street_admin, organization=cast.branch_b,
                                  role="branch_secretary")
    choices = get(client, cast.street_admin).context["form"].fields["organization"].choices
    labels = [label for _v, label in choices[1:]]
    assert cast.street1.name in labels and "\u3000" + cast.community_a.name in labels
    assert cast.branch_b.name in labels  # offered, at the top level (no indent)
    assert cast.community_b.name not in "".join(labels)  # outside the scope


def test_search_by_name_and_by_last_four_phone_digits(client, cast):
    assert names_on(get(client, cast.district_admin, q="张")) == ["张三"]
    last_four = cast.member_b.phone[-4:]
    assert names_on(get(client, cast.district_admin, q=last_four)) == ["赵六"]


def test_filters_by_status_membership_and_gender(client, cast):
    Member.objects.filter(pk=cast.member_a2.pk).update(status=MemberStatus.MOBILE)
    Member.objects.filter(pk=cast.member_a.pk).update(
        membership=Membership.PROBATIONARY, conversion_date=None
    )
    admin = cast.district_admin
    assert names_on(get(client, admin, status="mobile")) == ["王五"]
    assert names_on(get(client, admin, membership="probationary")) == ["张三"]
    assert names_on(get(client, admin, gender="F")) == ["李四"]
    assert names_on(get(client, admin, gender="F", status="mobile")) == []


def test_invalid_filter_values_are_ignored(client, cast):
    response = get(client, cast.community_secretary, status="bogus", gender="X")
    assert response.status_code == 200
    assert len(names_on(response)) == 3


def test_empty_result_says_so(client, cast):
    response = get(client, cast.community_secretary, q="不存在的名字")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert "没有符合筛选条件的党员。" in response.content.decode()


def test_pagination_25_a_page_and_page_links_keep_the_filters(client, cast):
    MemberFactory.create_batch(30, organization=cast.branch_a, gender="F",
                               birth_date=dt.date(1990, 3, 3))
    response = get(client, cast.community_secretary, gender="F")
    page = response.context["page"]
    assert page.paginator.count == 31  # 30 new + 李四
    assert len(page.object_list) == 25
    html = response.content.decode()
    assert "gender=F&amp;page=2" in html
    second = get(client, cast.community_secretary, gender="F", page=2)
    assert len(second.context["page"].object_list) == 6
    assert all(m.gender == "F" for m in second.context["page"].object_list)


def test_htmx_filter_request_gets_only_the_results(client, cast):
    client.force_login(cast.community_secretary)
    response = client.get(URL, {"q": "张"}, headers={"HX-Request": "true",
                                                     "HX-Target": "member-results"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="member-count"' in html
    assert "张三" in html and "王五" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_filter_request_pushes_an_address_with_only_the_filters_in_use(client, cast):
    client.force_login(cast.community_secretary)
    response = client.get(URL, {"q": "", "status": "normal", "gender": "", "page": "1"},
                          headers={"HX-Request": "true", "HX-Target": "member-results"})
    assert response["HX-Push-Url"] == f"{URL}?status=normal"


def test_htmx_history_restore_gets_the_whole_page(client, cast):
    client.force_login(cast.community_secretary)
    response = client.get(URL, headers={"HX-Request": "true", "HX-Target": "member-results",
                                        "HX-History-Restore-Request": "true"})
    assert "<html" in response.content.decode()


def test_new_member_button_only_for_writers(client, cast):
    create_url = reverse("members:create")
    assert create_url in get(client, cast.community_secretary).content.decode()
    assert create_url not in get(client, cast.auditor).content.decode()
    assert create_url not in get(client, cast.member).content.decode()


def test_new_member_button_preselects_the_filtered_branch(client, cast):
    html = get(client, cast.community_secretary, organization=cast.branch_a.pk).content
    assert f"{reverse('members:create')}?organization={cast.branch_a.pk}" in html.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_list_refuses_other_methods(client, cast, method):
    client.force_login(cast.district_admin)
    assert getattr(client, method)(URL).status_code == 405


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def _queries_for(client, user, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_query_count_does_not_grow_with_rows(client, cast, who,
                                             django_assert_max_num_queries):
    user = getattr(cast, who)
    before = _queries_for(client, user)
    MemberFactory.create_batch(30, organization=cast.branch_a)
    after = _queries_for(client, user)
    assert after == before
    client.force_login(user)
    # session, user, scope, the organization, filter choices, count, rows; the idle
    # timeout saves the session (3 more: savepoint, update, release).
    with django_assert_max_num_queries(10):
        client.get(URL, {"organization": cast.community_a.pk, "gender": "M"})
