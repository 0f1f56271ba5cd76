"""The demo seed adds a handful of development files that obey the hard rules."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from fengling.development import rules
from fengling.development.models import Candidate
from fengling.development.selectors import _with_files, facts_of

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 9, 1)


def test_small_seed_has_candidates_at_several_stages_with_deadlines_both_ways():
    with translation.override("en"):
        call_command("seed", scale="small", as_of=AS_OF, interactive=False, stdout=StringIO())
    candidates = list(_with_files(Candidate.objects.with_stage()))
    assert len(candidates) == 24
    assert {c.stage for c in candidates} == {1, 2, 3, 4}
    statuses = {r.rule.id: set() for r in rules.evaluate(facts_of(candidates[0]), AS_OF)}
    for candidate in candidates:
        for result in rules.evaluate(facts_of(candidate), AS_OF):
            statuses[result.rule.id].add((result.status, result.overdue))
            # Hard rules hold in the demo data.
            if result.rule.id in {"age_at_application", "activist_one_year",
                                  "two_full_member_sponsors", "training_hours"}:
                assert result.status != rules.Status.MISSED, (candidate.name, result)
    assert (rules.Status.PENDING, False) in statuses["talk_within_one_month"]
    assert (rules.Status.MISSED, True) in statuses["talk_within_one_month"]
    assert (rules.Status.PENDING, False) in statuses["approval_within_three_months"]
    # Seeding again replaces them.
    with translation.override("en"):
        call_command("seed", scale="small", as_of=AS_OF, interactive=False, stdout=StringIO())
    assert Candidate.objects.count() == 24
