"""`fengling seed` adds a year of training records that the pages and rules agree with."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import translation

from fengling.accounts.models import User
from fengling.members.models import ACTIVE_STATUSES, Member
from fengling.training import rules, selectors
from fengling.training.models import (
    Attendance,
    Certificate,
    CourseKind,
    ExamScore,
    Placement,
    StudyRecord,
    WorkReport,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 9, 1)


@pytest.fixture
def seeded():
    with translation.override("en"):
        call_command("seed", scale="small", as_of=AS_OF, interactive=False, stdout=StringIO())


def test_seed_adds_courses_attendance_certificates_and_reports(seeded):
    assert Attendance.objects.count() > 300
    kinds = set(Certificate.objects.values_list("course__kind", flat=True))
    assert kinds == {CourseKind.ACADEMY}
    # A certificate for every pass, none for a fail; numbers unique and well formed.
    assert Certificate.objects.filter(exam_score__isnull=False).count() == \
        ExamScore.objects.filter(passed=True).count()
    numbers = list(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(rules.parse_certificate_number(n) for n in numbers)
    assert Placement.objects.exists() and WorkReport.objects.exists()
    assert not WorkReport.objects.values("member", "kind", "year").annotate(
        n=Count("id")).filter(n__gt=1).exists()


def test_seeded_pages_render_for_the_demo_accounts(client, seeded):
    for user in User.objects.filter(is_superuser=False):
        client.force_login(user)
        for name in ("training:courses", "training:hours", "training:certification",
                     "training:reports", "training:my_study"):
            response = client.get(reverse(name), {"year": 2025})
            assert response.status_code in (200, 403, 404), (user, name)
    district = User.objects.get(role_assignments__role="district_admin")
    counts = selectors.certification_counts(district, today=AS_OF)
    assert counts["total"] > 0 and counts["certified"] > 0
    assert counts["expiring"] > 0  # certificates from three years ago
    _org, orgs = selectors.report_organizations(district, None)
    top = selectors.hours_rollup(orgs, 2025)[0]
    assert top.members == Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert 0 < top.met < top.members
    assert StudyRecord.objects.filter(status="pending").exists()


def test_seeding_again_replaces_the_training_records(seeded):
    first = Attendance.objects.count()
    with translation.override("en"):
        call_command("seed", scale="small", as_of=AS_OF, interactive=False, stdout=StringIO())
    assert Attendance.objects.count() == first


def test_most_demo_members_keep_pace_with_their_study_hours():
    """The demo's own study leaves about one member in ten behind by late November, so the
    study-hours warnings name a few members of a branch, not all of them."""
    from fengling.alerts import rules as alert_rules

    late = dt.date(2025, 11, 24)
    with translation.override("en"):
        call_command("seed", scale="small", as_of=late, interactive=False, stdout=StringIO())
    behind = list(alert_rules.study_hours_behind(alert_rules.ScanContext(late)))
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).count()
    assert 0.03 * active < len(behind) < 0.25 * active, (len(behind), active)
