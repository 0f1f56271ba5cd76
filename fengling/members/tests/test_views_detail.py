"""The member page: scope, masking, 党龄, links, posts, roles, query count."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from fengling.members.models import MemberRole, MemberRoleKind, Membership
from fengling.organizations.kinds import FunctionalType, OrgKind
from fengling.organizations.models import CommitteePost, CommitteeTerm, Post
from fengling.testing.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


def url(member):
    return reverse("members:detail", args=[member.pk])


def get(client, user, member):
    client.force_login(user)
    return client.get(url(member))


@pytest.mark.parametrize("who", ["community_secretary", "district_admin", "street_admin",
                                 "branch_secretary"])
def test_writers_see_the_record_with_an_edit_button(client, cast, who):
    response = get(client, getattr(cast, who), cast.member_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html
    assert cast.member_a.id_number_masked in html
    assert cast.member_a.reveal_id_number() not in html
    # Nothing in clear before a reveal: the phone is masked too, with a button to reveal it.
    assert cast.member_a.phone not in html
    assert reverse("members:reveal", args=[cast.member_a.pk]) in html
    assert reverse("members:edit", args=[cast.member_a.pk]) in html
    assert reverse("organizations:detail", args=[cast.branch_a.pk]) in html


def test_auditor_reads_the_record_masked_and_without_edit_button(client, cast):
    response = get(client, cast.auditor, cast.member_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("members:edit", args=[cast.member_a.pk]) not in html
    assert cast.member_a.phone not in html
    assert cast.member_a.reveal_id_number() not in html


def test_member_sees_their_own_record_without_edit_or_branch_link(client, cast):
    response = get(client, cast.member, cast.member_a)
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三" in html and cast.branch_a.name in html
    assert reverse("members:edit", args=[cast.member_a.pk]) not in html
    assert reverse("organizations:detail", args=[cast.branch_a.pk]) not in html


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("member", "member_a2"),
        ("member", "member_b"),
        ("member", "secretary_a_member"),
        ("outsider_secretary", "member_a"),
        ("outsider_secretary", "member_a2"),
        ("branch_secretary", "member_a2"),
        ("community_secretary", "member_b"),
        ("auditor", "member_b"),
    ],
)
def test_members_outside_scope_are_404(client, cast, who, target):
    assert get(client, getattr(cast, who), getattr(cast, target)).status_code == 404


def test_unknown_member_is_404(client, cast):
    client.force_login(cast.district_admin)
    assert client.get(reverse("members:detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_detail_refuses_other_methods(client, cast, method):
    client.force_login(cast.district_admin)
    assert getattr(client, method)(url(cast.member_a)).status_code == 405


def _standing(years: int) -> str:
    with translation.override("zh-hans"):
        return translation.ngettext("%(years)s year", "%(years)s years", years) % {
            "years": years
        }


@time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), tick=False)
def test_party_standing_counts_from_conversion_not_joining(client, cast):
    # Joined 2005-07-01, converted 2006-07-01: 19 full years on 2026-06-30 (RULES: 党龄
    # counts from conversion), though 20 years have passed since joining.
    html = get(client, cast.community_secretary, cast.member_a).content.decode()
    assert _standing(19) in html
    assert _standing(20) not in html


def test_probationary_member_has_no_party_standing_yet(client, cast):
    probationary = MemberFactory(organization=cast.branch_a, membership=Membership.PROBATIONARY,
                                 conversion_date=None, join_date=dt.date(2025, 7, 1))
    response = get(client, cast.community_secretary, probationary)
    assert "转为正式党员后开始计算" in response.content.decode()


def test_functional_organizations_roles_and_committee_posts_are_shown(client, cast):
    functional = make_org(cast.community_a, "望春社区公益服务室", OrgKind.FUNCTIONAL,
                          functional_type=FunctionalType.PUBLIC_WELFARE)
    member = cast.secretary_a_member
    member.functional_organizations.add(functional)
    MemberRole.objects.create(member=member, role=MemberRoleKind.SECRETARY)
    term = CommitteeTerm.objects.create(organization=cast.branch_a,
                                        started_on=dt.date(2024, 3, 1), years=3)
    CommitteePost.objects.create(term=term, post=Post.SECRETARY, member=member,
                                 started_on=dt.date(2024, 3, 1))
    with translation.override("zh-hans"):
        secretary_role = str(MemberRoleKind.SECRETARY.label)
        secretary_post = str(Post.SECRETARY.label)
    html = get(client, cast.community_secretary, member).content.decode()
    assert functional.name in html
    assert reverse("organizations:detail", args=[functional.pk]) in html
    assert secretary_role in html and secretary_post in html
    assert "2024-03-01" in html


def test_detail_query_count_is_fixed(client, cast, django_assert_max_num_queries):
    client.force_login(cast.community_secretary)
    # session, user, scope, member, roles, functional, posts; the lifecycle sections:
    # history, transfers, mobile records, lost-contact records (reading saves no session).
    with django_assert_max_num_queries(11):
        assert client.get(url(cast.member_a)).status_code == 200
