"""Revealing full ID and phone numbers (web and API), unmasked exports: who may, what the
audit entry holds, scope from outside (404) and refused roles (403)."""

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from fengling.accounts.services import api_token_issue
from fengling.core.models import AuditEntry
from fengling.core.roles import ROLE_RULES, Role
from fengling.testing.factories import make_user

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (test browser)"


@pytest.fixture
def grid_worker(cast):
    return make_user("grid_worker", Role.GRID_WORKER, cast.community_a)


def who_is(cast, grid_worker, who):
    return grid_worker if who == "grid_worker" else getattr(cast, who)


def reveal(client, user, member, field="id_number", htmx=True, **extra):
    client.force_login(user)
    headers = {"HX-Request": "true", "HX-Target": f"reveal-{field}"} if htmx else {}
    return client.post(reverse("members:reveal", args=[member.pk]), {"field": field},
                       headers=headers, HTTP_USER_AGENT=UA, **extra)


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def api_reveal(client, user, member, data=None):
    return client.post(f"/api/v1/members/{member.pk}/reveal", data or {},
                       content_type="application/json", headers=bearer(user),
                       HTTP_USER_AGENT=UA)


def test_the_role_table_says_who_may_reveal():
    may = {role for role, rule in ROLE_RULES.items() if rule.reveal}
    assert may == {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.ORG_SECRETARY,
                   Role.BRANCH_SECRETARY, Role.MEMBER}


# who, whose record, expected status
CASES = [
    ("district_admin", "member_a", 200),
    ("street_admin", "member_a", 200),
    ("community_secretary", "member_a", 200),
    ("branch_secretary", "member_a", 200),
    ("member", "member_a", 200),  # their own
    ("member", "secretary_a_member", 404),
    ("auditor", "member_a", 403),
    ("grid_worker", "member_a", 403),
    ("branch_secretary", "member_a2", 404),
    ("outsider_secretary", "member_a", 404),
    ("street_admin", "member_b", 404),
]


@pytest.mark.parametrize(("who", "target", "status"), CASES)
def test_reveal_on_the_web_per_role(client, cast, grid_worker, who, target, status):
    member = getattr(cast, target)
    response = reveal(client, who_is(cast, grid_worker, who), member)
    assert response.status_code == status
    clear = member.reveal_id_number()
    entries = AuditEntry.objects.filter(action="member.reveal")
    if status == 200:
        assert clear in response.content.decode()
        assert entries.count() == 1
    else:
        assert clear not in response.content.decode()
        assert not entries.exists()


@pytest.mark.parametrize(("who", "target", "status"), CASES)
def test_reveal_in_the_api_per_role(client, cast, grid_worker, who, target, status):
    member = getattr(cast, target)
    response = api_reveal(client, who_is(cast, grid_worker, who), member)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json() == {"id": member.pk, "id_number": member.reveal_id_number(),
                                   "phone": member.phone}
    else:
        assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[status]
        assert AuditEntry.objects.filter(action="member.reveal").count() == 0


def test_the_audit_entry_says_who_whose_what_when_and_from_where(client, cast):
    response = reveal(client, cast.branch_secretary, cast.member_a, field="phone",
                      REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert cast.member_a.phone in response.content.decode()
    entry = AuditEntry.objects.get(action="member.reveal")
    assert entry.actor == cast.branch_secretary
    assert entry.subject == cast.member_a
    assert entry.data == {"fields": ["phone"], "user_agent": UA}
    assert entry.ip_address == "10.1.2.3"
    assert entry.organization_path == cast.branch_a.path
    assert entry.created_at is not None
    # The entry names the field, never its value.
    assert cast.member_a.phone not in str(entry.data)


def test_api_reveals_only_the_fields_asked_for(client, cast):
    response = api_reveal(client, cast.district_admin, cast.member_a, {"fields": ["id_number"]})
    assert response.json() == {"id": cast.member_a.pk,
                               "id_number": cast.member_a.reveal_id_number(), "phone": None}
    entry = AuditEntry.objects.get(action="member.reveal")
    assert entry.data["fields"] == ["id_number"]
    assert entry.ip_address == "127.0.0.1"
    assert entry.actor == cast.district_admin


def test_api_refuses_an_unknown_field(client, cast):
    response = api_reveal(client, cast.district_admin, cast.member_a, {"fields": ["password"]})
    assert response.status_code == 422
    assert not AuditEntry.objects.filter(action="member.reveal").exists()


def test_refusal_says_why_in_the_users_language(client, cast, grid_worker):
    response = reveal(client, cast.auditor, cast.member_a, htmx=False)
    assert response.status_code == 403
    assert "无权查看完整的身份证号或手机号" in response.content.decode()
    with translation.override("en"):
        api = client.post(f"/api/v1/members/{cast.member_a.pk}/reveal", {},
                          content_type="application/json", headers={
                              **bearer(grid_worker), "accept-language": "en"})
    assert api.status_code == 403
    assert "may not reveal full ID or phone numbers" in api.json()["message"]


def test_an_unknown_field_or_a_get_changes_nothing(client, cast):
    assert reveal(client, cast.district_admin, cast.member_a, field="name").status_code == 400
    assert client.get(reverse("members:reveal", args=[cast.member_a.pk])).status_code == 405
    assert not AuditEntry.objects.filter(action="member.reveal").exists()


def test_reveal_needs_the_csrf_token(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.district_admin)
    response = client.post(reverse("members:reveal", args=[cast.member_a.pk]),
                           {"field": "id_number"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="member.reveal").exists()


def test_the_page_shows_nothing_in_clear_until_a_reveal(client, cast):
    client.force_login(cast.community_secretary)
    html = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert cast.member_a.reveal_id_number() not in html
    assert cast.member_a.phone not in html
    assert cast.member_a.id_number_masked in html
    assert 'hx-post="{}"'.format(reverse("members:reveal", args=[cast.member_a.pk])) in html
    assert 'name="field" value="id_number"' in html and 'name="field" value="phone"' in html
    assert not AuditEntry.objects.filter(action="member.reveal").exists()


def test_htmx_gets_the_fragment_and_a_plain_post_the_page(client, cast):
    fragment = reveal(client, cast.district_admin, cast.member_a).content.decode()
    assert fragment.startswith('<span id="reveal-id_number">')
    assert "<html" not in fragment
    page = reveal(client, cast.district_admin, cast.member_a, htmx=False).content.decode()
    assert "<html" in page and cast.member_a.reveal_id_number() in page
    # The phone was not asked for: still masked.
    assert cast.member_a.phone not in page
    # The same page as before the reveal, its status history included.
    assert 'id="history-heading"' in page


@pytest.mark.parametrize("who", ["auditor", "grid_worker"])
def test_no_reveal_button_for_roles_that_may_not(client, cast, grid_worker, who):
    client.force_login(who_is(cast, grid_worker, who))
    html = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert reverse("members:reveal", args=[cast.member_a.pk]) not in html


def test_the_member_may_reveal_their_own(client, cast):
    client.force_login(cast.member)
    html = client.get(reverse("members:detail", args=[cast.member_a.pk])).content.decode()
    assert reverse("members:reveal", args=[cast.member_a.pk]) in html


# --- unmasked export ------------------------------------------------------------------------

EXPORT = reverse("members:export")


def export_unmasked(client, user, query=""):
    client.force_login(user)
    return client.post(EXPORT + query, {"unmasked": "1"}, HTTP_USER_AGENT=UA,
                       REMOTE_ADDR="10.9.8.7")


def rows_of(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("who", "status"),
    [("district_admin", 200), ("street_admin", 200), ("community_secretary", 200),
     ("branch_secretary", 200), ("outsider_secretary", 200), ("auditor", 403),
     ("grid_worker", 403), ("member", 403)],
)
def test_unmasked_export_per_role(client, cast, grid_worker, who, status):
    response = export_unmasked(client, who_is(cast, grid_worker, who))
    assert response.status_code == status
    entries = AuditEntry.objects.filter(action="members.export")
    assert entries.count() == (1 if status == 200 else 0)


def test_unmasked_export_holds_full_values_and_is_audited(client, cast):
    response = export_unmasked(client, cast.community_secretary, "?q=张&status=normal")
    rows = rows_of(response)
    assert rows[1][0] == "张三"
    assert cast.member_a.reveal_id_number() in rows[1]
    assert cast.member_a.phone in rows[1]
    assert quote("未脱敏") in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="members.export")
    assert entry.actor == cast.community_secretary
    assert entry.data["masked"] is False
    assert entry.data["rows"] == 1
    assert entry.data["filters"] == {"search": "张", "status": "normal"}
    assert entry.ip_address == "10.9.8.7"
    assert entry.data["user_agent"] == UA


def test_the_masked_export_stays_masked(client, cast):
    client.force_login(cast.district_admin)
    rows = rows_of(client.get(EXPORT))
    flat = [str(c) for r in rows for c in r]
    assert cast.member_a.reveal_id_number() not in flat
    assert cast.member_a.phone not in flat
    assert AuditEntry.objects.get(action="members.export").data["masked"] is True


def test_refused_unmasked_export_says_why(client, cast):
    response = export_unmasked(client, cast.auditor)
    assert response.status_code == 403
    assert "无权导出完整的身份证号或手机号" in response.content.decode()


def test_unmasked_export_leaves_out_rows_the_user_may_only_read(client, cast):
    # Branch secretary of branch A who is also an auditor of the whole street.
    from fengling.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=cast.branch_secretary, role=Role.AUDITOR,
                                  organization=cast.street1, starts_on="2020-01-01")
    rows = rows_of(export_unmasked(client, cast.branch_secretary))
    assert {r[0] for r in rows[1:]} == {"张三", "李四"}  # not 王五 of branch A2


def test_an_id_number_typed_into_the_search_is_logged_masked(client, cast):
    clear = cast.member_a.reveal_id_number()
    export_unmasked(client, cast.district_admin, f"?q={clear}")
    entry = AuditEntry.objects.get(action="members.export")
    assert clear not in str(entry.data)
    assert entry.data["filters"]["search"] == cast.member_a.id_number_masked


def test_the_list_offers_the_unmasked_export_only_to_those_who_may(client, cast):
    client.force_login(cast.community_secretary)
    assert 'name="unmasked"' in client.get(reverse("members:list")).content.decode()
    client.force_login(cast.auditor)
    assert 'name="unmasked"' not in client.get(reverse("members:list")).content.decode()


# --- the history's client addresses ---------------------------------------------------------


def test_a_member_reading_their_own_history_does_not_see_the_staffs_addresses(client, cast):
    # The secretary reveals the member's ID number from 10.1.2.3: an entry of the history.
    reveal(client, cast.community_secretary, cast.member_a, REMOTE_ADDR="10.1.2.3")
    url = reverse("members:history", args=[cast.member_a.pk])
    client.force_login(cast.community_secretary)
    assert "10.1.2.3" in client.get(url).content.decode()
    client.force_login(cast.member)
    response = client.get(url)
    assert response.status_code == 200
    assert "10.1.2.3" not in response.content.decode()
    api = client.get(f"/api/v1/members/{cast.member_a.pk}/history", headers=bearer(cast.member))
    assert api.status_code == 200
    assert api.json()["items"] and all(e["ip_address"] is None for e in api.json()["items"])
