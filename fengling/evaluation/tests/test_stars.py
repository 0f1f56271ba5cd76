"""Star rating flow (self-review → scoring by the level above → public notice → filed),
caps, computed criteria, frozen figures, and the funding it unlocks."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fengling.core.models import AuditEntry
from fengling.evaluation import selectors, services
from fengling.evaluation.models import Criterion, RatingState, StarRating, YearScheme
from fengling.organizations.kinds import OrgKind
from fengling.testing.factories import make_org

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the pages' tests run in Chinese)."""
    from django.utils import translation
    with translation.override("en"):
        yield


def manual_entries(year, points=None, appraisal=D(90), deductions=D(0)):
    """Full marks on every manual basic item (or `points` each), deductions, appraisal."""
    out = {}
    for c in Criterion.objects.filter(year=year):
        if c.source != "manual":
            continue
        value = {"deduction": deductions, "appraisal": appraisal}.get(
            c.part, c.max_points if points is None else points)
        out[c.pk] = (value, "检查台账")
    return out


@pytest.fixture(autouse=True)
def manual_org_life(db):
    """In these tests the computed items are entered by hand (the cast holds no meetings, so
    computed org life would be 0 of 30); `test_computed_org_life` and test_scores.py cover
    the computed ones."""
    for year in (2026, 2027):
        services.year_defaults(year)
    Criterion.objects.exclude(source="manual").update(source="manual")


def rate(actor, scorer, org, year=2026, **kw):
    r = services.rating_self_review(actor, org, year, D(95), "自评")
    return services.rating_score(scorer, r, manual_entries(year, **kw))


def test_flow_is_audited_and_scored_by_the_level_above(cast):
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(92))
    assert r.state == RatingState.SELF_REVIEW and r.kind == OrgKind.COMMUNITY
    with pytest.raises(PermissionDenied):  # a community does not score itself
        services.rating_score(cast.community_secretary, r, manual_entries(2026))
    with pytest.raises(PermissionDenied):  # read-only
        services.rating_score(cast.auditor, r, manual_entries(2026))
    bad = manual_entries(2026)
    first = next(iter(bad))
    bad[first] = (D(999), "x")
    with pytest.raises(ValidationError, match="between 0 and"):
        services.rating_score(cast.street_admin, r, bad)
    bad[first] = (D(1), " ")
    with pytest.raises(ValidationError, match="evidence"):
        services.rating_score(cast.street_admin, r, bad)
    r.refresh_from_db()
    assert r.state == RatingState.SELF_REVIEW and r.score is None
    r = services.rating_score(cast.street_admin, r, manual_entries(2026))
    # (100 − 0) × 70% + 90 × 30% = 97.
    assert r.score == D("97.00") and r.proposed_stars == 5
    with pytest.raises(ValidationError, match="Score every organization"):
        services.rating_self_review(cast.street_admin, cast.community_a2, 2026, D(80))
        services.stars_publish(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                               notice_from=dt.date(2027, 1, 10))
    services.rating_score(cast.street_admin, StarRating.objects.get(
        organization=cast.community_a2), manual_entries(2026, points=D(5)))
    n = services.stars_publish(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                               notice_from=dt.date(2027, 1, 10))
    assert n == 2
    r.refresh_from_db()
    # 30% of 2 rounds down to 0: the 5★ by the bands drops to 4★, and says why.
    assert (r.state, r.stars, r.cap_reason) == (RatingState.NOTICE, 4, "five_star_share")
    assert r.notice_until == dt.date(2027, 1, 17)
    with pytest.raises(ValidationError, match="public notice runs until"):
        services.stars_file(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                            today=dt.date(2027, 1, 17))
    assert services.stars_file(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                               today=dt.date(2027, 1, 18)) == 2
    r.refresh_from_db()
    assert r.state == RatingState.FILED and r.filed_on == dt.date(2027, 1, 18)
    actions = list(AuditEntry.objects.filter(object_id=str(r.pk), action__startswith="stars.")
                   .values_list("action", flat=True))
    assert sorted(actions) == ["stars.file", "stars.notice", "stars.score",
                               "stars.self_review"]


def test_computed_org_life(cast):
    from fengling.meetings.services import meeting_transition
    from fengling.meetings.tests.helpers import at, schedule

    Criterion.objects.filter(code="org_life").update(source="meetings_compliance")
    # Of the community's two branches, one held its committee meeting in January only.
    m = schedule(cast.branch_secretary, cast.branch_a, kind="committee",
                 start=at(2026, 1, 10, 9, 0))
    meeting_transition(cast.branch_secretary, m, "held")
    r = services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(90))
    r = services.rating_score(cast.street_admin, r, manual_entries(2026))
    row = r.points.get(criterion__code="org_life")
    assert row.computed and "2026" in row.evidence
    assert D(0) < row.points < D(30)


def test_weak_designation_caps_at_two_stars(cast):
    services.weak_designate(cast.street_admin, cast.community_a, 2026, "书记长期空缺")
    with pytest.raises(ValidationError, match="already designated"):
        services.weak_designate(cast.street_admin, cast.community_a, 2026, "again")
    with pytest.raises(PermissionDenied):
        services.weak_designate(cast.community_secretary, cast.community_a2, 2026, "x")
    r = rate(cast.community_secretary, cast.street_admin, cast.community_a)
    services.stars_publish(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                           notice_from=dt.date(2027, 1, 10))
    r.refresh_from_db()
    assert (r.proposed_stars, r.stars, r.cap_reason) == (5, 2, "weak")


def test_changing_next_years_weight_does_not_change_this_years_figures(cast):
    r = rate(cast.community_secretary, cast.street_admin, cast.community_a)
    services.stars_publish(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                           notice_from=dt.date(2027, 1, 10))
    services.stars_file(cast.street_admin, cast.street1, 2026, OrgKind.COMMUNITY,
                        today=dt.date(2027, 2, 1))
    published = StarRating.objects.get(pk=r.pk)
    # Next year: the appraisal counts 50%, the org-life item 20 points and results 20.
    scheme = services.year_defaults(2027)
    scheme.basic_share, scheme.appraisal_share = D("0.50"), D("0.50")
    scheme.save()
    Criterion.objects.filter(year=2027, code="org_life").update(max_points=D(20))
    Criterion.objects.filter(year=2027, code="results").update(max_points=D(20))
    assert YearScheme.objects.get(year=2026).basic_share == D("0.70")
    assert Criterion.objects.get(year=2026, code="org_life").max_points == D(30)
    again = StarRating.objects.get(pk=r.pk)
    assert (again.score, again.stars) == (published.score, published.stars)
    alloc = selectors.allocations(cast.district_admin, 2026)
    # One community in the unit: 30% of 1 rounds down to 0 places at 5★, so 4★: ¥50,000.
    assert [(a.stars, a.amount) for a in alloc] == [(4, D(50000))]
    # 2027 under the new weights is scored differently; 2026 stays as published.
    r27 = rate(cast.community_secretary, cast.street_admin, cast.community_a, year=2027)
    assert r27.score == D("95.00")  # (100 − 0) × 50% + 90 × 50%
    assert StarRating.objects.get(pk=r.pk).score == published.score


def test_funding_from_filed_stars_budget_and_street_report(cast):
    bd = make_org(cast.street2, "南门商圈党委", OrgKind.BUSINESS_DISTRICT, "business_district")
    rate(cast.community_secretary, cast.street_admin, cast.community_a)  # 97 → 5★ (capped)
    rate(cast.street_admin, cast.street_admin, cast.community_a2,
         deductions=D(20))  # (100 − 20) × 70% + 90 × 30% = 83 → 4★
    rate(cast.district_admin, cast.district_admin, bd, deductions=D(20),
         appraisal=D(60))  # 56 + 18 = 74 → 3★
    for unit, kind in ((cast.street1, OrgKind.COMMUNITY), (cast.street2,
                                                           OrgKind.BUSINESS_DISTRICT)):
        services.stars_publish(cast.district_admin, unit, 2026, kind,
                               notice_from=dt.date(2027, 1, 10))
        services.stars_file(cast.district_admin, unit, 2026, kind, today=dt.date(2027, 2, 1))
    rows = selectors.allocations(cast.district_admin, 2026)
    assert {(r.name, r.stars, r.amount) for r in rows} == {
        ("望春社区党委", 4, D(50000)), ("五江口社区党委", 4, D(50000)),
        ("南门商圈党委", 3, D(20000))}
    total = sum(r.amount for r in rows)
    line = services.budget_line_set(cast.district_admin, cast.district, 2026, "work",
                                    "7000000")
    services.disburse(cast.district_admin, line, cast.community_a, "50000.00",
                      dt.date(2027, 3, 1))
    with pytest.raises(ValidationError, match="amount"):
        services.disburse(cast.district_admin, line, cast.community_a, "-1",
                          dt.date(2027, 3, 1))
    [report] = selectors.budget_report(cast.district_admin, 2026, rows)
    assert (report.allocated, report.disbursed, report.remaining) == (
        D(120000), D(50000), D(6880000)) and total == D(120000)
    # A street's own work-funds line is allocated its own organizations' subsidies only,
    # not the district's whole allocation.
    services.budget_line_set(cast.district_admin, cast.street2, 2026, "work", "100000")
    by_org = {r.line.organization_id: r.allocated
              for r in selectors.budget_report(cast.district_admin, 2026, rows)}
    assert by_org == {cast.district.pk: D(120000), cast.street2.pk: D(20000)}
    streets = selectors.street_report(rows)
    assert [(s.name, s.amount) for s in streets] == [("望春街道党工委", D(100000)),
                                                     ("南门街道党工委", D(20000))]
    # A street sees only its own allocations.
    assert {r.name for r in selectors.allocations(cast.street_admin, 2026)} == {
        "望春社区党委", "五江口社区党委"}


def test_publishing_and_filing_a_unit_cost_the_same_queries_for_two_or_five(cast):
    """The public notice and the filing of a unit's ratings are audited per rating, in one
    insert: their query count does not grow with the number of organizations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengling.core.models import AuditEntry

    def steps(n, street):
        for i in range(n):
            org = make_org(street, f"{street.name}社区{i}", OrgKind.COMMUNITY, "community")
            rate(cast.district_admin, cast.district_admin, org)
        with CaptureQueriesContext(connection) as q:
            services.stars_publish(cast.district_admin, street, 2026, OrgKind.COMMUNITY,
                                   notice_from=dt.date(2027, 1, 10))
            services.stars_file(cast.district_admin, street, 2026, OrgKind.COMMUNITY,
                                today=dt.date(2027, 2, 1))
        return len(q)

    few = steps(2, make_org(cast.district, "甲街道", OrgKind.STREET, "street"))
    many = steps(5, make_org(cast.district, "乙街道", OrgKind.STREET, "street"))
    assert few == many
    assert AuditEntry.objects.filter(action="stars.file").count() == 7


def test_cached_scores_go_stale_when_a_rating_is_written(
        cast, settings, django_capture_on_commit_callbacks):
    """With the scores cached (as in production), a second look costs no computation, and
    scoring a rating shows at once: the cache is cleared on commit."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fengling.evaluation import scores

    settings.SCORES_CACHE_SECONDS = 300
    cache.clear()
    scores._local.clear()  # this process's copies too
    first = scores.cached_scores(2026, unit=cast.street1)
    with CaptureQueriesContext(connection) as q:
        again = scores.cached_scores(2026, unit=cast.street1)
    assert again == first and len(q) == 0
    with django_capture_on_commit_callbacks(execute=True):
        rate(cast.community_secretary, cast.street_admin, cast.community_a)
    after = {r.organization_id: r for r in scores.cached_scores(2026, unit=cast.street1)}
    assert after[cast.community_a.pk].state == RatingState.SCORED
    cache.clear()
    scores._local.clear()
