"""Changes to member records: one transaction each, validated, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengling.core.audit import audit_log
from fengling.core.lib import crypto, idcard
from fengling.core.scoping import scope_of
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.models import Organization

from .models import Member, MemberRole, Membership

# 党章 第一条: members are at least 18 years old when they apply.
MIN_AGE_AT_JOINING = 18

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
    "work_unit", "join_date", "membership", "conversion_date", "status",
)


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def member_validate(member: Member, id_number: str | None) -> None:
    """Cross-field rules; raises ValidationError with every problem found, per field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if id_number is not None:
        try:
            parsed = idcard.parse(id_number)
        except idcard.IDNumberError as exc:
            add("id_number", str(ID_ERRORS[exc.code]))
        else:
            # The ID number and the record must agree (GB 11643 encodes both).
            if member.birth_date and parsed.birth_date != member.birth_date:
                add("birth_date", _("The date of birth does not match the ID number."))
            if member.gender and parsed.gender != member.gender:
                add("gender", _("The gender does not match the ID number."))
            digest = crypto.lookup_digest(parsed.value)
            clash = Member.objects.filter(id_number_digest=digest).exclude(pk=member.pk)
            if clash.exists():
                add("id_number", _("Another member already has this ID number."))
    today = timezone.localdate()
    if member.join_date and member.join_date > today:
        add("join_date", _("The date of joining cannot be in the future."))
    if (member.join_date and member.birth_date
            and _years_between(member.birth_date, member.join_date) < MIN_AGE_AT_JOINING):
        add("join_date", _("A member must be at least 18 years old when joining."))
    if member.membership == Membership.PROBATIONARY and member.conversion_date:
        add("conversion_date", _("A probationary member has no conversion date yet."))
    if member.membership == Membership.FULL and not member.conversion_date:
        add("conversion_date", _("Enter the date this member became a full member."))
    if (member.conversion_date and member.join_date
            and member.conversion_date <= member.join_date):
        add("conversion_date", _("Conversion comes after joining."))
    if member.organization_id and member.organization.kind not in MEMBER_HOME_KINDS:
        add("organization", _("A member's home must be a branch, general branch or committee."))
    if errors:
        raise ValidationError(errors)


def _check_home(actor, organization: Organization) -> None:
    if not scope_of(actor).covers_path(organization.path, write=True):
        raise ValidationError(
            {"organization": [_("You may not place members in this organization.")]}
        )


def _sync_roles(member: Member, roles: list[str] | None) -> None:
    if roles is None:
        return
    wanted = set(roles)
    have = set(member.roles.values_list("role", flat=True))
    member.roles.filter(role__in=have - wanted).delete()
    MemberRole.objects.bulk_create([MemberRole(member=member, role=r) for r in wanted - have])


@transaction.atomic
def member_create(actor, *, organization: Organization, id_number: str,
                  roles: list[str] | None = None, **fields: Any) -> Member:
    _check_home(actor, organization)
    member = Member(organization=organization, **fields)
    member_validate(member, id_number)
    member.set_id_number(id_number)
    member.save()
    _sync_roles(member, roles)
    audit_log(actor, "member.create", member, {"name": member.name},
              organization_path=organization.path)
    return member


@transaction.atomic
def member_update(actor, member: Member, *, organization: Organization | None = None,
                  id_number: str | None = None, roles: list[str] | None = None,
                  **fields: Any) -> Member:
    """Change a member's record. Fields not given stay as they are."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = {f: _plain(getattr(member, f)) for f in fields}
    if organization is not None and organization.pk != member.organization_id:
        _check_home(actor, organization)
        before["organization"] = member.organization_id
        member.organization = organization
        fields["organization"] = organization
    for field, value in fields.items():
        setattr(member, field, value)
    member_validate(member, id_number)
    if id_number is not None:
        member.set_id_number(id_number)
    member.save()
    _sync_roles(member, roles)
    changes = {
        f: [before[f], _plain(getattr(member, f if f != "organization" else "organization_id"))]
        for f in before
        if before[f] != _plain(getattr(member, f if f != "organization" else "organization_id"))
    }
    if id_number is not None:
        changes["id_number"] = ["***", "***"]
    audit_log(actor, "member.update", member, {"changes": changes},
              organization_path=member.organization.path)
    return member


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.pk
    return value
