"""Member search (one box): name, pinyin, initials, phone and ID digits; scoped and ranked."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.core.lib import idcard
from fengling.members.models import Member
from fengling.members.selectors import MemberFilters, member_list
from fengling.members.services import member_update
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = reverse("members:list")
API = "/api/v1/members"


def web_names(client, user, q) -> list[str]:
    client.force_login(user)
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return [m.name for m in response.context["page"].object_list]


def api_names(client, user, search) -> list[str]:
    token = api_token_issue(user)[0]
    response = client.get(API, {"search": search}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def found(user, text) -> list[str]:
    return [m.name for m in member_list(user, MemberFilters(search=text))]


@pytest.fixture
def zhang_shan(cast):
    """A 张三-like member outside the community secretary's scope (another street)."""
    return MemberFactory(organization=cast.branch_b, name="张山")


@pytest.mark.parametrize("names_of", [web_names, api_names], ids=["web", "api"])
def test_searching_zs_finds_zhang_san_in_scope_and_never_a_member_out_of_scope(
        client, cast, zhang_shan, names_of):
    inside = names_of(client, cast.community_secretary, "zs")
    assert "张三" in inside
    assert "张山" not in inside
    outside = names_of(client, cast.outsider_secretary, "zs")
    assert "张山" in outside
    assert "张三" not in outside
    assert sorted(names_of(client, cast.district_admin, "zs")) == ["张三", "张山"]


def test_the_page_never_shows_a_match_outside_scope(client, cast, zhang_shan):
    client.force_login(cast.community_secretary)
    html = client.get(URL, {"q": "zhang"}).content.decode()
    assert "张三" in html
    assert "张山" not in html


@pytest.mark.parametrize("text", ["zhangsan", "zhang", "ZhangSan", "zhang san", " zs ", "zs",
                                  "angsa", "张", "三"])
def test_name_full_pinyin_and_initials_find_the_member(cast, text):
    assert found(cast.community_secretary, text) == ["张三"]


def test_short_pinyin_matches_only_at_the_start(cast):
    # "an" is inside "zhangsan" but two letters match only a prefix.
    assert found(cast.community_secretary, "an") == []


def test_a_surname_is_found_by_its_surname_reading(cast):
    MemberFactory(organization=cast.branch_a, name="曾小贤")
    assert found(cast.community_secretary, "zengxiao") == ["曾小贤"]
    assert found(cast.community_secretary, "zxx") == ["曾小贤"]


def test_results_are_ranked_exact_then_prefix_then_contains(cast):
    MemberFactory(organization=cast.branch_a, name="小张三")
    MemberFactory(organization=cast.branch_a2, name="张三丰")
    # Without ranking, tree order would put both branch_a members first.
    assert found(cast.community_secretary, "张三") == ["张三", "张三丰", "小张三"]


def test_results_are_ranked_full_pinyin_then_initials_then_prefixes(cast):
    MemberFactory(organization=cast.branch_a, name="张三丰")
    MemberFactory(organization=cast.branch_a2, name="章散")
    MemberFactory(organization=cast.branch_a2, name="周顺")
    assert found(cast.community_secretary, "zhangsan") == ["张三", "章散", "张三丰"]
    assert found(cast.community_secretary, "zs") == ["张三", "周顺", "章散", "张三丰"]


@pytest.mark.parametrize("names_of", [web_names, api_names], ids=["web", "api"])
def test_the_last_four_digits_of_a_phone_find_the_member(client, cast, names_of):
    MemberFactory(organization=cast.branch_a, name="钱七", phone="13900005678")
    MemberFactory(organization=cast.branch_b, name="孙八", phone="13911115678")
    assert names_of(client, cast.community_secretary, "5678") == ["钱七"]


def _id_ending_in_x(area: str) -> str:
    birth = dt.date(1980, 5, 17)
    return next(number for sequence in range(500)
                if (number := idcard.build(area, birth, sequence, "M")).endswith("X"))


def test_the_visible_digits_of_a_masked_id_number_find_the_member(client, cast):
    odd = MemberFactory(organization=cast.branch_a, name="钱七",
                        id_number=_id_ending_in_x("110101"))
    assert odd.id_number_masked.startswith("110101") and odd.id_number_masked.endswith("X")
    assert found(cast.community_secretary, "110101") == ["钱七"]
    last_four = odd.id_number_masked[-4:]
    assert "钱七" in found(cast.community_secretary, last_four.lower())
    assert "钱七" in api_names(client, cast.community_secretary, last_four)
    # The area code of everyone else in scope, and never anyone outside it.
    assert sorted(found(cast.community_secretary, "330203")) == ["张三", "李四", "王五"]
    assert found(cast.outsider_secretary, "110101") == []


def test_search_input_is_trimmed_and_cut_to_60_characters(cast):
    assert found(cast.community_secretary, "  张三  ") == ["张三"]
    assert found(cast.community_secretary, "张三" + "x" * 80) == []


def test_a_member_sees_only_their_own_record_in_a_search(cast):
    assert found(cast.member, "z") == ["张三"]
    assert found(cast.member, "ww") == []


@pytest.mark.parametrize("who", ["community_secretary", "district_admin"])
def test_query_count_of_a_search_does_not_grow_with_rows(client, cast, who):
    user = getattr(cast, who)
    client.force_login(user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": "zs"}).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    MemberFactory.create_batch(30, organization=cast.branch_a, name="张松")
    assert queries() == before


def test_keys_follow_a_rename(cast):
    member = member_update(cast.community_secretary, cast.member_a, name="单雄信")
    member.refresh_from_db()
    assert (member.name_pinyin, member.name_initials) == ("shanxiongxin", "sxx")
    assert found(cast.community_secretary, "sxx") == ["单雄信"]
    assert found(cast.community_secretary, "zs") == []


def test_every_saved_member_has_keys(cast):
    assert set(Member.objects.values_list("name", "name_initials")) == {
        ("张三", "zs"), ("李四", "ls"), ("王五", "ww"), ("赵六", "zl")}


def test_the_database_keeps_the_last_four_digits_of_phone_and_id_number(cast):
    member = MemberFactory(organization=cast.branch_a, phone="13912345678")
    member.refresh_from_db()
    assert (member.phone_last4, member.id_last4) == ("5678", member.id_number_masked[-4:])
    member_update(cast.community_secretary, member, phone="13900001111")
    member.refresh_from_db()
    assert member.phone_last4 == "1111"


def test_a_search_page_reads_the_matches_once_without_counting_them_apart(client, cast):
    client.force_login(cast.community_secretary)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "zs"})
    assert [m.name for m in response.context["page"].object_list] == ["张三"]
    assert response.context["page"].paginator.count == 1
    member_queries = [q["sql"] for q in queries.captured_queries
                      if "members_member" in q["sql"]]
    assert not any("COUNT(" in sql for sql in member_queries)
    assert len(member_queries) == 2  # the ids of every match in order; the page's rows


def test_many_matches_fall_back_to_counting_and_a_limited_query(client, cast, monkeypatch):
    from fengling.members import selectors

    MemberFactory(organization=cast.branch_a, name="张三丰")
    MemberFactory(organization=cast.branch_a, name="张三石")
    monkeypatch.setattr(selectors, "SEARCH_IDS_LIMIT", 2)
    client.force_login(cast.community_secretary)
    response = client.get(URL, {"q": "张三"})
    page = response.context["page"]
    assert page.paginator.count == 3
    assert [m.name for m in page.object_list][0] == "张三"  # the exact name first
    assert sorted(m.name for m in page.object_list) == ["张三", "张三丰", "张三石"]


def test_digits_are_looked_for_in_phone_and_id_number_only(cast):
    MemberFactory(organization=cast.branch_a, name="王1234", phone="13800000000")
    assert found(cast.community_secretary, "1234") == []
