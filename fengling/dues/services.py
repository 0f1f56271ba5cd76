"""Changes to dues: profiles, monthly bills, payments, remittances. One transaction each,
validated with clear messages (nothing changes on a refusal), audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.lib.money import MoneyError, parse_money
from fengling.members.models import Member
from fengling.organizations.models import Organization

from . import rates
from .models import (
    BillStatus,
    DuesBill,
    DuesPayment,
    DuesProfile,
    PaymentMethod,
    Relief,
    Remittance,
)
from .rates import Category, RateError, add_months, month_start

BATCH = 2000


# --- pricing one member's month ---------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    category: str
    income_base: Decimal | None
    amount: Decimal
    status: str


def price(profile: dict | None, occupation: str, month: dt.date) -> Price:
    """What a member owes for `month` under `profile` (a dict of DuesProfile fields) or, with
    no profile, by default from the occupation.

    Default without a profile (docs/dues.md): the category is the member's occupation; the
    fixed-amount categories (students, unemployed, relief: 0.2 yuan; farmers: the 0.2 yuan
    default, 党费规定 第六条) are priced at once; the categories that need an income base get
    an UNASSESSED bill of 0 (a gap listed for the branch) until a profile gives the base.
    """
    if profile is None:
        category = occupation if occupation in Category.values else Category.IN_SERVICE
        if category in rates.BASE_CATEGORIES:
            return Price(category, None, rates.ZERO, BillStatus.UNASSESSED)
        return Price(category, None, rates.monthly_dues(category, None, month), BillStatus.OPEN)
    category = profile["category"]
    base = profile["income_base"]
    # 党费规定 第七条: hardship relief, approved one level up, replaces the computed amount.
    if profile["relief"] == Relief.EXEMPT:
        return Price(category, base, rates.ZERO, BillStatus.EXEMPT)
    if profile["relief"] == Relief.REDUCED:
        amount = profile["reduced_amount"]
        return Price(category, base, amount, BillStatus.OPEN if amount > 0 else BillStatus.EXEMPT)
    try:
        amount = rates.monthly_dues(category, base, month, fixed_amount=profile["fixed_amount"])
    except RateError:
        return Price(category, base, rates.ZERO, BillStatus.UNASSESSED)
    return Price(category, base, amount, BillStatus.OPEN)


PROFILE_FIELDS = ("member_id", "effective_month", "category", "income_base", "fixed_amount",
                  "relief", "reduced_amount")


def _profiles_in_force(members_qs, month: dt.date) -> dict[int, dict]:
    """Each member's profile in force in `month` (the latest effective on or before it)."""
    rows = (DuesProfile.objects.filter(member__in=members_qs.values("pk"),
                                       effective_month__lte=month)
            .order_by("member_id", "effective_month").values(*PROFILE_FIELDS))
    return {row["member_id"]: row for row in rows.iterator(chunk_size=BATCH)}


# --- bills ------------------------------------------------------------------------------------


def billable_members(month: dt.date, organization: Organization | None = None):
    """Members who owe dues for `month`: active (normal, mobile, lost contact) and admitted by
    the end of the month. 党费规定 第八条: probationary members pay from the 支部大会 that
    admitted them (their join date), so the month of admission is billed."""
    last_day = add_months(month, 1) - dt.timedelta(days=1)
    members = Member.objects.active().filter(join_date__lte=last_day)
    if organization is not None:
        members = members.in_subtree(organization.path)
    return members


def generate_bills(month: dt.date, organization_subtree: Organization | None = None) -> int:
    """Create the missing bills of `month` for every billable member (of the subtree); return
    how many were created. Idempotent: members who have a bill for the month are left out by
    an anti-join and (member, month) is unique (`ON CONFLICT DO NOTHING` for a run racing
    another), so a second run creates nothing.

    Set-based: one read of the members without a bill, one of their profiles, then
    multi-row inserts (`_insert_bills`: Django's bulk_create spends most of its time building
    SQL per object, 3x the database's own time at district scale).
    """
    month = month_start(month)
    members = billable_members(month, organization_subtree).exclude(
        Exists(DuesBill.objects.filter(member=OuterRef("pk"), month=month))
    )
    profiles = _profiles_in_force(members, month)
    now = timezone.now()
    cache: dict[tuple, tuple] = {}
    rows = []
    for member_id, organization_id, occupation in (
        members.order_by().values_list("pk", "organization_id", "occupation")
        .iterator(chunk_size=BATCH)
    ):
        profile = profiles.get(member_id)
        key = (occupation,) if profile is None else tuple(profile[f] for f in PROFILE_FIELDS[2:])
        priced = cache.get(key)
        if priced is None:
            p = price(profile, occupation, month)
            priced = cache[key] = (p.category, _db_decimal(p.income_base), _db_decimal(p.amount),
                                   p.status)
        rows.append((member_id, organization_id, month, *priced, now))
    if rows:
        _insert_bills(rows)
    return len(rows)


# SQLite page cache while inserting a month of bills (negative: KiB), 64 MB.
SQLITE_CACHE_KIB = -65536
BILL_COLUMNS = ("member_id", "organization_id", "month", "category", "income_base", "amount",
                "status", "created_at")


def _db_decimal(value: Decimal | None):
    """What the DecimalField would send: the database adapter's Decimal (never a float)."""
    if value is None:
        return None
    return connection.ops.adapt_decimalfield_value(value, 12, 2)


def _insert_bills(rows: list[tuple]) -> None:
    """Insert bill rows (BILL_COLUMNS order) of one month, all made at the same time, in one
    transaction (in autocommit each statement would be its own commit), `ON CONFLICT DO
    NOTHING` so that a run racing another skips the bills it made.

    SQLite runs in-process: one prepared single-row INSERT executed for every row
    (`executemany`) is its fastest path. PostgreSQL: one `INSERT … SELECT … FROM unnest(…)`
    of column arrays, 8 parameters for the whole month (a multi-row VALUES spends seconds
    in the driver splitting a query of 365,000 placeholders).
    """
    quote = connection.ops.quote_name
    table = quote(DuesBill._meta.db_table)
    columns = ", ".join(quote(c) for c in BILL_COLUMNS)
    # Month and creation time are the same on every row: adapt them once.
    month = DuesBill._meta.get_field("month").get_db_prep_value(rows[0][2], connection)
    created = DuesBill._meta.get_field("created_at").get_db_prep_value(rows[0][7], connection)
    # Names come from the model's own metadata; every value is a parameter.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            member, organization, category, base, amount, status = (
                list(column) for column in zip(*(row[:2] + row[3:7] for row in rows),
                                               strict=True))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "  # noqa: S608
                "SELECT m, o, %s::date, c, b, a, s, %s::timestamptz FROM unnest("
                "%s::bigint[], %s::bigint[], %s::varchar[], %s::numeric[], %s::numeric[], "
                "%s::varchar[]) AS t(m, o, c, b, a, s) ON CONFLICT DO NOTHING",
                [month, created, member, organization, category, base, amount, status],
            )
            return
        marks = "(" + ", ".join(["%s"] * len(BILL_COLUMNS)) + ")"
        # The month's inserts walk three indexes of a table that grows by 45,618 rows a
        # month; SQLite's default 2 MB page cache makes them re-read pages (about 30 % more
        # CPU at a year of bills). A larger cache for this connection, then the old one back.
        cursor.execute("PRAGMA cache_size")
        (cache_size,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
        try:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES {marks} "  # noqa: S608
                "ON CONFLICT DO NOTHING",
                [(*row[:2], month, *row[3:7], created) for row in rows],
            )
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _member_bill(member: Member, month: dt.date, profile: dict | None) -> DuesBill:
    p = price(profile, member.occupation, month)
    return DuesBill(member=member, organization_id=member.organization_id, month=month,
                    category=p.category, income_base=p.income_base, amount=p.amount,
                    status=p.status)


def _reprice_member(member: Member, first_month: dt.date) -> int:
    """Re-price the member's unpaid bills from `first_month` on under the profiles now on
    record (党费规定 第十条: a new salary counts from the month it is paid). Paid bills stay."""
    bills = list(DuesBill.objects.filter(
        member=member, month__gte=first_month,
        status__in=(BillStatus.OPEN, BillStatus.UNASSESSED, BillStatus.EXEMPT),
    ))
    history = list(DuesProfile.objects.filter(member=member).order_by("effective_month")
                   .values(*PROFILE_FIELDS))
    for bill in bills:
        profile = None
        for row in history:
            if row["effective_month"] <= bill.month:
                profile = row
        p = price(profile, member.occupation, bill.month)
        bill.category, bill.income_base, bill.amount, bill.status = (
            p.category, p.income_base, p.amount, p.status)
    DuesBill.objects.bulk_update(bills, ["category", "income_base", "amount", "status"])
    return len(bills)


# --- profiles ---------------------------------------------------------------------------------


def _money(value, field: str, errors: dict, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        return parse_money(value)
    except MoneyError as error:
        errors.setdefault(field, []).append(str(error))
        return None


def dues_profile_set(user, member: Member, *, effective_month: dt.date, category: str,
                     income_base=None, fixed_amount=None, relief: str = "",
                     reduced_amount=None, relief_reason: str = "",
                     relief_approved_by: str = "", relief_approved_on: dt.date | None = None,
                     ) -> DuesProfile:
    """Record what `member` pays from `effective_month` on (replacing a row of the same month),
    and re-price their unpaid bills from that month on."""
    errors: dict[str, list[str]] = {}
    effective_month = month_start(effective_month)
    if category not in Category.values:
        errors.setdefault("category", []).append(_("Select a valid choice."))
    base = _money(income_base, "income_base", errors,
                  required=category in rates.BASE_CATEGORIES)
    fixed = _money(fixed_amount, "fixed_amount", errors)
    reduced = _money(reduced_amount, "reduced_amount", errors,
                     required=relief == Relief.REDUCED)
    if relief not in Relief.values:
        errors.setdefault("relief", []).append(_("Select a valid choice."))
    if relief:
        # 党费规定 第七条: the branch decides, the Party committee one level up approves.
        if not relief_reason.strip():
            errors.setdefault("relief_reason", []).append(
                _("Give the reason for reducing or waiving the dues."))
        if not relief_approved_by.strip():
            errors.setdefault("relief_approved_by", []).append(
                _("Name the organization one level up that approved the relief."))
    if category == Category.FARMER and fixed is not None:
        schedule = rates.schedule_for(effective_month)
        if not schedule.farmer_min <= fixed <= schedule.farmer_max:
            errors.setdefault("fixed_amount", []).append(
                _("A farmer pays a fixed amount from %(min)s to %(max)s yuan a month.")
                % {"min": schedule.farmer_min, "max": schedule.farmer_max})
    if errors:
        raise ValidationError(errors)
    if category != Category.FARMER:
        fixed = None
    if category not in rates.BASE_CATEGORIES:
        base = None
    with transaction.atomic():
        profile, _created = DuesProfile.objects.update_or_create(
            member=member, effective_month=effective_month,
            defaults={
                "category": category, "income_base": base, "fixed_amount": fixed,
                "relief": relief,
                "reduced_amount": reduced if relief == Relief.REDUCED else None,
                "relief_reason": relief_reason.strip() if relief else "",
                "relief_approved_by": relief_approved_by.strip() if relief else "",
                "relief_approved_on": relief_approved_on if relief else None,
                "recorded_by": user if user is not None and user.is_authenticated else None,
            },
        )
        repriced = _reprice_member(member, effective_month)
        audit_log(user, "dues.profile_set", profile, {
            "member": member.pk, "effective_month": f"{effective_month:%Y-%m}",
            "category": category, "income_base": str(base) if base is not None else None,
            "relief": relief, "repriced_bills": repriced,
        }, organization_path=member.organization.path)
    return profile


# --- payments ---------------------------------------------------------------------------------


def _months_to_settle(member: Member, months: int, today: dt.date) -> list[DuesBill]:
    """The next `months` payable months of `member`, oldest unpaid first, as bills (unsaved
    for months not billed yet: prepayment, or months the schedule has not reached)."""
    existing = {b.month: b for b in DuesBill.objects.filter(member=member).order_by("month")}
    unpaid = [m for m, b in existing.items()
              if b.status in (BillStatus.OPEN, BillStatus.UNASSESSED) and m <= month_start(today)]
    if unpaid:
        month = min(unpaid)
    else:
        paid = [m for m, b in existing.items() if b.status == BillStatus.PAID]
        month = add_months(max(paid), 1) if paid else month_start(today)
        month = max(month, month_start(member.join_date))
    history = list(DuesProfile.objects.filter(member=member).order_by("effective_month")
                   .values(*PROFILE_FIELDS))
    chosen: list[DuesBill] = []
    # Skip months already paid or exempt; stop well past the 6-month limit either way.
    for _step in range(months + 24):
        if len(chosen) == months:
            break
        bill = existing.get(month)
        if bill is None:
            profile = None
            for row in history:
                if row["effective_month"] <= month:
                    profile = row
            bill = _member_bill(member, month, profile)
        if bill.status in (BillStatus.OPEN, BillStatus.UNASSESSED):
            chosen.append(bill)
        month = add_months(month, 1)
    return chosen


def _receipt_taken_message(existing: DuesPayment) -> str:
    return _(
        "Receipt number %(receipt)s is already recorded (%(amount)s yuan paid on %(date)s). "
        "A payment is recorded once; nothing was changed."
    ) % {"receipt": existing.receipt_number, "amount": existing.amount,
         "date": existing.paid_on.isoformat()}


def dues_payment_record(user, member: Member, *, receipt_number: str, amount, paid_on: dt.date,
                        method: str, months: int = 1, note: str = "",
                        today: dt.date | None = None) -> DuesPayment:
    """Record a payment: it settles the next `months` unpaid months, oldest first (1 monthly,
    3 quarterly with the branch's consent), and the rest is a voluntary extra.

    Refused with a message, changing nothing: a receipt number already recorded; an amount
    below the dues of those months; more than 6 months of back pay or of prepayment (补交 and
    预交 at most 6 months: RULES Part A, Part B §1.3); a month whose income base is missing.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    receipt_number = (receipt_number or "").strip()
    if not receipt_number:
        errors["receipt_number"] = [_("Enter the receipt number.")]
    else:
        existing = DuesPayment.objects.filter(receipt_number=receipt_number).first()
        if existing is not None:
            errors["receipt_number"] = [_receipt_taken_message(existing)]
    money = _money(amount, "amount", errors, required=True)
    if money is not None and money <= 0:
        errors.setdefault("amount", []).append(_("Enter an amount above zero."))
    if method not in PaymentMethod.values:
        errors["method"] = [_("Select a valid choice.")]
    if paid_on is None or paid_on > today:
        errors["paid_on"] = [_("The payment date cannot be in the future.")]
    if not isinstance(months, int) or months < 0:
        errors["months"] = [_("Enter a number of months of zero or more.")]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        # One payment at a time per member: the months to settle are read under this lock.
        Member.objects.select_for_update().filter(pk=member.pk).first()
        bills = _months_to_settle(member, months, today)
        current = month_start(today)
        back = sum(1 for b in bills if b.month < current)
        # Prepayment: the last month paid may lie at most 6 months after the current one,
        # counting months prepaid earlier too.
        ahead = rates.months_between(current, bills[-1].month) if bills else 0
        if back > rates.MAX_BACK_PAY_MONTHS:
            raise ValidationError({"months": [_(
                "Back pay may cover at most %(limit)s months in one payment; this one would "
                "cover %(n)s. Record it in parts with the branch's decision."
            ) % {"limit": rates.MAX_BACK_PAY_MONTHS, "n": back}]})
        if ahead > rates.MAX_PREPAY_MONTHS:
            raise ValidationError({"months": [_(
                "Dues may be paid at most %(limit)s months ahead; this payment would reach "
                "%(last)s, %(n)s months ahead."
            ) % {"limit": rates.MAX_PREPAY_MONTHS, "last": f"{bills[-1].month:%Y-%m}",
                 "n": ahead}]})
        if len(bills) < months:
            raise ValidationError({"months": [_("There are not that many months to pay.")]})
        unassessed = [b for b in bills if b.status == BillStatus.UNASSESSED]
        if unassessed:
            raise ValidationError({"months": [_(
                "The income base for %(month)s is not recorded: set the dues profile first."
            ) % {"month": f"{unassessed[0].month:%Y-%m}"}]})
        dues = sum((b.amount for b in bills), rates.ZERO)
        if money < dues:
            raise ValidationError({"amount": [_(
                "%(amount)s yuan is less than the dues of these %(n)s months (%(dues)s yuan)."
            ) % {"amount": money, "n": len(bills), "dues": dues}]})
        voluntary = money - dues
        try:
            with transaction.atomic():
                payment = DuesPayment.objects.create(
                    member=member, organization_id=member.organization_id,
                    receipt_number=receipt_number, paid_on=paid_on, method=method,
                    amount=money, dues_amount=dues, voluntary_amount=voluntary,
                    first_month=bills[0].month if bills else None,
                    last_month=bills[-1].month if bills else None,
                    # 党费规定: a single voluntary payment ≥1000 yuan goes to the Central Committee.
                    remit_to_central=voluntary >= rates.CENTRAL_REMITTANCE_THRESHOLD,
                    note=note.strip(),
                    recorded_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:
            # Another request took the receipt number between our check and the insert.
            existing = DuesPayment.objects.get(receipt_number=receipt_number)
            raise ValidationError({"receipt_number": [_receipt_taken_message(existing)]}) from None
        new = [b for b in bills if b.pk is None]
        # A bill generated meanwhile for the same month (generate_bills does not take the
        # member's lock) is kept; the UPDATE below marks it paid all the same.
        DuesBill.objects.bulk_create(new, ignore_conflicts=True)
        DuesBill.objects.filter(member=member, month__in=[b.month for b in bills]).update(
            status=BillStatus.PAID, payment=payment)
        audit_log(user, "dues.payment_record", payment, {
            "member": member.pk, "receipt_number": receipt_number, "amount": str(money),
            "months": [f"{b.month:%Y-%m}" for b in bills], "voluntary": str(voluntary),
        }, organization_path=member.organization.path)
    return payment


# --- remittances ------------------------------------------------------------------------------


def remittance_record(user, organization: Organization, *, first_month: dt.date,
                      last_month: dt.date, amount, remitted_on: dt.date, reference: str = "",
                      today: dt.date | None = None) -> Remittance:
    """Record that `organization` passed `amount` of dues for the months up to its parent."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    first_month, last_month = month_start(first_month), month_start(last_month)
    money = _money(amount, "amount", errors, required=True)
    if money is not None and money <= 0:
        errors.setdefault("amount", []).append(_("Enter an amount above zero."))
    if last_month < first_month:
        errors["last_month"] = [_("The last month cannot come before the first.")]
    if remitted_on > today:
        errors["remitted_on"] = [_("The date cannot be in the future.")]
    parent = Organization.objects.get_parent(organization)
    if parent is None:
        errors["__all__"] = [_("The top organization has no parent to remit to.")]
    taken = _("A remittance for %(first)s to %(last)s is already recorded; nothing was "
              "changed.") % {"first": f"{first_month:%Y-%m}", "last": f"{last_month:%Y-%m}"}
    if Remittance.objects.filter(organization=organization, first_month=first_month,
                                 last_month=last_month).exists():
        errors["first_month"] = [taken]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                remittance = Remittance.objects.create(
                    organization=organization, recipient=parent, first_month=first_month,
                    last_month=last_month, amount=money, remitted_on=remitted_on,
                    reference=reference.strip(),
                    recorded_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:
            # The same form sent twice: the other request recorded it between check and insert.
            raise ValidationError({"first_month": [taken]}) from None
        audit_log(user, "dues.remittance_record", remittance, {
            "to": parent.pk, "amount": str(money), "first_month": f"{first_month:%Y-%m}",
            "last_month": f"{last_month:%Y-%m}",
        }, organization_path=organization.path)
    return remittance
