"""Table tests from RULES Part A "Democratic appraisal" and "Index and stars"."""


from decimal import Decimal

import pytest

from fengling.evaluation import rules
from fengling.evaluation.rules import Grade

E, Q, B, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED


@pytest.mark.parametrize(("graded", "allowed"), [(0, 0), (1, 0), (2, 0), (3, 1), (5, 1),
                                                 (6, 2), (9, 3), (10, 3), (50, 16)])
def test_excellent_at_most_one_third(graded, allowed):
    assert rules.excellent_allowed(graded) == allowed


@pytest.mark.parametrize(("grades", "ok"), [
    ([E, Q, Q], True), ([E, E, Q], False), ([E, Q, Q, Q, Q, Q], True),
    ([E, E, Q, Q, Q, Q], True), ([E, E, E, Q, Q, Q], False), ([E], False), ([Q], True),
])
def test_excellent_ok(grades, ok):
    assert rules.excellent_ok(grades) is ok


@pytest.mark.parametrize(("grades", "flag"), [
    ([Q, Q, Q], True), ([E, E], True), ([E, Q, Q], False), ([Q, Q, B], False), ([Q], False),
    ([], False), ([U, U], True),
])
def test_no_spread(grades, flag):
    assert rules.no_spread(grades) is flag


def test_peer_grade_majority_and_stricter_tie():
    assert rules.peer_grade({E: 3, Q: 1, B: 0, U: 0}) == E
    assert rules.peer_grade({E: 2, Q: 2, B: 0, U: 0}) == Q
    assert rules.peer_grade({E: 0, Q: 0, B: 0, U: 0}) == ""


D = Decimal


@pytest.mark.parametrize(("score", "stars"), [
    (D("100"), 5), (D("90.00"), 5), (D("89.99"), 4), (D("80"), 4), (D("79.99"), 3),
    (D("70"), 3), (D("69.99"), 2), (D("60"), 2), (D("59.99"), 1), (D("0"), 1),
])
def test_star_bands(score, stars):
    assert rules.stars_for(score) == stars


@pytest.mark.parametrize(("basic", "deductions", "appraisal", "score"), [
    (D(100), D(0), D(100), D("100.00")),
    (D(90), D(5), D(80), D("83.50")),  # 85 × 0.7 + 80 × 0.3
    (D(10), D(20), D(0), D("0.00")),  # never below zero
    (D("88.88"), D(0), D("77.77"), D("85.55")),  # 62.216 + 23.331 = 85.547 → 85.55
])
def test_organization_score(basic, deductions, appraisal, score):
    assert rules.organization_score(basic, deductions, appraisal) == score


def test_five_star_cap_thirty_percent_of_the_unit_highest_first():
    rows = [(i, D(99) - D(i) / 10, False) for i in range(10)]  # ten 5★ by the bands
    out = rules.apply_caps(rows)
    assert [c.stars for c in out] == [5, 5, 5, 4, 4, 4, 4, 4, 4, 4]
    assert {c.reason for c in out[3:]} == {"five_star_share"}
    assert all(c.proposed == 5 for c in out)


@pytest.mark.parametrize(("n", "fives"), [(1, 0), (3, 0), (4, 1), (7, 2), (10, 3), (83, 24)])
def test_five_star_share_rounds_down(n, fives):
    out = rules.apply_caps([(i, D(99), False) for i in range(n)])
    assert sum(1 for c in out if c.stars == 5) == fives


def test_weak_designation_caps_at_two_and_does_not_take_a_five_star_place():
    rows = [(0, D(99), True), (1, D(95), False), (2, D(94), False), (3, D(50), False)]
    out = {c.key: c for c in rules.apply_caps(rows)}
    assert (out[0].proposed, out[0].stars, out[0].reason) == (5, 2, "weak")
    assert out[1].stars == 5 and out[2].stars == 4  # 30% of 4 = 1 place
    assert out[3].stars == 1 and out[3].reason == ""
    # A weak organization already below 2★ keeps its stars.
    assert rules.apply_caps([(0, D(55), True)])[0].stars == 1


@pytest.mark.parametrize(("kind", "stars", "amount"), [
    ("community", 5, D(60000)), ("community", 4, D(50000)), ("community", 3, D(40000)),
    ("business_district", 5, D(40000)), ("business_district", 4, D(30000)),
    ("business_district", 3, D(20000)),
])
def test_seed_subsidy_table(kind, stars, amount):
    assert rules.DEFAULT_SUBSIDIES[kind][stars] == amount
    assert rules.subsidy_total({kind: {stars: 2}}, rules.DEFAULT_SUBSIDIES) == amount * 2


def test_below_three_stars_gets_nothing():
    assert rules.subsidy_total({"community": {2: 5, 1: 3}}, rules.DEFAULT_SUBSIDIES) == 0
    assert rules.subsidy_total({"village": {5: 1}}, rules.DEFAULT_SUBSIDIES) == 0


def test_plausible_distribution_of_the_seed_district():
    # 83 urban communities; 13 business-district centres (9 built + 4 being built).
    assert rules.plausible_distribution(83) == {5: 8, 4: 33, 3: 25, 0: 17}
    assert rules.plausible_distribution(13) == {5: 1, 4: 5, 3: 4, 0: 3}
    total = rules.subsidy_total({"community": rules.plausible_distribution(83),
                                 "business_district": rules.plausible_distribution(13)},
                                rules.DEFAULT_SUBSIDIES)
    assert total == D("3400000")  # 313万 + 27万: the rest of the seed's 700余万 is not stars


@pytest.mark.parametrize(("rate", "points"), [(None, D(30)), (1.0, D(30)), (0.5, D("15.00")),
                                              (0.0, D("0.00")), (2 / 3, D("20.00"))])
def test_computed_criterion(rate, points):
    assert rules.criterion_points(D(30), rate) == points
