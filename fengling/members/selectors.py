"""Scoped reads of member records."""

from __future__ import annotations

from dataclasses import dataclass

from fengling.core.scoping import guard
from fengling.organizations.models import Organization

from .models import Member


def access_member(user, pk, write: bool = False) -> Member:
    """The member `pk` if `user` may see it (404 otherwise; 403 if write is refused)."""
    return guard(Member.objects.select_related("organization"), user, pk, write=write)


@dataclass(frozen=True)
class MemberFilters:
    search: str = ""
    organization: Organization | None = None  # its whole subtree
    status: str = ""
    membership: str = ""
    gender: str = ""
    education: str = ""
    occupation: str = ""


def member_list(user, filters: MemberFilters | None = None):
    """Members visible to `user`, filtered; the organization is selected for display."""
    f = filters or MemberFilters()
    qs = Member.objects.visible_to(user).select_related("organization")
    if f.organization is not None:
        qs = qs.in_subtree(f.organization.path)
    for field in ("status", "membership", "gender", "education", "occupation"):
        value = getattr(f, field)
        if value:
            qs = qs.filter(**{field: value})
    return qs.search(f.search).order_by("organization__path", "name", "id")
