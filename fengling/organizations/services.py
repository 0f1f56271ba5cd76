"""Changes to the organization tree. Each runs in one transaction and leaves an audit entry."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of

from . import rules
from .kinds import OrgKind
from .models import CommitteeTerm, Organization

# Which kinds may sit directly under which (the tree's grammar).
ALLOWED_CHILDREN: dict[str, frozenset[str]] = {
    OrgKind.DISTRICT: frozenset({OrgKind.STREET, OrgKind.TOWN, OrgKind.INSTITUTION,
                                 OrgKind.INDUSTRY, OrgKind.TWO_NEW, OrgKind.GENERAL_BRANCH,
                                 OrgKind.BRANCH}),
    OrgKind.STREET: frozenset({OrgKind.COMMUNITY, OrgKind.BUSINESS_DISTRICT, OrgKind.TWO_NEW,
                               OrgKind.INSTITUTION, OrgKind.INDUSTRY, OrgKind.GENERAL_BRANCH,
                               OrgKind.BRANCH}),
    OrgKind.TOWN: frozenset({OrgKind.VILLAGE, OrgKind.COMMUNITY, OrgKind.TWO_NEW,
                             OrgKind.INSTITUTION, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}),
}
_COMMITTEE_CHILDREN = frozenset({OrgKind.TWO_NEW, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH,
                                 OrgKind.FUNCTIONAL})
for _kind in (OrgKind.COMMUNITY, OrgKind.VILLAGE, OrgKind.BUSINESS_DISTRICT, OrgKind.TWO_NEW,
              OrgKind.INSTITUTION, OrgKind.INDUSTRY):
    ALLOWED_CHILDREN[_kind] = _COMMITTEE_CHILDREN
ALLOWED_CHILDREN[OrgKind.GENERAL_BRANCH] = frozenset({OrgKind.BRANCH})
ALLOWED_CHILDREN[OrgKind.BRANCH] = frozenset({OrgKind.PARTY_GROUP})
ALLOWED_CHILDREN[OrgKind.PARTY_GROUP] = frozenset()
ALLOWED_CHILDREN[OrgKind.FUNCTIONAL] = frozenset()


def _check_parent(parent_kind: str, kind: str) -> None:
    if kind not in ALLOWED_CHILDREN.get(parent_kind, frozenset()):
        raise ValidationError(
            _("A %(child)s cannot be placed under a %(parent)s.")
            % {"child": OrgKind(kind).label, "parent": OrgKind(parent_kind).label},
            code="bad_parent",
        )


@transaction.atomic
def organization_create(actor, *, parent: Organization | None, **fields) -> Organization:
    """Add an organization under `parent` (or a new root)."""
    if parent is None:
        org = Organization.objects.add_root(create_kwargs=fields)
    else:
        _check_parent(parent.kind, fields["kind"])
        org = Organization.objects.add_child(parent, create_kwargs=fields)
    audit_log(actor, "organization.create", org, {"name": org.name, "kind": org.kind},
              organization_path=org.path)
    return org


@transaction.atomic
def organization_move(actor, org: Organization, new_parent: Organization) -> Organization:
    """Move `org` and its whole subtree under `new_parent`.

    The actor must be able to write both where the subtree is and where it goes.
    """
    scope = scope_of(actor)
    if not (scope.covers_path(org.path, write=True)
            and scope.covers_path(new_parent.path, write=True)):
        raise ValidationError(_("You may not move this organization there."), code="scope")
    if new_parent.path.startswith(org.path):
        raise ValidationError(
            _("An organization cannot be moved under itself or its own sub-organizations."),
            code="cycle",
        )
    _check_parent(new_parent.kind, org.kind)
    old_path, old_parent = org.path, Organization.objects.get_parent(org)
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    data = {"from_parent": old_parent.pk if old_parent else None, "to_parent": new_parent.pk,
            "old_path": old_path, "new_path": org.path}
    if org.kind == OrgKind.PARTY_GROUP:
        data["left_group"] = _leave_moved_group(org, new_parent)
    audit_log(actor, "organization.move", org, data, organization_path=org.path)
    return org


def _leave_moved_group(group: Organization, new_branch: Organization) -> list[int]:
    """A Party group (党小组) moved to another branch takes none of the old branch's members
    with it: a member belongs to a group of their own branch only (支部工作条例 第十三条;
    `members.services.is_party_group_of`). Their group is cleared; the ids are returned.

    Each member is saved on its own so that their change history shows the group leaving;
    a Party group has a handful of members, so these are a handful of queries.
    """
    left = list(group.group_members.exclude(organization=new_branch))
    for member in left:
        member.party_group = None
        member.save(update_fields=["party_group"])
    return [member.pk for member in left]


@transaction.atomic
def term_start(actor, org: Organization, started_on: dt.date) -> CommitteeTerm:
    """Record a new committee term; its length follows the organization's kind (任期意见)."""
    term = CommitteeTerm.objects.create(
        organization=org, started_on=started_on, years=rules.term_years(org.kind, org.domain)
    )
    audit_log(actor, "term.start", term, {"started_on": started_on.isoformat(),
                                          "years": term.years}, organization_path=org.path)
    return term


@transaction.atomic
def term_postpone(actor, term: CommitteeTerm, until: dt.date) -> CommitteeTerm:
    """An approved postponement of the election, at most one year (选举条例 第三条)."""
    if not rules.postponement_allowed(term.started_on, term.years, until):
        raise ValidationError(
            _("An election may be postponed by at most one year after the term ends."),
            code="postponement_too_long",
        )
    term.postponed_until = until
    term.save(update_fields=["postponed_until", "updated_at"])
    audit_log(actor, "term.postpone", term, {"until": until.isoformat()},
              organization_path=term.organization.path)
    return term
