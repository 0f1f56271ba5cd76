"""The scan figures of `fengling bench`: the full scan against its floor, and the scan on 4×
the data (copied and dropped in a rolled-back transaction). Also: the scan's queries stay
bounded in the fourth quarter, when the study-hours rule reads the training records."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengling.alerts import bench, services
from fengling.alerts.models import Alert, ScanRun
from fengling.members.models import Member
from fengling.organizations.models import Organization
from fengling.training.models import StudyRecord

from .test_scan import _district

pytestmark = pytest.mark.django_db
NOVEMBER = dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)


def test_scan_district_figure_measures_and_leaves_the_data_as_they_were(time_machine):
    time_machine.move_to(NOVEMBER)
    _district(3, "a")
    figure = bench.scan_district_figure()
    assert figure["name"] == "alerts.scan_district"
    assert figure["warnings_opened"] > 0 and figure["queries"] > 0
    assert figure["floor_queries"] == len(bench.FLOOR_TABLES)
    assert figure["ratio_to_floor"] > 0 and figure["date"] == "2026-11-10"
    # Rolled back: the bench data keep no warning and no scan record.
    assert not Alert.objects.exists() and not ScanRun.objects.exists()


def test_scan_scaling_copies_the_district_four_times_and_drops_the_copies(time_machine):
    time_machine.move_to(NOVEMBER)
    _district(2, "b")
    orgs, members = Organization.objects.count(), Member.objects.count()
    figure = bench.scan_scaling_figure()
    assert figure["rows"]["organizations.Organization"] == 4 * orgs
    assert figure["rows"]["members.Member"] == 4 * members
    # Every copy triggers what the original does.
    assert figure["warnings_opened"] == 4 * figure["base_warnings_opened"] > 0
    assert figure["ratio"] is not None and figure["target_ratio"] == 5.0
    assert (Organization.objects.count(), Member.objects.count()) == (orgs, members)
    assert not Alert.objects.exists()


def test_copies_live_under_new_roots_with_distinct_unique_values():
    _district(1, "c")
    with bench.rolled_back():
        bench.clone_district(copies=2)
        paths = list(Organization.objects.values_list("path", flat=True))
        codes = list(Organization.objects.values_list("code", flat=True))
        digests = list(Member.objects.values_list("id_number_digest", flat=True))
        assert len(set(paths)) == len(paths) and len(set(codes)) == len(codes)
        assert len(set(digests)) == len(digests)
        assert sum(p.startswith("Z001") for p in paths) == len(paths) // 2


def _november_queries(n: int, prefix: str) -> int:
    _district(n, prefix)
    for m in Member.objects.all():
        StudyRecord.objects.get_or_create(member=m, title="学习", kind="online", hours=2,
                                          studied_on=dt.date(2026, 3, 1), status="approved")
    with CaptureQueriesContext(connection) as ctx:
        services.run_scan(timezone.localdate(), send=False)
    return sum(not q["sql"].startswith("INSERT") for q in ctx.captured_queries)


def test_scan_queries_bounded_in_the_fourth_quarter(time_machine):
    time_machine.move_to(NOVEMBER)
    one = _november_queries(1, "d")
    many = _november_queries(8, "e")
    assert Alert.objects.filter(rule="study_hours_behind").count() == Member.objects.count()
    assert one == many
