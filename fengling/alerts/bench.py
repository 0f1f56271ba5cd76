"""The scan figures of `fengling bench` (issue 5 item 6).

- `alerts.scan_district`: one full scan of the district (`run_scan(send=False)`, as the
  nightly command runs it, notifications aside), seconds and queries; a second scan of the
  same day (the nightly steady state: refresh, nothing new); and `ratio_to_floor`, the scan's
  seconds over the floor's: every table the rules read, read by one plain aggregate query
  each (`SELECT <column>, COUNT(*) ... GROUP BY <column>`), timed in the same run.
- `alerts.scan_scaling` (`fengling bench --scan-scaling`): the same scan on 4× the data. The
  4× data are made cheaply inside the bench database: every table the scan reads is copied
  three times over by one `INSERT … SELECT` per table and copy, primary and foreign keys
  shifted past the table's largest key, unique text columns re-prefixed and organization
  paths moved under new roots. It happens in a transaction that is rolled back, so the bench
  database keeps its 1× data. The ratio of the two scans' seconds is the figure (target ≤ 5).

Every timed scan runs in a transaction rolled back afterwards: the bench data stay as the
seed left them and each run measures the same thing (the first scan of the seeded district).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

SCAN_TARGET_S = 5.0
SCALING_TARGET = 5.0  # 4× the data in at most 5× the time
COPIES = 4

# The tables the rules read, each with the column its floor query groups by. The models are
# named by label so this module imports none of the apps at import time.
FLOOR_TABLES: tuple[tuple[str, str], ...] = (
    ("organizations.Organization", "kind"),
    ("organizations.CommitteeTerm", "organization_id"),
    ("organizations.CommitteePost", "term_id"),
    ("members.Member", "organization_id"),
    ("members.MemberRole", "role"),
    ("meetings.Meeting", "organization_id"),
    ("dues.DuesBill", "member_id"),
    ("training.Attendance", "member_id"),
    ("training.StudyRecord", "member_id"),
    ("members.LostContactRecord", "member_id"),
    ("members.MobileRecord", "member_id"),
    ("members.MobileReport", "record_id"),
    ("members.Transfer", "member_id"),
    ("development.Candidate", "organization_id"),
    ("development.Milestone", "candidate_id"),
    ("alerts.Threshold", "rule"),
    ("alerts.Alert", "rule"),
    ("alerts.Case", "organization_id"),
    ("accounts.RoleAssignment", "organization_id"),
)
# The district's data the scan reads, copied for the 4× run, parents before children (the
# scan's own tables — thresholds, warnings, cases, accounts — are not district data).
CLONED_MODELS: tuple[str, ...] = (
    "organizations.Organization", "organizations.CommitteeTerm", "organizations.CommitteePost",
    "members.Member", "members.MemberRole", "meetings.Meeting", "dues.DuesBill",
    "training.Attendance", "training.StudyRecord", "members.LostContactRecord",
    "members.MobileRecord", "members.MobileReport", "members.Transfer",
    "development.Candidate", "development.Milestone",
)


class Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    """Run the block in a transaction that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def floor_seconds() -> tuple[float, int]:
    """One plain aggregate query per table the scan reads, timed; (seconds, rows grouped)."""
    started = time.perf_counter()
    groups = 0
    for label, column in FLOOR_TABLES:
        model = apps.get_model(label)
        groups += len(list(model.objects.order_by().values_list(column).annotate(n=Count("pk"))))
    return time.perf_counter() - started, groups


def timed_scan(today) -> tuple[float, int, object]:
    from .services import run_scan

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        run = run_scan(today, send=False)
        seconds = time.perf_counter() - started
    return seconds, len(queries.captured_queries), run


def scan_district_figure() -> dict:
    """The full scan (twice: the first scan of the seeded data, then the same night again),
    the floor, rolled back."""
    today = timezone.localdate()
    floor_s, groups = floor_seconds()
    with rolled_back():
        seconds, queries, run = timed_scan(today)
        again_s, again_queries, _again = timed_scan(today)
    from fengling.organizations.models import Organization

    organizations = Organization.objects.count()
    return {
        "name": "alerts.scan_district",
        "seconds": round(seconds, 2),
        "rows_per_s": round(organizations / seconds) if seconds > 0 else None,
        "ratio_to_floor": round(seconds / floor_s, 2) if floor_s > 0 else None,
        "queries": queries,
        "floor_seconds": round(floor_s, 3),
        "floor_queries": len(FLOOR_TABLES),
        "floor_groups": groups,
        "organizations": organizations,
        "warnings_opened": run.opened,
        "second_run_seconds": round(again_s, 2),
        "second_run_queries": again_queries,
        "date": today.isoformat(),
        "target_s": SCAN_TARGET_S,
    }


# --- 4× the data ------------------------------------------------------------------------


def _clone_expressions(model, k: int, offsets: dict) -> tuple[list[str], list[str]]:
    """Column names and the SELECT expressions of copy `k` of `model`'s rows."""
    from fengling.organizations.models import Organization

    qn = connection.ops.quote_name
    columns, expressions = [], []
    for f in model._meta.concrete_fields:
        if getattr(f, "generated", False):
            continue  # computed by the database
        col = qn(f.column)
        if f.primary_key:
            expr = f"{col} + {k * offsets[model]}"
        elif f.is_relation and f.related_model in offsets:
            expr = f"{col} + {k * offsets[f.related_model]}"
        elif model is Organization and f.name == "path":
            # A new root per copy ("Z001", "Z002", ...), the rest of the path kept.
            step = Organization.steplen
            expr = f"'Z' || '{k:0{step - 1}d}' || substr({col}, {step + 1})"
        elif f.unique and f.get_internal_type() in ("CharField", "SlugField", "TextField"):
            # Same length, a prefix no original value has.
            expr = f"'~{k}' || substr({col}, 3)"
        else:
            expr = col
        columns.append(col)
        expressions.append(expr)
    return columns, expressions


def clone_district(copies: int = COPIES) -> dict[str, int]:
    """Add `copies - 1` copies of every cloned table's rows; rows per table afterwards."""
    models = [apps.get_model(label) for label in CLONED_MODELS]
    offsets = {m: (m.objects.aggregate(n=Max("pk"))["n"] or 0) for m in models}
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            table = qn(model._meta.db_table)
            pk = qn(model._meta.pk.column)
            for k in range(1, copies):
                columns, expressions = _clone_expressions(model, k, offsets)
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (our names)
                    f"SELECT {', '.join(expressions)} FROM {table} WHERE {pk} <= %s",
                    [offsets[model]])
        cursor.execute("ANALYZE")
    return {m._meta.label: m.objects.count() for m in models}


def scan_scaling_figure(base: dict | None = None) -> dict:
    """The scan on 1× and on 4× the data (copies made and dropped in one rolled-back
    transaction); `base` is the 1× figure of the same run if already measured."""
    today = timezone.localdate()
    if base is None:
        base = scan_district_figure()
    with rolled_back():
        started = time.perf_counter()
        counts = clone_district()
        clone_s = time.perf_counter() - started
        seconds, queries, run = timed_scan(today)
    ratio = seconds / base["seconds"] if base["seconds"] else None
    return {
        "name": "alerts.scan_scaling",
        "seconds": round(seconds, 2),
        "rows_per_s": round(counts["organizations.Organization"] / seconds)
        if seconds > 0 else None,
        "ratio": round(ratio, 2) if ratio is not None else None,
        "copies": COPIES,
        "base_seconds": base["seconds"],
        "queries": queries,
        "base_queries": base["queries"],
        "warnings_opened": run.opened,
        "base_warnings_opened": base["warnings_opened"],
        "clone_seconds": round(clone_s, 2),
        "rows": counts,
        "target_ratio": SCALING_TARGET,
        "target_s": SCALING_TARGET * SCAN_TARGET_S,
    }
