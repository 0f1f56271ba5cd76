"""Scoped reads of dues: a member's dues, arrears, collection rates rolled up the tree,
remittances, statements. Queries are set-based; their number does not grow with the rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from fengling.core.scoping import guard, scope_of
from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.organizations.models import Organization

from . import rates
from .models import BillStatus, DuesBill, DuesPayment, DuesProfile, Remittance
from .rates import add_months, month_start

ZERO = rates.ZERO


def access_payment(user, pk, write: bool = False) -> DuesPayment:
    return guard(DuesPayment.objects.select_related("member", "organization"), user, pk,
                 write=write)


def profile_history(member: Member) -> list[DuesProfile]:
    return list(DuesProfile.objects.filter(member=member).order_by("-effective_month"))


def profile_in_force(history: list[DuesProfile], month: dt.date) -> DuesProfile | None:
    """The row of `history` (newest first) in force in `month`."""
    return next((p for p in history if p.effective_month <= month), None)


@dataclass(frozen=True)
class Arrears:
    months_owed: int
    oldest_month: dt.date | None
    amount_owed: Decimal

    @property
    def level(self) -> str | None:
        return rates.arrears_level(self.months_owed)


def member_arrears(member: Member, today: dt.date) -> Arrears:
    """Months the member owes up to and including the current month. Payments settle the
    oldest month first, so the unpaid months are consecutive and their count is the age."""
    row = DuesBill.objects.filter(
        member=member, status=BillStatus.OPEN, month__lte=month_start(today)
    ).aggregate(n=Count("id"), oldest=Min("month"), owed=Sum("amount"))
    return Arrears(row["n"], row["oldest"], _money(row["owed"]))


@dataclass(frozen=True)
class MemberDues:
    member: Member
    history: list[DuesProfile]
    current: DuesProfile | None
    bills: list[DuesBill]
    payments: list[DuesPayment]
    arrears: Arrears
    year: int
    can_write: bool
    totals: dict = field(default_factory=dict)


def member_dues(user, pk, *, year: int, today: dt.date) -> MemberDues:
    """The member dues page / yearly statement of `pk` (404 outside the scope)."""
    member = access_member(user, pk)
    history = profile_history(member)
    bills = list(DuesBill.objects.filter(member=member, month__year=year)
                 .select_related("payment", "member", "organization").order_by("month"))
    payments = list(DuesPayment.objects.filter(member=member, paid_on__year=year)
                    .select_related("member", "organization").order_by("-paid_on", "-id"))
    totals = {
        "due": sum((b.amount for b in bills if b.status in (BillStatus.OPEN, BillStatus.PAID)),
                   ZERO),
        "paid": sum((b.amount for b in bills if b.status == BillStatus.PAID), ZERO),
        "voluntary": sum((p.voluntary_amount for p in payments), ZERO),
        "received": sum((p.amount for p in payments), ZERO),
    }
    return MemberDues(
        member=member, history=history, current=profile_in_force(history, month_start(today)),
        bills=bills, payments=payments, arrears=member_arrears(member, today), year=year,
        can_write=scope_of(user).covers_path(member.organization.path, write=True),
        totals=totals,
    )


# --- arrears of a subtree ---------------------------------------------------------------------


def arrears_list(user, organization: Organization, *, today: dt.date, min_months: int = 1):
    """Members of the subtree with unpaid months up to now, the longest-owing first: one
    grouped query, each row a dict with the member, branch, months owed, oldest month,
    amount owed (the caller paginates)."""
    return (
        DuesBill.objects.visible_to(user).in_subtree(organization.path)
        .filter(status=BillStatus.OPEN, month__lte=month_start(today))
        .values("member_id", "member__name", "organization_id", "organization__name")
        .annotate(months_owed=Count("id"), oldest_month=Min("month"),
                  amount_owed=Sum("amount"))
        .filter(months_owed__gte=min_months)
        .order_by("-months_owed", "organization__name", "member__name", "member_id")
    )


def _money(value) -> Decimal:
    """Sums come back from SQLite without their scale: show them to the fen."""
    return (value or ZERO).quantize(rates.CENT)


def with_levels(rows) -> list[dict]:
    return [{**row, "amount_owed": _money(row["amount_owed"]),
             "level": rates.arrears_level(row["months_owed"])} for row in rows]


# --- collection rate rolled up the tree -------------------------------------------------------


@dataclass
class Collection:
    organization: Organization
    bills_due: int = 0
    bills_paid: int = 0
    amount_due: Decimal = ZERO
    amount_paid: Decimal = ZERO
    unassessed: int = 0
    exempt: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Share of the amount due that is paid, in percent (None when nothing is due)."""
        if not self.amount_due:
            return None
        return (self.amount_paid * 100 / self.amount_due).quantize(Decimal("0.1"))

    @property
    def count_rate(self) -> Decimal | None:
        if not self.bills_due:
            return None
        return (Decimal(self.bills_paid) * 100 / self.bills_due).quantize(Decimal("0.1"))

    def add(self, other: Collection) -> None:
        for name in ("bills_due", "bills_paid", "amount_due", "amount_paid", "unassessed",
                     "exempt"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


DUE = Q(status__in=(BillStatus.OPEN, BillStatus.PAID))
PAID = Q(status=BillStatus.PAID)


def collection_rollup(organization: Organization, first_month: dt.date,
                      last_month: dt.date) -> tuple[Collection, list[Collection]]:
    """The collection of `organization`'s subtree over the months, and of each child's subtree.

    Three queries whatever the size of the tree: the bills of the months grouped by branch
    (from the month index), the subtree's organizations (id → path), and the children. Each
    branch's totals are added to the child whose materialized path prefixes the branch's.
    """
    rows = (
        DuesBill.objects.in_subtree(organization.path)
        .filter(month__gte=month_start(first_month), month__lte=month_start(last_month))
        .values("organization_id")
        .annotate(
            bills_due=Count("id", filter=DUE), bills_paid=Count("id", filter=PAID),
            amount_due=Sum("amount", filter=DUE), amount_paid=Sum("amount", filter=PAID),
            unassessed=Count("id", filter=Q(status=BillStatus.UNASSESSED)),
            exempt=Count("id", filter=Q(status=BillStatus.EXEMPT)),
        )
        .order_by()
    )
    length = (organization.depth + 1) * Organization.steplen
    children = {c.path: Collection(c) for c in Organization.objects.children_of(organization)
                .order_by("path")}
    total = Collection(organization)
    rows = list(rows)
    paths = dict(Organization.objects.subtree_of(organization).order_by()
                 .values_list("pk", "path")) if rows else {}
    for row in rows:
        part = Collection(organization, row["bills_due"], row["bills_paid"],
                          _money(row["amount_due"]), _money(row["amount_paid"]),
                          row["unassessed"], row["exempt"])
        total.add(part)
        child = children.get(paths.get(row["organization_id"], "")[:length])
        if child is not None:
            child.add(part)
    return total, list(children.values())


# --- remittances, payments, bills -------------------------------------------------------------


def remittances_of(user, organization: Organization):
    """Remittances from `organization` to its parent and from its children to it."""
    return (
        Remittance.objects.visible_to(user)
        .filter(Q(organization=organization) | Q(recipient=organization))
        .select_related("organization", "recipient")
        .order_by("-first_month", "organization__path")
    )


def central_remittances(user, organization: Organization):
    """Voluntary payments of the subtree flagged for the Central Committee (≥1000 yuan)."""
    return (
        DuesPayment.objects.visible_to(user).filter(
            organization__path__subtree=organization.path, remit_to_central=True)
        .select_related("member", "organization").order_by("-paid_on", "-id")
    )


def collected_dues(organization: Organization, first_month: dt.date, last_month: dt.date
                   ) -> Decimal:
    """Dues paid in the subtree for the months: the figure a remittance passes up."""
    return _money(DuesBill.objects.in_subtree(organization.path).filter(
        status=BillStatus.PAID, month__gte=first_month, month__lte=last_month,
    ).aggregate(s=Sum("amount"))["s"])


@dataclass(frozen=True)
class BillFilters:
    organization: Organization | None = None
    member: Member | None = None
    month: dt.date | None = None
    year: int | None = None
    status: str = ""


def bill_list(user, f: BillFilters):
    qs = DuesBill.objects.visible_to(user).select_related("member", "organization", "payment")
    if f.organization is not None:
        qs = qs.in_subtree(f.organization.path)
    if f.member is not None:
        qs = qs.filter(member=f.member)
    if f.month is not None:
        qs = qs.filter(month=month_start(f.month))
    if f.year is not None:
        qs = qs.filter(month__year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by("-month", "organization__path", "member__name", "id")


def payment_list(user, *, organization: Organization | None = None,
                 member: Member | None = None, year: int | None = None):
    qs = DuesPayment.objects.visible_to(user).select_related("member", "organization")
    if organization is not None:
        qs = qs.filter(organization__path__subtree=organization.path)
    if member is not None:
        qs = qs.filter(member=member)
    if year is not None:
        qs = qs.filter(paid_on__year=year)
    return qs.order_by("-paid_on", "-id")


def bill_months(organization: Organization) -> list[dt.date]:
    """Months for which the subtree has bills, newest first (the month selector)."""
    latest = DuesBill.objects.in_subtree(organization.path).aggregate(
        first=Min("month"), last=Max("month"))
    if latest["last"] is None:
        return []
    months, month = [], latest["last"]
    while month >= latest["first"] and len(months) < 36:
        months.append(month)
        month = add_months(month, -1)
    return months


# --- one member's record (锋领e家) ------------------------------------------------------------


def member_open_bills_in(member_id: int, year: int, today: dt.date):
    """The member's unpaid bills of `year` up to the current month (owed), newest first."""
    return (DuesBill.objects.filter(member_id=member_id, status=BillStatus.OPEN,
                                    month__year=year, month__lte=month_start(today))
            .order_by("-month"))


def member_payments_in(member_id: int, year: int):
    """The member's payments made in `year`, newest first."""
    return DuesPayment.objects.filter(member_id=member_id, paid_on__year=year).order_by(
        "-paid_on", "-id")


def member_dues_summary(member_id: int, year: int, today: dt.date) -> dict:
    """Paid in `year`, owed up to now (any year), and the arrears age in months: one query."""
    current = month_start(today)
    row = DuesBill.objects.filter(member_id=member_id).aggregate(
        paid=Sum("amount", filter=Q(status=BillStatus.PAID, month__year=year)),
        owed=Sum("amount", filter=Q(status=BillStatus.OPEN, month__lte=current)),
        months=Count("pk", filter=Q(status=BillStatus.OPEN, month__lte=current)),
    )
    return {"paid": _money(row["paid"]), "owed": _money(row["owed"]),
            "arrears_months": row["months"], "level": rates.arrears_level(row["months"])}
