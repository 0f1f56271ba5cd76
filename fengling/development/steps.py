"""The 5 stages and 25 steps of member development (发展党员), as data.

RULES Part B §4.1 [reg: 《中国共产党发展党员工作细则》 (2014)]. Each step says which earlier
steps must be recorded before it (`requires`) and which time rules (ids in `rules.RULES`)
judge it. A candidate's stage is derived from the steps recorded, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Stage(models.IntegerChoices):
    APPLICATION = 1, _("Application")  # 入党申请
    ACTIVIST = 2, _("Activist")  # 入党积极分子的确定和培养教育
    TARGET = 3, _("Development target")  # 发展对象的确定和考察
    ADMISSION = 4, _("Admission")  # 预备党员的接收
    PROBATION = 5, _("Probation")  # 预备党员的教育考察和转正


@dataclass(frozen=True)
class Step:
    number: int
    stage: Stage
    code: str
    name: Promise
    requires: tuple[int, ...] = ()
    rules: tuple[str, ...] = ()
    # A step recorded more than once (the half-yearly review of an activist).
    repeatable: bool = False
    # Extra data the step's record carries.
    needs_sponsors: bool = False
    needs_hours: bool = False


# Step numbers the services and rules refer to by name.
APPLICATION = 1  # 递交入党申请书
TALK = 2  # 党组织派人谈话
ACTIVIST = 3  # 推荐和确定入党积极分子
ACTIVIST_FILED = 4
CONTACT_PERSONS = 5
ACTIVIST_REVIEW = 6  # 培养教育考察 (every 6 months)
TARGET = 7  # 确定发展对象
TARGET_FILED = 8
SPONSORS = 9  # 确定入党介绍人
POLITICAL_REVIEW = 10  # 进行政治审查
TRAINING = 11  # 开展集中培训
COMMITTEE_REVIEW = 12  # 支部委员会审查
PRE_APPROVAL = 13
APPLICATION_FORM = 14
BRANCH_MEETING = 15  # 支部大会讨论: probation starts on this date
HIGHER_TALK = 16
ADMISSION_APPROVAL = 17  # 上级党委审批: the person becomes a probationary member
ADMISSION_FILED = 18
PLACED_IN_BRANCH = 19
OATH = 20
CONTINUED_EDUCATION = 21
CONVERSION_APPLICATION = 22  # 提出转正申请
CONVERSION_MEETING = 23  # 支部大会讨论 (conversion)
CONVERSION_APPROVAL = 24  # 上级党委审批 (conversion): the member becomes a full member
ARCHIVED = 25  # 材料归档

STEPS: tuple[Step, ...] = (
    # Stage 1 — 入党申请
    Step(1, Stage.APPLICATION, "application", _("Written application submitted"),
         rules=("age_at_application",)),
    Step(2, Stage.APPLICATION, "talk", _("Talk with the applicant"), requires=(1,),
         rules=("talk_within_one_month",)),
    # Stage 2 — 入党积极分子的确定和培养教育
    Step(3, Stage.ACTIVIST, "activist", _("Named an activist"), requires=(2,)),
    Step(4, Stage.ACTIVIST, "activist_filed", _("Activist filed with the higher committee"),
         requires=(3,)),
    Step(5, Stage.ACTIVIST, "contact_persons", _("Contact persons assigned"), requires=(3,)),
    Step(6, Stage.ACTIVIST, "activist_review", _("Education and review of the activist"),
         requires=(5,), rules=("activist_review_every_six_months",), repeatable=True),
    # Stage 3 — 发展对象的确定和考察
    Step(7, Stage.TARGET, "target", _("Named a development target"), requires=(4, 6),
         rules=("activist_one_year",)),
    Step(8, Stage.TARGET, "target_filed",
         _("Development target filed with the higher committee"), requires=(7,)),
    Step(9, Stage.TARGET, "sponsors", _("Sponsors named"), requires=(7,),
         rules=("two_full_member_sponsors",), needs_sponsors=True),
    Step(10, Stage.TARGET, "political_review", _("Political review"), requires=(7,)),
    Step(11, Stage.TARGET, "training", _("Concentrated training"), requires=(7,),
         rules=("training_hours",), needs_hours=True),
    # Stage 4 — 预备党员的接收
    Step(12, Stage.ADMISSION, "committee_review", _("Review by the branch committee"),
         requires=(8, 9, 10, 11)),
    Step(13, Stage.ADMISSION, "pre_approval", _("Preliminary review by the higher committee"),
         requires=(12,)),
    Step(14, Stage.ADMISSION, "application_form", _("Application form filled in"),
         requires=(13,)),
    Step(15, Stage.ADMISSION, "branch_meeting", _("Branch general meeting admits"),
         requires=(14,), rules=("political_review_valid",)),
    Step(16, Stage.ADMISSION, "higher_talk", _("Talk by the higher committee"),
         requires=(15,)),
    Step(17, Stage.ADMISSION, "admission_approval", _("Admission approved by the higher committee"),
         requires=(16,), rules=("approval_within_three_months",)),
    Step(18, Stage.ADMISSION, "admission_filed",
         _("Admission filed with the organization department"), requires=(17,)),
    # Stage 5 — 预备党员的教育考察和转正
    Step(19, Stage.PROBATION, "placed", _("Placed in a branch and Party group"),
         requires=(17,)),
    Step(20, Stage.PROBATION, "oath", _("Admission oath"), requires=(17,)),
    Step(21, Stage.PROBATION, "continued_education", _("Continued education and review"),
         requires=(19,)),
    Step(22, Stage.PROBATION, "conversion_application", _("Application for conversion"),
         requires=(20, 21)),
    Step(23, Stage.PROBATION, "conversion_meeting", _("Branch general meeting converts"),
         requires=(22,), rules=("probation_one_year", "extension_once")),
    Step(24, Stage.PROBATION, "conversion_approval",
         _("Conversion approved by the higher committee"), requires=(23,),
         rules=("conversion_approval_within_three_months",)),
    Step(25, Stage.PROBATION, "archived", _("Records archived"), requires=(24,)),
)

STEP_BY_NUMBER: dict[int, Step] = {step.number: step for step in STEPS}
STEP_CHOICES = [(step.number, step.name) for step in STEPS]
# The first step of each stage: a candidate is in the stage of the last step recorded.
STAGE_FIRST_STEP = {stage: min(s.number for s in STEPS if s.stage == stage) for stage in Stage}

assert [s.number for s in STEPS] == list(range(1, 26))
assert all(r < s.number for s in STEPS for r in s.requires)


def stage_of_step(number: int | None) -> Stage | None:
    return STEP_BY_NUMBER[number].stage if number else None


def stage_of(recorded_steps) -> Stage | None:
    """The stage of a candidate whose steps `recorded_steps` are recorded: the stage of the
    furthest step (steps are recorded in order of their requirements)."""
    steps = list(recorded_steps)
    return stage_of_step(max(steps)) if steps else None


def missing_requirements(number: int, recorded_steps) -> list[int]:
    """The steps `number` requires that are not recorded yet."""
    recorded = set(recorded_steps)
    return [r for r in STEP_BY_NUMBER[number].requires if r not in recorded]


def next_steps(recorded_steps) -> list[Step]:
    """Steps that may be recorded now: every requirement recorded, not recorded yet (a
    repeatable step stays available until the step after it is recorded)."""
    recorded = set(recorded_steps)
    available = []
    for step in STEPS:
        if missing_requirements(step.number, recorded):
            continue
        if step.number in recorded and not (
            step.repeatable and not any(step.number in s.requires and s.number in recorded
                                        for s in STEPS)
        ):
            continue
        available.append(step)
    return available
