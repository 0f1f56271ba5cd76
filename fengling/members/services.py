"""Changes to member records: one transaction each, validated, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengling.core.audit import audit_log
from fengling.core.lib import crypto, idcard
from fengling.core.scoping import scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS, OrgKind
from fengling.organizations.models import Organization

from .lifecycle.services import home_change_errors, record_home_correction, record_initial
from .models import Member, MemberRole, Membership
from .rules import MIN_AGE_AT_JOINING, years_between

ID_ERRORS = {
    "length": gettext_lazy("An ID number has 18 characters."),
    "characters": gettext_lazy("An ID number has 17 digits followed by a digit or X."),
    "birth_date": gettext_lazy("The birth date inside the ID number is not a real date."),
    "check_digit": gettext_lazy(
        "The ID number's check digit is wrong; please check it for typos."
    ),
}

EDITABLE_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "phone", "education", "occupation",
    "work_unit", "join_date", "membership", "conversion_date", "party_group",
)
# `status` is not editable: it is derived from the status history (members.lifecycle, 党籍).

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_against_id(errors: Errors, member: Member, parsed: idcard.IDNumber) -> None:
    # The ID number and the record must agree (GB 11643 encodes both).
    if member.birth_date and parsed.birth_date != member.birth_date:
        _add(errors, "birth_date", _("The date of birth does not match the ID number."))
    if member.gender and parsed.gender != member.gender:
        _add(errors, "gender", _("The gender does not match the ID number."))


def _record_errors(member: Member, id_number: str | None, *,
                   check_stored_id: bool = False) -> Errors:
    errors: Errors = {}
    if id_number is not None:
        try:
            parsed = idcard.parse(id_number)
        except idcard.IDNumberError as exc:
            _add(errors, "id_number", str(ID_ERRORS[exc.code]))
        else:
            _check_against_id(errors, member, parsed)
            digest = crypto.lookup_digest(parsed.value)
            clash = Member.objects.filter(id_number_digest=digest).exclude(pk=member.pk)
            if clash.exists():
                _add(errors, "id_number", _("Another member already has this ID number."))
    elif check_stored_id and member.id_number_cipher:
        # The birth date or gender changed while the ID number stays: they must still agree.
        try:
            stored = idcard.parse(member.reveal_id_number())
        except idcard.IDNumberError:
            stored = None
        if stored is not None:
            _check_against_id(errors, member, stored)
    today = timezone.localdate()
    if member.birth_date and member.birth_date > today:
        _add(errors, "birth_date", _("The date of birth cannot be in the future."))
    if member.join_date and member.join_date > today:
        _add(errors, "join_date", _("The date of joining cannot be in the future."))
    if (member.join_date and member.birth_date
            and years_between(member.birth_date, member.join_date) < MIN_AGE_AT_JOINING):
        _add(errors, "join_date", _("A member must be at least 18 years old when joining."))
    if member.membership == Membership.PROBATIONARY and member.conversion_date:
        _add(errors, "conversion_date",
             _("A probationary member has no conversion date yet."))
    if member.membership == Membership.FULL and not member.conversion_date:
        _add(errors, "conversion_date",
             _("Enter the date this member became a full member."))
    if (member.conversion_date and member.join_date
            and member.conversion_date <= member.join_date):
        _add(errors, "conversion_date", _("Conversion comes after joining."))
    if member.conversion_date and member.conversion_date > today:
        _add(errors, "conversion_date", _("The date of conversion cannot be in the future."))
    if member.organization_id and member.organization.kind not in MEMBER_HOME_KINDS:
        _add(errors, "organization",
             _("A member's home must be a branch, general branch or committee."))
    if member.party_group_id is not None and not is_party_group_of(member.party_group,
                                                                   member.organization):
        _add(errors, "party_group",
             _("Choose one of the Party groups of the member's own branch."))
    return errors


def is_party_group_of(group: Organization, home: Organization | None) -> bool:
    """Is `group` a Party group (党小组) directly under `home`? (支部工作条例 第十三条: a
    branch sets up its groups; a member is placed in one of their own branch's.)"""
    return (home is not None and group.kind == OrgKind.PARTY_GROUP
            and group.path[:-Organization.steplen] == home.path)


def member_validate(member: Member, id_number: str | None, *,
                    check_stored_id: bool = False) -> None:
    """Cross-field rules; raises ValidationError with every problem found, per field.

    With `check_stored_id`, a record whose ID number is kept is checked against it.
    """
    errors = _record_errors(member, id_number, check_stored_id=check_stored_id)
    if errors:
        raise ValidationError(errors)


def _home_errors(actor, organization: Organization) -> Errors:
    if not scope_of(actor).covers_path(organization.path, write=True):
        return {"organization": [_("You may not place members in this organization.")]}
    return {}


def _functional_errors(actor, organizations: Iterable[Organization] | None) -> Errors:
    if organizations is None:
        return {}
    scope = scope_of(actor)
    for org in organizations:
        if org.kind != OrgKind.FUNCTIONAL or not scope.covers_path(org.path):
            return {"functional_organizations": [
                _("Choose functional organizations within your scope.")
            ]}
    return {}


def _raise(*error_dicts: Errors) -> None:
    merged: Errors = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            merged.setdefault(field, []).extend(messages)
    if merged:
        raise ValidationError(merged)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


def _sync_roles(member: Member, roles: Iterable[str] | None) -> list[list[str]] | None:
    """Make the member's roles exactly `roles`; return [old, new] if they changed."""
    if roles is None:
        return None
    wanted = set(roles)
    have = set(member.roles.values_list("role", flat=True))
    if wanted == have:
        return None
    member.roles.filter(role__in=have - wanted).delete()
    MemberRole.objects.bulk_create([MemberRole(member=member, role=r) for r in wanted - have])
    return [sorted(have), sorted(wanted)]


def _sync_functional(actor, member: Member, organizations: Iterable[Organization] | None,
                     ) -> list[list[int]] | None:
    """Make the member's functional organizations within the actor's scope exactly
    `organizations`; those the actor cannot see are kept as they are."""
    if organizations is None:
        return None
    scope = scope_of(actor)
    current = list(member.functional_organizations.values_list("pk", "path"))
    have = {pk for pk, _path in current}
    hidden = {pk for pk, path in current if not scope.covers_path(path)}
    wanted = {org.pk for org in organizations} | hidden
    if wanted == have:
        return None
    member.functional_organizations.set(wanted)
    return [sorted(have), sorted(wanted)]


@transaction.atomic
def member_create(actor, *, organization: Organization, id_number: str,
                  roles: Iterable[str] | None = None,
                  functional_organizations: Iterable[Organization] | None = None,
                  **fields: Any) -> Member:
    _check_fields(fields)
    functional = list(functional_organizations) if functional_organizations is not None else None
    member = Member(organization=organization, **fields)
    _raise(
        _home_errors(actor, organization),
        _functional_errors(actor, functional),
        _record_errors(member, id_number),
    )
    member.set_id_number(id_number)
    member.save()
    # The status history starts with the new record (normal standing, from joining).
    record_initial(actor, member)
    _sync_roles(member, roles)
    _sync_functional(actor, member, functional)
    audit_log(actor, "member.create", member, {"name": member.name},
              organization_path=organization.path)
    return member


@transaction.atomic
def member_update(actor, member: Member, *, organization: Organization | None = None,
                  id_number: str | None = None, roles: Iterable[str] | None = None,
                  functional_organizations: Iterable[Organization] | None = None,
                  **fields: Any) -> Member:
    """Change a member's record. Fields not given stay as they are.

    On a ValidationError nothing is saved and `member` is left as it was.
    """
    _check_fields(fields)
    functional = list(functional_organizations) if functional_organizations is not None else None
    before = {f: _plain(getattr(member, f)) for f in fields}
    original = {f: getattr(member, f) for f in fields}
    original_org = member.organization
    original_group = member.party_group
    errors: list[Errors] = [_functional_errors(actor, functional)]
    if organization is not None and organization.pk != member.organization_id:
        errors.append(_home_errors(actor, organization))
        errors.append(home_change_errors(member))
        before["organization"] = member.organization_id
        member.organization = organization
        if "party_group" not in fields:
            # A new home: the old branch's Party group goes with the old branch.
            before["party_group"] = member.party_group_id
            member.party_group = None
    for field, value in fields.items():
        setattr(member, field, value)
    identity_changed = any(
        f in fields and _plain(getattr(member, f)) != before[f] for f in ("birth_date", "gender")
    )
    errors.append(_record_errors(member, id_number, check_stored_id=identity_changed))
    try:
        _raise(*errors)
    except ValidationError:
        for field, value in original.items():
            setattr(member, field, value)
        member.organization = original_org
        member.party_group = original_group
        raise
    if id_number is not None:
        member.set_id_number(id_number)
    member.save()
    changes = {
        f: [before[f], _plain(getattr(member, f if f != "organization" else "organization_id"))]
        for f in before
        if before[f] != _plain(getattr(member, f if f != "organization" else "organization_id"))
    }
    if id_number is not None:
        changes["id_number"] = ["***", "***"]
    role_change = _sync_roles(member, roles)
    if role_change:
        changes["roles"] = role_change
    functional_change = _sync_functional(actor, member, functional)
    if functional_change:
        changes["functional_organizations"] = functional_change
    if "organization" in changes:
        # Every change of home branch is in the status history (members.lifecycle).
        record_home_correction(actor, member)
    audit_log(actor, "member.update", member, {"changes": changes},
              organization_path=member.organization.path)
    return member


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.pk
    return value
