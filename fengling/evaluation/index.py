"""The member index (锋领指数): items as data per year, monthly crediting from the records,
secretary awards with evidence, and frozen publications (半年亮绩 / 年底考评).

RULES Part A "Index and stars": four dimensions, about 33 items, credited monthly, published
at half-year and scored at year end, then a coefficient turns the total into the annual
report that informs the appraisal (see `evidence.index_evidence`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of
from fengling.members.models import Member

from . import rules
from .models import (
    CreditStatus,
    IndexCredit,
    IndexItem,
    IndexSnapshot,
    IndexSnapshotRow,
    ItemSource,
    SnapshotKind,
)
from .scores import forget

AUTOMATIC = (ItemSource.PARTY_DAY, ItemSource.ORG_LIFE, ItemSource.DUES_ON_TIME,
             ItemSource.STUDY_HOURS)


def index_items(year: int) -> list[IndexItem]:
    """The year's items, created on first use as a copy of the latest earlier year's (else
    `rules.DEFAULT_INDEX_ITEMS`): editing one year never changes another."""
    items = list(IndexItem.objects.filter(year=year))
    if items:
        return items
    with transaction.atomic():
        before = (IndexItem.objects.filter(year__lt=year).order_by("-year")
                  .values_list("year", flat=True).first())
        if before is not None:
            IndexItem.objects.bulk_create([
                IndexItem(year=year, code=i.code, dimension=i.dimension, name=i.name,
                          points=i.points, monthly_cap=i.monthly_cap, source=i.source,
                          position=i.position)
                for i in IndexItem.objects.filter(year=before)])
        else:
            IndexItem.objects.bulk_create([
                IndexItem(year=year, code=code, dimension=dim, name=name, points=points,
                          monthly_cap=cap, source=source, position=n)
                for n, (code, dim, name, points, cap, source)
                in enumerate(rules.DEFAULT_INDEX_ITEMS)])
    return list(IndexItem.objects.filter(year=year))


def _month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt


def _records(source: str, path: str, month: dt.date):
    """(member id, record reference, units) of one source in a month under `path`: one query
    per source. Sources whose module is missing give nothing."""
    first, nxt = _month_bounds(month)
    if source in (ItemSource.PARTY_DAY, ItemSource.ORG_LIFE):
        from fengling.meetings.models import Attendance, AttendanceStatus, MeetingKind
        qs = Attendance.objects.filter(
            status=AttendanceStatus.PRESENT, member__organization__path__subtree=path,
            meeting__starts_at__gte=_aware(first), meeting__starts_at__lt=_aware(nxt))
        qs = (qs.filter(meeting__kind=MeetingKind.PARTY_DAY) if source == ItemSource.PARTY_DAY
              else qs.exclude(meeting__kind=MeetingKind.PARTY_DAY))
        return [(m, f"meetings.meeting:{mt}", Decimal(1))
                for m, mt in qs.values_list("member_id", "meeting_id")]
    if source == ItemSource.DUES_ON_TIME:
        try:
            from fengling.dues.models import BillStatus, DuesBill
        except ImportError:  # pragma: no cover - the dues module is optional here
            return []
        qs = DuesBill.objects.filter(
            month=first, status=BillStatus.PAID, payment__paid_on__lt=nxt,
            member__organization__path__subtree=path)
        return [(m, f"dues.duesbill:{b}", Decimal(1))
                for m, b in qs.values_list("member_id", "pk")]
    if source == ItemSource.STUDY_HOURS:
        try:
            from fengling.training.models import ReviewStatus, StudyRecord
        except ImportError:  # pragma: no cover
            return []
        qs = StudyRecord.objects.filter(
            status=ReviewStatus.APPROVED, studied_on__gte=first, studied_on__lt=nxt,
            member__organization__path__subtree=path)
        return [(m, f"training.studyrecord:{r}", hours)
                for m, r, hours in qs.values_list("member_id", "pk", "hours")]
    return []


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def credit_month(actor, organization, month: dt.date) -> int:
    """(Re)credit a month's automatic items for the members under `organization`, from the
    records, within each item's monthly cap. Idempotent: the month's automatic credits are
    replaced in one transaction. Awards are untouched. A fixed number of queries.
    `actor` None: the monthly command (`fengling credit_index`)."""
    if actor is not None and not scope_of(actor).covers_path(organization.path, write=True):
        raise PermissionDenied
    first, _nxt = _month_bounds(month)
    items = [i for i in index_items(first.year) if i.source in AUTOMATIC]
    rows: list[IndexCredit] = []
    for item in items:
        used: dict[int, Decimal] = defaultdict(Decimal)
        for member_id, record, units in sorted(_records(item.source, organization.path, first)):
            points = item.points * units
            if item.monthly_cap is not None:
                points = min(points, item.monthly_cap - used[member_id])
            if points <= 0:
                continue
            used[member_id] += points
            rows.append(IndexCredit(member_id=member_id, item=item, month=first,
                                    points=points, record=record))
    with transaction.atomic():
        IndexCredit.objects.filter(
            month=first, item__in=items, member__organization__path__subtree=organization.path
        ).delete()
        IndexCredit.objects.bulk_create(rows, batch_size=1000)
        forget()  # the cached rankings and scores
        audit_log(actor, "index.credit_month", organization,
                  {"month": f"{first:%Y-%m}", "credits": len(rows)},
                  organization_path=organization.path)
    return len(rows)


def credit_district(month: dt.date) -> int:
    """Credit a month for the whole tree (the monthly command and the bench figure
    `evaluation.index_month_district`): `credit_month` for each root, so a fixed number of
    queries per root whatever the number of members (one per source, one delete, the bulk
    insert in batches of 1,000 rows, the audit entry)."""
    from fengling.organizations.models import Organization

    return sum(credit_month(None, root, month)
               for root in Organization.objects.get_root_nodes())


def award(actor, member: Member, item: IndexItem, month: dt.date, evidence: str,
          points: Decimal | None = None) -> IndexCredit:
    """A secretary awards an item with evidence; it counts once reviewed (`review`)."""
    if not scope_of(actor).covers_path(member.organization.path, write=True):
        raise PermissionDenied
    if item.source != ItemSource.AWARD:
        raise ValidationError(_("This item is credited from the records, not awarded."))
    if item.year != month.year:
        raise ValidationError(_("The item belongs to another year."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": [_("Give the evidence for the award.")]})
    points = item.points if points is None else points
    month = month.replace(day=1)
    with transaction.atomic():
        if item.monthly_cap is not None:
            # The item's monthly cap holds for awards as for credits from the records:
            # what is awarded and not rejected this month, this award included.
            given = (IndexCredit.objects
                     .filter(member=member, item=item, month=month)
                     .exclude(status=CreditStatus.REJECTED)
                     .aggregate(total=Sum("points"))["total"] or Decimal(0))
            if given + points > item.monthly_cap:
                raise ValidationError({"points": [
                    _("This item gives at most %(cap)s points a month; %(given)s are "
                      "awarded already.") % {"cap": item.monthly_cap, "given": given}]})
        credit = IndexCredit.objects.create(
            member=member, item=item, month=month,
            points=points, evidence=evidence,
            status=CreditStatus.PENDING, awarded_by=actor)
        forget()
        audit_log(actor, "index.award", credit, {"item": item.code},
                  organization_path=member.organization.path)
    return credit


def review(actor, credit: IndexCredit, approve: bool) -> IndexCredit:
    """Review an award: by someone who may write the member's organization, not the awarder."""
    if not scope_of(actor).covers_path(credit.member.organization.path, write=True):
        raise PermissionDenied
    if credit.awarded_by_id == actor.pk:
        raise ValidationError(_("An award is reviewed by someone other than who gave it."))
    if credit.status != CreditStatus.PENDING:
        raise ValidationError(_("This award has been reviewed."))
    with transaction.atomic():
        credit.status = CreditStatus.APPROVED if approve else CreditStatus.REJECTED
        credit.reviewed_by = actor
        credit.save(update_fields=["status", "reviewed_by"])
        forget()
        audit_log(actor, "index.review", credit, {"approve": approve},
                  organization_path=credit.member.organization.path)
    return credit


def totals(member_ids, year: int, until: dt.date | None = None) -> dict[int, Decimal]:
    """Approved points per member in the year (up to `until`'s month). One query."""
    qs = IndexCredit.objects.filter(member_id__in=list(member_ids), month__year=year,
                                    status=CreditStatus.APPROVED)
    if until is not None:
        qs = qs.filter(month__lte=until)
    return {m: Decimal(t).quantize(rules.TWO)
            for m, t in qs.order_by().values_list("member_id").annotate(total=Sum("points"))}


def snapshot_take(actor, organization, year: int, kind: str,
                  coefficient: Decimal = rules.DEFAULT_COEFFICIENT) -> IndexSnapshot:
    """Freeze the index of the organization's members: half-year (to June) or year end (the
    whole year, × coefficient = the annual report). Ranks 1..n, ties share a rank."""
    if not scope_of(actor).covers_path(organization.path, write=True):
        raise PermissionDenied
    if kind not in SnapshotKind.values:
        raise ValidationError({"kind": [_("Choose half-year or year end.")]})
    if IndexSnapshot.objects.filter(organization=organization, year=year, kind=kind).exists():
        raise ValidationError(_("This publication has already been made."))
    until = dt.date(year, 6, 1) if kind == SnapshotKind.HALF_YEAR else dt.date(year, 12, 1)
    members = list(Member.objects.active().filter(
        organization__path__subtree=organization.path).values_list("pk", flat=True))
    got = totals(members, year, until)
    ordered = sorted(members, key=lambda m: (-(got.get(m) or Decimal(0)), m))
    with transaction.atomic():
        snap = IndexSnapshot.objects.create(organization=organization, year=year, kind=kind,
                                            coefficient=coefficient)
        rows, rank, previous = [], 0, None
        for n, m in enumerate(ordered, start=1):
            total = got.get(m) or Decimal(0)
            if total != previous:
                rank, previous = n, total
            rows.append(IndexSnapshotRow(snapshot=snap, member_id=m, total=total,
                                         report=(total * coefficient).quantize(rules.TWO),
                                         rank=rank))
        IndexSnapshotRow.objects.bulk_create(rows)
        audit_log(actor, "index.publish", snap, {"kind": kind, "members": len(rows)},
                  organization_path=organization.path)
    return snap


def member_index(member_id: int, year: int):
    """A member's own credits of the year with the record behind each, and their latest
    published rank. Two queries."""
    credits = list(IndexCredit.objects.filter(member_id=member_id, month__year=year)
                   .select_related("item").order_by("-month", "item__position", "pk"))
    latest = (IndexSnapshotRow.objects.filter(member_id=member_id, snapshot__year=year)
              .select_related("snapshot").order_by("-snapshot__created_at").first())
    return credits, latest
