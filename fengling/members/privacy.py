"""Revealing a member's full personal data (PIPL): a separate, permission-checked and audited
action. Who may reveal is data (`core.roles.RoleRule.reveal`); see docs/privacy.md.

Pages and the API show an ID number masked and a phone masked until someone who may
reveal asks; each reveal writes an audit entry (who, whose, which fields, when, from which
address and browser). Out of scope is 404 (through `access_member`), in scope but not
allowed 403 with a message saying so.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from fengling.core.audit_trail import check_history_access
from fengling.core.reveal import REVEALABLE, reveal_values
from fengling.core.scoping import scope_of

from .models import Member
from .selectors import access_member


def may_reveal(user, member: Member) -> bool:
    """Whether `user` may reveal `member`'s full values (the member must be in scope)."""
    return scope_of(user).may_reveal(member.organization.path, member.pk)


def reveal_refused() -> PermissionDenied:
    return PermissionDenied(
        _("Your role may not reveal full ID or phone numbers. Ask a secretary of the "
          "member's organization.")
    )


def access_member_to_reveal(user, pk) -> Member:
    """The member `pk` if `user` may reveal their data: 404 out of scope, 403 if not allowed."""
    member = access_member(user, pk)
    if not may_reveal(user, member):
        raise reveal_refused()
    return member


@transaction.atomic
def member_reveal(actor, member: Member, fields=REVEALABLE, *, ip_address: str | None = None,
                  user_agent: str = "") -> dict[str, str]:
    """The clear values of `fields` of `member`, recorded in the audit log.

    The caller has checked the right to reveal (`access_member_to_reveal`). The audit entry
    names the fields, never their values.
    """
    if not may_reveal(actor, member):
        raise reveal_refused()
    return reveal_values(actor, member, fields, action="member.reveal",
                         organization_path=member.organization.path, ip_address=ip_address,
                         user_agent=user_agent)


def access_member_history(user, pk) -> Member:
    """The member `pk` if `user` may read its change history: 404 out of scope, else 403
    unless their role reads histories (`RoleRule.history`; a member, their own only)."""
    member = access_member(user, pk)
    check_history_access(user, member.organization.path, member.pk)
    return member
