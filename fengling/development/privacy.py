"""Revealing a development candidate's full ID or phone number (PIPL), as for members
(`members.privacy`): applicants are people before they are members, and their data is
protected the same way. Pages and the API show both masked; whoever may reveal a member's
values in the candidate's branch (`Scope.may_reveal`, `core.roles.RoleRule.reveal`) may ask
for them, and each reveal is an audit entry (who, whose, which fields, when, from where).
Out of scope is 404 (`access_candidate`); in scope but not allowed, 403 with a message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from fengling.core.reveal import REVEALABLE, reveal_values
from fengling.core.scoping import scope_of

from .models import Candidate
from .selectors import access_candidate


def may_reveal(user, candidate: Candidate) -> bool:
    """Whether `user` may reveal `candidate`'s full values (the candidate must be in scope)."""
    return scope_of(user).may_reveal(candidate.organization.path)


def access_candidate_to_reveal(user, pk) -> Candidate:
    """The candidate `pk` if `user` may reveal their data: 404 out of scope, 403 if not."""
    candidate = access_candidate(user, pk)
    if not may_reveal(user, candidate):
        raise PermissionDenied(
            _("Your role may not reveal full ID or phone numbers. Ask a secretary of the "
              "candidate's branch.")
        )
    return candidate


@transaction.atomic
def candidate_reveal(actor, candidate: Candidate, fields=REVEALABLE, *,
                     ip_address: str | None = None, user_agent: str = "") -> dict[str, str]:
    """The clear values of `fields` of `candidate`, recorded in the audit log (the fields'
    names, never their values). The caller has checked the right (`access_candidate_to_reveal`).
    """
    if not may_reveal(actor, candidate):
        raise PermissionDenied
    return reveal_values(actor, candidate, fields, action="candidate.reveal",
                         organization_path=candidate.organization.path, ip_address=ip_address,
                         user_agent=user_agent)
