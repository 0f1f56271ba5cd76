"""factory_boy factories. Organizations go through treebeard (`add_root`/`add_child`)."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from fengling.accounts.models import RoleAssignment, User
from fengling.core.lib import idcard
from fengling.members.models import Education, Member, Membership, Occupation, StatusChange
from fengling.organizations.kinds import Domain, OrgKind
from fengling.organizations.models import Organization

_codes = itertools.count(1)
_id_sequence = itertools.count(1)


def make_org(parent: Organization | None, name: str, kind: str, domain: str = "",
             **fields) -> Organization:
    fields.setdefault("code", f"T{next(_codes):06d}")
    domain = domain or (parent.domain if parent is not None else Domain.DISTRICT)
    if parent is None:
        return Organization.objects.add_root(
            create_kwargs=dict(name=name, kind=kind, domain=domain, **fields)
        )
    parent.refresh_from_db()
    return Organization.objects.add_child(
        parent, create_kwargs=dict(name=name, kind=kind, domain=domain, **fields)
    )


def make_id_number(birth: dt.date, gender: str) -> str:
    return idcard.build("330203", birth, next(_id_sequence) % 500, gender)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n:03d}")
    gender = "M"
    birth_date = dt.date(1980, 5, 17)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    education = Education.BACHELOR
    occupation = Occupation.IN_SERVICE
    join_date = dt.date(2005, 7, 1)
    membership = Membership.FULL
    conversion_date = dt.date(2006, 7, 1)

    @classmethod
    def _create(cls, model_class, *args, id_number: str | None = None, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.set_id_number(id_number or make_id_number(obj.birth_date, obj.gender))
        obj.save()
        # Every member's status history starts with their record (members.lifecycle).
        StatusChange.objects.create(member=obj, kind="initial", status=obj.status,
                                    effective_on=obj.join_date)
        return obj


def make_user(username: str, role: str | None = None, organization: Organization | None = None,
              member: Member | None = None, password: str = "Correct-Horse-42") -> User:
    user = User.objects.create_user(username=username, password=password, member=member)
    if role:
        RoleAssignment.objects.create(user=user, role=role, organization=organization,
                                      starts_on=dt.date(2020, 1, 1))
    return user


__all__ = ["MemberFactory", "OrgKind", "make_id_number", "make_org", "make_user"]
