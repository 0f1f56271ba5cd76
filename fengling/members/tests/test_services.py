"""Member services and the small rules behind the member pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fengling.core.models import AuditEntry
from fengling.members import rules
from fengling.members.masking import mask_phone
from fengling.members.models import Member, Membership
from fengling.members.services import member_create, member_update
from fengling.organizations.kinds import FunctionalType, OrgKind
from fengling.testing.factories import make_id_number, make_org


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (dt.date(1980, 5, 17), dt.date(2026, 5, 16), 45),
        (dt.date(1980, 5, 17), dt.date(2026, 5, 17), 46),
        (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),
        (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
        (None, dt.date(2026, 1, 1), None),
    ],
)
def test_age(birth, today, age):
    assert rules.age_on(birth, today) == age


@pytest.mark.parametrize(
    ("conversion", "today", "years"),
    [
        # RULES Part A (发展党员工作细则): 党龄 counts from conversion, not from joining.
        (dt.date(2006, 7, 1), dt.date(2026, 6, 30), 19),
        (dt.date(2006, 7, 1), dt.date(2026, 7, 1), 20),
        (dt.date(2026, 3, 1), dt.date(2026, 6, 1), 0),
        (None, dt.date(2026, 6, 1), None),  # probationary: not counted yet
        (dt.date(2027, 1, 1), dt.date(2026, 6, 1), None),
    ],
)
def test_party_standing_years(conversion, today, years):
    assert rules.party_standing_years(conversion, today) == years


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "+86*******5678"),
        ("87654321", "******21"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


needs_db = pytest.mark.django_db


def _fields(member, **changes):
    fields = {f: getattr(member, f) for f in (
        "name", "gender", "ethnicity", "birth_date", "phone", "education", "occupation",
        "work_unit", "join_date", "membership", "conversion_date",
    )}
    fields.update(changes)
    return fields


@needs_db
def test_member_update_audits_old_and_new_values(cast):
    member_update(cast.community_secretary, cast.member_a, name="张三丰",
                  organization=cast.branch_a2, roles=["volunteer"])
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.actor == cast.community_secretary
    assert entry.object_id == str(cast.member_a.pk)
    assert entry.data["changes"] == {
        "name": ["张三", "张三丰"],
        "organization": [cast.branch_a.pk, cast.branch_a2.pk],
        "roles": [[], ["volunteer"]],
    }
    assert entry.organization_path == cast.branch_a2.path


@needs_db
def test_refused_update_leaves_the_instance_and_the_database_as_they_were(cast):
    member = Member.objects.get(pk=cast.member_a.pk)
    with pytest.raises(ValidationError) as exc:
        member_update(cast.community_secretary, member, name="改",
                      organization=cast.branch_a2, membership=Membership.PROBATIONARY)
    assert "conversion_date" in exc.value.message_dict
    assert (member.name, member.organization, member.membership) == (
        "张三", cast.branch_a, Membership.FULL
    )
    stored = Member.objects.get(pk=member.pk)
    assert (stored.name, stored.organization_id) == ("张三", cast.branch_a.pk)
    assert not AuditEntry.objects.exists()


@needs_db
def test_changing_birth_date_or_gender_is_checked_against_the_stored_id_number(cast):
    with pytest.raises(ValidationError) as exc:
        member_update(cast.community_secretary, cast.member_a,
                      birth_date=dt.date(1980, 5, 18), gender="F")
    assert set(exc.value.message_dict) == {"birth_date", "gender"}


@needs_db
def test_create_reports_every_problem_at_once(cast):
    birth = dt.date(1990, 1, 1)
    with pytest.raises(ValidationError) as exc:
        member_create(
            cast.community_secretary, organization=cast.branch_b,
            id_number=make_id_number(birth, "M"),
            **_fields(cast.member_a, birth_date=birth, join_date=dt.date(2000, 1, 1),
                      conversion_date=None),
        )
    assert set(exc.value.message_dict) == {"organization", "join_date", "conversion_date"}
    assert Member.objects.count() == 4


@needs_db
def test_functional_organizations_must_be_functional_and_in_scope(cast):
    outside = make_org(cast.community_b, "南门社区公益服务室", OrgKind.FUNCTIONAL,
                       functional_type=FunctionalType.PUBLIC_WELFARE)
    for wrong in (outside, cast.branch_a2):
        with pytest.raises(ValidationError) as exc:
            member_update(cast.community_secretary, cast.member_a,
                          functional_organizations=[wrong])
        assert "functional_organizations" in exc.value.message_dict
    assert not cast.member_a.functional_organizations.exists()


@needs_db
def test_functional_organizations_outside_the_actors_scope_are_kept(cast):
    community_room = make_org(cast.community_a, "望春社区文娱活动室", OrgKind.FUNCTIONAL,
                              functional_type=FunctionalType.CULTURE)
    cast.secretary_a_member.functional_organizations.add(community_room)
    # The branch secretary cannot see the community's room, so clearing the list they see
    # must not take the member out of it.
    member_update(cast.branch_secretary, cast.secretary_a_member, functional_organizations=[])
    assert list(cast.secretary_a_member.functional_organizations.all()) == [community_room]
    member_update(cast.community_secretary, cast.secretary_a_member,
                  functional_organizations=[])
    assert not cast.secretary_a_member.functional_organizations.exists()
