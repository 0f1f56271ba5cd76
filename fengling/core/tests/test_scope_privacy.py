"""The reveal and history parts of a user's scope, from the role table (core.roles)."""

import pytest

from fengling.accounts.models import RoleAssignment
from fengling.core.roles import Role
from fengling.core.scoping import forget_scope, scope_of
from fengling.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "reveal_at", "history_at", "own"),
    [
        ("district_admin", "district", "district", False),
        ("street_admin", "street1", "street1", False),
        ("community_secretary", "community_a", "community_a", False),
        ("branch_secretary", "branch_a", "branch_a", False),
        ("auditor", None, "street1", False),
        ("member", None, None, True),
    ],
)
def test_reveal_and_history_paths_per_role(cast, who, reveal_at, history_at, own):
    scope = scope_of(getattr(cast, who))
    path = lambda name: (getattr(cast, name).path,) if name else ()  # noqa: E731
    assert scope.reveal_paths == path(reveal_at)
    assert scope.history_paths == path(history_at)
    assert (scope.own_reveal, scope.own_history) == (own, own)
    assert scope.can_reveal == bool(reveal_at)


def test_a_grid_worker_may_neither_reveal_nor_read_histories(cast):
    scope = scope_of(make_user("grid", Role.GRID_WORKER, cast.community_a))
    assert scope.read_paths == (cast.community_a.path,)
    assert not scope.may_reveal(cast.branch_a.path, cast.member_a.pk)
    assert not scope.may_read_history(cast.branch_a.path)


def test_a_member_may_reveal_their_own_record_only(cast):
    scope = scope_of(cast.member)
    assert scope.may_reveal(cast.branch_a.path, cast.member_a.pk)
    assert not scope.may_reveal(cast.branch_a.path, cast.secretary_a_member.pk)
    assert not scope.may_reveal(cast.branch_a.path)


def test_roles_add_up_where_they_are_held(cast):
    user = cast.branch_secretary
    RoleAssignment.objects.create(user=user, role=Role.AUDITOR, organization=cast.street1,
                                  starts_on="2020-01-01")
    forget_scope(user)
    scope = scope_of(user)
    assert scope.may_reveal(cast.branch_a.path)
    assert not scope.may_reveal(cast.branch_a2.path)  # read as auditor only
    assert scope.may_read_history(cast.branch_a2.path)


def test_a_superuser_may_do_everything(cast):
    cast.district_admin.is_superuser = True
    forget_scope(cast.district_admin)
    scope = scope_of(cast.district_admin)
    assert scope.may_reveal(cast.branch_b.path) and scope.may_read_history(cast.branch_b.path)
