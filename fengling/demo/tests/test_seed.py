"""`fengling seed`, `fengling stats` and `fengling demo_accounts` at the small scale."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.urls import reverse
from django.utils import translation

from fengling.accounts.models import ApiToken, RoleAssignment
from fengling.core.audit import audit_log
from fengling.core.lib import idcard
from fengling.core.models import AuditEntry
from fengling.core.roles import Role
from fengling.demo.generator import DEMO_USERNAMES, generate
from fengling.members.models import ACTIVE_STATUSES, Member, MemberRole, Membership
from fengling.organizations.kinds import GRASSROOTS_KINDS, OrgKind
from fengling.organizations.models import (
    Alliance,
    CommitteePost,
    CommitteeTerm,
    Organization,
    Post,
    ServiceCentre,
)
from fengling.organizations.services import ALLOWED_CHILDREN

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 9, 1)


def seed(**options):
    options = {"scale": "small", "as_of": AS_OF, "interactive": False, **options}
    out = StringIO()
    with translation.override("en"):
        call_command("seed", stdout=out, **options)
    return out.getvalue()


def test_small_seed_builds_a_valid_tree():
    seed()
    assert all(problems == [] for problems in Organization.objects.find_problems())
    assert Organization.objects.filter(kind__in=GRASSROOTS_KINDS).count() == 24
    assert Member.objects.count() == 300
    root = Organization.objects.get(depth=1)
    assert root.name == "海曙区委" and (
        Organization.objects.get_descendant_count(root) == Organization.objects.count() - 1)


def test_every_organization_sits_under_a_kind_that_may_hold_it():
    seed()
    by_path = {org.path: org for org in Organization.objects.all()}
    for org in by_path.values():
        if org.depth > 1:
            parent = by_path[org.path[:-Organization.steplen]]
            assert org.kind in ALLOWED_CHILDREN[parent.kind], (parent.name, org.name)


def test_every_grassroots_organization_has_a_current_term_and_committee():
    seed()
    grassroots = Organization.objects.filter(kind__in=GRASSROOTS_KINDS)
    terms = CommitteeTerm.objects.filter(organization__in=grassroots)
    assert terms.count() == grassroots.count()
    assert terms.values("organization").distinct().count() == grassroots.count()
    secretaries = CommitteePost.objects.current().filter(post=Post.SECRETARY)
    # One vacancy at the small scale, for realism.
    assert secretaries.count() == grassroots.count() - 1
    for post in secretaries.select_related("member__organization", "term__organization"):
        assert post.approved_on is not None
        assert post.member.organization.path.startswith(post.term.organization.path)
        assert post.member.membership == Membership.FULL
    # Community committees take part-time members from outside units (大党委兼职委员).
    outside = CommitteePost.objects.filter(member__isnull=True)
    assert outside.exists()
    assert set(outside.values_list("term__organization__kind", flat=True)) == {OrgKind.COMMUNITY}


def test_communities_have_service_centres_and_functional_organizations():
    seed()
    communities = Organization.objects.filter(kind=OrgKind.COMMUNITY)
    assert ServiceCentre.objects.filter(organization__in=communities).count() == communities.count()
    functional = Organization.objects.filter(kind=OrgKind.FUNCTIONAL)
    assert functional.count() == 4 * communities.count()
    joined = Member.objects.filter(functional_organizations__isnull=False).distinct()
    assert joined.exists()
    for member in joined.prefetch_related("functional_organizations").select_related(
        "organization"
    ):
        for org in member.functional_organizations.all():
            # A functional organization sits beside the branches of the member's community.
            assert member.organization.path.startswith(org.path[:-Organization.steplen])
    alliance = Alliance.objects.get()
    assert alliance.members.count() == 3


def test_demo_accounts_exist_with_their_roles():
    seed()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    assert sorted(users) == sorted(DEMO_USERNAMES)
    roles = {a.user.username: a for a in RoleAssignment.objects.active().select_related(
        "user", "organization")}
    expected = {
        "district_admin": (Role.DISTRICT_ADMIN, OrgKind.DISTRICT),
        "street_admin": (Role.STREET_ADMIN, OrgKind.STREET),
        "community_secretary": (Role.ORG_SECRETARY, OrgKind.COMMUNITY),
        "branch_secretary": (Role.BRANCH_SECRETARY, OrgKind.BRANCH),
        "member": (Role.MEMBER, OrgKind.BRANCH),
        "auditor": (Role.AUDITOR, OrgKind.STREET),
        "outsider_secretary": (Role.ORG_SECRETARY, OrgKind.COMMUNITY),
    }
    for username, (role, kind) in expected.items():
        assert (roles[username].role, roles[username].organization.kind) == (role, kind)
    street = roles["street_admin"].organization
    community = roles["community_secretary"].organization
    branch = roles["branch_secretary"].organization
    assert roles["auditor"].organization == street
    assert community.path.startswith(street.path) and branch.path.startswith(community.path)
    assert roles["member"].organization == branch
    assert not roles["outsider_secretary"].organization.path.startswith(street.path)
    # The branch secretary's account is the member who holds the branch's secretary post.
    secretary = CommitteePost.objects.current().get(term__organization=branch,
                                                    post=Post.SECRETARY)
    assert users["branch_secretary"].member == secretary.member
    assert users["member"].member.organization == branch
    assert users["member"].member != secretary.member


def test_demo_accounts_log_in_with_the_demo_password(client, settings):
    settings.DEMO_PASSWORD = "Another-demo-pass-77"
    seed()
    for username in DEMO_USERNAMES:
        response = client.post(reverse("accounts:login"),
                               {"username": username, "password": "Another-demo-pass-77"})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"]
        client.post(reverse("accounts:logout"))


def test_member_id_numbers_agree_with_birth_date_and_gender():
    seed()
    members = list(Member.objects.all())
    for member in members:
        parsed = idcard.parse(member.reveal_id_number())
        assert parsed.birth_date == member.birth_date
        assert parsed.gender == member.gender
        assert parsed.masked == member.id_number_masked
    assert len({m.id_number_digest for m in members}) == len(members)
    assert len({m.phone for m in members}) == len(members)


def test_members_are_plausible():
    seed()
    for member in Member.objects.all():
        assert member.status in ACTIVE_STATUSES
        assert member.join_date >= member.birth_date.replace(year=member.birth_date.year + 18)
        assert member.join_date < AS_OF
        if member.membership == Membership.PROBATIONARY:
            assert member.conversion_date is None
        else:
            assert member.conversion_date == member.join_date.replace(
                year=member.join_date.year + 1)
            assert member.conversion_date <= AS_OF
    assert MemberRole.objects.filter(role="volunteer").count() == 66  # 22% of 300


def _snapshot():
    orgs = list(Organization.objects.values_list("name", "path", "kind"))
    members = list(Member.objects.order_by("organization__path", "id").values_list(
        "name", "organization__path", "id_number_masked", "birth_date", "phone"))
    return orgs, members


def test_same_seed_and_date_give_the_same_district():
    seed(seed=7)
    first = _snapshot()
    seed(seed=7)
    assert _snapshot() == first
    seed(seed=8)
    assert _snapshot()[1] != first[1]


def test_generation_does_not_depend_on_the_global_random_state():
    import random

    random.seed(1)
    first = generate("small", 7, AS_OF)
    random.seed(2)
    second = generate("small", 7, AS_OF)
    assert [m.id_number for m in first.members] == [m.id_number for m in second.members]


def test_if_empty_keeps_existing_data(cast):
    output = seed(if_empty=True)
    assert "nothing seeded" in output
    assert Organization.objects.filter(name="海曙区委").count() == 1
    assert Organization.objects.filter(pk=cast.branch_a.pk).exists()
    assert Member.objects.count() == 4


def test_seed_replaces_previous_data(cast, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="Root-pass-1234",
                                                       member=cast.member_b)
    audit_log(cast.district_admin, "test.action", cast.branch_a)
    ApiToken.objects.create(user=cast.member, digest="x" * 64,
                            expires_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    seed()
    assert not Organization.objects.filter(pk=cast.branch_a.pk).exists()
    assert not Member.objects.filter(pk=cast.member_a.pk).exists()
    assert not ApiToken.objects.exists()
    # The old entries are gone; what is left is the demo's own evaluation trail.
    assert not AuditEntry.objects.filter(action="test.action").exists()
    assert {a.split(".")[0] for a in AuditEntry.objects.values_list("action", flat=True)} \
        == {"stars", "funding"}
    assert Organization.objects.filter(kind__in=GRASSROOTS_KINDS).count() == 24
    admin.refresh_from_db()
    assert admin.member is None
    assert not django_user_model.objects.filter(pk=cast.outsider_secretary.pk).exists()


def test_seed_asks_a_person_at_a_terminal_before_deleting_existing_data(cast, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: "no")
    with pytest.raises(CommandError):
        seed(interactive=True)
    assert Organization.objects.filter(pk=cast.branch_a.pk).exists()


def test_seed_without_a_terminal_replaces_data_as_told(cast, monkeypatch):
    """`fengling seed --scale district` in a script (no TTY) must not stop at a prompt."""
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)

    def no_prompt(question):
        raise AssertionError("asked without a terminal")

    monkeypatch.setattr("builtins.input", no_prompt)
    seed(interactive=True)
    assert not Organization.objects.filter(pk=cast.branch_a.pk).exists()


def test_seed_prints_a_summary_and_the_accounts(settings):
    settings.DEMO_PASSWORD = "Printed-pass-42"
    output = seed()
    assert "24" in output and "300" in output
    assert "Printed-pass-42" in output
    for username in DEMO_USERNAMES:
        assert username in output


def test_stats_json_matches_the_database():
    seed()
    out = StringIO()
    call_command("stats", as_json=True, stdout=out)
    stats = json.loads(out.getvalue())
    assert stats["grassroots_organizations"] == Organization.objects.filter(
        kind__in=GRASSROOTS_KINDS).count() == 24
    assert stats["members"] == Member.objects.filter(status__in=ACTIVE_STATUSES).count() == 300
    assert stats["communities"] == Organization.objects.filter(kind=OrgKind.COMMUNITY).count()
    assert stats["organizations_by_kind"] == {
        kind: Organization.objects.filter(kind=kind).count() for kind in OrgKind.values}
    assert stats["service_centres"] == ServiceCentre.objects.count()
    assert sum(stats["service_centres_by_status"].values()) == ServiceCentre.objects.count()
    assert stats["business_district_centres"] == ServiceCentre.objects.filter(
        organization__kind=OrgKind.BUSINESS_DISTRICT).count()
    assert stats["alliances"] == Alliance.objects.count()
    assert stats["committee_terms"] == CommitteeTerm.objects.count()


def test_demo_accounts_command_prints_the_table_and_password(settings):
    settings.DEMO_PASSWORD = "Shown-pass-99"
    seed()
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "Shown-pass-99" in text
    assert "孝闻社区第一党支部" in text and "鼓楼街道党工委" in text
    lines = [line for line in text.splitlines() if line.startswith(tuple(DEMO_USERNAMES))]
    assert [line.split()[0] for line in lines] == DEMO_USERNAMES


def test_demo_accounts_command_without_data_says_how_to_seed():
    out = StringIO()
    with translation.override("en"):
        call_command("demo_accounts", stdout=out)
    assert "fengling seed" in out.getvalue()


def test_members_of_branches_with_party_groups_are_placed_evenly_in_them():
    # 编入党小组 (RULES Part B §4.1 step 19): every member of a branch with Party groups is
    # in one of that branch's groups, the groups about equal; other members in none.
    seed()
    from collections import Counter

    groups = {g.pk: g for g in Organization.objects.filter(kind=OrgKind.PARTY_GROUP)}
    assert groups
    branch_of = {pk: g.path[:-Organization.steplen] for pk, g in groups.items()}
    with_groups = set(branch_of.values())
    sizes: dict[str, Counter] = {}
    for path, group_id in Member.objects.values_list("organization__path", "party_group_id"):
        if path in with_groups:
            assert group_id is not None and branch_of[group_id] == path
            sizes.setdefault(path, Counter())[group_id] += 1
        else:
            assert group_id is None
    for counts in sizes.values():
        assert max(counts.values()) - min(counts.values()) <= 1


def test_small_seed_activity_counts_include_the_monthly_group_meetings():
    from fengling.meetings.models import Attendance, Meeting, MeetingKind

    seed()
    group_meetings = Meeting.objects.filter(kind=MeetingKind.GROUP)
    groups = Organization.objects.filter(kind=OrgKind.PARTY_GROUP).count()
    total, attendance = Meeting.objects.count(), Attendance.objects.count()
    group_attendance = Attendance.objects.filter(meeting__kind=MeetingKind.GROUP).count()
    print(f"small scale: {groups} Party groups; {total} meetings ({group_meetings.count()} "
          f"党小组会), {attendance} attendance rows ({group_attendance} at 党小组会)")
    # As of 1 September, the twelve months ending then and the rest of the year: October to
    # December of last year and eight months of this one held (about 90% of 11), four
    # planned, for every group.
    assert set(group_meetings.values_list("organization_id", flat=True)) == set(
        Organization.objects.filter(kind=OrgKind.PARTY_GROUP).values_list("pk", flat=True))
    assert groups * 12 <= group_meetings.count() <= groups * 15
    assert group_meetings.filter(starts_at__year=2024).exists()
    # Those placed in a group attend its meetings, nobody else.
    assert not Attendance.objects.filter(meeting__kind=MeetingKind.GROUP).exclude(
        member__party_group=models.F("meeting__organization")).exists()
    assert group_attendance > 0.15 * attendance
