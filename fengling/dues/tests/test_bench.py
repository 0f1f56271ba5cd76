"""The dues figure of `fengling bench`: its shape, and that it leaves the data as it found them."""

import json

import pytest

from fengling.bench import runner
from fengling.dues.bench import generate_bills_figure
from fengling.dues.models import DuesBill

pytestmark = pytest.mark.django_db


def test_generate_bills_figure_times_a_whole_month_and_cleans_up(cast):
    figure = generate_bills_figure()
    assert figure["name"] == "dues.generate_bills_month"
    assert figure["bills"] == figure["billable_members"] == 4
    assert figure["second_run_created"] == 0
    assert figure["seconds"] >= 0 and figure["target_s"] == 5.0
    assert not DuesBill.objects.exists()
    json.dumps(figure)


def test_summary_uses_the_figures_own_target():
    table = runner.summary_table(
        [{"name": "dues.generate_bills_month", "seconds": 6.0, "rows_per_s": 7603,
          "target_s": 5.0}], "district")
    assert "seconds <= 5 MISSED" in table
    assert dict(runner.BULK_FIGURES)["dues.generate_bills_month"]
