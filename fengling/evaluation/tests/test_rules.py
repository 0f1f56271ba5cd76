"""Table tests from RULES Part A "Democratic appraisal" and "Index and stars"."""


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
