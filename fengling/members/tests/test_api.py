"""/api/v1/members: list, detail, create, update — over the cast."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengling.accounts.services import api_token_issue
from fengling.core.models import AuditEntry
from fengling.members.masking import mask_phone
from fengling.members.models import Member
from fengling.testing.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

LIST = "/api/v1/members"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def get(client, user, url, **params):
    return client.get(url, params, headers=bearer(user))


def post(client, user, data):
    return client.post(LIST, data, content_type="application/json", headers=bearer(user))


def patch(client, user, member, data):
    return client.patch(f"{LIST}/{member.pk}", data, content_type="application/json",
                        headers=bearer(user))


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["name"] for item in response.json()["items"])


# --- list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("district_admin", ["张三", "李四", "王五", "赵六"]),
        ("community_secretary", ["张三", "李四", "王五"]),
        ("branch_secretary", ["张三", "李四"]),
        ("auditor", ["张三", "李四", "王五"]),
        ("outsider_secretary", ["赵六"]),
        ("member", ["张三"]),
    ],
)
def test_list_holds_exactly_the_members_in_scope(client, cast, who, expected):
    assert names(get(client, getattr(cast, who), LIST)) == sorted(expected)


def test_list_never_shows_the_clear_id_number_or_phone(client, cast):
    response = get(client, cast.district_admin, LIST)
    text = response.content.decode()
    for member in (cast.member_a, cast.member_a2, cast.member_b):
        assert member.reveal_id_number() not in text
        assert member.phone not in text
    item = next(i for i in response.json()["items"] if i["name"] == "张三")
    assert item["id_number_masked"] == cast.member_a.id_number_masked
    assert item["phone_masked"] == f"{cast.member_a.phone[:3]}****{cast.member_a.phone[-4:]}"
    assert item["organization"] == {"id": cast.branch_a.pk, "name": "望春社区第一支部"}


def test_organization_filter_keeps_its_subtree(client, cast):
    assert names(get(client, cast.community_secretary, LIST,
                     organization=cast.branch_a.pk)) == ["张三", "李四"]
    assert names(get(client, cast.district_admin, LIST,
                     organization=cast.street1.pk)) == ["张三", "李四", "王五"]


@pytest.mark.parametrize(
    ("who", "org"),
    [
        ("outsider_secretary", "community_a"),
        ("outsider_secretary", "branch_a"),
        ("member", "branch_a"),
        ("community_secretary", "street1"),
        ("community_secretary", "branch_b"),
    ],
)
def test_organization_filter_outside_scope_is_404(client, cast, who, org):
    response = get(client, getattr(cast, who), LIST, organization=getattr(cast, org).pk)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_search_and_status_filters(client, cast):
    assert names(get(client, cast.community_secretary, LIST, search="王")) == ["王五"]
    assert names(get(client, cast.outsider_secretary, LIST, search="张三")) == []
    cast.member_a2.status = "mobile"
    cast.member_a2.save()
    assert names(get(client, cast.district_admin, LIST, status="mobile")) == ["王五"]


def test_unknown_status_is_422(client, cast):
    response = get(client, cast.district_admin, LIST, status="asleep")
    assert response.status_code == 422
    assert "status" in response.json()["fields"]


def test_list_query_count_does_not_grow_with_rows(client, cast):
    headers = bearer(cast.community_secretary)
    client.get(LIST, headers=headers)  # the token's first use records itself
    with CaptureQueriesContext(connection) as before:
        client.get(LIST, headers=headers)
    MemberFactory.create_batch(15, organization=cast.branch_a2)
    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST, headers=headers)
    assert response.json()["count"] == 18
    assert len(after) == len(before)


# --- detail ---------------------------------------------------------------------------------


def test_detail_for_secretary_and_admin(client, cast):
    for user in (cast.community_secretary, cast.district_admin):
        response = get(client, user, f"{LIST}/{cast.member_a.pk}")
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "张三"
        assert body["can_write"] is True
        assert body["id_number_masked"] == cast.member_a.id_number_masked
        assert cast.member_a.reveal_id_number() not in response.content.decode()
        assert "id_number" not in body
        # Even those who may change the record read the phone masked; the full number is
        # a reveal, which the audit log records (as on the member page).
        assert body["phone"] == mask_phone(cast.member_a.phone)
        assert cast.member_a.phone not in response.content.decode()


def test_member_reads_their_own_record_and_reveals_their_phone(client, cast):
    body = get(client, cast.member, f"{LIST}/{cast.member_a.pk}").json()
    assert body["name"] == "张三"
    assert body["phone"] == mask_phone(cast.member_a.phone)
    assert body["can_write"] is False
    before = AuditEntry.objects.filter(action="member.reveal").count()
    response = client.post(f"{LIST}/{cast.member_a.pk}/reveal", {"fields": ["phone"]},
                           content_type="application/json", headers=bearer(cast.member))
    assert response.status_code == 200
    assert response.json()["phone"] == cast.member_a.phone
    assert AuditEntry.objects.filter(action="member.reveal").count() == before + 1


def test_auditor_reads_the_record_with_the_phone_masked(client, cast):
    response = get(client, cast.auditor, f"{LIST}/{cast.member_a.pk}")
    assert response.status_code == 200
    assert response.json()["can_write"] is False
    assert response.json()["phone"].count("*") == 4
    assert cast.member_a.phone not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("outsider_secretary", "member_a"),
        ("outsider_secretary", "member_a2"),
        ("member", "member_a2"),
        ("member", "secretary_a_member"),
        ("branch_secretary", "member_a2"),
        ("community_secretary", "member_b"),
    ],
)
def test_detail_outside_scope_is_404(client, cast, who, target):
    response = get(client, getattr(cast, who), f"{LIST}/{getattr(cast, target).pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_wrong_methods_are_405(client, cast):
    headers = bearer(cast.district_admin)
    url = f"{LIST}/{cast.member_a.pk}"
    assert client.delete(url, headers=headers).status_code == 405
    response = client.put(url, {}, content_type="application/json", headers=headers)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert client.delete(LIST, headers=headers).status_code == 405


# --- create ---------------------------------------------------------------------------------


def new_member(organization, **changes) -> dict:
    data = {
        "organization": organization.pk,
        "id_number": make_id_number(dt.date(1990, 3, 8), "F"),
        "name": "孙丽", "gender": "F", "birth_date": "1990-03-08", "phone": "13900001111",
        "education": "master", "occupation": "in_service", "join_date": "2012-07-01",
        "membership": "full", "conversion_date": "2013-07-01", "roles": ["volunteer"],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["community_secretary", "district_admin", "branch_secretary"])
def test_create_records_a_member(client, cast, who):
    data = new_member(cast.branch_a)
    response = post(client, getattr(cast, who), data)
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(pk=body["id"])
    assert member.organization == cast.branch_a
    assert member.reveal_id_number() == data["id_number"]
    assert body["id_number_masked"] == member.id_number_masked
    assert data["id_number"] not in response.content.decode()
    assert body["roles"] == ["volunteer"]
    assert body["phone"] == mask_phone(data["phone"]) != data["phone"]
    assert AuditEntry.objects.filter(action="member.create", object_id=str(member.pk)).exists()


def test_auditor_cannot_create(client, cast):
    response = post(client, cast.auditor, new_member(cast.branch_a))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Member.objects.filter(name="孙丽").exists()


@pytest.mark.parametrize(
    ("who", "org"),
    [("outsider_secretary", "branch_a"), ("member", "branch_a"),
     ("community_secretary", "branch_a3")],
)
def test_create_outside_scope_is_404(client, cast, who, org):
    response = post(client, getattr(cast, who), new_member(getattr(cast, org)))
    assert response.status_code == 404
    assert not Member.objects.filter(name="孙丽").exists()


def test_bad_check_digit_is_422_on_id_number(client, cast):
    good = make_id_number(dt.date(1990, 3, 8), "F")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = post(client, cast.community_secretary, new_member(cast.branch_a, id_number=bad))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == ["id_number"]
    assert not Member.objects.filter(name="孙丽").exists()


def test_service_rules_come_back_per_field(client, cast):
    response = post(client, cast.community_secretary,
                    new_member(cast.branch_a, birth_date="1991-03-08"))
    assert response.status_code == 422
    assert "birth_date" in response.json()["fields"]


def test_home_must_be_a_branch_or_committee(client, cast):
    response = post(client, cast.district_admin, new_member(cast.street1))
    assert response.status_code == 422
    assert "organization" in response.json()["fields"]


def test_schema_errors_are_422_with_fields(client, cast):
    data = new_member(cast.branch_a, gender="X", birth_date="not a date", unexpected=1)
    del data["name"]
    response = post(client, cast.community_secretary, data)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert {"name", "gender", "birth_date", "unexpected"} <= set(fields)
    assert Member.objects.count() == 4


def test_messages_are_in_the_requested_language(client, cast):
    response = client.post(
        LIST, new_member(cast.branch_a, join_date="2099-01-01"),
        content_type="application/json",
        headers={**bearer(cast.community_secretary), "accept-language": "en"},
    )
    assert response.json()["fields"]["join_date"] == [
        "The date of joining cannot be in the future."
    ]


# --- update ---------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(client, cast):
    before = Member.objects.get(pk=cast.member_a.pk)
    response = patch(client, cast.community_secretary, cast.member_a,
                     {"phone": "13700002222", "work_unit": "望春小学"})
    assert response.status_code == 200, response.content
    after = Member.objects.get(pk=cast.member_a.pk)
    assert (after.phone, after.work_unit) == ("13700002222", "望春小学")
    assert (after.name, after.birth_date, after.organization_id, after.id_number_digest) == (
        before.name, before.birth_date, before.organization_id, before.id_number_digest
    )
    entry = AuditEntry.objects.get(action="member.update", object_id=str(after.pk))
    assert entry.data["changes"]["phone"] == [before.phone, "13700002222"]


def test_a_change_answers_with_the_phone_masked(client, cast):
    # A change that sends nothing is no way round the audited reveal.
    response = patch(client, cast.community_secretary, cast.member_a, {})
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == mask_phone(cast.member_a.phone)
    assert cast.member_a.phone not in response.content.decode()
    response = patch(client, cast.community_secretary, cast.member_a, {"work_unit": "望春小学"})
    assert response.json()["phone"] == mask_phone(cast.member_a.phone)


def test_patch_moves_a_member_within_scope(client, cast):
    response = patch(client, cast.community_secretary, cast.member_a,
                     {"organization": cast.branch_a2.pk})
    assert response.status_code == 200
    assert response.json()["organization"]["id"] == cast.branch_a2.pk


def test_patch_cannot_move_a_member_out_of_scope(client, cast):
    response = patch(client, cast.community_secretary, cast.member_a,
                     {"organization": cast.branch_b.pk})
    assert response.status_code == 404
    assert Member.objects.get(pk=cast.member_a.pk).organization_id == cast.branch_a.pk


@pytest.mark.parametrize(("who", "target"), [("auditor", "member_a"), ("member", "member_a")])
def test_read_only_users_get_403_and_nothing_changes(client, cast, who, target):
    response = patch(client, getattr(cast, who), getattr(cast, target), {"phone": "13700002222"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Member.objects.get(pk=cast.member_a.pk).phone == cast.member_a.phone


@pytest.mark.parametrize(
    ("who", "target"),
    [("outsider_secretary", "member_a"), ("member", "member_a2"),
     ("community_secretary", "member_b")],
)
def test_patch_outside_scope_is_404(client, cast, who, target):
    member = getattr(cast, target)
    response = patch(client, getattr(cast, who), member, {"phone": "13700002222"})
    assert response.status_code == 404
    assert Member.objects.get(pk=member.pk).phone == member.phone


def test_patch_validation_errors(client, cast):
    response = patch(client, cast.community_secretary, cast.member_a, {"conversion_date": None})
    assert response.status_code == 422
    assert "conversion_date" in response.json()["fields"]
    response = patch(client, cast.community_secretary, cast.member_a, {"name": None})
    assert response.status_code == 422
    assert "name" in response.json()["fields"]
    assert Member.objects.get(pk=cast.member_a.pk).name == "张三"


def test_patch_bad_id_number_is_422(client, cast):
    response = patch(client, cast.community_secretary, cast.member_a,
                     {"id_number": "33020319800517001"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["id_number"]
