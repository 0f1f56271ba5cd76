"""Demo dues data (`fengling seed_dues`): a profile for every member, a year of bills, and
payments with realistic arrears. Deterministic (`seed`), set-based, idempotent per member:
members who already have a profile or a payment are left alone.

Bases follow the occupation (RULES Part A): salaries 2,500–15,000 yuan a month, pensions
2,500–7,000, self-employed 2,000–8,000; farmers a fixed 0.20–1.00. Arrears: 85 % of members
paid up, 8 % one or two months behind, 4 % three or four (yellow), 2 % five (red), 1 % six to
eight (lapse review). Payments are quarterly (3 months a receipt), as many branches collect.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, transaction

from fengling.members.models import Member

from .models import BillStatus, DuesBill, DuesPayment, DuesProfile, PaymentMethod
from .rates import Category, add_months, month_start
from .services import generate_bills

BASES = {
    Category.IN_SERVICE: (2500, 15000),
    Category.ANNUAL_SALARY: (6000, 30000),
    Category.SELF_EMPLOYED: (2000, 8000),
    Category.RETIREE: (2500, 7000),
}
ARREARS = ((0.85, 0), (0.93, 1), (0.95, 2), (0.97, 3), (0.98, 4), (0.99, 5), (1.0, 7))
METHODS = (PaymentMethod.WECHAT, PaymentMethod.CASH, PaymentMethod.ALIPAY, PaymentMethod.BANK)


def _profiles(rng: random.Random, first: dt.date) -> int:
    have = DuesProfile.objects.values("member_id")
    rows = []
    for member_id, occupation in (Member.objects.active().exclude(pk__in=have)
                                  .order_by("pk").values_list("pk", "occupation")):
        category = occupation if occupation in Category.values else Category.IN_SERVICE
        base = fixed = None
        if category in BASES:
            low, high = BASES[category]
            base = Decimal(rng.randrange(low, high, 10))
        elif category == Category.FARMER:
            fixed = Decimal(rng.choice(("0.20", "0.20", "0.50", "1.00")))
        rows.append(DuesProfile(member_id=member_id, effective_month=first, category=category,
                                income_base=base, fixed_amount=fixed))
    DuesProfile.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _analyze(*models) -> None:
    """ANALYZE the tables of `models` (statistics for the query planner)."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def seed_dues(as_of: dt.date, *, months: int = 12, seed: int = 2026) -> dict:
    """Profiles, `months` months of bills ending with `as_of`'s month, and payments."""
    rng = random.Random(seed)
    current = month_start(as_of)
    first = add_months(current, -(months - 1))
    profiles = _profiles(rng, first)
    bills = 0
    for n in range(months):
        # Fresh statistics before each month: inside the seed's one transaction PostgreSQL
        # would plan the "no bill yet" anti-join against the months just inserted as against
        # an empty table (a nested loop: 11 minutes for a year at district scale).
        if connection.vendor == "postgresql":
            _analyze(Member, DuesProfile, DuesBill)
        bills += generate_bills(add_months(first, n))
    paid_members = set(DuesPayment.objects.values_list("member_id", flat=True).distinct())
    open_bills: dict[int, list] = {}
    for member_id, organization_id, month, amount in (
        DuesBill.objects.filter(status=BillStatus.OPEN, month__gte=first, month__lte=current)
        .exclude(member_id__in=paid_members).order_by("member_id", "month")
        .values_list("member_id", "organization_id", "month", "amount").iterator(chunk_size=5000)
    ):
        open_bills.setdefault(member_id, []).append((organization_id, month, amount))
    payments = []
    for member_id, rows in open_bills.items():
        draw = rng.random()
        owed = next(n for share, n in ARREARS if draw < share)
        payable = rows[:max(len(rows) - owed, 0)]
        for k in range(0, len(payable), 3):
            chunk = payable[k:k + 3]
            last = chunk[-1][1]
            paid_on = min(last.replace(day=rng.randint(5, 25)), as_of)
            dues = sum((amount for _o, _m, amount in chunk), Decimal("0"))
            extra = Decimal("0")
            if rng.random() < 0.01:  # a few voluntary extras, some of them ≥1000 yuan
                extra = Decimal(rng.choice(("50", "200", "1000", "2000")))
            payments.append(DuesPayment(
                member_id=member_id, organization_id=chunk[0][0],
                receipt_number=f"DEMO-{member_id:06d}-{chunk[0][1]:%Y%m}",
                paid_on=paid_on, method=rng.choice(METHODS), amount=dues + extra,
                dues_amount=dues, voluntary_amount=extra, first_month=chunk[0][1],
                last_month=last, remit_to_central=extra >= 1000,
            ))
    with transaction.atomic():
        DuesPayment.objects.bulk_create(payments, batch_size=2000)
        # One set-based UPDATE … FROM (PostgreSQL; SQLite ≥ 3.33) settles every open bill a
        # demo payment covers: a statement per payment cost minutes at district scale.
        bill = connection.ops.quote_name(DuesBill._meta.db_table)
        payment = connection.ops.quote_name(DuesPayment._meta.db_table)
        sql = (f"UPDATE {bill} SET status = %s, payment_id = p.id "  # noqa: S608
               f"FROM {payment} AS p WHERE p.member_id = {bill}.member_id "
               f"AND {bill}.month >= p.first_month AND {bill}.month <= p.last_month "
               f"AND {bill}.status = %s AND p.receipt_number LIKE %s")
        # Fresh statistics first: inside the seed's transaction the planner would take the
        # just-filled tables for empty ones and join them by nested loops.
        _analyze(DuesBill, DuesPayment)
        with connection.cursor() as cursor:
            cursor.execute(sql, [BillStatus.PAID, BillStatus.OPEN, "DEMO-%"])
    return {"profiles": profiles, "bills": bills, "payments": len(payments)}
