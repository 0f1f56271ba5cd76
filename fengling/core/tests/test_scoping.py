"""The scoping layer over the cast: who sees which organizations and members."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.organizations.models import Organization
from fengling.organizations.selectors import access_organization

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(qs.values_list("name", flat=True))


def test_district_admin_sees_every_member(cast):
    assert Member.objects.visible_to(cast.district_admin).count() == Member.objects.count()


def test_street_admin_sees_only_their_street(cast):
    assert names(Member.objects.visible_to(cast.street_admin)) == sorted(
        ["张三", "李四", "王五"]
    )


def test_community_secretary_sees_their_community_subtree(cast):
    orgs = names(Organization.objects.visible_to(cast.community_secretary))
    assert orgs == sorted(["望春社区党委", "望春社区第一支部", "望春社区第二支部"])


def test_outsider_sees_nothing_of_street_one(cast):
    assert names(Member.objects.visible_to(cast.outsider_secretary)) == ["赵六"]
    assert not Organization.objects.visible_to(cast.outsider_secretary).filter(
        pk=cast.branch_a.pk
    ).exists()


def test_member_sees_only_their_own_record(cast):
    assert names(Member.objects.visible_to(cast.member)) == ["张三"]
    assert not Organization.objects.visible_to(cast.member).exists()


def test_auditor_reads_but_cannot_write(cast):
    assert Member.objects.visible_to(cast.auditor).count() == 3
    assert not Member.objects.visible_to(cast.auditor, write=True).exists()


@pytest.mark.parametrize("who", ["outsider_secretary", "member"])
def test_guard_is_404_outside_scope(cast, who):
    with pytest.raises(Http404):
        access_organization(getattr(cast, who), cast.community_a.pk)
    with pytest.raises(Http404):
        access_member(getattr(cast, who), cast.member_a2.pk)


def test_guard_is_403_for_read_only_write(cast):
    assert access_member(cast.auditor, cast.member_a.pk) == cast.member_a
    with pytest.raises(PermissionDenied):
        access_member(cast.auditor, cast.member_a.pk, write=True)


def test_guard_rejects_garbage_ids_as_404(cast):
    with pytest.raises(Http404):
        access_member(cast.district_admin, "1 OR 1=1")


def test_scope_is_computed_once_per_user_object(cast):
    user = cast.street_admin
    with CaptureQueriesContext(connection) as ctx:
        Member.objects.visible_to(user).count()
        Member.objects.visible_to(user).count()
    # one query for the scope, then one per count
    assert len(ctx.captured_queries) == 3


def test_ended_role_gives_no_scope(cast):
    import datetime as dt

    cast.outsider_secretary.role_assignments.update(ends_on=dt.date(2021, 1, 1))
    cast.outsider_secretary.refresh_from_db()
    assert not Member.objects.visible_to(cast.outsider_secretary).exists()
