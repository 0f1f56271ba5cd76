"""The tree browser, its lazy children partial, its search, and the organization page."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.members.models import Membership, MemberStatus
from fengling.organizations import selectors
from fengling.organizations.kinds import FunctionalType, OrgKind
from fengling.organizations.models import (
    Alliance,
    AllianceKind,
    AllianceMembership,
    CentreStatus,
    CommitteePost,
    CommitteeTerm,
    Post,
    ServiceCentre,
)
from fengling.testing.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def tree_url(**params):
    url = reverse("organizations:tree")
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def detail_url(org):
    return reverse("organizations:detail", args=[org.pk])


def children_url(org):
    return reverse("organizations:children", args=[org.pk])


def login(client, user):
    """Log in; pages in English, so that assertions on labels survive the zh_Hans catalogue."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def furnished(cast):
    """Community A with a committee (one part-time outside member), a service centre, a
    functional organization, an alliance it leads and one it belongs to."""
    term = CommitteeTerm.objects.create(organization=cast.community_a,
                                        started_on=dt.date(2021, 6, 1), years=5)
    CommitteePost.objects.create(term=term, post=Post.SECRETARY,
                                 member=cast.secretary_a_member, started_on=dt.date(2021, 6, 1))
    CommitteePost.objects.create(term=term, post=Post.MEMBER, external_name="陈警官",
                                 external_unit="望春派出所", external_title="社区民警",
                                 started_on=dt.date(2021, 6, 1))
    ServiceCentre.objects.create(organization=cast.community_a, name="望春社区党群服务中心",
                                 area_m2=850, status=CentreStatus.BUILT, built_year=2015)
    functional = make_org(cast.community_a, "望春公益室", OrgKind.FUNCTIONAL,
                          functional_type=FunctionalType.PUBLIC_WELFARE)
    led = Alliance.objects.create(name="望春党建联盟", kind=AllianceKind.ALLIANCE,
                                  lead=cast.community_a)
    AllianceMembership.objects.create(alliance=led, organization=cast.branch_a)
    joint = Alliance.objects.create(name="天一商圈综合党委", kind=AllianceKind.JOINT_COMMITTEE,
                                    lead=cast.community_b)
    AllianceMembership.objects.create(alliance=joint, organization=cast.community_a)
    cast.community_a.address = "望春路 1 号"
    cast.community_a.save()
    cast.functional = functional
    return cast


def grow(cast, parent, n=30):
    """More rows of every kind the pages show: branches, members, posts, centres, alliances."""
    for i in range(n):
        branch = make_org(parent, f"增补支部{i:02d}", OrgKind.BRANCH)
        MemberFactory(organization=branch)
        MemberFactory(organization=branch, membership=Membership.PROBATIONARY,
                      conversion_date=None, join_date=dt.date(2025, 3, 20))
    term = CommitteeTerm.objects.filter(organization=parent).first()
    if term:
        for i in range(5):
            CommitteePost.objects.create(term=term, post=Post.MEMBER, external_name=f"委员{i}",
                                         external_unit="单位", started_on=dt.date(2021, 6, 1))
    for i in range(3):
        ServiceCentre.objects.create(organization=parent, name=f"站点{i}",
                                     status=CentreStatus.PLANNED)
        a = Alliance.objects.create(name=f"联盟{i}", kind=AllianceKind.ALLIANCE, lead=parent)
        AllianceMembership.objects.create(alliance=a, organization=parent)


# --- the tree ---------------------------------------------------------------------------


def test_district_admin_tree_starts_at_the_district_with_its_streets(client, cast):
    response = login(client, cast.district_admin).get(tree_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "海曙区委" in html and "望春街道党工委" in html and "南门街道党工委" in html
    # Streets are loaded lazily: their communities are not on the page yet.
    assert "望春社区党委" not in html
    assert children_url(cast.street1) in html


def test_tree_shows_member_counts_of_each_subtree(client, cast):
    response = login(client, cast.district_admin).get(tree_url())
    html = re.sub(r"\s+", " ", response.content.decode())
    # 4 members in the district, 3 in street 1, 1 in street 2.
    assert re.search(r"望春街道党工委.*?3 members", html)
    assert re.search(r"南门街道党工委.*?1 member\b", html)


@pytest.mark.parametrize("batch", [100, 1])  # all children shown, or only some
def test_subtree_counts_include_members_at_every_level(client, cast, batch, monkeypatch):
    monkeypatch.setattr(selectors, "TREE_BATCH", batch)
    monkeypatch.setattr(selectors, "SUBORGANIZATIONS_PER_PAGE", batch)
    # One member at the community itself, one in a Party group below a branch, one who left.
    MemberFactory(organization=cast.community_a, name="社区直属")
    group = make_org(cast.branch_a, "第一党小组", OrgKind.PARTY_GROUP)
    MemberFactory(organization=group, name="小组成员")
    MemberFactory(organization=cast.branch_a2, name="已转出", status=MemberStatus.TRANSFERRED_OUT)
    client = login(client, cast.community_secretary)
    tree = re.sub(r"\s+", " ", client.get(tree_url()).content.decode())
    assert re.search(r"望春社区党委.*?5 members", tree)  # 张三 李四 王五 + 2
    page = re.sub(r"\s+", " ", client.get(detail_url(cast.community_a)).content.decode())
    assert re.search(r"望春社区党委.*?5 members", page)
    assert "社区直属" in page and "小组成员" in page and "已转出" not in page


def test_community_secretary_tree_starts_at_their_community(client, cast):
    html = login(client, cast.community_secretary).get(tree_url()).content.decode()
    assert "望春社区党委" in html and "望春社区第一支部" in html
    assert "海曙区委" not in html and "望春街道党工委" not in html and "南门" not in html


def test_outsider_tree_shows_nothing_of_street_one(client, cast):
    html = login(client, cast.outsider_secretary).get(tree_url()).content.decode()
    assert "南门社区党委" in html
    assert "望春" not in html


def test_member_tree_is_empty(client, cast):
    response = login(client, cast.member).get(tree_url())
    assert response.status_code == 200
    assert "望春" not in response.content.decode()
    assert "fl-tree-root" not in response.content.decode()


def test_children_partial_lists_visible_children_with_counts(client, cast):
    response = login(client, cast.street_admin).get(children_url(cast.community_a),
                                                    HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "望春社区第一支部" in html and "望春社区第二支部" in html
    assert "2 members" in html  # branch A: 张三 and 李四
    assert "五江口" not in html


def test_children_come_in_batches_with_a_show_more_button(client, cast, monkeypatch):
    monkeypatch.setattr(selectors, "TREE_BATCH", 1)
    client = login(client, cast.community_secretary)
    first = client.get(children_url(cast.community_a)).content.decode()
    assert "望春社区第一支部" in first and "望春社区第二支部" not in first
    assert f"{children_url(cast.community_a)}?page=2" in first
    second = client.get(children_url(cast.community_a) + "?page=2").content.decode()
    assert "望春社区第二支部" in second and "?page=3" not in second


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
@pytest.mark.parametrize("org", ["community_a", "branch_a"])
def test_children_outside_scope_is_404(client, cast, who, org):
    response = login(client, getattr(cast, who)).get(children_url(getattr(cast, org)))
    assert response.status_code == 404


# --- search -------------------------------------------------------------------------------


def test_search_lists_matches_with_their_ancestor_path(client, cast):
    response = login(client, cast.district_admin).get(tree_url(q="第一支部"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("望春社区第一支部", "五江口社区第一支部", "南门社区第一支部"):
        assert name in html
    # Each result carries a breadcrumb of its ancestors, linked.
    assert detail_url(cast.community_a2) in html
    assert "3 organizations found" in html


def test_search_by_code(client, cast):
    html = login(client, cast.street_admin).get(tree_url(q=cast.branch_a2.code)).content.decode()
    assert "望春社区第二支部" in html and "1 organization found" in html


def test_search_stays_inside_the_scope(client, cast):
    html = login(client, cast.outsider_secretary).get(tree_url(q="望春")).content.decode()
    assert "望春社区" not in html
    assert "0 organizations found" in html


def test_search_breadcrumb_stops_at_the_top_of_the_scope(client, cast):
    html = login(client, cast.community_secretary).get(tree_url(q="第二")).content.decode()
    assert "望春社区第二支部" in html
    assert detail_url(cast.street1) not in html and detail_url(cast.district) not in html


def test_search_by_kind(client, cast):
    html = login(client, cast.street_admin).get(tree_url(kind="community")).content.decode()
    assert "望春社区党委" in html and "五江口社区党委" in html
    assert "第一支部</a>" not in html


def test_search_results_are_paginated(client, cast):
    grow(cast, cast.community_a2)
    client = login(client, cast.street_admin)
    html = client.get(tree_url(q="增补")).content.decode()
    assert "30 organizations found" in html and "增补支部24" in html
    assert "增补支部25" not in html
    page2 = client.get(tree_url(q="增补", page=2)).content.decode()
    assert "增补支部25" in page2 and "增补支部24" not in page2


def test_htmx_search_returns_only_the_results(client, cast):
    response = login(client, cast.street_admin).get(
        tree_url(q="望春"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tree-body"
    )
    html = response.content.decode()
    assert "<html" not in html and "望春社区党委" in html


def test_filter_elections_overdue_and_secretary_vacancy(client, cast, frozen):
    CommitteeTerm.objects.create(organization=cast.branch_a, started_on=dt.date(2020, 1, 1),
                                 years=5)
    term = CommitteeTerm.objects.create(organization=cast.branch_a2,
                                        started_on=dt.date(2024, 1, 1), years=3)
    CommitteePost.objects.create(term=term, post=Post.SECRETARY, member=cast.member_a2,
                                 started_on=dt.date(2024, 1, 1))
    client = login(client, cast.street_admin)
    overdue = client.get(tree_url(election="overdue")).content.decode()
    assert "望春社区第一支部" in overdue and "望春社区第二支部" not in overdue
    vacant = client.get(tree_url(vacancy="secretary")).content.decode()
    # Branch A2 has a secretary; the others have none recorded.
    assert "望春社区第一支部" in vacant and "五江口社区第一支部" in vacant
    assert "望春社区第二支部" not in vacant


# --- the organization page ----------------------------------------------------------------


def test_organization_page_shows_what_a_secretary_looks_for(client, furnished, frozen):
    cast = furnished
    response = login(client, cast.community_secretary).get(detail_url(cast.community_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "望春社区党委" in html and cast.community_a.code in html and "望春路 1 号" in html
    # Committee: the term, its end and due date, its holders.
    assert "2021-06-01" in html and "2026-06-01" in html
    assert "Election due within 6 months" in html
    assert reverse("members:detail", args=[cast.secretary_a_member.pk]) in html
    assert "陈警官" in html and "望春派出所" in html and "社区民警" in html
    assert "Part-time, outside unit" in html
    # Sub-organizations with their member counts, the functional organization apart.
    assert "望春社区第一支部" in html and "2 members" in html
    assert "望春公益室" in html
    # Side relations and the service centre.
    assert "望春党建联盟" in html and "天一商圈综合党委" in html
    assert "望春社区党群服务中心" in html and "850" in html and "2015" in html
    # Members of the subtree, with a link to the full, filterable list.
    assert "张三" in html and "王五" in html
    assert f"{reverse('members:list')}?organization={cast.community_a.pk}" in html


def test_committee_lists_the_secretary_first(client, furnished):
    cast = furnished
    term = CommitteeTerm.objects.get(organization=cast.community_a)
    CommitteePost.objects.create(term=term, post=Post.DEPUTY_SECRETARY, member=cast.member_a,
                                 started_on=dt.date(2021, 6, 1))
    html = login(client, cast.community_secretary).get(
        detail_url(cast.community_a)).content.decode()
    committee = html[html.index('id="committee"'):]
    assert committee.index("李四") < committee.index("张三") < committee.index("陈警官")


def test_organization_page_breadcrumb_shows_ancestors_in_scope(client, cast):
    html = login(client, cast.street_admin).get(detail_url(cast.branch_a)).content.decode()
    assert detail_url(cast.street1) in html and detail_url(cast.community_a) in html
    assert detail_url(cast.district) not in html


def test_alliance_lead_outside_scope_is_named_but_not_linked(client, furnished):
    cast = furnished
    html = login(client, cast.community_secretary).get(
        detail_url(cast.community_a)).content.decode()
    assert "南门社区党委" in html  # the lead of the joint committee community A belongs to
    assert detail_url(cast.community_b) not in html


def test_organization_page_members_are_paginated(client, cast):
    for i in range(25):
        MemberFactory(organization=cast.branch_a2, name=f"新党员{i:02d}")
    client = login(client, cast.community_secretary)
    html = client.get(detail_url(cast.community_a)).content.decode()
    assert "Page 1 of 2" in html
    partial = client.get(detail_url(cast.community_a) + "?page=2", HTTP_HX_REQUEST="true",
                         HTTP_HX_TARGET="org-members").content.decode()
    assert "<html" not in partial and "Page 2 of 2" in partial


def test_functional_organization_lists_the_members_who_joined_it(client, furnished):
    cast = furnished
    cast.member_a2.functional_organizations.add(cast.functional)
    html = login(client, cast.community_secretary).get(
        detail_url(cast.functional)).content.decode()
    assert "王五" in html and "张三" not in html


def test_term_overdue_by_more_than_a_year_is_flagged(client, cast, frozen):
    CommitteeTerm.objects.create(organization=cast.branch_a, started_on=dt.date(2019, 3, 1),
                                 years=5)
    html = login(client, cast.branch_secretary).get(detail_url(cast.branch_a)).content.decode()
    assert "Election overdue by more than a year" in html


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
@pytest.mark.parametrize("org", ["community_a", "branch_a"])
def test_organization_page_outside_scope_is_404(client, cast, who, org):
    response = login(client, getattr(cast, who)).get(detail_url(getattr(cast, org)))
    assert response.status_code == 404


def test_member_gets_404_for_their_own_branch_page(client, cast):
    # A member's scope is their own record, not their branch.
    assert login(client, cast.member).get(detail_url(cast.branch_a)).status_code == 404


def test_unknown_organization_is_404(client, cast):
    assert login(client, cast.district_admin).get("/organizations/999999/").status_code == 404


# --- who may do what ----------------------------------------------------------------------


def all_urls(cast):
    return [tree_url(), tree_url(q="望春"), detail_url(cast.community_a),
            children_url(cast.community_a)]


def test_auditor_reads_every_page(client, cast):
    client = login(client, cast.auditor)
    for url in all_urls(cast):
        assert client.get(url).status_code == 200, url


def test_pages_are_read_only_so_writes_are_405(client, cast):
    client = login(client, cast.auditor)
    for url in all_urls(cast):
        assert client.post(url).status_code == 405, url


def test_anonymous_is_sent_to_login(client, cast):
    for url in all_urls(cast):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


# --- query counts do not grow with the data ----------------------------------------------


@pytest.mark.parametrize("who", ["district_admin", "community_secretary"])
def test_tree_query_count_does_not_grow(client, cast, who, django_assert_max_num_queries):
    client = login(client, getattr(cast, who))
    before = queries_for(client, tree_url())
    grow(cast, cast.community_a)
    grow(cast, cast.street1)
    with django_assert_max_num_queries(before):
        client.get(tree_url())
    # session, user, scope, roots, their counts, children, their counts
    assert before <= 7


def test_children_query_count_does_not_grow(client, cast, django_assert_max_num_queries):
    client = login(client, cast.street_admin)
    before = queries_for(client, children_url(cast.community_a))
    grow(cast, cast.community_a)
    with django_assert_max_num_queries(before):
        client.get(children_url(cast.community_a))
    assert before <= 9


def test_search_query_count_does_not_grow(client, cast, django_assert_max_num_queries):
    client = login(client, cast.district_admin)
    grow(cast, cast.community_a, n=2)
    before = queries_for(client, tree_url(q="支部"))
    grow(cast, cast.community_a)
    grow(cast, cast.community_b)
    with django_assert_max_num_queries(before):
        client.get(tree_url(q="支部"))
    assert before <= 12


@pytest.mark.parametrize("who", ["district_admin", "community_secretary"])
def test_organization_page_query_count_does_not_grow(client, furnished, who,
                                                     django_assert_max_num_queries):
    cast = furnished
    client = login(client, getattr(cast, who))
    before = queries_for(client, detail_url(cast.community_a))
    grow(cast, cast.community_a)
    with django_assert_max_num_queries(before):
        client.get(detail_url(cast.community_a))
    assert before <= 20


def test_non_normal_statuses_are_badged(client, cast):
    cast.member_a.status = MemberStatus.MOBILE
    cast.member_a.save()
    html = login(client, cast.community_secretary).get(
        detail_url(cast.community_a)).content.decode()
    assert "Mobile" in html
