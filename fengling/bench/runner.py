"""The benchmark behind `fengling bench`: plain functions, so each piece is testable.

Two processes. The parent (`run_parent`) picks a database that belongs to the benchmark alone
(never the user's), creates it if needed and re-executes `fengling bench` in a child process
whose `DATABASE_URL` points there, so Django's settings are clean. The child (`run_child`)
migrates, builds the demo district if the data do not match the scale (timing the seed),
vacuums/analyzes, then times requests in-process with Django's test client (DEBUG off, after
warm-up requests) and hands its figures back as JSON.

Figures are a list of dicts with stable dotted names, so later issues add figures the same
way and outside tools can compare runs:

    {"name": "page.member_list.district_admin", "p50_ms": .., "p95_ms": .., "ratio_to_floor": ..}
    {"name": "seed.organizations_members", "seconds": .., "rows_per_s": ..}
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

SCALES = ("small", "district")
DEFAULT_REQUESTS = {"small": 60, "district": 100}
WARMUP = 5
# Targets of issue 2, at district scale on a 2-core machine.
SEED_TARGET_S = 60.0
P95_TARGET_MS = 80.0
# Targets of issue 3: Excel import and export of the whole district, and search.
IMPORT_TARGET_S = 60.0
EXPORT_TARGET_S = 20.0
SEARCH_P95_TARGET_MS = 30.0
SECONDS_TARGETS = {"seed.": SEED_TARGET_S, "import.": IMPORT_TARGET_S,
                   "export.": EXPORT_TARGET_S}
# The persona whose whole scope is exported and who imports the district's file.
BULK_PERSONA = "district_admin"
# Issue 4: the meeting page and the member's record.
ISSUE4_P95_TARGET_MS = 100.0
PERSONAS = ("community_secretary", "district_admin")
CHILD_ENV = "FENGLING_BENCH_CHILD"
RESULT_ENV = "FENGLING_BENCH_RESULT"
DATABASE_ENV = "FENGLING_BENCH_DATABASE"
API_MEMBERS_PATH = "/api/v1/members"
API_TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 (a path, not a secret)
# Issue 5: the cockpit, alone and under 8 concurrent clients on a real server (gunicorn).
API_COCKPIT_PATH = "/api/v1/cockpit"
COCKPIT_P95_TARGET_MS = 200.0
# Informational: the first viewer after the cache expires waits this long at most.
COCKPIT_UNCACHED_TARGET_S = 5.0
CONCURRENT_CLIENTS = 8
CONCURRENT_WORKERS = 3
CONCURRENT_REQUESTS = 25  # per client, after 2 warm-up requests each


class BenchError(Exception):
    """Something the benchmark could not measure (a non-200 answer, a missing URL, ...)."""


# --- statistics ------------------------------------------------------------------------


def percentile(samples: Iterable[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `pct`% at or below it.

    Exact arithmetic for the rank: with floats, 95% of 20 samples would be rank 20, not 19.
    """
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("percentile of no samples")
    share = Fraction(str(pct))
    if not 0 < share <= 100:
        raise ValueError(f"percentile out of range: {pct}")
    rank = math.ceil(share * len(ordered) / 100)
    return ordered[rank - 1]


# --- where the benchmark's data live -----------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The benchmark's own database for one scale."""

    scale: str
    vendor: str  # "sqlite" or "postgresql"
    url: str  # the DATABASE_URL the child process runs with
    name: str  # SQLite file path or PostgreSQL database name
    seed_record: Path  # the measured seeding figure, kept beside the data

    @property
    def admin_url(self) -> str:
        """PostgreSQL: the same server, database `postgres` (to create or drop ours)."""
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/postgres"))


def bench_target(scale: str, database_url: str | None, var_dir: Path) -> Target:
    """The bench database for `scale`, next to (never instead of) the user's database."""
    if scale not in SCALES:
        raise BenchError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    parts = urlsplit(database_url or "")
    if parts.scheme in ("postgres", "postgresql", "pgsql", "postgis"):
        base = parts.path.lstrip("/") or "fengling"
        name = f"{base}_bench_{scale}"
        return Target(
            scale=scale, vendor="postgresql", url=urlunsplit(parts._replace(path=f"/{name}")),
            name=name, seed_record=var_dir / f"bench-{name}.seed.json",
        )
    if parts.scheme not in ("", "sqlite"):
        raise BenchError(f"the benchmark runs on SQLite or PostgreSQL, not {parts.scheme!r}")
    path = var_dir / f"bench-{scale}.sqlite3"
    return Target(
        scale=scale, vendor="sqlite", url=f"sqlite:///{path}", name=str(path),
        seed_record=var_dir / f"bench-{scale}.seed.json",
    )


def is_bench_database(name: str, scale: str) -> bool:
    """True only for a database named by `bench_target`: the child flushes it at will."""
    base = Path(str(name)).name
    return bool(re.fullmatch(rf"(bench-{scale}\.sqlite3|.+_bench_{scale})", base))


def prepare_database(target: Target, rebuild: bool) -> None:
    """Create the bench database if absent; with `rebuild`, start from an empty one."""
    if target.vendor == "sqlite":
        Path(target.name).parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(target.name + suffix).unlink(missing_ok=True)
            target.seed_record.unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(target.admin_url, autocommit=True) as conn:
        name = sql.Identifier(target.name)
        if rebuild:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            target.seed_record.unlink(missing_ok=True)
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target.name]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


# --- the parent process ------------------------------------------------------------------


@dataclass
class Outcome:
    figures: list[dict]
    errors: list[str]


def run_parent(scale: str, requests: int | None, rebuild: bool, log, *,
               scan_scaling: bool = False) -> Outcome:
    """Run the benchmark in a child process against the bench database; return its figures."""
    target = bench_target(scale, os.environ.get("DATABASE_URL"), Path(settings.VAR_DIR))
    prepare_database(target, rebuild)
    result_path = target.seed_record.with_name(f"bench-{scale}-{os.getpid()}.result.json")
    env = {
        **os.environ,
        "DATABASE_URL": target.url,
        CHILD_ENV: "1",
        RESULT_ENV: str(result_path),
        DATABASE_ENV: target.name,
        "FENGLING_DEBUG": "false",
        # No background-job thread polling the database while requests are timed.
        "FENGLING_JOBS": "worker",
    }
    args = [sys.executable, "-m", "fengling.cli", "bench", "--scale", scale]
    if requests:
        args += ["--requests", str(requests)]
    if rebuild:
        args.append("--rebuild")
    if scan_scaling:
        args.append("--scan-scaling")
    log(f"bench database: {target.vendor} {target.name}")
    # The child's own output (progress, the seed's report) goes to our stderr: stdout is
    # kept for the figures.
    proc = subprocess.run(args, env=env, stdout=sys.stderr, check=False)  # noqa: S603
    try:
        data = json.loads(result_path.read_text())
    except FileNotFoundError:
        return Outcome([], [f"the benchmark process failed (exit status {proc.returncode})"])
    finally:
        result_path.unlink(missing_ok=True)
    errors = list(data["errors"])
    if proc.returncode and not errors:
        errors.append(f"the benchmark process failed (exit status {proc.returncode})")
    return Outcome(data["figures"], errors)


# --- the child process: data -------------------------------------------------------------


def data_counts() -> dict[str, int]:
    """Rows the seed inserted (every organization, every member record) and the figures
    `fengling stats` shows (grassroots organizations, active members)."""
    from fengling.demo.stats import district_counts
    from fengling.members.models import Member

    stats = district_counts()
    return {
        "organizations": stats["organizations"],
        "grassroots_organizations": stats["grassroots_organizations"],
        "members": stats["members"],
        "member_rows": Member.objects.count(),
        # The year of activity (issue 4 item 9).
        "meetings": stats["meetings"],
        "meeting_attendance": stats["meeting_attendance"],
        "dues_bills": stats["dues_bills"],
        "dues_payments": stats["dues_payments"],
        "training_attendance": stats["training_attendance"],
        "study_records": stats["study_records"],
        "certificates": stats["certificates"],
    }


def seed_record_path(vendor: str, name: str) -> Path:
    if vendor == "sqlite":
        return Path(name).with_name(Path(name).stem + ".seed.json")
    return Path(settings.VAR_DIR) / f"bench-{name}.seed.json"


ACTIVITY_ROWS = ("meetings", "meeting_attendance", "dues_bills", "dues_payments",
                 "training_attendance", "study_records", "certificates")
# Issue 4: the whole district seed with a year of activity.
SEED_WITH_ACTIVITY_TARGET_S = 180.0


def seed_figure(counts: dict[str, int], seconds: float, scale: str, vendor: str) -> dict:
    """Seeding time of the whole `seed` command, a year of activity included; rows are
    organizations plus member records (active or not) plus the activity rows."""
    rows = (counts["organizations"] + counts["member_rows"]
            + sum(counts.get(key, 0) for key in ACTIVITY_ROWS))
    return {
        "name": "seed.organizations_members",
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds) if seconds > 0 else None,
        **counts,
        "scale": scale,
        "database": vendor,
        "target_s": SEED_WITH_ACTIVITY_TARGET_S,
    }


def ensure_data(scale: str, vendor: str, record_path: Path, rebuild: bool, log) -> dict:
    """Seed the bench database unless it already holds this scale's data; the seed figure.

    The data match when the record of the last measured seed names this scale and the
    counts in the database equal the counts it recorded. Then the recorded figure is
    reported again, marked `"cached": true`.
    """
    counts = data_counts()
    record = None
    if not rebuild and record_path.exists():
        try:
            record = json.loads(record_path.read_text())
        except ValueError:
            record = None
    if record and record.get("scale") == scale and all(
        record.get(key) == value for key, value in counts.items()
    ):
        return {**record, "cached": True}
    if counts["organizations"] or counts["member_rows"]:
        # Empty first, so that the figure times building the data, not deleting the old.
        log("the bench database holds other data: flushing it")
        call_command("flush", interactive=False, verbosity=0)
    log(f"seeding the {scale} district ...")
    output = StringIO()
    started = time.perf_counter()
    call_command("seed", scale=scale, interactive=False, stdout=output, stderr=output)
    seconds = time.perf_counter() - started
    if output.getvalue().strip():
        log(output.getvalue().rstrip())
    figure = seed_figure(data_counts(), seconds, scale, vendor)
    record_path.write_text(json.dumps(figure, ensure_ascii=False, indent=2) + "\n")
    return figure


def settle(vendor: str) -> None:
    """Bring the tables to the steady state a live server reaches on its own (autovacuum on
    PostgreSQL sets the visibility map that index-only scans need), so that the first run
    after seeding and the later ones measure the same thing."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")


def run_child(scale: str, requests: int | None, rebuild: bool, log, *,
              scan_scaling: bool = False) -> Outcome:
    """Migrate, build the data if absent, measure. Refuses any database but a bench one."""
    db = settings.DATABASES["default"]
    name = str(db["NAME"])
    if os.environ.get(DATABASE_ENV) != name or not is_bench_database(name, scale):
        raise BenchError(f"refusing to benchmark {name!r}: not the bench database")
    vendor = connection.vendor
    call_command("migrate", interactive=False, verbosity=0)
    figures: list[dict] = []
    errors: list[str] = []
    try:
        figures.append(ensure_data(scale, vendor, seed_record_path(vendor, name), rebuild, log))
    except Exception as exc:  # the seed is someone else's code: report, do not crash
        errors.append(f"seeding failed: {exc!r}")
        return Outcome(figures, errors)
    settle(vendor)
    n = requests or DEFAULT_REQUESTS[scale]
    log(f"timing requests: {WARMUP} warm-up + {n} each ...")
    try:
        personas = personas_by_name()
    except BenchError as exc:
        return Outcome(figures, [*errors, str(exc)])
    latency = run_latency(personas, requests=n, password=settings.DEMO_PASSWORD, log=log)
    for figure in latency.figures:
        figure.update(scale=scale, database=vendor)
    figures += latency.figures
    errors += latency.errors
    log("timing the Excel export and import of the whole district ...")
    bulk = run_bulk(personas[BULK_PERSONA], Path(settings.VAR_DIR), log=log)
    for figure in bulk.figures:
        figure.update(scale=scale, database=vendor)
    figures += bulk.figures
    errors += bulk.errors
    for name, measure_bulk in BULK_FIGURES:
        try:
            figures.append({**measure_bulk(), "scale": scale, "database": vendor})
        except Exception as exc:  # one bulk figure failing leaves the others
            errors.append(f"{name}: {exc!r}")
    if scan_scaling:
        try:
            figures.append(measure_scan_scaling(figures, scale, vendor, log))
        except Exception as exc:
            errors.append(f"alerts.scan_scaling: {exc!r}")
    return Outcome(figures, errors)


def _dues_generate_bills() -> dict:
    from fengling.dues.bench import generate_bills_figure

    return generate_bills_figure()


COMPLIANCE_TARGET_S = 2.0


def _meetings_compliance_year() -> dict:
    """The district's compliance report (三会一课 required vs held) for the year of the demo
    activity, as the district administrator sees it (issue 4 item 11: at most 2 s)."""
    from django.utils import timezone

    from fengling.meetings.selectors import compliance_report

    user = personas_by_name()["district_admin"]
    root = home_organization(user)
    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    started = time.perf_counter()
    report = compliance_report(user, root, start, end, today=today)
    seconds = time.perf_counter() - started
    return {
        "name": "meetings.compliance_year",
        "seconds": round(seconds, 2),
        "rows_per_s": round(report.total.organizations / seconds) if seconds > 0 else None,
        "organizations": report.total.organizations,
        "year": today.year,
        "target_s": COMPLIANCE_TARGET_S,
    }


def _evaluation_index_month() -> dict:
    from fengling.evaluation.bench import index_month_figure

    return index_month_figure()


def _evaluation_org_scores() -> dict:
    from fengling.evaluation.bench import org_scores_figure

    return org_scores_figure()
def _cockpit_figures_uncached() -> dict:
    """The district admin's cockpit figures computed without the cache: what the first
    viewer of the day (or after COCKPIT_CACHE_SECONDS) waits for."""
    from fengling.reports.cockpit import cockpit_figures, cockpit_root

    user = personas_by_name()["district_admin"]
    root = cockpit_root(user)
    with override_settings(COCKPIT_CACHE_SECONDS=0), \
            CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        cockpit_figures(user, root)
        seconds = time.perf_counter() - started
    return {"name": "cockpit.figures_uncached", "seconds": round(seconds, 3),
            "queries": len(queries.captured_queries), "organization": root.name,
            "target_s": COCKPIT_UNCACHED_TARGET_S}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local)
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"the server at {url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def _cockpit_concurrent(clients: int = CONCURRENT_CLIENTS,
                        requests: int = CONCURRENT_REQUESTS) -> dict:
    """The district admin's cockpit under `clients` concurrent clients on a real server:
    gunicorn with CONCURRENT_WORKERS sync workers on a free port, against the bench database
    (this process's DATABASE_URL); each client a thread with its own keep-alive-less urllib
    requests and the admin's session cookie. Two warm-up requests per client, then
    `requests` each; p50/p95 of the measured ones, errors (must be 0), requests per second."""
    import threading
    import urllib.request

    user = personas_by_name()["district_admin"]
    login = Client()
    login.force_login(user)  # a database session: every worker sees it
    cookie = f"{settings.SESSION_COOKIE_NAME}={login.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.pop(CHILD_ENV, None)
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(CONCURRENT_WORKERS), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n_warmup: int, n: int) -> None:
        for i in range(n_warmup + n):
            request = urllib.request.Request(  # noqa: S310 (our local server)
                f"{base}/cockpit/", headers={"Cookie": cookie})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200 and response.url.endswith("/cockpit/")
                    status = f"{response.status} {response.url}"
            except OSError as exc:
                ok, status = False, repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if not ok:
                    errors.append(status)
                elif i >= n_warmup:
                    samples.append(elapsed)

    try:
        _wait_for(f"{base}{_url('core:healthz')}")
        warm = [threading.Thread(target=client, args=(2, 0)) for _ in range(clients)]
        for t in warm:
            t.start()
        for t in warm:
            t.join()
        threads = [threading.Thread(target=client, args=(0, requests)) for _ in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    if not samples:
        raise BenchError(f"cockpit.concurrent_8: no request succeeded ({errors[:3]})")
    return {
        "name": f"cockpit.concurrent_{clients}",
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "errors": len(errors),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / wall, 1) if wall > 0 else None,
        "clients": clients, "workers": CONCURRENT_WORKERS, "server": "gunicorn",
        "target_ms": COCKPIT_P95_TARGET_MS,
    }


# Bulk work timed once each after the requests: (name, function returning the figure, which
# has "seconds", "rows_per_s" and its own "target_s").
def _alerts_scan_district() -> dict:
    from fengling.alerts.bench import scan_district_figure

    return scan_district_figure()


BULK_FIGURES: list[tuple[str, Callable[[], dict]]] = [
    ("dues.generate_bills_month", _dues_generate_bills),
    ("meetings.compliance_year", _meetings_compliance_year),
    # Issue 5: the full scan of the district and its ratio to the floor.
    ("alerts.scan_district", _alerts_scan_district),
    # Issue 6: the index month first, so the scores see its credits.
    ("evaluation.index_month_district", _evaluation_index_month),
    ("evaluation.org_scores_year", _evaluation_org_scores),
    ("cockpit.figures_uncached", _cockpit_figures_uncached),
    ("cockpit.concurrent_8", _cockpit_concurrent),
]


def measure_scan_scaling(figures: list[dict], scale: str, vendor: str, log) -> dict:
    """`--scan-scaling`: the scan on 4x the data against this run's 1x scan."""
    from fengling.alerts.bench import scan_scaling_figure

    base = next((f for f in figures if f["name"] == "alerts.scan_district"), None)
    log("timing the scan on 4x the data ...")
    figure = scan_scaling_figure(base)
    log(f"  alerts.scan_scaling: {figure['seconds']} s on 4x, {figure['base_seconds']} s "
        f"on 1x (x{figure['ratio']})")
    return {**figure, "scale": scale, "database": vendor}


# --- the child process: requests ---------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One figure to measure: GET `path` with `client` (logged in, bearer, or anonymous)."""

    name: str
    path: str
    client: Client
    headers: dict | None = None
    extra: dict | None = None


Builder = Callable[[], Probe]


def _timed_get(probe: Probe) -> float:
    started = time.perf_counter()
    response = probe.client.get(probe.path, headers=probe.headers)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise BenchError(f"{probe.name}: GET {probe.path} answered {response.status_code}")
    return elapsed * 1000


def measure(probe: Probe, *, requests: int, warmup: int = WARMUP) -> dict:
    """p50/p95 over `requests` timed GETs after `warmup` ones, and one request's queries."""
    # DEBUG off, as in production; the test client calls itself "testserver".
    with override_settings(DEBUG=False,
                           ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for _ in range(warmup):
            _timed_get(probe)
        samples = [_timed_get(probe) for _ in range(requests)]
        with CaptureQueriesContext(connection) as queries:
            _timed_get(probe)
    return {
        "name": probe.name,
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "queries": len(queries.captured_queries),
        "requests": requests,
        **(probe.extra or {}),
    }


def personas_by_name() -> dict:
    from fengling.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
    missing = [p for p in PERSONAS if p not in users]
    if missing:
        raise BenchError(f"demo accounts missing: {', '.join(missing)}")
    return {p: users[p] for p in PERSONAS}


def home_organization(user):
    """The organization the persona's (first, active) role is bound to."""
    assignment = (
        user.role_assignments.active().select_related("organization").order_by("id").first()
    )
    if assignment is None:
        raise BenchError(f"{user.username} holds no role")
    return assignment.organization


def recent_meeting(user) -> tuple[int, int]:
    """The latest held meeting the persona sees, and a member who attended it (whose record
    then holds a year of meetings): (meeting id, member id)."""
    from fengling.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingState

    meeting = (Meeting.objects.visible_to(user).filter(state=MeetingState.HELD)
               .order_by("-starts_at", "-id").values_list("pk", flat=True).first())
    if meeting is None:
        raise BenchError(f"{user.username} sees no held meeting")
    member = (Attendance.objects.filter(meeting_id=meeting, status=AttendanceStatus.PRESENT)
              .order_by("member_id").values_list("member_id", flat=True).first())
    if member is None:
        raise BenchError(f"nobody attended meeting {meeting}")
    return meeting, member


def search_term(user) -> str:
    """A name fragment that finds real members in scope: the commonest first two characters
    (surname and the first character of the given name) among the members the user sees."""
    from fengling.members.selectors import member_list

    names = member_list(user).order_by().values_list("name", flat=True)
    prefixes = Counter(name[:2] for name in names.iterator() if name)
    if not prefixes:
        raise BenchError(f"{user.username} sees no member to search for")
    # Commonest first; ties broken by the fragment itself, so the choice is deterministic.
    return min(prefixes.items(), key=lambda item: (-item[1], item[0]))[0]


def pinyin_search_term(user) -> str:
    """The pinyin initials of real members in scope, as typed (张三 → "zs"): the commonest
    initials among the members the user sees, ties broken by the initials themselves."""
    from fengling.members.selectors import member_list

    initials = Counter(member_list(user).order_by().values_list("name_initials", flat=True)
                       .iterator())
    initials.pop("", None)
    if not initials:
        raise BenchError(f"{user.username} sees no member to search for by pinyin")
    return min(initials.items(), key=lambda item: (-item[1], item[0]))[0]


def full_pinyin_search_term(user) -> str:
    """The full pinyin of a real member's name in scope, as typed (张三 → "zhangsan"): the
    commonest among the members the user sees, ties broken by the pinyin itself."""
    from fengling.members.selectors import member_list

    keys = Counter(member_list(user).order_by().values_list("name_pinyin", flat=True)
                   .iterator())
    keys.pop("", None)
    if not keys:
        raise BenchError(f"{user.username} sees no member to search for by full pinyin")
    return min(keys.items(), key=lambda item: (-item[1], item[0]))[0]


def phone_search_term(user) -> str:
    """The last four digits of a real member's phone in scope: the commonest, ties broken
    by the digits themselves."""
    from fengling.members.selectors import member_list

    tails = Counter(phone[-4:] for phone in member_list(user).order_by()
                    .values_list("phone", flat=True).iterator()
                    if len(phone) >= 4 and phone[-4:].isdigit())
    if not tails:
        raise BenchError(f"{user.username} sees no member with a phone to search for")
    return min(tails.items(), key=lambda item: (-item[1], item[0]))[0]


def api_token(username: str, password: str) -> str | None:
    """A bearer token through the API, as a client would get one; None if the endpoint is
    not there (then the API is measured with the session)."""
    response = Client().post(
        API_TOKEN_PATH, {"username": username, "password": password},
        content_type="application/json",
    )
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise BenchError(f"POST {API_TOKEN_PATH} for {username} answered {response.status_code}")
    return response.json()["token"]


def _url(name: str, *args, query: dict | None = None) -> str:
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        raise BenchError(f"URL name {name!r} is not defined") from None
    return f"{path}?{urlencode(query)}" if query else path


def persona_probes(persona: str, user, password: str | None) -> list[tuple[str, Builder]]:
    """The figures measured for one persona, each built lazily so one failure stays local."""
    session = Client()
    session.force_login(user)

    def api_probe() -> Probe:
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            token = api_token(user.username, password) if password else None
        if token is None:
            return Probe(f"api.member_list.{persona}", API_MEMBERS_PATH, session,
                         extra={"auth": "session"})
        return Probe(f"api.member_list.{persona}", API_MEMBERS_PATH, Client(),
                     headers={"Authorization": f"Bearer {token}"}, extra={"auth": "bearer"})

    def search_probe() -> Probe:
        term = search_term(user)
        return Probe(f"search.member.{persona}", _url("members:list", query={"q": term}),
                     session, extra={"q": term})

    def pinyin_search_probe() -> Probe:
        term = pinyin_search_term(user)
        return Probe(f"search.member_pinyin.{persona}",
                     _url("members:list", query={"q": term}), session, extra={"q": term})

    def full_pinyin_search_probe() -> Probe:
        term = full_pinyin_search_term(user)
        return Probe(f"search.member_fullpinyin.{persona}",
                     _url("members:list", query={"q": term}), session, extra={"q": term})

    def phone_search_probe() -> Probe:
        term = phone_search_term(user)
        return Probe(f"search.member_phone.{persona}",
                     _url("members:list", query={"q": term}), session, extra={"q": term})

    def cockpit_api_probe() -> Probe:
        return Probe(f"api.cockpit.{persona}", API_COCKPIT_PATH, session,
                     extra=cockpit_extra())

    def page(figure: str, url_name: str, *args) -> tuple[str, Builder]:
        name = f"page.{figure}.{persona}"
        return name, lambda: Probe(name, _url(url_name, *(a() for a in args)), session)

    def timed_page(figure: str, url_name: str, *args) -> tuple[str, Builder]:
        name = f"page.{figure}.{persona}"
        return name, lambda: Probe(name, _url(url_name, *(a() for a in args)), session,
                                   extra={"target_ms": ISSUE4_P95_TARGET_MS})

    return [
        page("member_list", "members:list"),
        (f"search.member.{persona}", search_probe),
        (f"search.member_pinyin.{persona}", pinyin_search_probe),
        page("organization", "organizations:detail", lambda: home_organization(user).pk),
        page("home", "reports:home"),
        page("tree", "organizations:tree"),
        (f"api.member_list.{persona}", api_probe),
        # Added by issue 3 (after the figures of issue 2, whose order stays).
        (f"search.member_fullpinyin.{persona}", full_pinyin_search_probe),
        (f"search.member_phone.{persona}", phone_search_probe),
        # Issue 4: a meeting page and a member's record (锋领e家), p95 at most 100 ms.
        timed_page("meeting", "meetings:detail", lambda: recent_meeting(user)[0]),
        timed_page("member_record", "record:member", lambda: recent_meeting(user)[1]),
        # Issue 5: the cockpit (驾驶舱) of the top of the scope, page and API, p95 ≤ 200 ms.
        cockpit_page_probe(persona, session),
        (f"api.cockpit.{persona}", cockpit_api_probe),
        # Issue 6: rankings, distributions, the star map and funding (district admin).
        *evaluation_page_probes(persona, session),
    ]


def evaluation_page_probes(persona: str, session: Client) -> list[tuple[str, Builder]]:
    """The evaluation pages of `evaluation.bench.PAGE_PROBES` for its personas."""
    from fengling.evaluation.bench import PAGE_P95_TARGET_MS, PAGE_PERSONAS, PAGE_PROBES

    if persona not in PAGE_PERSONAS:
        return []

    def probe(name: str, url_name: str) -> Builder:
        return lambda: Probe(name, _url(url_name), session,
                             extra={"target_ms": PAGE_P95_TARGET_MS})

    return [(f"page.{figure}.{persona}", probe(f"page.{figure}.{persona}", url_name))
            for figure, url_name in PAGE_PROBES]


def cockpit_extra() -> dict:
    """The cockpit's figures are cached (COCKPIT_CACHE_SECONDS, shared by every viewer of an
    organization): the probes measure pages served from a warm cache, after the warm-up;
    `cockpit.figures_uncached` times the computation itself."""
    return {"target_ms": COCKPIT_P95_TARGET_MS, "cache_s": settings.COCKPIT_CACHE_SECONDS}


def cockpit_page_probe(persona: str, session: Client) -> tuple[str, Builder]:
    name = f"page.cockpit.{persona}"
    return name, lambda: Probe(name, _url("reports:cockpit"), session, extra=cockpit_extra())


def run_latency(personas: dict, *, requests: int, warmup: int = WARMUP,
                password: str | None = None, log=None) -> Outcome:
    """The floor, then every persona's pages and API; ratios to the floor's p50.

    A figure that cannot be measured becomes an error line; the others are still measured.
    """
    figures: list[dict] = []
    errors: list[str] = []
    builders: list[tuple[str, Builder]] = [
        ("floor.minimal_view", lambda: Probe("floor.minimal_view", _url("core:healthz"), Client()))
    ]
    for persona, user in personas.items():
        builders += persona_probes(persona, user, password)
    for name, build in builders:
        try:
            figure = measure(build(), requests=requests, warmup=warmup)
        except BenchError as exc:
            errors.append(str(exc))
            continue
        except Exception as exc:  # a view that raises is an error of that figure
            errors.append(f"{name}: {exc!r}")
            continue
        if log:
            log(f"  {name}: p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms, "
                f"{figure['queries']} queries")
        figures.append(figure)
    floor_p50 = next((f["p50_ms"] for f in figures if f["name"] == "floor.minimal_view"), None)
    ordered = []
    for figure in figures:
        ratio = round(figure["p50_ms"] / floor_p50, 2) if floor_p50 else None
        head = {k: figure.pop(k) for k in ("name", "p50_ms", "p95_ms")}
        ordered.append({**head, "ratio_to_floor": ratio, **figure})
    return Outcome(ordered, errors)


# --- the child process: bulk work (Excel export and import) ------------------------------


def import_columns_row(values: dict) -> list:
    from fengling.members.imports import COLUMNS

    return [values.get(c.key) for c in COLUMNS]


def write_import_file(path: Path, members) -> int:
    """An import file shaped like the template (Chinese headers and labels, as staff fill
    it in) of the given members, each with a fresh, valid ID number that agrees with their
    birth date and gender but belongs to nobody in the database (another area code)."""
    from django.utils import translation
    from django.utils.text import capfirst
    from openpyxl import Workbook

    from fengling.core.lib import idcard
    from fengling.members.imports import COLUMNS
    from fengling.members.models import Education, Gender, Membership, Occupation

    fields = ["name", "gender", "ethnicity", "birth_date", "phone", "education",
              "occupation", "work_unit", "join_date", "membership", "conversion_date",
              "organization__code"]
    sequences: Counter = Counter()
    # Area codes no seeded member has (Beijing's districts); 500 numbers per birth date each.
    areas = ("110101", "110102", "110105", "110106", "110107", "110108")
    with translation.override("zh-hans"):
        labels = {key: {v: str(label) for v, label in choices.choices}
                  for key, choices in (("gender", Gender), ("education", Education),
                                       ("occupation", Occupation),
                                       ("membership", Membership))}
        book = Workbook(write_only=True)
        sheet = book.create_sheet("党员")
        sheet.append([capfirst(str(c.label)) for c in COLUMNS])
        rows = 0
        for values in members.values(*fields).iterator(chunk_size=2000):
            key = (values["birth_date"], values["gender"])
            n = sequences[key]
            sequences[key] += 1
            values["id_number"] = idcard.build(areas[n // 500], values["birth_date"],
                                               n % 500, values["gender"])
            values["organization_code"] = values.pop("organization__code")
            for field, mapping in labels.items():
                values[field] = mapping[values[field]]
            sheet.append(import_columns_row(values))
            rows += 1
        book.save(path)
    return rows


def read_file_seconds(path: Path) -> float:
    """Merely reading the file with openpyxl (read-only, values only): the floor of any
    import."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    for _row in book.worksheets[0].iter_rows(values_only=True):
        pass
    book.close()
    return time.perf_counter() - started


def import_figure(user, path: Path, log=None) -> tuple[dict, list[str]]:
    """Time `member_import` of the file at `path` as `user`: every row checked, then all
    written in one committed transaction, as in production. The rows are then deleted
    again (not timed), so the bench database keeps the seed's data."""
    from fengling.core.models import AuditEntry
    from fengling.members.imports import format_report, member_import
    from fengling.members.models import Member, StatusChange

    read_s = read_file_seconds(path)
    last_pk = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_audit = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.perf_counter()
    with path.open("rb") as handle:
        result = member_import(user, handle, source=path.name)
    seconds = time.perf_counter() - started
    errors = []
    if not result.ok:
        errors.append(f"import.members: {len(result.errors)} bad rows, nothing written; "
                      + "; ".join(format_report(result)[:3]))
    # Not timed: put the database back as it was.
    # The import also wrote each member's first status-history row (党籍): those go first.
    history = StatusChange.objects.filter(member_id__gt=last_pk)
    history._raw_delete(history.db)
    imported = Member.objects.filter(pk__gt=last_pk)
    imported._raw_delete(imported.db)
    AuditEntry.objects.filter(pk__gt=last_audit, action="members.import").delete()
    figure = {
        "name": "import.members",
        "seconds": round(seconds, 2),
        "rows_per_s": round(result.rows / seconds) if seconds > 0 else None,
        "rows": result.rows,
        "written": result.written,
        "read_seconds": round(read_s, 2),
        "ratio_to_read": round(seconds / read_s, 2) if read_s > 0 else None,
    }
    if log:
        log(f"  import.members: {figure['seconds']} s for {result.rows:,} rows "
            f"(reading alone {figure['read_seconds']} s, x{figure['ratio_to_read']})")
    return figure, errors


def export_figure(user, persona: str, log=None) -> dict:
    """Time the export of every member `user` may see (masked .xlsx, audited)."""
    from fengling.members.exports import member_export

    started = time.perf_counter()
    workbook = member_export(user)
    seconds = time.perf_counter() - started
    figure = {
        "name": f"export.members.{persona}",
        "seconds": round(seconds, 2),
        "rows_per_s": round(workbook.rows / seconds) if seconds > 0 else None,
        "rows": workbook.rows,
        "bytes": len(workbook.content),
    }
    if log:
        log(f"  {figure['name']}: {figure['seconds']} s for {workbook.rows:,} rows")
    return figure


def run_bulk(user, var_dir: Path, *, persona: str = BULK_PERSONA, log=None) -> Outcome:
    """The export of all members `user` sees, then the import of a file of as many rows as
    the district has members (active ones: 45,618 at district scale)."""
    from fengling.members.models import Member
    from fengling.members.selectors import member_list

    figures: list[dict] = []
    errors: list[str] = []
    try:
        figures.append(export_figure(user, persona, log))
    except Exception as exc:
        errors.append(f"export.members.{persona}: {exc!r}")
    path = Path(var_dir) / f"bench-import-{os.getpid()}.xlsx"
    try:
        members = member_list(user).filter(pk__in=Member.objects.active().values("pk"))
        write_import_file(path, members)
        figure, import_errors = import_figure(user, path, log)
        figures.append(figure)
        errors += import_errors
    except Exception as exc:
        errors.append(f"import.members: {exc!r}")
    finally:
        path.unlink(missing_ok=True)
    return Outcome(figures, errors)


# --- reporting ---------------------------------------------------------------------------


def summary_table(figures: list[dict], scale: str) -> str:
    """A human table with the issue's targets (they apply at district scale)."""
    lines = [
        f"{'figure':<40} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8} {'queries':>7}  target",
    ]
    for f in figures:
        if "seconds" in f:
            limit = f.get("target_s") or next(
                (t for prefix, t in SECONDS_TARGETS.items() if f["name"].startswith(prefix)),
                SEED_TARGET_S)
            ok = f["seconds"] <= limit
            cached = " (cached)" if f.get("cached") else ""
            timing = f"{f['seconds']:.2f} s, {f.get('rows_per_s') or 0:,} rows/s"
            if f.get("ratio_to_read"):
                cached += f" (x{f['ratio_to_read']} reading the file)"
            if f.get("target_ratio"):
                ok = f["ratio"] is not None and f["ratio"] <= f["target_ratio"]
                cached += f" (x{f['ratio']} of 1x, target x{f['target_ratio']:.0f} " \
                          f"{'ok' if ok else 'MISSED'})"
            elif f.get("ratio_to_floor"):
                cached += f" (x{f['ratio_to_floor']} floor, {f.get('queries')} queries)"
            lines.append(
                f"{f['name']:<40} {timing:>34}  "
                f"seconds <= {limit:.0f} {'ok' if ok else 'MISSED'}{cached}"
            )
            continue
        target = ""
        if not f["name"].startswith("floor."):
            target_ms = f.get("target_ms") or (
                SEARCH_P95_TARGET_MS if f["name"].startswith("search.") else P95_TARGET_MS)
            target = f"p95 <= {target_ms:.0f} ms " + (
                "ok" if f["p95_ms"] <= target_ms else "MISSED"
            )
        if "errors" in f:
            target += f", {f['errors']} errors, {f.get('requests_per_s')} req/s"
        ratio = f.get("ratio_to_floor")
        lines.append(
            f"{f['name']:<40} {f['p50_ms']:>8.2f} {f['p95_ms']:>8.2f} "
            f"{ratio if ratio is not None else '-':>8} {f.get('queries', '-'):>7}  {target}"
        )
    if scale != "district":
        lines.append("(the targets apply at district scale)")
    if hasattr(os, "getloadavg"):
        # Other work on the machine shows in the figures; say how busy it was.
        lines.append(f"load average at the end: {os.getloadavg()[0]:.2f}")
    return "\n".join(lines)
