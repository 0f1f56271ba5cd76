"""Roles (PRODUCT §1) and what each may do, as data.

A role is always held at an organization; its scope is that organization's subtree, except
for the member role, whose scope is the member's own record. The table below is the only
place that says which roles may write, reveal full personal data (PIPL) and read change
histories (docs/privacy.md).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("District administrator")
    STREET_ADMIN = "street_admin", _("Street/town administrator")
    ORG_SECRETARY = "org_secretary", _("Community/business-district secretary")
    BRANCH_SECRETARY = "branch_secretary", _("Branch secretary")
    GRID_WORKER = "grid_worker", _("Grid worker")
    MEMBER = "member", _("Party member")
    AUDITOR = "auditor", _("Auditor (read-only)")


@dataclass(frozen=True)
class RoleRule:
    subtree: bool  # scope is the organization subtree (else: the member's own record)
    write: bool  # may change what lies in scope
    # May reveal a full ID number or mobile phone number (PIPL: a separate, audited action);
    # for the member role, on their own record only.
    reveal: bool = False
    # May read the change history (变更记录) of records in scope; for the member role, of
    # their own record only.
    history: bool = False


ROLE_RULES: dict[str, RoleRule] = {
    Role.DISTRICT_ADMIN: RoleRule(subtree=True, write=True, reveal=True, history=True),
    Role.STREET_ADMIN: RoleRule(subtree=True, write=True, reveal=True, history=True),
    Role.ORG_SECRETARY: RoleRule(subtree=True, write=True, reveal=True, history=True),
    Role.BRANCH_SECRETARY: RoleRule(subtree=True, write=True, reveal=True, history=True),
    # Grid workers read their organization until the grid module gives them their grids.
    Role.GRID_WORKER: RoleRule(subtree=True, write=False),
    # A member may see their own full values and their own record's history (PIPL 第四十五条).
    Role.MEMBER: RoleRule(subtree=False, write=False, reveal=True, history=True),
    # Auditors read the trail but never see a full ID number or phone.
    Role.AUDITOR: RoleRule(subtree=True, write=False, history=True),
}

# Which home page a user sees first when holding several roles: the widest scope wins.
ROLE_PRECEDENCE = [
    Role.DISTRICT_ADMIN,
    Role.STREET_ADMIN,
    Role.ORG_SECRETARY,
    Role.BRANCH_SECRETARY,
    Role.AUDITOR,
    Role.GRID_WORKER,
    Role.MEMBER,
]
