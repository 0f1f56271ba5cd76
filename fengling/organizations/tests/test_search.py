"""Organization search: name, short name, pinyin, initials and code; always scoped."""

import pytest
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization
from fengling.organizations.selectors import organization_list
from fengling.organizations.services import organization_create

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations"


def found(user, text) -> list[str]:
    return [org.name for org in organization_list(user, search=text)]


def tree_names(client, user, q) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("organizations:tree"), {"q": q})
    assert response.status_code == 200
    return [org.name for org in response.context["results"].object_list]


def api_names(client, user, search) -> list[str]:
    token = api_token_issue(user)[0]
    response = client.get(API, {"search": search}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("text", ["wangchunshequ", "WangChun", "wcsq", "chunshe"])
def test_pinyin_and_initials_find_organizations(cast, text):
    assert found(cast.community_secretary, text) == [
        "望春社区党委", "望春社区第一支部", "望春社区第二支部"]


@pytest.mark.parametrize("names_of", [tree_names, api_names], ids=["tree", "api"])
def test_pinyin_search_stays_inside_the_scope(client, cast, names_of):
    assert names_of(client, cast.district_admin, "sqdyzb") == [
        "望春社区第一支部", "五江口社区第一支部", "南门社区第一支部"]
    assert names_of(client, cast.outsider_secretary, "sqdyzb") == ["南门社区第一支部"]
    assert names_of(client, cast.outsider_secretary, "wangchun") == []


def test_name_and_code_still_find_organizations(cast):
    assert found(cast.street_admin, "第二支部") == ["望春社区第二支部"]
    assert found(cast.street_admin, cast.branch_a2.code.lower()) == ["望春社区第二支部"]


def test_created_and_renamed_organizations_get_keys(cast):
    org = organization_create(cast.district_admin, parent=cast.community_a,
                              name="曾家弄支部", kind=OrgKind.BRANCH, code="T-ZJL")
    org.refresh_from_db()
    assert (org.name_pinyin, org.name_initials) == ("cengjianongzhibu", "cjnzb")
    org.name = "解放支部"
    org.save(update_fields=["name"])
    assert Organization.objects.filter(name_initials="jfzb").get() == org
