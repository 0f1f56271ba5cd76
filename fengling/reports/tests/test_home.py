"""The home page of each role: who they are, where, and the numbers their role watches."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.members.models import Membership, MemberStatus
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import (
    CentreStatus,
    CommitteePost,
    CommitteeTerm,
    Post,
    ServiceCentre,
)
from fengling.testing.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture(autouse=True)
def frozen():
    # 10 March 2026: member A joined on 1 July, so birthdays are set per test.
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def login(client, user):
    """Log in; pages in English, so that assertions on labels survive the zh_Hans catalogue."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def stat(page_text, label):
    """The number shown on the stat card labelled `label`."""
    match = re.search(rf"(\d+) {re.escape(label)}", page_text)
    assert match, label
    return int(match.group(1))


@pytest.fixture
def street_with_duties(cast):
    """Street 1 with terms in every state, a centre of each status, a probationary member."""
    # Community A: due within 6 months; branch A: overdue; branch A3: >1 year overdue.
    term = CommitteeTerm.objects.create(organization=cast.community_a,
                                        started_on=dt.date(2021, 6, 1), years=5)
    CommitteePost.objects.create(term=term, post=Post.SECRETARY,
                                 member=cast.secretary_a_member, started_on=dt.date(2021, 6, 1))
    CommitteeTerm.objects.create(organization=cast.branch_a, started_on=dt.date(2023, 1, 1),
                                 years=3)
    CommitteeTerm.objects.create(organization=cast.branch_a3, started_on=dt.date(2020, 1, 1),
                                 years=5)
    # Branch A2: a new term; its old one would have been overdue.
    CommitteeTerm.objects.create(organization=cast.branch_a2, started_on=dt.date(2015, 1, 1),
                                 years=3)
    CommitteeTerm.objects.create(organization=cast.branch_a2, started_on=dt.date(2025, 1, 1),
                                 years=5)
    ServiceCentre.objects.create(organization=cast.community_a, name="望春中心",
                                 status=CentreStatus.BUILT)
    ServiceCentre.objects.create(organization=cast.community_a2, name="五江口中心",
                                 status=CentreStatus.UNDER_CONSTRUCTION)
    ServiceCentre.objects.create(organization=cast.community_b, name="南门中心",
                                 status=CentreStatus.BUILT)
    MemberFactory(organization=cast.branch_a2, name="钱七", membership=Membership.PROBATIONARY,
                  conversion_date=None, join_date=dt.date(2025, 3, 20))
    MemberFactory(organization=cast.branch_a2, name="孙八", status=MemberStatus.DECEASED)
    return cast


def test_anonymous_is_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_home_is_read_only_so_posts_are_405(client, cast):
    assert login(client, cast.auditor).post(HOME).status_code == 405


def test_district_admin_sees_the_whole_district(client, street_with_duties):
    cast = street_with_duties
    page = text(login(client, cast.district_admin).get(HOME))
    assert "Welcome, district_admin" in page
    assert "District administrator" in page and "海曙区委" in page
    # 3 communities + 4 branches; street committees are not grassroots organizations.
    assert stat(page, "Grassroots organizations") == 7
    assert stat(page, "Communities") == 3
    assert stat(page, "Members") == 5  # 4 of the cast + 钱七; the deceased is not counted
    assert stat(page, "Probationary members") == 1
    assert stat(page, "Service centres built") == 2
    assert "1 under construction, 0 planned" in page
    assert stat(page, "Elections due within 6 months") == 1
    assert stat(page, "Elections overdue") == 2
    assert "1 by more than a year" in page
    # Secretary recorded only for community A: 6 of the 7 grassroots organizations lack one.
    assert stat(page, "Secretary vacancies") == 6


def test_district_admin_cards_link_to_the_rows_behind_the_numbers(client, cast):
    html = login(client, cast.district_admin).get(HOME).content.decode()
    tree = reverse("organizations:tree")
    members = reverse("members:list")
    for link in (f"{tree}?kind=community", f"{tree}?election=due_soon",
                 f"{tree}?election=overdue", f"{tree}?vacancy=secretary",
                 f"{members}?organization={cast.district.pk}&amp;membership=probationary",
                 f"{members}?organization={cast.district.pk}&amp;status=normal"):
        assert link in html, link


def test_street_admin_counts_only_their_street(client, street_with_duties):
    cast = street_with_duties
    page = text(login(client, cast.street_admin).get(HOME))
    assert stat(page, "Grassroots organizations") == 5
    assert stat(page, "Members") == 4
    assert stat(page, "Service centres built") == 1
    assert "南门" not in page


def test_auditor_reads_the_street_overview(client, street_with_duties):
    cast = street_with_duties
    response = login(client, cast.auditor).get(HOME)
    page = text(response)
    assert response.status_code == 200
    assert "Auditor (read-only)" in page and "Your access is read-only." in page
    assert stat(page, "Members") == 4


def test_community_secretary_sees_their_members_branches_and_term(client, street_with_duties):
    cast = street_with_duties
    cast.member_a.join_date = dt.date(2005, 3, 15)
    cast.member_a.save()
    cast.member_a2.join_date = dt.date(2010, 3, 2)  # earlier this month: not upcoming
    cast.member_a2.conversion_date = dt.date(2011, 3, 2)
    cast.member_a2.save()
    response = login(client, cast.community_secretary).get(HOME)
    page = text(response)
    assert "Community/business-district secretary" in page and "望春社区党委" in page
    assert stat(page, "Members") == 4  # 张三, 李四, 王五, 钱七
    assert stat(page, "Probationary members") == 1
    assert stat(page, "Branches") == 2
    assert stat(page, "Political birthdays this month") == 3  # 张三, 王五, 钱七
    assert "张三" in page and "3-15 · 21 years in the Party" in page
    assert "3-20 · 1 year in the Party" in page
    assert "王五" not in page
    assert "Term ends 2026-06-01; election due 2026-06-01" in page
    assert "Election due within 6 months" in page
    assert "五江口" not in page and "南门" not in page


def test_branch_secretary_sees_their_branch_and_their_own_record(client, street_with_duties):
    cast = street_with_duties
    page = text(login(client, cast.branch_secretary).get(HOME))
    assert stat(page, "Members") == 2
    assert "Election overdue" in page
    assert "Your record" in page and "李四" in page


def test_member_sees_their_own_record_and_a_link_to_it(client, cast):
    response = login(client, cast.member).get(HOME)
    page = text(response)
    assert "Party member" in page and "望春社区第一支部" in page
    assert "Your record" in page and "张三" in page
    assert "2005-07-01" in page  # the political birthday
    assert "19 years of Party standing (full member since 2006-07-01)" in page
    assert reverse("members:detail", args=[cast.member_a.pk]) in response.content.decode()
    # No district or branch figures for a member.
    assert "Grassroots organizations" not in page and "Branches" not in page


def test_member_navigation_leads_to_their_record_not_to_lists(client, cast):
    html = login(client, cast.member).get(HOME).content.decode()
    nav = html[html.index('id="nav"'):html.index("</nav>")]
    # Their record is 锋领e家 (README, docs/record.md): one entry; the personal data page
    # is linked from the home page and the record.
    assert nav.count(f'href="{reverse("record:mine")}"') == 1
    assert reverse("members:detail", args=[cast.member_a.pk]) not in nav
    assert f'href="{reverse("organizations:tree")}"' not in nav
    assert f'href="{reverse("members:list")}"' not in nav


def test_probationary_member_has_no_party_standing_yet(client, cast):
    cast.member_a.membership = Membership.PROBATIONARY
    cast.member_a.conversion_date = None
    cast.member_a.save()
    page = text(login(client, cast.member).get(HOME))
    assert "Probationary member" in page and "Party standing" not in page


def test_outsider_counts_show_nothing_of_street_one(client, street_with_duties):
    cast = street_with_duties
    page = text(login(client, cast.outsider_secretary).get(HOME))
    assert stat(page, "Members") == 1
    assert "望春" not in page and "张三" not in page


def test_user_without_a_role_is_told_so(client, cast):
    from fengling.testing.factories import make_user

    page = text(login(client, make_user("newcomer")).get(HOME))
    assert "You hold no role yet" in page


def test_modules_to_come_are_shown(client, cast):
    from fengling.core.context_processors import COMING_MODULES

    page = text(login(client, cast.member).get(HOME))
    # Modules move out of the list as they are built and get their own nav entries.
    for built in ("Organizational life", "Party dues", "Education and training",
                  "Early warning"):
        assert built not in [str(m) for m in COMING_MODULES]
    for module in COMING_MODULES:
        assert str(module) in page


def grow(cast):
    for parent in (cast.community_a, cast.community_b):
        for i in range(30):
            branch = make_org(parent, f"增补支部{i:02d}", OrgKind.BRANCH)
            MemberFactory(organization=branch, join_date=dt.date(2001, 3, 25))
            MemberFactory(organization=branch, membership=Membership.PROBATIONARY,
                          conversion_date=None, join_date=dt.date(2025, 3, 20))
            CommitteeTerm.objects.create(organization=branch, started_on=dt.date(2021, 1, 1),
                                         years=3)
            ServiceCentre.objects.create(organization=branch, name=f"站点{i}",
                                         status=CentreStatus.PLANNED)


@pytest.mark.parametrize("who", ["district_admin", "community_secretary"])
def test_home_query_count_does_not_grow(client, street_with_duties, who,
                                        django_assert_max_num_queries):
    cast = street_with_duties
    client = login(client, getattr(cast, who))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    before = len(ctx.captured_queries)
    grow(cast)
    with django_assert_max_num_queries(before):
        page = text(client.get(HOME))
    assert stat(page, "Members") > 4  # the new rows are counted, in the same queries
    assert before <= 16  # 13, plus 3 for the warnings panel (counts, worst five, to-do)
