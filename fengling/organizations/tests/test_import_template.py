"""The organization import template: Chinese headers, allowed values, scoped parents."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db

URL = reverse("organizations:import_template")


def workbook(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_template_has_chinese_headers_and_a_sheet_of_allowed_values(client, cast):
    book = workbook(client, cast.community_secretary)
    sheet, allowed = book.worksheets
    headers = [c.value for c in sheet[1]]
    assert headers[:6] == ["名称*", "简称", "类型*", "领域*", "功能类型", "上级党组织代码*"]
    allowed_headers = [c.value for c in allowed[1]]
    assert allowed_headers[:3] == ["类型", "领域", "功能类型"]
    columns = {h: [r[i] for r in allowed.iter_rows(min_row=2, values_only=True) if r[i]]
               for i, h in enumerate(allowed_headers)}
    assert "党支部" in columns["类型"] and "社区党委" in columns["类型"]
    assert "社区" in columns["领域"]
    # Parents: only organizations the user may add to (community A and its branches).
    assert set(columns["上级党组织代码"]) == {cast.community_a.code, cast.branch_a.code,
                                             cast.branch_a2.code}
    assert cast.branch_b.code not in columns["上级党组织代码"]
    assert cast.community_a.name in columns["党组织名称"]
    # Drop-down lists point at the allowed values.
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 4
    # The example row uses allowed values.
    example = [c.value for c in sheet[2]]
    assert example[2] in columns["类型"] and example[5] in columns["上级党组织代码"]


def test_english_readers_get_english_headers(client, cast):
    client.force_login(cast.district_admin)
    client.cookies["django_language"] = "en"
    response = client.get(URL, headers={"accept-language": "en"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in book.worksheets[0][1]][:3] == ["Name*", "Short name", "Kind*"]


@pytest.mark.parametrize("who", ["auditor", "member"])
def test_read_only_roles_get_no_template(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 403


def test_the_tree_links_to_the_template_for_writers_only(client, cast):
    client.force_login(cast.community_secretary)
    assert URL in client.get(reverse("organizations:tree")).content.decode()
    client.force_login(cast.auditor)
    assert URL not in client.get(reverse("organizations:tree")).content.decode()
