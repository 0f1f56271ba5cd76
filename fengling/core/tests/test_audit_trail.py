"""The change history (django-auditlog + our audit entries): what is recorded, by whom and
from where, what never is, and the history pages and API (scope, roles, contents, queries)."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.core.lib import idcard
from fengling.core.models import AuditEntry
from fengling.core.roles import Role
from fengling.members.models import Education, Member
from fengling.members.services import member_update
from fengling.testing.factories import MemberFactory, make_user

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


@pytest.fixture
def grid_worker(cast):
    return make_user("grid_worker", Role.GRID_WORKER, cast.community_a)


def who_is(cast, grid_worker, who):
    return grid_worker if who == "grid_worker" else getattr(cast, who)


# --- what is tracked -------------------------------------------------------------------------


def test_every_model_of_ours_is_tracked_but_logs_sessions_and_attempts_are_not():
    tracked = {m._meta.label for m in auditlog.get_models()}
    for config in apps.get_app_configs():
        if config.name.startswith("fengling."):
            for model in config.get_models():
                # A model that opts out (`audit_trail = False`, audit_trail.py) is not tracked.
                if getattr(model, "audit_trail", True) is False:
                    assert model._meta.label not in tracked, model
                elif model._meta.label not in {"core.AuditEntry", "accounts.ApiToken"}:
                    assert model._meta.label in tracked, model
    assert not tracked & {"core.AuditEntry", "accounts.ApiToken", "sessions.Session",
                          "auditlog.LogEntry", "axes.AccessAttempt", "axes.AccessLog",
                          "axes.AccessFailureLog", "contenttypes.ContentType",
                          "auth.Permission"}


def test_cipher_fields_are_never_recorded_and_digests_only_as_changed():
    for model in auditlog.get_models():
        rules = auditlog.get_model_fields(model)
        for f in model._meta.concrete_fields:
            if f.name.endswith("_cipher"):
                assert f.name in rules["exclude_fields"], (model, f.name)
            if f.name.endswith("_digest"):
                assert f.name in rules["mask_fields"] or f.name in rules["exclude_fields"]
            if f.name in ("password", "last_login"):
                assert f.name in rules["exclude_fields"]


def edit_form_data(member, **changes):
    data = {
        "name": member.name, "gender": member.gender, "ethnicity": member.ethnicity,
        "birth_date": member.birth_date.isoformat(), "id_number": "", "phone": member.phone,
        "education": member.education, "occupation": member.occupation,
        "work_unit": member.work_unit, "join_date": member.join_date.isoformat(),
        "membership": member.membership,
        "conversion_date": member.conversion_date.isoformat() if member.conversion_date
        else "",
        "status": member.status, "organization": member.organization_id,
    }
    data.update(changes)
    return data


def test_a_web_edit_records_actor_address_and_old_to_new(client, cast):
    member = cast.member_a
    client.force_login(cast.branch_secretary)
    response = client.post(reverse("members:edit", args=[member.pk]),
                           edit_form_data(member, education=Education.MASTER),
                           REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = LogEntry.objects.get_for_object(member).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == cast.branch_secretary
    assert entry.remote_addr == "10.0.0.7"
    assert entry.changes == {"education": ["bachelor", "master"]}


def test_an_api_change_with_a_bearer_token_records_the_tokens_user(client, cast):
    response = client.patch(f"/api/v1/members/{cast.member_a.pk}", {"work_unit": "宁波银行"},
                            content_type="application/json", headers=bearer(cast.district_admin))
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(cast.member_a).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == cast.district_admin
    assert entry.changes["work_unit"][1] == "宁波银行"


def test_forwarded_for_counts_only_behind_a_trusted_proxy(client, cast, settings):
    client.force_login(cast.district_admin)
    url = reverse("members:edit", args=[cast.member_a.pk])
    headers = {"X-Forwarded-For": "203.0.113.9"}
    client.post(url, edit_form_data(cast.member_a, work_unit="甲"), REMOTE_ADDR="10.0.0.1",
                headers=headers)
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.post(url, edit_form_data(cast.member_a, work_unit="乙"), REMOTE_ADDR="10.0.0.1",
                headers=headers)
    addresses = list(LogEntry.objects.get_for_object(cast.member_a)
                     .filter(action=LogEntry.Action.UPDATE).order_by("pk")
                     .values_list("remote_addr", flat=True))
    assert addresses == ["10.0.0.1", "203.0.113.9"]


def test_an_id_change_is_recorded_masked_and_the_digest_never(cast):
    member = cast.member_a
    old_clear = member.reveal_id_number()
    new_clear = idcard.build("330203", member.birth_date, 77, member.gender)
    member_update(cast.district_admin, member, id_number=new_clear)
    entry = LogEntry.objects.get_for_object(member).latest()
    text = str(entry.changes)
    assert old_clear not in text and new_clear not in text
    assert member.id_number_digest not in text
    assert "id_number_cipher" not in entry.changes
    assert entry.changes["id_number_digest"] == ["***", "***"]


# --- the history pages -----------------------------------------------------------------------


def member_history(client, user, member, **params):
    client.force_login(user)
    return client.get(reverse("members:history", args=[member.pk]), params)


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("district_admin", "member_a", 200),
        ("street_admin", "member_a", 200),
        ("community_secretary", "member_a", 200),
        ("branch_secretary", "member_a", 200),
        ("auditor", "member_a", 200),
        ("member", "member_a", 200),  # their own
        ("member", "secretary_a_member", 404),
        ("grid_worker", "member_a", 403),
        ("outsider_secretary", "member_a", 404),
        ("branch_secretary", "member_a2", 404),
    ],
)
def test_member_history_per_role(client, cast, grid_worker, who, target, status):
    response = member_history(client, who_is(cast, grid_worker, who), getattr(cast, target))
    assert response.status_code == status
    if status == 403:
        assert "无权查看此记录的变更记录" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("district_admin", "branch_a", 200),
        ("community_secretary", "branch_a", 200),
        ("auditor", "community_a", 200),
        ("grid_worker", "branch_a", 403),
        ("member", "branch_a", 404),
        ("outsider_secretary", "branch_a", 404),
        ("branch_secretary", "community_a", 404),
    ],
)
def test_organization_history_per_role(client, cast, grid_worker, who, target, status):
    client.force_login(who_is(cast, grid_worker, who))
    org = getattr(cast, target)
    assert client.get(reverse("organizations:history", args=[org.pk])).status_code == status
    api = client.get(f"/api/v1/organizations/{org.pk}/history",
                     headers=bearer(who_is(cast, grid_worker, who)))
    assert api.status_code == status


def test_history_page_lists_who_when_field_old_to_new_and_reveals(client, cast):
    member = cast.member_a
    member_update(cast.community_secretary, member, education=Education.MASTER,
                  organization=cast.branch_a2)
    client.force_login(cast.community_secretary)
    client.post(reverse("members:reveal", args=[member.pk]), {"field": "id_number"},
                REMOTE_ADDR="10.3.3.3")
    html = member_history(client, cast.auditor, member).content.decode()
    # Field names, choice labels and related rows in the user's language (Chinese).
    assert "学历" in html and "本科" in html and "硕士研究生" in html
    assert "→" in html
    assert cast.branch_a.name in html and cast.branch_a2.name in html
    assert "community_secretary" in html
    assert "10.3.3.3" in html
    assert "查看了完整个人信息" in html  # the reveal
    assert member.reveal_id_number() not in html
    # Newest first: the reveal before the edit.
    assert html.index("查看了完整个人信息") < html.index("硕士研究生")


def test_creation_shows_masked_id_and_phone_and_roles_changes_are_listed(client, cast):
    member = MemberFactory(organization=cast.branch_a)
    member_update(cast.district_admin, member, roles=["volunteer"])
    html = member_history(client, cast.district_admin, member).content.decode()
    assert member.id_number_masked in html
    assert member.reveal_id_number() not in html
    assert member.phone not in html and member.phone[-4:] in html
    assert "志愿者" in html


def test_history_pages_are_paginated(client, cast):
    member = cast.member_a
    for n in range(30):
        member_update(cast.district_admin, member, work_unit=f"单位{n}")
    html = member_history(client, cast.district_admin, member).content.decode()
    new = '<span class="fl-new">%s</span>'
    assert new % "单位29" in html and new % "单位4" not in html
    page2 = member_history(client, cast.district_admin, member, page=2).content.decode()
    assert new % "单位4" in page2 and new % "单位29" not in page2


def test_history_page_query_count_does_not_grow(client, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = cast.member_a

    def churn(n):
        for i in range(n):
            member_update(cast.district_admin, member, work_unit=f"w{i}{n}",
                          organization=cast.branch_a2 if i % 2 else cast.branch_a)
            AuditEntry.objects.create(action="member.reveal", subject=member,
                                      data={"fields": ["phone"]})

    def count():
        client.force_login(cast.auditor)
        url = reverse("members:history", args=[member.pk])
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    churn(2)
    few = count()
    churn(10)
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(reverse("members:history", args=[member.pk]))


def test_history_api_for_a_member(client, cast):
    member = cast.member_a
    assert client.patch(f"/api/v1/members/{member.pk}", {"occupation": "retiree"},
                        content_type="application/json",
                        headers=bearer(cast.branch_secretary)).status_code == 200
    response = client.get(f"/api/v1/members/{member.pk}/history",
                          headers=bearer(cast.auditor))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2  # created by the factory, then the change
    change = body["items"][0]
    assert change["kind"] == "update"
    assert change["actor"] == {"id": cast.branch_secretary.pk, "name": "branch_secretary"}
    assert change["changes"] == [{"field": "职业类别", "old": "在职（月薪）", "new": "离退休",
                                  "hidden": False}]


@pytest.mark.parametrize(("who", "target", "status"),
                         [("outsider_secretary", "member_a", 404),
                          ("grid_worker", "member_a", 403),
                          ("member", "member_a", 200)])
def test_history_api_scope(client, cast, grid_worker, who, target, status):
    response = client.get(f"/api/v1/members/{getattr(cast, target).pk}/history",
                          headers=bearer(who_is(cast, grid_worker, who)))
    assert response.status_code == status


def test_organization_history_merges_exports(client, cast):
    client.force_login(cast.community_secretary)
    client.get(reverse("members:export"))
    html = client.get(reverse("organizations:history", args=[cast.community_a.pk])
                      ).content.decode()
    assert "导出了党员名单" in html
    assert cast.community_a.name in html


def test_members_created_in_bulk_add_no_history_rows(cast):
    before = LogEntry.objects.count()
    Member.objects.bulk_create([MemberFactory.build(organization=cast.branch_a,
                                                    birth_date=dt.date(1981, 1, 1))])
    assert LogEntry.objects.count() == before


def test_organization_history_shows_field_changes_and_moves(client, cast):
    from auditlog.context import set_actor

    from fengling.organizations.services import organization_move

    org = cast.branch_a3
    with set_actor(cast.district_admin, remote_addr="10.5.5.5"):
        org.address = "海曙区五江口路1号"
        org.save()
    organization_move(cast.district_admin, org, cast.community_a)
    client.force_login(cast.street_admin)
    html = client.get(reverse("organizations:history", args=[org.pk])).content.decode()
    assert "地址" in html and "海曙区五江口路1号" in html and "10.5.5.5" in html
    assert "调整了党组织隶属关系" in html
    assert "district_admin" in html
    # Tree bookkeeping (materialized path) is not history.
    assert org.path not in html


def test_functional_organization_changes_are_listed(client, cast):
    from fengling.organizations.kinds import FunctionalType, OrgKind
    from fengling.testing.factories import make_org

    room = make_org(cast.community_a, "公益室", OrgKind.FUNCTIONAL,
                    functional_type=FunctionalType.PUBLIC_WELFARE)
    member_update(cast.district_admin, cast.member_a, functional_organizations=[room])
    html = member_history(client, cast.district_admin, cast.member_a).content.decode()
    assert "功能型党组织" in html and "公益室" in html


def test_a_correlation_id_header_is_not_written(client, cast):
    client.patch(f"/api/v1/members/{cast.member_a.pk}", {"work_unit": "x"},
                 content_type="application/json",
                 headers={**bearer(cast.district_admin), "X-Correlation-ID": "z" * 400})
    entry = LogEntry.objects.get_for_object(cast.member_a).latest()
    assert entry.cid is None
