"""Party-group membership (编入党小组, RULES Part B §4.1 step 19): a member is placed in one of
their own branch's Party groups, through the service, the form, the page and the API."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fengling.accounts.services import api_token_issue
from fengling.core.models import AuditEntry
from fengling.members.lifecycle import services as lifecycle
from fengling.members.models import Member
from fengling.members.services import member_create, member_update
from fengling.organizations.kinds import FunctionalType, OrgKind
from fengling.organizations.services import organization_move
from fengling.testing.factories import make_id_number, make_org

from .test_views_form import edit_url, form_data, new_member_data

pytestmark = pytest.mark.django_db

D = dt.date
WRONG_GROUP = "Choose one of the Party groups of the member's own branch."


@pytest.fixture
def groups(cast):
    """Two Party groups of branch A and one of branch A2 (a sibling branch)."""
    return (
        make_org(cast.branch_a, "望春社区第一支部第一党小组", OrgKind.PARTY_GROUP),
        make_org(cast.branch_a, "望春社区第一支部第二党小组", OrgKind.PARTY_GROUP),
        make_org(cast.branch_a2, "望春社区第二支部第一党小组", OrgKind.PARTY_GROUP),
    )


def fresh(member):
    return Member.objects.get(pk=member.pk)


# --- the service ----------------------------------------------------------------------------


def test_a_member_is_placed_in_a_group_of_their_branch_and_it_is_audited(cast, groups):
    first, second, _other = groups
    member_update(cast.branch_secretary, cast.member_a, party_group=first)
    member_update(cast.branch_secretary, cast.member_a, party_group=second)
    assert fresh(cast.member_a).party_group == second
    entries = AuditEntry.objects.filter(action="member.update").order_by("id")
    assert [e.data["changes"]["party_group"] for e in entries] == [
        [None, first.pk], [first.pk, second.pk]]
    # The change history (django-auditlog) has the field too, old → new.
    changes = [e.changes for e in LogEntry.objects.get_for_object(cast.member_a)
               .order_by("id") if "party_group" in e.changes]
    assert [str(v) for v in changes[-1]["party_group"]] == [str(first.pk), str(second.pk)]


@pytest.mark.parametrize("wrong", ["other_branch", "branch_itself", "functional"])
def test_only_a_group_of_the_members_own_branch_is_accepted(cast, groups, wrong):
    target = {
        "other_branch": groups[2],
        "branch_itself": cast.branch_a,
        "functional": make_org(cast.community_a, "望春社区公益服务室", OrgKind.FUNCTIONAL,
                               functional_type=FunctionalType.PUBLIC_WELFARE),
    }[wrong]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        member_update(cast.branch_secretary, cast.member_a, party_group=target, name="张三丰")
    assert exc.value.message_dict == {"party_group": [WRONG_GROUP]}
    stored = fresh(cast.member_a)
    assert (stored.name, stored.party_group) == ("张三", None)
    assert cast.member_a.party_group is None  # the instance is left as it was
    assert not AuditEntry.objects.exists()


def test_the_message_is_translated(cast, groups):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        member_update(cast.branch_secretary, cast.member_a, party_group=groups[2])
    message = exc.value.message_dict["party_group"][0]
    assert message != WRONG_GROUP and "党小组" in message


def test_a_new_member_can_be_placed_at_once(cast, groups):
    birth = dt.date(1990, 4, 12)
    fields = {k: v for k, v in new_member_data(cast).items()
              if k in ("name", "gender", "ethnicity", "phone", "education", "occupation",
                       "work_unit", "membership")}
    member = member_create(
        cast.community_secretary, organization=cast.branch_a,
        id_number=make_id_number(birth, "F"), birth_date=birth, join_date=D(2015, 7, 1),
        conversion_date=D(2016, 7, 1), party_group=groups[0], **fields)
    assert fresh(member).party_group == groups[0]
    with pytest.raises(ValidationError):
        member_create(
            cast.community_secretary, organization=cast.branch_a2,
            id_number=make_id_number(birth, "M"), birth_date=birth, join_date=D(2015, 7, 1),
            conversion_date=D(2016, 7, 1), party_group=groups[0],
            **{**fields, "gender": "M"})


def test_a_new_home_clears_the_group_unless_one_of_the_new_branch_is_given(cast, groups):
    member_update(cast.community_secretary, cast.member_a, party_group=groups[0])
    member_update(cast.community_secretary, cast.member_a, organization=cast.branch_a2)
    assert fresh(cast.member_a).party_group is None
    changes = AuditEntry.objects.filter(action="member.update").latest("id").data["changes"]
    assert changes["party_group"] == [groups[0].pk, None]
    member_update(cast.community_secretary, cast.member_a, organization=cast.branch_a,
                  party_group=groups[1])
    assert fresh(cast.member_a).party_group == groups[1]


def test_an_internal_transfer_leaves_the_group_behind(cast, groups):
    member_update(cast.branch_secretary, cast.member_a, party_group=groups[0])
    transfer = lifecycle.transfer_issue(
        cast.branch_secretary, fresh(cast.member_a), letter_number="海组转〔2026〕1号",
        issued_on=D(2026, 5, 1), to_organization=cast.branch_b, reason="工作调动",
        today=D(2026, 6, 1))
    lifecycle.transfer_act(cast.outsider_secretary, transfer, "receive", on=D(2026, 5, 20),
                           today=D(2026, 5, 20))
    member = fresh(cast.member_a)
    assert (member.organization, member.party_group) == (cast.branch_b, None)


def test_a_member_transferred_out_of_the_district_leaves_the_group(cast, groups):
    member_update(cast.branch_secretary, cast.member_a, party_group=groups[0])
    transfer = lifecycle.transfer_issue(
        cast.branch_secretary, fresh(cast.member_a), letter_number="海组转〔2026〕2号",
        issued_on=D(2026, 5, 1), to_organization=None, outside_unit="杭州市西湖区某街道党工委",
        reason="工作调动", today=D(2026, 6, 1))
    lifecycle.transfer_act(cast.branch_secretary, transfer, "receive", on=D(2026, 5, 20),
                           today=D(2026, 5, 20))
    member = fresh(cast.member_a)
    assert member.status == "transferred_out"
    assert member.party_group is None


def test_a_group_moved_to_another_branch_leaves_the_old_branchs_members(cast, groups):
    first, _second, _other = groups
    member_update(cast.branch_secretary, cast.member_a, party_group=first)
    organization_move(cast.district_admin, first, cast.branch_a2)
    member = fresh(cast.member_a)
    assert (member.organization, member.party_group) == (cast.branch_a, None)
    entry = AuditEntry.objects.get(action="organization.move")
    assert entry.data["left_group"] == [cast.member_a.pk]
    # The member's own change history says the group went.
    changes = [e.changes for e in LogEntry.objects.get_for_object(cast.member_a)
               .order_by("id") if "party_group" in e.changes]
    assert [str(v) for v in changes[-1]["party_group"]] == [str(first.pk), "None"]
    # A member of the branch it joins may now be placed in it.
    first.refresh_from_db()
    member_update(cast.community_secretary, cast.member_a2, party_group=first)
    assert fresh(cast.member_a2).party_group == first


def test_a_branch_moved_with_its_groups_keeps_its_members_in_them(cast, groups):
    first, _second, _other = groups
    member_update(cast.branch_secretary, cast.member_a, party_group=first)
    organization_move(cast.district_admin, cast.branch_a, cast.community_b)
    assert fresh(cast.member_a).party_group == first
    assert "left_group" not in AuditEntry.objects.get(action="organization.move").data


# --- the pages ------------------------------------------------------------------------------


def test_the_edit_form_offers_the_groups_of_the_home_branch_only(client, cast, groups):
    client.force_login(cast.branch_secretary)
    page = client.get(edit_url(cast.member_a)).content.decode()
    assert groups[0].name in page and groups[1].name in page
    assert groups[2].name not in page
    response = client.post(edit_url(cast.member_a),
                           form_data(cast.member_a, party_group=groups[1].pk))
    assert response.status_code == 302
    assert fresh(cast.member_a).party_group == groups[1]


def test_the_form_refuses_another_branchs_group_and_saves_nothing(client, cast, groups):
    client.force_login(cast.branch_secretary)
    response = client.post(edit_url(cast.member_a),
                           form_data(cast.member_a, party_group=groups[2].pk, name="张三丰"))
    assert response.status_code == 200
    assert response.context["form"].errors["party_group"]
    stored = fresh(cast.member_a)
    assert (stored.name, stored.party_group) == ("张三", None)


def test_choosing_another_home_offers_its_groups(client, cast, groups):
    client.force_login(cast.community_secretary)
    response = client.get(edit_url(cast.member_a), {"organization": cast.branch_a2.pk},
                          headers={"HX-Request": "true", "HX-Target": "functional-orgs"})
    body = response.content.decode()
    assert groups[2].name in body and groups[0].name not in body


def test_the_member_page_shows_the_group(client, cast, groups):
    member_update(cast.branch_secretary, cast.member_a, party_group=groups[0])
    client.force_login(cast.member)
    body = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert groups[0].name in body
    client.force_login(cast.outsider_secretary)
    assert client.get(reverse("members:detail", args=[cast.member_a.pk])).status_code == 404


def test_the_member_page_reads_the_group_without_extra_queries(client, cast, groups):
    client.force_login(cast.branch_secretary)
    url = reverse("members:detail", args=[cast.member_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    member_update(cast.branch_secretary, cast.member_a, party_group=groups[0])
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


# --- the API --------------------------------------------------------------------------------


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def api_patch(client, user, member, data):
    return client.patch(f"/api/v1/members/{member.pk}", data,
                        content_type="application/json", headers=bearer(user))


def test_api_reads_and_writes_the_group(client, cast, groups):
    response = api_patch(client, cast.branch_secretary, cast.member_a,
                         {"party_group": groups[0].pk})
    assert response.status_code == 200, response.content
    assert response.json()["party_group"] == {"id": groups[0].pk, "name": groups[0].name}
    detail = client.get(f"/api/v1/members/{cast.member_a.pk}", headers=bearer(cast.member))
    assert detail.json()["party_group"]["id"] == groups[0].pk
    response = api_patch(client, cast.branch_secretary, cast.member_a, {"party_group": None})
    assert response.json()["party_group"] is None
    assert fresh(cast.member_a).party_group is None


def test_api_refuses_a_group_of_another_branch_with_the_message(client, cast, groups):
    with translation.override("en"):
        response = api_patch(client, cast.community_secretary, cast.member_a,
                             {"party_group": groups[2].pk})
    assert response.status_code == 422
    assert response.json()["fields"]["party_group"]
    assert fresh(cast.member_a).party_group is None


def test_api_group_outside_the_scope_is_404_and_read_only_is_403(client, cast, groups):
    outside = make_org(cast.branch_b, "南门社区第一支部第一党小组", OrgKind.PARTY_GROUP)
    response = api_patch(client, cast.community_secretary, cast.member_a,
                         {"party_group": outside.pk})
    assert response.status_code == 404
    response = api_patch(client, cast.auditor, cast.member_a, {"party_group": groups[0].pk})
    assert response.status_code == 403
    assert fresh(cast.member_a).party_group is None
