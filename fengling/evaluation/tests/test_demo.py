"""The demo's evaluation data (`evaluation.demo`, hooked into `fengling seed`): last year's
filed star ratings obey RULES Part A "Index and stars", carry each step's date and audit
entry, and the funding pages add up."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from fengling.core.models import AuditEntry
from fengling.demo import loader
from fengling.evaluation import rules, scores
from fengling.evaluation.models import (
    BudgetLine,
    Criterion,
    CriterionScore,
    Disbursement,
    Fund,
    RatingState,
    StarRating,
    WeakDesignation,
)
from fengling.organizations.models import Organization

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 9, 1)
YEAR = AS_OF.year - 1


@pytest.fixture
def demo():
    return loader.seed("small", as_of=AS_OF)


def test_every_rated_organization_has_a_filed_rating_last_year(demo):
    rated = set(Organization.objects.filter(kind__in=rules.RATED_KINDS, depth__gt=1)
                .values_list("pk", flat=True))
    ratings = StarRating.objects.filter(year=YEAR)
    assert set(ratings.values_list("organization_id", flat=True)) == rated
    assert set(ratings.values_list("state", flat=True)) == {RatingState.FILED}
    assert demo.evaluation["star_ratings"] == len(rated)
    # Nothing is rated for this year yet.
    assert not StarRating.objects.filter(year=AS_OF.year).exists()


def test_demo_star_distribution_obeys_the_caps(demo):
    ratings = list(StarRating.objects.filter(year=YEAR))
    weak = set(WeakDesignation.objects.filter(year=YEAR).values_list("organization_id",
                                                                      flat=True))
    assert weak, "the demo designates the weakest 5%"
    by_kind = defaultdict(list)
    for r in ratings:
        by_kind[r.kind].append(r)
        # RULES Part A: the bands, then a 软弱涣散 designation caps at 2★.
        assert r.proposed_stars == rules.stars_for(r.score)
        if r.organization_id in weak:
            assert r.stars <= 2
        if r.stars != r.proposed_stars:
            assert r.cap_reason in ("weak", "five_star_share")
    for kind, rows in by_kind.items():
        # 5★ at most 30% of the organizations of a kind in a year (rounded down).
        assert sum(1 for r in rows if r.stars == 5) <= int(len(rows) * 0.3), kind
    # A spread a user recognises, not everyone 1★.
    assert len({r.stars for r in ratings}) >= 4


def test_filed_ratings_add_up_and_have_their_points(demo):
    criteria = Criterion.objects.filter(year=YEAR).count()
    points = defaultdict(lambda: defaultdict(D))
    for rating_id, part, value, evidence in CriterionScore.objects.filter(
            rating__year=YEAR).values_list("rating_id", "criterion__part", "points",
                                           "evidence"):
        points[rating_id][part] += value
        assert evidence
    for r in StarRating.objects.filter(year=YEAR):
        assert (r.basic, r.deductions, r.appraisal) == (
            points[r.pk]["basic"], points[r.pk]["deduction"], points[r.pk]["appraisal"])
        assert r.score == rules.organization_score(r.basic, r.deductions, r.appraisal)
    assert CriterionScore.objects.filter(rating__year=YEAR).count() == \
        criteria * StarRating.objects.filter(year=YEAR).count()


def test_filed_ratings_have_each_states_dates_and_audit(demo):
    ratings = {str(r.pk): r for r in StarRating.objects.filter(year=YEAR)}
    trail = defaultdict(dict)
    for object_id, action, created_at in AuditEntry.objects.filter(
            action__startswith="stars.", object_id__in=list(ratings)).exclude(
            action="stars.weak").values_list("object_id", "action", "created_at"):
        trail[object_id][action] = timezone.localtime(created_at).date()
    for pk, r in ratings.items():
        steps = trail[pk]
        assert set(steps) == {"stars.self_review", "stars.score", "stars.notice",
                              "stars.file"}
        # self-review → scored by the level above → public notice → filed, in that order.
        assert steps["stars.self_review"] < steps["stars.score"] < steps["stars.notice"]
        assert steps["stars.notice"] == r.notice_from < r.notice_until < r.filed_on
        assert steps["stars.file"] == r.filed_on <= AS_OF
        assert r.self_score is not None and r.self_note
    weak = WeakDesignation.objects.filter(year=YEAR)
    assert AuditEntry.objects.filter(action="stars.weak").count() == weak.count()
    assert all(d.entered_on and d.reason and d.events.exists() for d in weak)


def test_funding_total_equals_the_subsidy_table_applied_to_filed_stars(client, demo):
    from fengling.accounts.models import User

    expected = sum((rules.DEFAULT_SUBSIDIES.get(kind, {}).get(stars, D(0))
                    for kind, stars in StarRating.objects.filter(
                        year=YEAR, state=RatingState.FILED).values_list("kind", "stars")),
                   D(0))
    assert expected > 0
    client.force_login(User.objects.get(username="district_admin"))
    r = client.get(reverse("evaluation:funding"))  # the latest year with filed stars
    assert r.status_code == 200 and r.context["year"] == YEAR
    assert r.context["total"] == expected
    work = next(b for b in r.context["budget"] if b.line.fund == Fund.WORK)
    venture = next(b for b in r.context["budget"] if b.line.fund == Fund.VENTURE)
    # Last year's star subsidies were all paid once filed; the rest of the work funds is
    # what is not tied to stars.
    assert work.allocated == work.disbursed == expected
    assert work.remaining == work.line.amount - expected > 0
    assert 0 < venture.disbursed <= venture.line.amount
    body = r.content.decode()
    assert 'id="seed-filed"' in body and "700余万元" in body
    assert r.context["seed_difference"] == rules.SEED_WORK_FUNDS - expected
    # This year: budget lines, venture projects paid so far, no work funds allocated yet.
    assert BudgetLine.objects.filter(year=AS_OF.year).count() == 2
    assert not Disbursement.objects.filter(line__year=AS_OF.year, line__fund=Fund.WORK)
    assert not Disbursement.objects.filter(paid_on__gt=AS_OF).exists()


def test_this_years_computed_stars_are_not_all_one_star(demo):
    """The symptom of issue 6: with last year filed, this year's provisional scores carry
    the manual criteria forward instead of counting them 0."""
    rows = scores.district_scores(AS_OF.year, as_of=AS_OF)
    assert rows and all(r.carried and not r.missing for r in rows)
    assert len({r.stars for r in rows}) >= 3
    assert Counter(r.stars for r in rows)[1] < len(rows) / 2


def test_demo_is_deterministic_from_the_seed():
    def snapshot():
        return sorted(StarRating.objects.filter(year=YEAR).values_list(
            "organization__path", "score", "stars", "self_score"))
    loader.seed("small", seed=5, as_of=AS_OF)
    first = snapshot()
    loader.seed("small", seed=5, as_of=AS_OF)
    assert snapshot() == first
    loader.seed("small", seed=6, as_of=AS_OF)
    assert snapshot() != first
