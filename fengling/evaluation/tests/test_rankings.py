"""Rankings, index distributions and the star map (issue 6): scoped, paginated, query counts
that do not move with more rows, drill-downs."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fengling.evaluation import rankings, services
from fengling.evaluation.models import Criterion
from fengling.organizations.kinds import OrgKind
from fengling.testing.factories import MemberFactory, make_org

from .test_scores import credit

pytestmark = pytest.mark.django_db


@pytest.fixture
def points(cast):
    credit(cast.member_a, D(30))
    credit(cast.secretary_a_member, D(12), month=dt.date(2026, 8, 1))
    credit(cast.member_a2, D(12))
    credit(cast.member_b, D(50))
    return cast


def test_member_ranking_ranks_ties_and_halves(points):
    cast = points
    rows = list(rankings.member_ranking(cast.street_admin, cast.street1, 2026))
    rows = rankings.attach_ranks(cast.street_admin, cast.street1, 2026, rows)
    assert [(r.name, r.total, r.rank) for r in rows] == [
        ("张三", D(30), 1), ("李四", D(12), 2), ("王五", D(12), 2)]
    # A search keeps the rank held in the whole list.
    found = rankings.attach_ranks(cast.street_admin, cast.street1, 2026, rankings.member_ranking(
        cast.street_admin, cast.street1, 2026, q="王"))
    assert [(r.name, r.rank) for r in found] == [("王五", 2)]
    # The first half: 李四's points are from August.
    first = rankings.member_ranking(cast.street_admin, cast.street1, 2026, half=1)
    assert {r.name: r.total for r in first}["李四"] == D(0)
    band = rankings.member_ranking(cast.street_admin, cast.street1, 2026, low=D(10),
                                   high=D(20))
    assert sorted(r.name for r in band) == ["李四", "王五"]


def test_distributions_bands(points):
    cast = points
    dists = rankings.distributions(cast.district_admin, cast.district, 2026)
    total = dists[0]
    assert total.dimension == "" and total.members == 4
    assert [(b.low, b.count) for b in total.bands] == [
        (D(0), 0), (D(10), 2), (D(20), 0), (D(30), 1), (D(40), 0), (D(50), 1)]
    volunteer = next(d for d in dists if d.dimension == "contribution")
    assert volunteer.members == 4
    assert next(d for d in dists if d.dimension == "party_life").bands[0].count == 4


PAGES = ["evaluation:member_rankings", "evaluation:distributions",
         "evaluation:organization_rankings", "evaluation:star_map"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("who", "status"), [
    ("member", 403), ("outsider_secretary", 404), ("community_secretary", 200),
    ("auditor", 200), ("district_admin", 200)])
def test_pages_scope(client, points, name, who, status):
    """Each page for the community A (望春社区): a member may not, an outsider gets 404."""
    client.force_login(getattr(points, who))
    org = points.community_a if who != "auditor" else points.street1
    r = client.get(reverse(name), {"organization": org.pk, "year": 2026})
    assert r.status_code == status


def test_member_rankings_page_query_count_pinned(client, points, django_assert_num_queries):
    cast = points
    client.force_login(cast.district_admin)
    url = reverse("evaluation:member_rankings")
    with django_assert_num_queries(6) as ctx:
        r = client.get(url, {"year": 2026})
    n = len(ctx.captured_queries)
    body = r.content.decode()
    assert "张三" in body and "赵六" in body
    for i in range(30):
        credit(MemberFactory(organization=cast.branch_b, name=f"加{i}"), D(i))
    with django_assert_num_queries(n):
        r = client.get(url, {"year": 2026, "page": 2})
    assert r.status_code == 200
    # Outside the chosen organization's subtree: not listed.
    r = client.get(url, {"year": 2026, "organization": cast.community_a.pk, "q": "赵"})
    assert "赵六" not in r.content.decode()


def test_distribution_bars_drill_down_to_the_band(client, points):
    cast = points
    client.force_login(cast.district_admin)
    r = client.get(reverse("evaluation:distributions"), {"year": 2026})
    charts = json.loads(r.content.decode().split(
        'id="distribution-data" type="application/json">')[1].split("</script>")[0])
    bar = charts[0]["bars"][1]  # 10–20 points
    assert bar["count"] == 2
    r = client.get(bar["url"])
    body = r.content.decode()
    assert "李四" in body and "王五" in body and "张三" not in body
    r = client.get(reverse("evaluation:distributions"), {"year": 2026})
    assert "vendor/echarts/echarts.min.js" in r.content.decode()
    assert "js/evaluation-charts.js" in r.content.decode()


def test_the_first_bar_lists_the_negative_totals_it_counts(client, points):
    """A deduction can make a total negative: it is counted in the first bar, and the
    first bar's ranking lists it too (it asked for 0 and up before)."""
    cast = points
    credit(cast.member_a2, D(-20), month=dt.date(2026, 4, 1))  # 12 − 20 = −8
    client.force_login(cast.district_admin)
    r = client.get(reverse("evaluation:distributions"), {"year": 2026})
    charts = json.loads(r.content.decode().split(
        'id="distribution-data" type="application/json">')[1].split("</script>")[0])
    first = charts[0]["bars"][0]
    assert first["count"] == 1
    body = client.get(first["url"]).content.decode()
    assert "王五" in body


def full_marks_2026():
    services.year_defaults(2026)
    Criterion.objects.filter(year=2026).exclude(source="manual").update(source="manual")
    return {c.pk: (c.max_points if c.part == "basic" else
                   D(0) if c.part == "deduction" else D(100), "台账")
            for c in Criterion.objects.filter(year=2026)}


def test_organization_rankings_and_star_map_drill_down(client, cast, django_assert_num_queries):
    entries = full_marks_2026()
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(95))
    services.rating_score(cast.street_admin, r, entries)
    client.force_login(cast.district_admin)
    url = reverse("evaluation:organization_rankings")
    with django_assert_num_queries(12) as ctx:
        page = client.get(url, {"year": 2026, "kind": OrgKind.COMMUNITY})
    n = len(ctx.captured_queries)
    body = page.content.decode()
    # 望春 scored 100 first; the others have no entries (computed, criteria missing).
    assert body.index("望春社区党委") < body.index("南门社区党委")
    for i in range(3):
        make_org(cast.street2, f"新社区{i}", OrgKind.COMMUNITY, "community")
    with django_assert_num_queries(n):
        client.get(url, {"year": 2026, "kind": OrgKind.COMMUNITY})
    page = client.get(reverse("evaluation:star_map"), {"year": 2026,
                                                       "kind": OrgKind.COMMUNITY})
    grid = json.loads(page.content.decode().split('id="star-map-data" type="application/json">')[1]
                      .split("</script>")[0])
    assert grid["streets"] == ["望春街道党工委", "南门街道党工委"]
    # 望春 alone in its street at... 1 community of 6: 30% rounds to 1 place → 5★.
    five = next(c for c in grid["cells"] if c["y"] == 0 and c["x"] == 0)
    assert five["count"] == 1
    listed = client.get(five["url"]).content.decode()
    assert "望春社区党委" in listed and "五江口社区党委" not in listed
    ones = next(c for c in grid["cells"] if c["y"] == 1 and c["x"] == 4)
    assert ones["count"] == 4  # 南门 and the three new ones


def test_star_map_street_out_of_scope_is_404(client, cast):
    client.force_login(cast.street_admin)
    r = client.get(reverse("evaluation:organization_rankings"),
                   {"year": 2026, "street": cast.street2.pk})
    assert r.status_code == 404


def bearer(user) -> dict:
    from fengling.accounts.services import api_token_issue
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


API = "/api/v1/evaluation"
ENDPOINTS = ["/rankings/members", "/distributions", "/rankings/organizations", "/star-map"]


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(("who", "status"), [
    ("member", 403), ("outsider_secretary", 404), ("community_secretary", 200),
    ("district_admin", 200)])
def test_api_scope(client, points, path, who, status):
    user = getattr(points, who)
    r = client.get(f"{API}{path}", {"year": 2026, "organization": points.community_a.pk},
                   headers=bearer(user))
    assert r.status_code == status
    assert client.get(f"{API}{path}", {"year": 2026}).status_code == 401


def test_api_figures(client, points):
    cast = points
    h = bearer(cast.district_admin)
    r = client.get(f"{API}/rankings/members", {"year": 2026, "q": "王", "page_size": 10},
                   headers=h).json()
    assert r["count"] == 1 and r["items"][0]["member"]["name"] == "王五"
    assert r["items"][0]["rank"] == 3 and r["items"][0]["total"] == "12.00"  # 赵六, 张三 ahead
    r = client.get(f"{API}/distributions", {"year": 2026}, headers=h).json()
    whole = r["distributions"][0]
    assert whole["members"] == 4 and whole["bands"][-1] == {"low": "50", "high": None,
                                                             "count": 1}
    r = client.get(f"{API}/rankings/organizations", {"year": 2026, "kind": "community"},
                   headers=h).json()
    assert r["count"] == 3 and {"member_index", "deductions"} <= set(r["items"][0]["points"])
    assert "leadership" in r["items"][0]["missing"] and not r["items"][0]["published"]
    r = client.get(f"{API}/star-map", {"year": 2026, "kind": "community"}, headers=h).json()
    assert [s["street"]["name"] for s in r["streets"]] == ["望春街道党工委", "南门街道党工委"]
    assert sum(s["total"] for s in r["streets"]) == 3
    assert client.get(f"{API}/rankings/members", {"year": "x"}, headers=h).status_code == 422


def test_openapi_documents_the_issue6_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ENDPOINTS:
        op = schema["paths"][f"{API}{path}"]["get"]
        assert op.get("summary") and {"200", "401", "403", "404", "422"} <= set(op["responses"])
    assert "OrgScoreOut" in schema["components"]["schemas"]


@pytest.mark.parametrize("year", ["1", "99999", "100000000000000000000"])
def test_a_year_out_of_range_writes_no_scheme(client, points, year):
    """A year typed in an address or an API call that no scheme can be for: the pages show
    this year, the API answers 422 with a message, and no scheme is written for it."""
    from fengling.evaluation.models import YearScheme

    client.force_login(points.district_admin)
    for name in ("evaluation:organization_rankings", "evaluation:star_map",
                 "evaluation:funding"):
        assert client.get(reverse(name), {"year": year}).status_code == 200
    r = client.get(f"{API}/rankings/organizations", {"year": year},
                   headers=bearer(points.district_admin))
    assert r.status_code == 422 and "year" in r.content.decode()
    assert not YearScheme.objects.exclude(year__lte=2027).exists()
    assert not YearScheme.objects.filter(year=1).exists()


def test_distributions_page_query_count_pinned(client, points, django_assert_num_queries):
    """Five histograms, one query each, however many members and credits."""
    cast = points
    client.force_login(cast.district_admin)
    url = reverse("evaluation:distributions")
    with django_assert_num_queries(9) as ctx:
        client.get(url, {"year": 2026})
    n = len(ctx.captured_queries)
    for i in range(20):
        credit(MemberFactory(organization=cast.branch_b, name=f"分{i}"), D(i * 3))
    with django_assert_num_queries(n):
        r = client.get(url, {"year": 2026})
    assert r.context["dists"][0].members == 24


def test_star_map_page_query_count_pinned(client, cast, django_assert_num_queries):
    """Computed (this year) and published (a filed year): neither grows with the tree; a
    year whose ratings are all filed reads no records."""
    services.year_defaults(2026)
    client.force_login(cast.district_admin)
    url = reverse("evaluation:star_map")
    with django_assert_num_queries(17) as ctx:
        client.get(url, {"year": 2026})
    n = len(ctx.captured_queries)
    for i in range(3):
        org = make_org(cast.street2, f"新社区{i}", OrgKind.COMMUNITY, "community")
        make_org(org, f"新支部{i}", OrgKind.BRANCH)
    with django_assert_num_queries(n):
        r = client.get(url, {"year": 2026})
    assert sum(row.total for row in r.context["rows"]) == 7 + 6
    # 2025 filed for every rated organization: the records are not read.
    from fengling.evaluation.models import StarRating
    from fengling.organizations.models import Organization
    services.year_defaults(2025)
    StarRating.objects.bulk_create([
        StarRating(organization_id=pk, year=2025, kind=kind, state="filed",
                   self_score=D(80), score=D(80), proposed_stars=4, stars=4)
        for pk, kind in Organization.objects.filter(
            kind__in=rankings.rules.RATED_KINDS, depth__gt=1).values_list("pk", "kind")])
    with django_assert_num_queries(n - 7):
        r = client.get(url, {"year": 2025})
    assert {s for row in r.context["rows"] for s in row.counts} == {4}
    assert sum(row.total for row in r.context["rows"]) == 13
