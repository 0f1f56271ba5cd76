"""The demo year: realistic, set-based, idempotent, and visible in compliance."""

import datetime as dt

import pytest

from fengling.meetings.demo import seed_year
from fengling.meetings.models import Attendance, Meeting
from fengling.meetings.selectors import compliance_report

pytestmark = pytest.mark.django_db


def test_seed_year_fills_branches_once(cast, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        result = seed_year(cast.district, 2025, today=dt.date(2026, 1, 10))
    # Four branches, up to 12+12+4+4+1+1+1 = 35 meetings each; about 88% are held.
    assert 4 * 28 <= result.meetings == Meeting.objects.count() <= 4 * 35
    assert result.attendance == Attendance.objects.count() > 0
    assert seed_year(cast.district, 2025, today=dt.date(2026, 1, 10)).meetings == 0
    report = compliance_report(cast.district_admin, cast.district, dt.date(2025, 1, 1),
                               dt.date(2025, 12, 31), today=dt.date(2026, 1, 10))
    required, met, _held = report.total.kinds["party_day"]
    assert required == 48 and 40 <= met <= 48
