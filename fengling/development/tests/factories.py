"""Candidates for the development tests: made through the services, with fixed dates."""

from __future__ import annotations

import datetime as dt
import itertools

from fengling.development import services
from fengling.development import steps as S
from fengling.members.models import Education, Occupation
from fengling.testing.factories import make_id_number

D = dt.date
BIRTH = D(1995, 4, 2)
# A textbook file: every step on time (probation ends 2026-06-01, one year after step 15).
STEP_DATES: dict[int, D] = {
    1: D(2024, 1, 10), 2: D(2024, 1, 20), 3: D(2024, 3, 1), 4: D(2024, 3, 5),
    5: D(2024, 3, 5), 6: D(2024, 8, 20), 7: D(2025, 3, 1), 8: D(2025, 3, 5),
    9: D(2025, 3, 10), 10: D(2025, 3, 15), 11: D(2025, 4, 1), 12: D(2025, 5, 6),
    13: D(2025, 5, 10), 14: D(2025, 5, 15), 15: D(2025, 6, 1), 16: D(2025, 6, 10),
    17: D(2025, 7, 1), 18: D(2025, 7, 5), 19: D(2025, 7, 6), 20: D(2025, 7, 7),
    21: D(2025, 12, 1), 22: D(2026, 5, 1), 23: D(2026, 6, 1), 24: D(2026, 7, 1),
    25: D(2026, 7, 10),
}
SECOND_REVIEW = D(2025, 2, 10)
TODAY = D(2026, 8, 1)

_names = itertools.count(1)


def make_candidate(actor, organization, *, name: str | None = None, applied_on=None,
                   birth_date=BIRTH, gender="M", **fields):
    return services.candidate_create(
        actor, organization=organization, id_number=make_id_number(birth_date, gender),
        applied_on=applied_on or STEP_DATES[1], name=name or f"申请人{next(_names):03d}",
        gender=gender, birth_date=birth_date, education=Education.BACHELOR,
        occupation=Occupation.IN_SERVICE, phone="13900001234", today=TODAY, **fields,
    )


def record_until(actor, candidate, last: int, *, sponsors=(), today=TODAY, dates=None):
    """Record steps 2..`last` on the textbook dates (with a second activist review)."""
    dates = {**STEP_DATES, **(dates or {})}
    for step in range(2, last + 1):
        kwargs = {}
        if step == S.SPONSORS:
            kwargs["sponsors"] = list(sponsors)
        if step == S.TRAINING:
            kwargs["hours"] = 24
        services.milestone_record(actor, candidate, step=step, date=dates[step],
                                  today=today, **kwargs)
        if step == S.ACTIVIST_REVIEW:
            services.milestone_record(actor, candidate, step=step, date=SECOND_REVIEW,
                                      today=today)
    candidate.refresh_from_db()
    return candidate
