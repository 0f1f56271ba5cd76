"""The organization picker (organizations/partials/picker.html): suggestions as the user
types, scoped; the box's value read back as an organization (`name #id`, an id, or a whole
name), with a message in the user's language when it names none or several."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fengling.organizations.kinds import OrgKind
from fengling.organizations.selectors import access_organization_named
from fengling.testing.factories import make_org

pytestmark = pytest.mark.django_db

SUGGEST = reverse("organizations:suggest")


def suggest(client, user, text, field="organization"):
    client.force_login(user)
    return client.get(SUGGEST, {"field": field, field: text})


def offered(response) -> str:
    return response.content.decode()


# --- reading the box back -------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "{name} #{pk}",        # a suggestion chosen
    "  {name} # {pk}  ",   # spaces around
    "{pk}",                # a bare id (older forms, scripts)
    "{name}",              # the whole name, typed
])
def test_the_box_names_the_organization(cast, typed):
    text = typed.format(name=cast.branch_a.name, pk=cast.branch_a.pk)
    assert access_organization_named(cast.community_secretary, text) == cast.branch_a


def test_an_id_outside_the_scope_is_404_whatever_name_comes_with_it(cast):
    with pytest.raises(Http404):
        access_organization_named(cast.community_secretary,
                                  f"{cast.branch_a.name} #{cast.branch_b.pk}")
    with pytest.raises(Http404):
        access_organization_named(cast.community_secretary, str(cast.branch_b.pk))


def test_a_name_outside_the_scope_is_not_found_and_says_so_in_chinese(cast):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        access_organization_named(cast.community_secretary, cast.branch_b.name)
    [message] = caught.value.messages
    assert cast.branch_b.name in message and "范围内" in message


def test_a_name_two_organizations_share_asks_to_choose(cast):
    make_org(cast.community_a2, cast.branch_a.name, OrgKind.BRANCH)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        access_organization_named(cast.street_admin, cast.branch_a.name)
    assert caught.value.messages == [
        f"Several organizations are called “{cast.branch_a.name}”. Choose the one you mean "
        "from the list."]
    # The community secretary sees only one of the two: the name is enough for them.
    assert access_organization_named(cast.community_secretary, cast.branch_a.name) == \
        cast.branch_a


def test_an_empty_box_is_a_message_not_a_crash(cast):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        access_organization_named(cast.district_admin, "  ")
    assert caught.value.messages == ["Choose an organization."]


# --- suggestions ----------------------------------------------------------------------------


def test_suggestions_are_scoped_and_name_the_parent(client, cast):
    html = offered(suggest(client, cast.community_secretary, "支部"))
    assert (f'<option value="{cast.branch_a.name} #{cast.branch_a.pk}">'
            f'{cast.community_a.name}</option>') in html
    assert cast.branch_a2.name in html
    assert cast.branch_b.name not in html  # another street's
    assert cast.branch_a3.name not in html  # the next community's
    html = offered(suggest(client, cast.outsider_secretary, "支部"))
    assert cast.branch_b.name in html and cast.branch_a.name not in html


def test_the_top_of_the_scope_is_suggested_without_its_parent_outside_it(client, cast):
    html = offered(suggest(client, cast.community_secretary, cast.community_a.name))
    assert f'<option value="{cast.community_a.name} #{cast.community_a.pk}"></option>' in html
    assert cast.street1.name not in html


def test_suggestions_by_pinyin_initials_and_any_field_name(client, cast):
    # 望春社区党委: wcsqdw
    html = offered(suggest(client, cast.district_admin, "wcsq", field="unit"))
    assert f"{cast.community_a.name} #{cast.community_a.pk}" in html


def test_a_chosen_suggestion_suggests_itself_again(client, cast):
    html = offered(suggest(client, cast.district_admin,
                           f"{cast.community_b.name} #{cast.community_b.pk}"))
    assert f'value="{cast.community_b.name} #{cast.community_b.pk}"' in html


def test_nothing_typed_leaves_the_list_as_it_is(client, cast):
    assert suggest(client, cast.district_admin, "").status_code == 204


def test_suggestions_take_the_same_queries_whatever_they_find(client, cast):
    for i in range(8):
        make_org(cast.community_b, f"南门社区第{i + 2}支部", OrgKind.BRANCH)
    client.force_login(cast.district_admin)
    counts = []
    for text in ("望春社区第一", "支部"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(SUGGEST, {"organization": text}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_suggestions_need_a_login(client):
    response = client.get(SUGGEST, {"organization": "支部"})
    assert response.status_code == 302
