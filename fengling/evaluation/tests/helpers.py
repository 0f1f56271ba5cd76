"""Shared helpers: a branch with members and users who can vote."""

from fengling.core.roles import Role
from fengling.members.models import Membership
from fengling.testing.factories import MemberFactory, make_user


def voters(cast, n=4, probationary=0):
    """`n` more full members of branch A (plus `probationary` ones), each with a user."""
    users = []
    for i in range(n + probationary):
        extra = ({"membership": Membership.PROBATIONARY, "conversion_date": None}
                 if i >= n else {})
        m = MemberFactory(organization=cast.branch_a, name=f"评议{i}", **extra)
        users.append(make_user(f"voter{i}", Role.MEMBER, cast.branch_a, member=m))
    return users
