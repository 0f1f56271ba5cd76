"""The evaluation figures of `fengling bench` (issue 6 item 7): crediting the member index of
a month for the whole district, and the year's organization scores and proposed stars, with
their query counts (target: at most 10 s together at district scale, SQLite and PostgreSQL);
and the pages of rankings, distributions, the star map and funding as the district admin
sees them (`PAGE_PROBES`, timed by `bench.runner` like the other pages: p95 at most 100 ms,
the repository's general page target)."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .index import credit_district
from .models import IndexCredit
from .scores import district_scores, scores_summary

TARGET_S = 10.0  # both figures together
PAGE_P95_TARGET_MS = 100.0
# (figure, URL name) of the pages probed for the district admin, each with its default
# year (this year: computed scores for the rankings and the star map; the funding page: the
# latest year with filed stars): `page.<figure>.district_admin`.
PAGE_PROBES = (
    ("rankings", "evaluation:member_rankings"),
    ("org_rankings", "evaluation:organization_rankings"),
    ("distributions", "evaluation:distributions"),
    ("star_map", "evaluation:star_map"),
    ("funding", "evaluation:funding"),
)
PAGE_PERSONAS = ("district_admin",)


def _timed(fn):
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, seconds, len(ctx.captured_queries)


def index_month_figure(month: dt.date | None = None) -> dict:
    """Credit last month (the monthly command's default) for the whole district, twice (the
    second run replaces the first: idempotent). The credits stay (they are what the monthly
    command would have written)."""
    if month is None:
        month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    credits, seconds, queries = _timed(lambda: credit_district(month))
    again, second, _q = _timed(lambda: credit_district(month))
    return {
        "name": "evaluation.index_month_district",
        "seconds": round(seconds, 2),
        "rows_per_s": round(credits / seconds) if seconds > 0 else None,
        "queries": queries,
        "credits": credits,
        "month": f"{month:%Y-%m}",
        "second_run_seconds": round(second, 2),
        "second_run_credits": again,
        "target_s": TARGET_S,
    }


def org_scores_figure(year: int | None = None) -> dict:
    """The year's scores and proposed stars of every rated organization of the district
    (computed criteria from meetings, the members' index and warnings; caps per kind)."""
    year = year or timezone.localdate().year
    rows, seconds, queries = _timed(lambda: district_scores(year))
    return {
        "name": "evaluation.org_scores_year",
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(rows) / seconds) if seconds > 0 else None,
        "queries": queries,
        "organizations": len(rows),
        "stars": {k: dict(sorted(v.items())) for k, v in sorted(scores_summary(rows).items())},
        "index_credits": IndexCredit.objects.filter(month__year=year).count(),
        "year": year,
        "target_s": TARGET_S,
    }
