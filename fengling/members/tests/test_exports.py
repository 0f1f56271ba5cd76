"""Excel exports of members and organizations, and the import template: scope, masking,
language, audit, and a query count that does not grow with the rows."""

import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from fengling.core.models import AuditEntry
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

MEMBERS = reverse("members:export")
ORGS = reverse("organizations:export")
TEMPLATE = reverse("members:import_template")


def download(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    return response


def sheet_rows(response, sheet=0):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("district_admin", {"张三", "李四", "王五", "赵六"}),
        ("community_secretary", {"张三", "李四", "王五"}),
        ("auditor", {"张三", "李四", "王五"}),
        ("outsider_secretary", {"赵六"}),
    ],
)
def test_export_contains_exactly_the_members_in_scope(client, cast, who, expected):
    response = download(client, getattr(cast, who), MEMBERS)
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert {r[0] for r in rows[1:]} == expected


def test_a_member_has_no_roster_to_export(client, cast):
    assert download(client, cast.member, MEMBERS).status_code == 403
    assert download(client, cast.member, ORGS).status_code == 403


def test_anonymous_is_sent_to_login(client, cast):
    assert client.get(MEMBERS).status_code == 302


def test_a_post_must_ask_for_the_unmasked_export(client, cast):
    client.force_login(cast.district_admin)
    assert client.post(MEMBERS).status_code == 400
    assert not AuditEntry.objects.filter(action="members.export").exists()


def test_export_follows_the_list_filters(client, cast):
    response = download(client, cast.district_admin, MEMBERS, q="张",
                        organization=cast.community_a.pk)
    assert [r[0] for r in sheet_rows(response)[1:]] == ["张三"]


def test_filtering_on_an_organization_out_of_scope_is_404(client, cast):
    assert download(client, cast.outsider_secretary, MEMBERS,
                    organization=cast.community_a.pk).status_code == 404


def test_phone_and_id_number_are_masked_in_the_workbook(client, cast):
    response = download(client, cast.auditor, MEMBERS)
    text = repr(sheet_rows(response))
    for member in (cast.member_a, cast.member_a2, cast.secretary_a_member):
        assert member.reveal_id_number() not in text
        assert member.phone not in text
        assert member.id_number_masked in text
        assert member.phone[-4:] in text


def test_headers_are_chinese_by_default_with_labels_and_dates(client, cast):
    rows = sheet_rows(download(client, cast.community_secretary, MEMBERS, q="张三"))
    header, row = rows
    assert header[:5] == ["姓名", "性别", "民族", "出生日期", "身份证号码"]
    assert header[-3:] == ["所在党组织", "所在党组织代码", "党小组"]
    assert row[1] == "男"
    assert row[3].date() == cast.member_a.birth_date
    assert row[-2] == cast.branch_a.code
    assert row[-3] == cast.branch_a.name
    assert row[-1] is None  # in no Party group


def test_the_party_group_is_exported(client, cast):
    from fengling.members.services import member_update
    from fengling.organizations.kinds import OrgKind
    from fengling.testing.factories import make_org

    group = make_org(cast.branch_a, "望春社区第一支部第一党小组", OrgKind.PARTY_GROUP)
    member_update(cast.branch_secretary, cast.member_a, party_group=group)
    _header, row = sheet_rows(download(client, cast.community_secretary, MEMBERS, q="张三"))
    assert row[-1] == group.name


def test_headers_are_english_when_the_user_reads_english(client, cast):
    client.cookies["django_language"] = "en"
    rows = sheet_rows(download(client, cast.community_secretary, MEMBERS, q="张三"))
    assert rows[0][:2] == ["Full name", "Gender"]
    assert rows[1][1] == "Male"


def test_file_name_carries_the_date_in_rfc_5987(client, cast):
    response = download(client, cast.district_admin, MEMBERS)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''" + quote("党员名册-") in disposition
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_export_is_audited_with_filters_and_row_count(client, cast):
    download(client, cast.community_secretary, MEMBERS, status="normal")
    entry = AuditEntry.objects.get(action="members.export")
    assert entry.actor == cast.community_secretary
    assert entry.data["rows"] == 3
    assert entry.data["filters"] == {"status": "normal"}
    assert entry.object_id == str(cast.community_a.pk)


def test_export_query_count_does_not_depend_on_rows(client, cast):
    client.force_login(cast.district_admin)
    with CaptureQueriesContext(connection) as few:
        client.get(MEMBERS)
    MemberFactory.create_batch(30, organization=cast.branch_a3)
    with CaptureQueriesContext(connection) as many:
        client.get(MEMBERS)
    assert len(many) == len(few)


def test_organization_export_is_scoped_with_parents(client, cast):
    rows = sheet_rows(download(client, cast.outsider_secretary, ORGS))
    names = [r[1] for r in rows[1:]]
    assert names == [cast.community_b.name, cast.branch_b.name]
    assert rows[2][-2:] == [cast.community_b.code, cast.community_b.name]
    assert AuditEntry.objects.filter(action="organizations.export").count() == 1


def test_organization_export_follows_search_and_kind(client, cast):
    rows = sheet_rows(download(client, cast.district_admin, ORGS, kind="branch", q="望春"))
    assert {r[1] for r in rows[1:]} == {cast.branch_a.name, cast.branch_a2.name}


def test_import_template_has_headers_example_and_allowed_values(client, cast):
    response = download(client, cast.community_secretary, TEMPLATE)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    members, allowed = book.worksheets
    header = [c.value for c in members[1]]
    assert header[0] == "姓名" and "身份证号码" in header
    assert members["A2"].value == "张三"
    values = [[c for c in col if c is not None] for col in
              allowed.iter_cols(values_only=True)]
    assert values[0] == ["性别", "男", "女"]
    codes = set(values[4][1:])
    assert codes == {cast.community_a.code, cast.branch_a.code, cast.branch_a2.code}
    assert cast.branch_b.code not in codes
    assert len(members.data_validations.dataValidation) == 5


def test_read_only_users_get_no_import_template(client, cast):
    assert download(client, cast.auditor, TEMPLATE).status_code == 403
    assert download(client, cast.member, TEMPLATE).status_code == 403


def test_list_and_tree_offer_the_download(client, cast):
    client.force_login(cast.community_secretary)
    assert MEMBERS.encode() in client.get(reverse("members:list"), {"status": "normal"}).content
    assert ORGS.encode() in client.get(reverse("organizations:tree")).content
