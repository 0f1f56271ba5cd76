"""The 25 steps as data (RULES Part B §4.1) and the stage derived from them."""

import pytest

from fengling.development import steps as S
from fengling.development.steps import Stage


def test_twenty_five_steps_in_five_stages_as_the_regulation_lists_them():
    assert len(S.STEPS) == 25
    per_stage = {stage: [s.number for s in S.STEPS if s.stage == stage] for stage in Stage}
    assert per_stage == {
        Stage.APPLICATION: [1, 2],
        Stage.ACTIVIST: [3, 4, 5, 6],
        Stage.TARGET: [7, 8, 9, 10, 11],
        Stage.ADMISSION: [12, 13, 14, 15, 16, 17, 18],
        Stage.PROBATION: [19, 20, 21, 22, 23, 24, 25],
    }
    assert len({s.code for s in S.STEPS}) == 25


@pytest.mark.parametrize(
    ("recorded", "stage"),
    [
        ((), None),
        ((1,), Stage.APPLICATION),
        ((1, 2), Stage.APPLICATION),
        ((1, 2, 3), Stage.ACTIVIST),
        ((1, 2, 3, 4, 5, 6, 7), Stage.TARGET),
        (tuple(range(1, 13)), Stage.ADMISSION),
        (tuple(range(1, 18)), Stage.ADMISSION),
        (tuple(range(1, 20)), Stage.PROBATION),
        (tuple(range(1, 26)), Stage.PROBATION),
    ],
)
def test_stage_is_the_stage_of_the_furthest_step(recorded, stage):
    assert S.stage_of(recorded) == stage


def test_next_steps_follow_the_requirements():
    assert [s.number for s in S.next_steps({1})] == [2]
    assert [s.number for s in S.next_steps({1, 2, 3})] == [4, 5]
    # The review of an activist can be recorded again until the target is named.
    assert [s.number for s in S.next_steps({1, 2, 3, 4, 5, 6})] == [6, 7]
    assert [s.number for s in S.next_steps({1, 2, 3, 4, 5, 6, 7})] == [8, 9, 10, 11]
    assert S.missing_requirements(12, {1, 2, 3, 4, 5, 6, 7, 8, 9}) == [10, 11]
    assert [s.number for s in S.next_steps(set(range(1, 26)))] == []
