"""Editing and creating member records through the web forms."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from fengling.core.lib import idcard
from fengling.core.models import AuditEntry
from fengling.members.models import Member, MemberRoleKind, Membership
from fengling.members.services import ID_ERRORS
from fengling.organizations.kinds import FunctionalType, OrgKind
from fengling.testing.factories import make_id_number, make_org

pytestmark = pytest.mark.django_db

CREATE = reverse("members:create")


def edit_url(member):
    return reverse("members:edit", args=[member.pk])


def form_data(member, **changes):
    data = {
        "name": member.name, "gender": member.gender, "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(), "id_number": "",
        "phone": member.phone, "education": member.education,
        "occupation": member.occupation, "work_unit": member.work_unit,
        "join_date": member.join_date.isoformat(), "membership": member.membership,
        "conversion_date": member.conversion_date.isoformat() if member.conversion_date else "",
        "status": member.status, "organization": member.organization_id,
        "roles": [], "functional_organizations": [],
    }
    data.update(changes)
    return data


def new_member_data(cast, **changes):
    birth = dt.date(1990, 4, 12)
    data = {
        "name": "孙七", "gender": "F", "ethnicity": "汉族", "birth_date": birth.isoformat(),
        "id_number": make_id_number(birth, "F"), "phone": "13900001234",
        "education": "master", "occupation": "in_service", "work_unit": "海曙区图书馆",
        "join_date": "2015-07-01", "membership": "full", "conversion_date": "2016-07-01",
        "status": "normal", "organization": cast.branch_a.pk,
        "roles": ["volunteer"], "functional_organizations": [],
    }
    data.update(changes)
    return data


def snapshot(member):
    """What a user could see change: every field plus roles and functional organizations."""
    member = Member.objects.get(pk=member.pk)
    fields = {f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields
              if f.attname != "updated_at"}
    fields["roles"] = sorted(member.roles.values_list("role", flat=True))
    fields["functional"] = sorted(member.functional_organizations.values_list("pk", flat=True))
    return fields


def error_beside(html: str, field: str, message: str) -> bool:
    return f'id="id_{field}_error_1">{escape(message)}</div>' in html


def zh(message) -> str:
    """What a user reads in the default language (Chinese) for an English msgid."""
    with translation.override("en"):
        english = str(message)
    with translation.override("zh-hans"):
        text = translation.gettext(english)
    assert text != english, f"not translated into Chinese: {english!r}"
    return text


# --- edit: happy paths ---------------------------------------------------------------

@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_edit_form_is_prefilled_without_the_clear_id_number(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(edit_url(cast.member_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="张三"' in html
    assert cast.member_a.reveal_id_number() not in html
    assert cast.member_a.id_number_masked in html


@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_saving_the_edit_form_updates_and_redirects(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.post(edit_url(cast.member_a), form_data(
        cast.member_a, name="张三丰", phone="13712345678", roles=["volunteer", "secretary"],
        organization=cast.branch_a2.pk,
    ), follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:detail", args=[cast.member_a.pk])
    member = Member.objects.get(pk=cast.member_a.pk)
    assert (member.name, member.phone, member.organization) == (
        "张三丰", "13712345678", cast.branch_a2
    )
    assert sorted(member.roles.values_list("role", flat=True)) == ["secretary", "volunteer"]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "张三丰" in response.content.decode()


def test_edit_keeps_the_id_number_when_left_blank_and_replaces_it_when_given(client, cast):
    client.force_login(cast.community_secretary)
    old = cast.member_a.reveal_id_number()
    client.post(edit_url(cast.member_a), form_data(cast.member_a))
    assert Member.objects.get(pk=cast.member_a.pk).reveal_id_number() == old
    new = make_id_number(cast.member_a.birth_date, "M")
    client.post(edit_url(cast.member_a), form_data(cast.member_a, id_number=new))
    assert Member.objects.get(pk=cast.member_a.pk).reveal_id_number() == new


def test_edit_writes_an_audit_entry_with_old_and_new_values(client, cast):
    client.force_login(cast.community_secretary)
    client.post(edit_url(cast.member_a), form_data(cast.member_a, name="张三丰"))
    entry = AuditEntry.objects.get(action="member.update")
    assert entry.actor == cast.community_secretary
    assert entry.data["changes"] == {"name": ["张三", "张三丰"]}


def test_functional_organizations_follow_the_home_branch(client, cast):
    near = make_org(cast.community_a, "望春社区文娱活动室", OrgKind.FUNCTIONAL,
                    functional_type=FunctionalType.CULTURE)
    client.force_login(cast.community_secretary)
    html = client.get(edit_url(cast.member_a)).content.decode()
    assert near.name in html
    client.post(edit_url(cast.member_a), form_data(cast.member_a,
                                                   functional_organizations=[near.pk]))
    assert list(cast.member_a.functional_organizations.all()) == [near]


def test_htmx_home_branch_change_renders_only_the_functional_choices(client, cast):
    near = make_org(cast.community_a, "望春社区应急服务室", OrgKind.FUNCTIONAL,
                    functional_type=FunctionalType.EMERGENCY)
    client.force_login(cast.community_secretary)
    response = client.get(
        edit_url(cast.member_a),
        {"organization": cast.branch_a2.pk, "functional_organizations": [near.pk]},
        headers={"HX-Request": "true", "HX-Target": "functional-orgs"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<form" not in html
    assert near.name in html and "checked" in html


# --- create ----------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_create_form_preselects_the_home_branch(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.get(CREATE, {"organization": cast.branch_a.pk})
    assert response.status_code == 200
    assert response.context["form"]["organization"].value() == cast.branch_a.pk
    html = response.content.decode()
    assert f'<option value="{cast.branch_a.pk}" selected>{cast.branch_a.name}</option>' in html


def test_home_branch_choices_are_writable_homes_only_and_escaped(client, cast):
    odd = make_org(cast.community_a, "<b>支部</b>", OrgKind.BRANCH)
    client.force_login(cast.community_secretary)
    html = client.get(CREATE).content.decode()
    assert "&lt;b&gt;支部&lt;/b&gt;" in html and "<b>支部</b>" not in html
    offered = {o.pk for o in client.get(CREATE).context["form"].fields["organization"].queryset}
    assert offered == {cast.community_a.pk, cast.branch_a.pk, cast.branch_a2.pk, odd.pk}


@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_creating_a_member(client, cast, who):
    client.force_login(getattr(cast, who))
    response = client.post(CREATE, new_member_data(cast))
    member = Member.objects.get(name="孙七")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.organization == cast.branch_a
    assert list(member.roles.values_list("role", flat=True)) == [MemberRoleKind.VOLUNTEER]
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


def test_create_requires_an_id_number(client, cast):
    client.force_login(cast.community_secretary)
    count = Member.objects.count()
    response = client.post(CREATE, new_member_data(cast, id_number=""))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"]
    assert Member.objects.count() == count


def test_create_refuses_a_home_branch_outside_write_scope(client, cast):
    client.force_login(cast.community_secretary)
    count = Member.objects.count()
    response = client.post(CREATE, new_member_data(cast, organization=cast.branch_b.pk))
    assert response.context["form"].errors["organization"]
    assert Member.objects.count() == count


# --- bad input: a clear message beside the field, typed values kept, nothing changed -----

def test_bad_check_digit_is_shown_beside_the_id_field_and_nothing_is_created(client, cast):
    client.force_login(cast.community_secretary)
    good = new_member_data(cast)["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    count, audits = Member.objects.count(), AuditEntry.objects.count()
    response = client.post(CREATE, new_member_data(cast, id_number=bad))
    html = response.content.decode()
    assert response.status_code == 200
    assert error_beside(html, "id_number", zh(ID_ERRORS["check_digit"]))
    assert 'value="孙七"' in html and f'value="{bad}"' in html  # what was typed is kept
    assert (Member.objects.count(), AuditEntry.objects.count()) == (count, audits)


def test_bad_check_digit_message_is_in_the_users_language(cast):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(cast.community_secretary)
    first17 = cast.member_a.reveal_id_number()[:17]
    # Any check character but the right one (GB 11643 MOD 11-2).
    bad = first17 + ("1" if idcard.check_char(first17) != "1" else "2")
    before = snapshot(cast.member_a)
    response = client.post(edit_url(cast.member_a), form_data(cast.member_a, id_number=bad))
    html = response.content.decode()
    assert error_beside(
        html, "id_number", "The ID number's check digit is wrong; please check it for typos."
    )
    assert snapshot(cast.member_a) == before


def test_birth_date_not_matching_the_new_id_number_is_refused(client, cast):
    client.force_login(cast.community_secretary)
    count = Member.objects.count()
    response = client.post(CREATE, new_member_data(cast, birth_date="1991-04-12"))
    html = response.content.decode()
    assert error_beside(html, "birth_date",
                        zh("The date of birth does not match the ID number."))
    assert Member.objects.count() == count


def test_birth_date_changed_against_the_kept_id_number_is_refused(client, cast):
    client.force_login(cast.community_secretary)
    before = snapshot(cast.member_a)
    response = client.post(edit_url(cast.member_a),
                           form_data(cast.member_a, birth_date="1981-05-17"))
    html = response.content.decode()
    assert error_beside(html, "birth_date",
                        zh("The date of birth does not match the ID number."))
    assert 'value="1981-05-17"' in html
    assert snapshot(cast.member_a) == before


def test_probationary_member_with_a_conversion_date_is_refused(client, cast):
    client.force_login(cast.community_secretary)
    before = snapshot(cast.member_a)
    audits = AuditEntry.objects.count()
    response = client.post(edit_url(cast.member_a), form_data(
        cast.member_a, name="改了名字", membership=Membership.PROBATIONARY,
        roles=["volunteer"],
    ))
    html = response.content.decode()
    assert error_beside(html, "conversion_date",
                        zh("A probationary member has no conversion date yet."))
    assert 'value="改了名字"' in html
    # The page still names the member as stored, not as typed.
    assert response.context["member"].name == "张三"
    assert snapshot(cast.member_a) == before
    assert AuditEntry.objects.count() == audits


def test_functional_organization_outside_scope_is_refused(client, cast):
    outside = make_org(cast.community_b, "南门社区和谐调解室", OrgKind.FUNCTIONAL,
                       functional_type=FunctionalType.HARMONY)
    client.force_login(cast.community_secretary)
    before = snapshot(cast.member_a)
    response = client.post(edit_url(cast.member_a),
                           form_data(cast.member_a, functional_organizations=[outside.pk]))
    assert response.context["form"].errors["functional_organizations"]
    assert snapshot(cast.member_a) == before


# --- scope, read-only, method, CSRF -----------------------------------------------------

def test_auditor_cannot_edit_or_create(client, cast):
    client.force_login(cast.auditor)
    before, count = snapshot(cast.member_a), Member.objects.count()
    assert client.get(edit_url(cast.member_a)).status_code == 403
    response = client.post(edit_url(cast.member_a), form_data(cast.member_a, name="改"))
    assert response.status_code == 403
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, new_member_data(cast)).status_code == 403
    assert snapshot(cast.member_a) == before
    assert Member.objects.count() == count


def test_member_cannot_edit_their_own_record(client, cast):
    client.force_login(cast.member)
    before = snapshot(cast.member_a)
    assert client.get(edit_url(cast.member_a)).status_code == 403
    assert client.post(edit_url(cast.member_a),
                       form_data(cast.member_a, name="改")).status_code == 403
    assert client.get(CREATE).status_code == 403
    assert snapshot(cast.member_a) == before


@pytest.mark.parametrize(
    ("who", "target"),
    [("member", "member_a2"), ("member", "member_b"), ("outsider_secretary", "member_a"),
     ("branch_secretary", "member_a2")],
)
def test_editing_outside_scope_is_404(client, cast, who, target):
    client.force_login(getattr(cast, who))
    member = getattr(cast, target)
    before = snapshot(member)
    assert client.get(edit_url(member)).status_code == 404
    assert client.post(edit_url(member), form_data(member, name="改")).status_code == 404
    assert snapshot(member) == before


def test_outsider_cannot_preselect_an_organization_outside_scope(client, cast):
    client.force_login(cast.outsider_secretary)
    assert client.get(CREATE, {"organization": cast.branch_a.pk}).status_code == 404


def test_auditor_preselecting_an_organization_in_scope_is_403(client, cast):
    client.force_login(cast.auditor)
    assert client.get(CREATE, {"organization": cast.branch_a.pk}).status_code == 403


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_forms_refuse_other_methods(client, cast, method):
    client.force_login(cast.district_admin)
    assert getattr(client, method)(edit_url(cast.member_a)).status_code == 405
    assert getattr(client, method)(CREATE).status_code == 405


def test_post_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.community_secretary)
    before = snapshot(cast.member_a)
    response = client.post(edit_url(cast.member_a), form_data(cast.member_a, name="改"))
    assert response.status_code == 403
    assert snapshot(cast.member_a) == before


def test_post_with_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.community_secretary)
    client.get(edit_url(cast.member_a))
    token = client.cookies["csrftoken"].value
    response = client.post(edit_url(cast.member_a),
                           form_data(cast.member_a, name="张三丰", csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.member_a.pk).name == "张三丰"
