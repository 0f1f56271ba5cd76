import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fengling.core.models import AuditEntry
from fengling.members.models import Member
from fengling.organizations import services
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_moving_a_subtree_moves_its_members_and_is_audited(cast):
    services.organization_move(cast.district_admin, cast.community_a, cast.street2)
    cast.community_a.refresh_from_db()
    assert Organization.objects.get_parent(cast.community_a) == cast.street2
    # branch A and its members now lie under street 2
    street2 = Organization.objects.get(pk=cast.street2.pk)
    moved = Member.objects.in_subtree(street2.path).values_list("name", flat=True)
    assert sorted(moved) == sorted(["张三", "李四", "王五", "赵六"])
    entry = AuditEntry.objects.get(action="organization.move")
    assert entry.actor == cast.district_admin
    assert entry.data["to_parent"] == cast.street2.pk


def test_cannot_move_under_own_subtree(cast):
    with pytest.raises(ValidationError) as exc:
        services.organization_move(cast.district_admin, cast.street1, cast.community_a)
    assert exc.value.code == "cycle"
    assert not AuditEntry.objects.exists()


def test_cannot_move_outside_own_scope(cast):
    with pytest.raises(ValidationError) as exc:
        services.organization_move(cast.street_admin, cast.community_a, cast.street2)
    assert exc.value.code == "scope"


def test_a_branch_cannot_hold_a_community(cast):
    with pytest.raises(ValidationError) as exc:
        services.organization_move(cast.district_admin, cast.community_a2, cast.branch_a)
    assert exc.value.code in {"bad_parent", "cycle"}


def test_term_takes_its_length_from_the_kind(cast):
    term = services.term_start(cast.district_admin, cast.branch_a, dt.date(2024, 4, 1))
    assert term.years == 5  # a community branch (任期意见)
    assert term.ends_on == dt.date(2029, 4, 1)
    assert cast.branch_a.kind == OrgKind.BRANCH


def test_postponement_longer_than_a_year_is_refused(cast):
    term = services.term_start(cast.district_admin, cast.community_a, dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.term_postpone(cast.district_admin, term, dt.date(2026, 1, 2))
    term.refresh_from_db()
    assert term.postponed_until is None
