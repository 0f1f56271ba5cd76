import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from fengling.training import services
from fengling.training.models import CourseKind

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=9, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


@dataclass
class Training:
    course: object
    session1: object
    session2: object
    exam: object


@pytest.fixture
def training(cast):
    """A 红领学院 class of community A (2026) with two sessions and an exam; 张三 and 李四
    (branch A) enrolled."""
    admin = cast.district_admin
    course = services.course_create(
        admin, organization=cast.community_a, kind=CourseKind.ACADEMY,
        title="红领学院第一期党务工作者培训班", starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 6, 30))
    s1 = services.session_add(admin, course, title="党章学习", starts_at=at(2026, 3, 10),
                              hours=Decimal("4"))
    s2 = services.session_add(admin, course, title="组织生活规范", starts_at=at(2026, 4, 10),
                              hours=Decimal("3.5"))
    services.enrol_members(admin, course, [cast.member_a.pk, cast.secretary_a_member.pk])
    exam = services.exam_create(admin, course, title="结业考试", held_on=dt.date(2026, 6, 30),
                                pass_mark=Decimal("60"))
    return Training(course, s1, s2, exam)
