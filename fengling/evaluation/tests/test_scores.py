"""Organization scores from the records (issue 6): the members' index and the year's
warnings as computed criteria, the district's scores and proposed stars set-based with the
caps, and published figures that never move."""

import datetime as dt
from decimal import Decimal as D

import pytest

from fengling.alerts.models import Alert
from fengling.evaluation import index, rules, scores, services
from fengling.evaluation.models import Criterion, CriterionScore, IndexCredit, StarRating
from fengling.organizations.kinds import OrgKind
from fengling.testing.factories import MemberFactory, make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation
    with translation.override("en"):
        yield


# --- pure rules, table-driven ------------------------------------------------------------


@pytest.mark.parametrize(("average", "full_at", "months", "expected"), [
    (None, D(36), 12, D(0)),          # no members
    (D(36), D(36), 12, D(10)),        # exactly the target: full points
    (D(50), D(36), 12, D(10)),        # never above the maximum
    (D(18), D(36), 12, D(5)),         # half the target: half the points
    (D(18), D(36), 6, D(10)),         # half a year: the target pro rata
    (D(-3), D(36), 12, D(0)),         # deductions outweigh: never below 0
])
def test_index_criterion_points(average, full_at, months, expected):
    assert rules.index_criterion_points(D(10), average, full_at, months) == expected


@pytest.mark.parametrize(("fired", "params", "expected"), [
    ([], {"red": 4, "yellow": 2}, D(0)),
    ([("a", "red"), ("b", "yellow")], {"red": 4, "yellow": 2}, D(6)),
    ([("a", "upcoming")], {"red": 4, "yellow": 2}, D(0)),  # a look-ahead does not deduct
    ([("a", "red")] * 6, {"red": 4, "yellow": 2}, D(20)),  # capped at the maximum
    ([("term_long_overdue", "red"), ("b", "red")],
     {"red": 4, "yellow": 2, "rules": {"term_long_overdue": 10}}, D(14)),  # per rule
])
def test_warning_deduction(fired, params, expected):
    assert rules.warning_deduction(D(20), fired, params) == expected


def test_histogram_bands():
    assert rules.histogram([D(0), D("9.9"), D(10), D(35)], D(10)) == [
        (D(0), D(10), 2), (D(10), D(20), 1), (D(20), D(30), 0), (D(30), D(40), 1)]
    assert rules.histogram([D(-2), D(99)], D(10), bands=3)[0][2] == 1
    assert rules.histogram([D(-2), D(99)], D(10), bands=3)[2][2] == 1


@pytest.mark.parametrize(("n", "places"), [(1, 0), (3, 0), (4, 1), (10, 3), (83, 24)])
def test_five_star_places_thirty_percent(n, places):
    assert rules.five_star_places(n) == places


def test_apply_caps_with_places_taken():
    rows = [("a", D(95), False), ("b", D(92), False), ("c", D(91), True)]
    out = {c.key: (c.stars, c.reason) for c in rules.apply_caps(rows, allowed=1)}
    assert out == {"a": (5, ""), "b": (4, "five_star_share"), "c": (2, "weak")}


# --- computed criteria ---------------------------------------------------------------------


def credit(member, points, month=dt.date(2026, 3, 1)):
    item = next(i for i in index.index_items(month.year) if i.code == "volunteer")
    return IndexCredit.objects.create(member=member, item=item, month=month, points=points)


def alert(org, rule, level, subject, first=dt.date(2026, 4, 1), last=dt.date(2026, 5, 1),
          resolved=None):
    return Alert.objects.create(rule=rule, level=level, organization=org, subject=subject,
                                first_seen=first, last_seen=last, resolved_on=resolved,
                                state="resolved" if resolved else "open")


def test_member_index_and_warnings_are_computed_with_evidence(cast):
    services.year_defaults(2026)
    # Community A: members 张三, 李四 (branch A) and 王五 (branch A2): 36 + 18 + 0 points.
    credit(cast.member_a, D(36))
    credit(cast.secretary_a_member, D(18))
    credit(cast.member_b, D(100))  # another community: not counted
    red = alert(cast.branch_a, "term_overdue", "red", f"o{cast.branch_a.pk}")
    # The same subject warned twice in the year: counted once, at its most severe.
    alert(cast.branch_a2, "dues_arrears", "yellow", "m1", last=dt.date(2026, 2, 1),
          resolved=dt.date(2026, 2, 2))
    again = alert(cast.branch_a2, "dues_arrears", "yellow", "m1", first=dt.date(2026, 6, 1))
    alert(cast.branch_a2, "meeting_due", "upcoming", "x")  # a look-ahead: no deduction
    alert(cast.branch_a, "silent_branch", "yellow", "old", first=dt.date(2025, 3, 1),
          last=dt.date(2025, 12, 1), resolved=dt.date(2025, 12, 2))  # last year
    alert(cast.branch_b, "term_overdue", "red", "other")  # another community
    criteria = list(Criterion.objects.filter(year=2026))
    got = scores.computed_for(cast.community_a, 2026, criteria, dt.date(2026, 12, 31))
    by_code = {c.code: got[c.pk] for c in criteria if c.pk in got}
    assert set(by_code) == {"org_life", "member_index", "deductions"}
    # Average (36 + 18 + 0) / 3 = 18 against 36: half of 10.
    assert by_code["member_index"].points == D(5)
    assert "18.00" in by_code["member_index"].evidence
    # One red (4) + one yellow (2).
    assert by_code["deductions"].points == D(6)
    assert "1 red, 1 yellow" in by_code["deductions"].evidence
    assert by_code["deductions"].records == [f"alerts.alert:{red.pk}",
                                             f"alerts.alert:{again.pk - 1}"]


def test_rating_score_stores_computed_points_and_records(cast):
    services.year_defaults(2026)
    credit(cast.member_a, D(36))
    warned = alert(cast.branch_a, "term_overdue", "red", "s1")
    manual = {c.pk: (c.max_points if c.part == "basic" else D(90), "台账")
              for c in Criterion.objects.filter(year=2026, source="manual")}
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(90))
    r = services.rating_score(cast.street_admin, r, manual)
    row = r.points.get(criterion__code="deductions")
    assert row.computed and row.points == D(4)
    assert row.records == [f"alerts.alert:{warned.pk}"]
    assert r.points.get(criterion__code="member_index").computed
    assert r.deductions == D(4)


# --- the district's scores -----------------------------------------------------------------


def test_district_scores_bounded_queries(cast, django_assert_num_queries):
    services.year_defaults(2026)
    credit(cast.member_a, D(10))
    alert(cast.branch_a, "term_overdue", "red", "s1")
    # 12: the scheme, criteria, organizations, ratings, designations, the records (members,
    # index points, meetings, warnings, with the tree), entered points, last year's points.
    with django_assert_num_queries(12) as ctx:
        rows = scores.district_scores(2026, as_of=dt.date(2026, 12, 31))
    n = len(ctx.captured_queries)
    assert {r.name for r in rows} >= {"望春社区党委", "五江口社区党委", "南门社区党委",
                                      "望春社区第一支部"}
    # More organizations, members, credits and warnings: the same number of queries.
    for i in range(5):
        org = make_org(cast.street2, f"新社区{i}", OrgKind.COMMUNITY, "community")
        branch = make_org(org, f"新支部{i}", OrgKind.BRANCH)
        m = MemberFactory(organization=branch)
        credit(m, D(i))
        alert(branch, "silent_branch", "yellow", f"b{i}")
    with django_assert_num_queries(n):
        rows = scores.district_scores(2026, as_of=dt.date(2026, 12, 31))
    assert len([r for r in rows if r.kind == OrgKind.COMMUNITY]) == 8


def full_marks(year):
    return {c.pk: (c.max_points if c.part == "basic" else
                   D(0) if c.part == "deduction" else D(100), "台账")
            for c in Criterion.objects.filter(year=year, source="manual")}


def test_district_scores_caps_and_published_figures(cast):
    services.year_defaults(2026)
    Criterion.objects.filter(year=2026).exclude(source="manual").update(source="manual")
    # Four communities entered with full marks: 100 each → 5★ by the bands; 30% of 4 is 1.
    extra = make_org(cast.street2, "新社区", OrgKind.COMMUNITY, "community")
    for org in (cast.community_a, cast.community_a2, cast.community_b, extra):
        r = services.rating_self_review(cast.district_admin, org, 2026, D(95))
        services.rating_score(cast.district_admin, r, full_marks(2026))
    services.weak_designate(cast.street_admin, cast.community_a2, 2026, "书记空缺")
    rows = {r.name: r for r in scores.district_scores(2026, kinds=[OrgKind.COMMUNITY])}
    assert {r.proposed_stars for r in rows.values()} == {5}
    assert rows["五江口社区党委"].stars == 2 and rows["五江口社区党委"].cap_reason == "weak"
    assert sorted(r.stars for r in rows.values()) == [2, 4, 4, 5]
    assert all(r.complete for r in rows.values())
    # Published: its stored figures are reported, never recomputed.
    StarRating.objects.filter(organization=extra).update(
        state="filed", score=D("91.00"), stars=5, proposed_stars=5)
    CriterionScore.objects.filter(rating__organization=extra).update(points=D(0))
    rows = {r.name: r for r in scores.district_scores(2026, kinds=[OrgKind.COMMUNITY])}
    assert (rows["新社区"].score, rows["新社区"].stars) == (D("91.00"), 5)
    # The filed 5★ took the one place: the others are capped at 4★.
    assert sorted(r.stars for n, r in rows.items() if n != "新社区") == [2, 4, 4]


def test_unscored_organizations_list_missing_criteria(cast):
    rows = {r.name: r for r in scores.district_scores(2026, kinds=[OrgKind.COMMUNITY],
                                                      as_of=dt.date(2026, 12, 31))}
    r = rows["南门社区党委"]
    assert not r.complete and "leadership" in r.missing and r.state == ""
    assert r.score == rules.organization_score(r.basic, r.deductions, r.appraisal)


def test_unscored_organizations_carry_last_years_filed_points(cast, django_assert_num_queries):
    """Until the level above scores this year, last year's filed manual points stand in
    (else every provisional score is below 60: all 1★); computed criteria are this year's."""
    services.year_defaults(2025)
    last = services.rating_self_review(cast.community_secretary, cast.community_a, 2025, D(90))
    services.rating_score(cast.street_admin, last, full_marks(2025))
    services.stars_publish(cast.street_admin, cast.street1, 2025, OrgKind.COMMUNITY,
                           notice_from=dt.date(2025, 12, 1))
    services.stars_file(cast.street_admin, cast.street1, 2025, OrgKind.COMMUNITY,
                        today=dt.date(2025, 12, 20))
    rows = {r.name: r for r in scores.district_scores(2026, kinds=[OrgKind.COMMUNITY],
                                                      as_of=dt.date(2026, 12, 31))}
    carried = rows["望春社区党委"]
    assert carried.carried == ["leadership", "core_team", "venue", "rules", "support",
                               "results", "appraisal"] and carried.complete
    assert carried.points["leadership"] == D(15) and carried.points["appraisal"] == D(100)
    # 60 basic points and the appraisal carried: (60 + computed) × 70% + 100 × 30% ≥ 72.
    assert carried.score >= D(72) and carried.stars >= 3
    # Another community, never scored: its manual criteria are missing and count 0.
    other = rows["南门社区党委"]
    assert other.missing and not other.carried and other.stars == 1
    # This year's own entries win over last year's.
    now = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(60))
    entries = full_marks(2026)
    leadership = Criterion.objects.get(year=2026, code="leadership").pk
    entries[leadership] = (D(3), "班子不健全")
    services.rating_score(cast.street_admin, now, entries)
    rows = {r.name: r for r in scores.district_scores(2026, kinds=[OrgKind.COMMUNITY],
                                                      as_of=dt.date(2026, 12, 31))}
    assert rows["望春社区党委"].points["leadership"] == D(3)
    assert rows["望春社区党委"].carried == []
    # A year whose ratings are all published reads no records: five queries.
    with django_assert_num_queries(5):
        rows = scores.district_scores(2025, unit=cast.community_a, kinds=[OrgKind.COMMUNITY],
                                      include_unit=True)
    assert [(r.name, r.state) for r in rows] == [("望春社区党委", "filed")]


def test_next_years_parameters_do_not_change_this_years_figures(cast):
    services.year_defaults(2026)
    credit(cast.member_a, D(36))
    alert(cast.branch_a, "term_overdue", "red", "s1")
    manual = full_marks(2026)
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(90))
    r = services.rating_score(cast.street_admin, r, manual)
    services.stars_publish(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                           notice_from=dt.date(2027, 1, 10))
    published = StarRating.objects.get(pk=r.pk)
    points = dict(published.points.values_list("criterion__code", "points"))
    # Next year: full index points at 60, a red warning costs 10.
    services.year_defaults(2027)
    Criterion.objects.filter(year=2027, code="member_index").update(params={"full_at": "60"})
    Criterion.objects.filter(year=2027, code="deductions").update(
        params={"red": "10", "yellow": "5"})
    assert Criterion.objects.get(year=2026, code="deductions").params == {
        "red": "4", "yellow": "2"}
    again = StarRating.objects.get(pk=r.pk)
    assert (again.score, again.stars) == (published.score, published.stars)
    assert dict(again.points.values_list("criterion__code", "points")) == points
    row = next(x for x in scores.district_scores(2026) if x.organization_id == r.organization_id)
    assert (row.score, row.stars) == (published.score, published.stars)


def test_rating_page_links_the_warnings_behind_the_deduction(client, cast):
    from django.urls import reverse

    services.year_defaults(2026)
    warned = alert(cast.branch_a, "term_overdue", "red", "s1")
    manual = {c.pk: (c.max_points if c.part == "basic" else D(90), "台账")
              for c in Criterion.objects.filter(year=2026, source="manual")}
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(90))
    services.rating_score(cast.street_admin, r, manual)
    client.force_login(cast.street_admin)
    body = client.get(reverse("evaluation:rating", args=[r.pk])).content.decode()
    assert reverse("alerts:detail", args=[warned.pk]) in body
