"""The cockpit (驾驶舱): the figures a district, street or community watches, for one
organization's whole subtree, each with the address of the rows behind it.

It reads the domain apps' selectors (meetings compliance, dues roll-up, study-hour roll-up,
warnings) and a few grouped queries of its own, never one query per organization or member:
the query count does not depend on the size of the subtree (a test pins it).

Scope: the caller has passed `access_organization` for `organization`, and a scope is a union
of whole subtrees, so every row under the organization is in the caller's scope. The figures
therefore depend only on the organization and the day, which is what lets them be cached and
shared between the people who may see them (`COCKPIT_CACHE_SECONDS`).
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fengling.alerts.models import Alert, Case, Level
from fengling.alerts.rules import RULE_BY_ID
from fengling.dues.models import BillStatus, DuesBill
from fengling.dues.rates import add_months, month_start
from fengling.dues.selectors import collection_rollup
from fengling.meetings.models import Meeting
from fengling.meetings.selectors import compliance_report
from fengling.members.models import Member, Membership
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization
from fengling.training.models import Attendance, ReviewStatus, StudyRecord
from fengling.training.selectors import hours_rollup, required_by_group

# How many months the trend charts cover (this month included).
TREND_MONTHS = 12
# Bump when the shape of the figures changes, so a cache never serves the old shape.
FIGURES_VERSION = 1
# Party groups and functional organizations hold no members or meetings of their own: no
# row of the heat grid (as in the study-hours report).
GRID_EXCLUDED_KINDS = (OrgKind.PARTY_GROUP, OrgKind.FUNCTIONAL)

LEVELS = (Level.RED, Level.YELLOW, Level.UPCOMING)


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _percent(part, whole) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")))


def _as_month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def cockpit_root(user) -> Organization | None:
    """The organization `/cockpit/` is about: the top of the user's scope (the district for
    everything; the first root when the user holds roles in several places)."""
    from fengling.organizations.selectors import organization_roots

    return organization_roots(user).order_by("path").first()


def cockpit_figures(user, organization: Organization, today: dt.date | None = None) -> dict:
    """The figures of `organization`'s subtree as plain JSON values, cached for
    `COCKPIT_CACHE_SECONDS` (0: computed on every call)."""
    today = today or timezone.localdate()
    seconds = getattr(settings, "COCKPIT_CACHE_SECONDS", 0)
    # Labels are translated into the figures: one entry per language.
    key = f"cockpit:v{FIGURES_VERSION}:{organization.pk}:{today.isoformat()}:{get_language()}"
    if seconds:
        cached = cache.get(key)
        if cached is not None:
            return cached
    started = time.perf_counter()
    figures = _compute(user, organization, today)
    figures["compute_ms"] = round((time.perf_counter() - started) * 1000, 1)
    if seconds:
        cache.set(key, figures, seconds)
    return figures


def _compute(user, org: Organization, today: dt.date) -> dict:
    year = today.year
    children = list(Organization.objects.children_of(org).exclude(kind__in=GRID_EXCLUDED_KINDS)
                    .order_by("path"))
    child_len = len(org.path) + Organization.steplen
    rows = {c.path: {"organization": c} for c in children}

    def row_of(prefix: str) -> dict | None:
        return rows.get(prefix)

    # Members (active), by membership and by child: one query.
    members = {"active": 0, Membership.FULL: 0, Membership.PROBATIONARY: 0}
    for prefix, membership, n in (
        Member.objects.active().in_subtree(org.path)
        .annotate(prefix=Substr("organization__path", 1, child_len)).order_by()
        .values_list("prefix", "membership").annotate(n=Count("id"))
    ):
        members["active"] += n
        members[membership] = members.get(membership, 0) + n
        if (row := row_of(prefix)) is not None:
            row["members"] = row.get("members", 0) + n

    # Organizations by kind: one query.
    kinds = dict(Organization.objects.subtree_of(org).order_by().values_list("kind")
                 .annotate(n=Count("id")))

    # Open warnings by level and child, and by rule: two queries.
    by_level = dict.fromkeys(LEVELS, 0)
    for prefix, level, n in (
        Alert.objects.open().filter(organization__path__subtree=org.path)
        .annotate(prefix=Substr("organization__path", 1, child_len)).order_by()
        .values_list("prefix", "level").annotate(n=Count("id"))
    ):
        by_level[level] = by_level.get(level, 0) + n
        if (row := row_of(prefix)) is not None:
            row[level] = row.get(level, 0) + n
    by_rule = list(
        Alert.objects.open().filter(organization__path__subtree=org.path).order_by()
        .values_list("rule", "level").annotate(n=Count("id")).order_by("-n", "rule")
    )

    # Rectification cases not closed, and overdue, by child: one query.
    cases = {"open": 0, "overdue": 0}
    for prefix, overdue, n in (
        Case.objects.active().filter(organization__path__subtree=org.path)
        .annotate(prefix=Substr("organization__path", 1, child_len)).order_by()
        .values_list("prefix").annotate(n=Count("id"), overdue=Count(
            "id", filter=Q(deadline__lt=today))).values_list("prefix", "overdue", "n")
    ):
        cases["open"] += n
        cases["overdue"] += overdue
        if (row := row_of(prefix)) is not None:
            row["cases"] = row.get("cases", 0) + n

    # 三会一课 this year (the meetings app's compliance report: three queries).
    compliance = compliance_report(user, org, dt.date(year, 1, 1), dt.date(year, 12, 31),
                                   today=today)
    for child in compliance.children:
        if (row := rows.get(child.organization.path)) is not None:
            row["meetings"] = _percent(child.met, child.required)

    # Dues this year up to this month (the dues app's roll-up: three queries).
    dues_total, dues_children = collection_rollup(org, dt.date(year, 1, 1), month_start(today))
    for child in dues_children:
        if (row := rows.get(child.organization.path)) is not None and child.rate is not None:
            row["dues"] = float(child.rate)

    # Study hours against the requirement (the training app's roll-up: four queries).
    required = required_by_group(year)
    hours = hours_rollup([org, *children], year)
    study_total = hours[0]
    for child in hours[1:]:
        if (row := rows.get(child.organization.path)) is not None:
            row["study"] = child.rate

    return {
        "organization": {
            "id": org.pk, "name": org.name, "kind": org.kind,
            "kind_label": str(org.get_kind_display()),
        },
        "as_of": today.isoformat(),
        "year": year,
        "members": {
            "active": members["active"], "full": members[Membership.FULL],
            "probationary": members[Membership.PROBATIONARY],
            "url": _url("members:list", organization=org.pk),
            "full_url": _url("members:list", organization=org.pk, membership=Membership.FULL),
            "probationary_url": _url("members:list", organization=org.pk,
                                     membership=Membership.PROBATIONARY),
        },
        "organizations": {
            "total": sum(kinds.values()),
            "by_kind": [
                {"kind": k.value, "label": str(k.label), "count": kinds[k.value],
                 "url": _url("organizations:tree", kind=k.value, within=org.pk)}
                for k in OrgKind if kinds.get(k.value)
            ],
        },
        "warnings": {
            "open": sum(by_level.values()),
            "url": _url("alerts:list", organization=org.pk),
            "by_level": [
                {"level": level.value, "label": str(level.label), "count": by_level[level],
                 "url": _url("alerts:list", level=level.value, organization=org.pk)}
                for level in LEVELS
            ],
            "by_rule": [
                {"rule": rule, "title": str(RULE_BY_ID[rule].title) if rule in RULE_BY_ID
                 else rule, "level": level, "count": n,
                 "url": _url("alerts:list", rule=rule, organization=org.pk)}
                for rule, level, n in by_rule
            ],
        },
        "meetings": {
            "required": compliance.total.required, "met": compliance.total.met,
            "rate": _percent(compliance.total.met, compliance.total.required),
            "url": _url("meetings:compliance", organization=org.pk),
        },
        "dues": {
            "amount_due": str(dues_total.amount_due), "amount_paid": str(dues_total.amount_paid),
            "rate": float(dues_total.rate) if dues_total.rate is not None else None,
            "url": _url("dues:organization", org.pk),
        },
        "study": {
            "members": study_total.members, "met": study_total.met, "rate": study_total.rate,
            "average_hours": float(study_total.average) if study_total.average is not None
            else None,
            "required_member": float(required["member"]),
            "required_leader": float(required["leader"]),
            "url": _url("training:hours", organization=org.pk, year=year),
            "behind_url": _url("training:hours", organization=org.pk, year=year, behind=1),
        },
        "cases": {
            "open": cases["open"], "overdue": cases["overdue"],
            "url": _url("alerts:cases", organization=org.pk, state="active"),
            "overdue_url": _url("alerts:cases", organization=org.pk, overdue=1),
        },
        "grid": _grid(rows, children),
        "trends": _trends(org, today),
    }


# The heat grid's columns: key, label, and whether more is better (colour from red to green)
# or worse; members are shown but not coloured.
def _indicators() -> list[dict]:
    return [
        {"key": "members", "label": _("Members"), "better": None},
        {"key": Level.RED.value, "label": _("Red warnings"), "better": "lower"},
        {"key": Level.YELLOW.value, "label": _("Yellow warnings"), "better": "lower"},
        {"key": "cases", "label": _("Open rectifications"), "better": "lower"},
        {"key": "meetings", "label": _("Meeting compliance %"), "better": "higher"},
        {"key": "dues", "label": _("Dues collected %"), "better": "higher"},
        {"key": "study", "label": _("Study hours met %"), "better": "higher"},
    ]


def _grid(rows: dict, children: list[Organization]) -> dict:
    """Children × indicators with a score in [0, 1] per cell (1 is good) for the colour.
    Counts of warnings and cases are judged per 100 members, relative to the worst child."""
    indicators = _indicators()
    per_member = {}
    for ind in indicators:
        if ind["better"] == "lower":
            per_member[ind["key"]] = max(
                (rows[c.path].get(ind["key"], 0) / max(rows[c.path].get("members", 0), 1)
                 for c in children), default=0)
    out = []
    for child in children:
        row = rows[child.path]
        cells = []
        for ind in indicators:
            key = ind["key"]
            value = row.get(key, 0 if ind["better"] != "higher" else None)
            if ind["better"] == "higher":
                score = None if value is None else round(value / 100, 3)
            elif ind["better"] == "lower":
                worst = per_member[key]
                density = value / max(row.get("members", 0), 1)
                score = round(1 - density / worst, 3) if worst else 1.0
            else:
                score = None
            cells.append({"key": key, "value": value, "score": score})
        out.append({
            "organization": {"id": child.pk, "name": child.name,
                             "url": reverse("reports:cockpit_org", args=[child.pk])},
            "cells": cells,
        })
    return {"indicators": [{"key": i["key"], "label": str(i["label"]), "better": i["better"]}
                           for i in indicators],
            "rows": out}


def _trends(org: Organization, today: dt.date) -> dict:
    """The last TREND_MONTHS months: warnings opened and resolved, meetings held, dues
    collection rate, study hours. Six grouped queries."""
    last = month_start(today)
    first = add_months(last, -(TREND_MONTHS - 1))
    months = [add_months(first, i) for i in range(TREND_MONTHS)]
    index = {m: i for i, m in enumerate(months)}
    end = _midnight(add_months(last, 1))

    def series() -> list:
        return [0] * TREND_MONTHS

    opened, resolved, held = series(), series(), series()
    alerts = Alert.objects.filter(organization__path__subtree=org.path)
    for month, n in (alerts.filter(first_seen__gte=first).annotate(m=TruncMonth("first_seen"))
                     .order_by().values_list("m").annotate(n=Count("id"))):
        if (i := index.get(_as_month(month))) is not None:
            opened[i] += n
    for month, n in (alerts.filter(resolved_on__gte=first).annotate(m=TruncMonth("resolved_on"))
                     .order_by().values_list("m").annotate(n=Count("id"))):
        if (i := index.get(_as_month(month))) is not None:
            resolved[i] += n
    for month, n in (Meeting.objects.held().in_subtree(org.path)
                     .filter(starts_at__gte=_midnight(first), starts_at__lt=end)
                     .annotate(m=TruncMonth("starts_at")).order_by().values_list("m")
                     .annotate(n=Count("id"))):
        if (i := index.get(_as_month(month))) is not None:
            held[i] += n

    due = [Decimal(0)] * TREND_MONTHS
    paid = [Decimal(0)] * TREND_MONTHS
    counted = Q(status__in=(BillStatus.OPEN, BillStatus.PAID))
    for month, amount_due, amount_paid in (
        DuesBill.objects.in_subtree(org.path).filter(month__gte=first, month__lte=last)
        .order_by().values_list("month")
        .annotate(d=Sum("amount", filter=counted),
                  p=Sum("amount", filter=Q(status=BillStatus.PAID)))
    ):
        if (i := index.get(_as_month(month))) is not None:
            due[i] += amount_due or 0
            paid[i] += amount_paid or 0
    dues_rate = [_percent(p, d) for p, d in zip(paid, due, strict=True)]

    study = [Decimal(0)] * TREND_MONTHS
    for month, hours in (
        Attendance.objects.filter(member__organization__path__subtree=org.path, present=True,
                                  session__starts_at__gte=_midnight(first),
                                  session__starts_at__lt=end)
        .annotate(m=TruncMonth("session__starts_at")).order_by().values_list("m")
        .annotate(h=Sum("session__hours"))
    ):
        if (i := index.get(_as_month(month))) is not None:
            study[i] += hours or 0
    for month, hours in (
        StudyRecord.objects.filter(member__organization__path__subtree=org.path,
                                   status=ReviewStatus.APPROVED, studied_on__gte=first,
                                   studied_on__lte=today)
        .annotate(m=TruncMonth("studied_on")).order_by().values_list("m")
        .annotate(h=Sum("hours"))
    ):
        if (i := index.get(_as_month(month))) is not None:
            study[i] += hours or 0

    def month_end(m: dt.date) -> dt.date:
        return add_months(m, 1) - dt.timedelta(days=1)

    series_list = [
            {"key": "warnings_opened", "label": _("Warnings opened"), "unit": "count",
             "values": opened,
             "urls": [_url("alerts:list", organization=org.pk, state="", opened=f"{m:%Y-%m}")
                      for m in months]},
            {"key": "warnings_resolved", "label": _("Warnings resolved"), "unit": "count",
             "values": resolved,
             "urls": [_url("alerts:list", organization=org.pk, state="resolved",
                           resolved=f"{m:%Y-%m}") for m in months]},
            {"key": "meetings_held", "label": _("Meetings held"), "unit": "count",
             "values": held,
             "urls": [_url("meetings:list", organization=org.pk, state="held",
                           start=m.isoformat(), end=month_end(m).isoformat())
                      for m in months]},
            {"key": "dues_rate", "label": _("Dues collected %"), "unit": "percent",
             "values": dues_rate,
             "urls": [_url("dues:organization", org.pk, month=f"{m:%Y-%m}") for m in months]},
            {"key": "study_hours", "label": _("Study hours"), "unit": "hours",
             "values": [float(h) for h in study],
             "urls": [_url("training:hours", organization=org.pk, year=m.year)
                      for m in months]},
    ]
    labels = [f"{m:%Y-%m}" for m in months]
    return {
        "months": labels,
        "series": series_list,
        # The same numbers month by month, for the table beside the charts.
        "rows": [{"month": label, "values": [s["values"][i] for s in series_list]}
                 for i, label in enumerate(labels)],
    }
