"""Dues services over the cast: bills (idempotent, defaults, profiles), payments (once per
receipt, quarterly, prepayment and back-pay limits, voluntary extra), arrears, roll-up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fengling.core.models import AuditEntry
from fengling.dues import selectors, services
from fengling.dues.models import BillStatus, DuesBill, DuesPayment, DuesProfile, Relief, Remittance
from fengling.dues.rates import Category
from fengling.members.models import MemberStatus, Occupation
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 3, 15)


def set_base(cast, member, base, month=dt.date(2026, 1, 1), **kw):
    return services.dues_profile_set(cast.branch_secretary, member, effective_month=month,
                                     category=kw.pop("category", Category.IN_SERVICE),
                                     income_base=base, **kw)


def pay(cast, member, receipt, amount, months=1, today=TODAY, **kw):
    return services.dues_payment_record(
        cast.branch_secretary, member, receipt_number=receipt, amount=amount,
        paid_on=kw.pop("paid_on", today), method="cash", months=months, today=today, **kw)


def bill_state():
    return sorted(DuesBill.objects.values_list("member_id", "month", "amount", "status",
                                               "payment_id"))


def test_generating_bills_twice_changes_nothing(cast):
    set_base(cast, cast.member_a, D("4000"))
    assert services.generate_bills(MARCH) == 4
    before = bill_state()
    assert services.generate_bills(MARCH) == 0
    assert bill_state() == before
    assert DuesBill.objects.get(member=cast.member_a, month=MARCH).amount == D("40.00")


def test_bills_without_a_profile_follow_the_occupation_and_list_the_gap(cast):
    student = MemberFactory(organization=cast.branch_a, occupation=Occupation.STUDENT)
    services.generate_bills(MARCH)
    assert DuesBill.objects.get(member=student).amount == D("0.20")
    gap = DuesBill.objects.get(member=cast.member_b)
    assert (gap.status, gap.amount) == (BillStatus.UNASSESSED, D("0.00"))
    # Recording the base prices the open bill from its month on (党费规定 第十条).
    set_base(cast, cast.member_b, D("12000"), month=MARCH)
    gap.refresh_from_db()
    assert (gap.status, gap.amount) == (BillStatus.OPEN, D("240.00"))


def test_bills_only_for_active_members_admitted_by_the_month(cast):
    MemberFactory(organization=cast.branch_a, status=MemberStatus.TRANSFERRED_OUT)
    # 党费规定 第八条: a probationary member pays from the month the branch meeting admitted them.
    late = MemberFactory(organization=cast.branch_a, join_date=dt.date(2026, 3, 31),
                         membership="probationary", conversion_date=None)
    later = MemberFactory(organization=cast.branch_a, join_date=dt.date(2026, 4, 1),
                          membership="probationary", conversion_date=None)
    services.generate_bills(MARCH)
    billed = set(DuesBill.objects.values_list("member_id", flat=True))
    assert late.pk in billed and later.pk not in billed
    assert len(billed) == 5


def test_generating_for_a_subtree_leaves_the_rest(cast):
    assert services.generate_bills(MARCH, cast.community_a) == 3
    assert not DuesBill.objects.filter(member=cast.member_b).exists()


def test_exemption_and_reduction_need_reason_and_approver(cast):
    with pytest.raises(ValidationError) as exc:
        set_base(cast, cast.member_a, D("4000"), relief=Relief.EXEMPT)
    assert set(exc.value.message_dict) == {"relief_reason", "relief_approved_by"}
    assert not DuesProfile.objects.exists()
    set_base(cast, cast.member_a, D("4000"), relief=Relief.REDUCED, reduced_amount="5.00",
             relief_reason="大病住院", relief_approved_by="望春社区党委")
    set_base(cast, cast.member_a2, D("4000"), relief=Relief.EXEMPT,
             relief_reason="低保困难", relief_approved_by="五江口社区党委")
    services.generate_bills(MARCH)
    assert DuesBill.objects.get(member=cast.member_a).amount == D("5.00")
    exempt = DuesBill.objects.get(member=cast.member_a2)
    assert (exempt.status, exempt.amount) == (BillStatus.EXEMPT, D("0.00"))


def test_profile_history_by_effective_month(cast):
    set_base(cast, cast.member_a, D("4000"), month=dt.date(2026, 1, 1))
    set_base(cast, cast.member_a, D("6000"), month=dt.date(2026, 3, 1))
    for month in (dt.date(2026, 2, 1), MARCH, dt.date(2026, 4, 1)):
        services.generate_bills(month)
    amounts = dict(DuesBill.objects.filter(member=cast.member_a).values_list("month", "amount"))
    assert amounts == {dt.date(2026, 2, 1): D("40.00"), MARCH: D("90.00"),
                       dt.date(2026, 4, 1): D("90.00")}


def test_profile_refuses_bad_input_with_messages(cast):
    with pytest.raises(ValidationError) as exc:
        set_base(cast, cast.member_a, "abc")
    assert "income_base" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        set_base(cast, cast.member_a, None)
    assert "income_base" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        set_base(cast, cast.member_a, None, category=Category.FARMER, fixed_amount="2.00")
    assert "fixed_amount" in exc.value.message_dict
    assert not DuesProfile.objects.exists()


# --- payments -------------------------------------------------------------------------------


def test_a_receipt_is_recorded_once(cast):
    set_base(cast, cast.member_a, D("4000"))
    services.generate_bills(MARCH)
    pay(cast, cast.member_a, "NO-1", "40.00")
    before = (bill_state(), list(DuesPayment.objects.values_list()), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        pay(cast, cast.member_a, " NO-1 ", "40.00")
    assert "NO-1" in exc.value.message_dict["receipt_number"][0]
    assert (bill_state(), list(DuesPayment.objects.values_list()),
            AuditEntry.objects.count()) == before


def test_quarterly_payment_settles_three_months_oldest_first(cast):
    set_base(cast, cast.member_a, D("4000"))
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), MARCH):
        services.generate_bills(month)
    payment = pay(cast, cast.member_a, "Q1", "120.00", months=3)
    assert (payment.first_month, payment.last_month) == (dt.date(2026, 1, 1), MARCH)
    assert payment.dues_amount == D("120.00") and payment.voluntary_amount == D("0.00")
    assert set(DuesBill.objects.filter(member=cast.member_a).values_list("status", flat=True)) \
        == {BillStatus.PAID}
    assert selectors.member_arrears(cast.member_a, TODAY).months_owed == 0


def test_an_amount_below_the_dues_is_refused(cast):
    set_base(cast, cast.member_a, D("4000"))
    services.generate_bills(MARCH)
    with pytest.raises(ValidationError) as exc:
        pay(cast, cast.member_a, "X", "39.99")
    assert "40.00" in exc.value.message_dict["amount"][0]
    assert not DuesPayment.objects.exists()


def test_prepayment_up_to_six_months_ahead_and_no_further(cast):
    set_base(cast, cast.member_a, D("4000"))
    services.generate_bills(MARCH)
    # March plus six months ahead (April to September) is allowed …
    payment = pay(cast, cast.member_a, "P1", "280.00", months=7)
    assert payment.last_month == dt.date(2026, 9, 1)
    assert DuesBill.objects.filter(member=cast.member_a, status=BillStatus.PAID).count() == 7
    # … one more month would be seven ahead.
    before = bill_state()
    with pytest.raises(ValidationError) as exc:
        pay(cast, cast.member_a, "P2", "40.00", months=1)
    assert "6" in exc.value.message_dict["months"][0]
    assert bill_state() == before


def test_back_pay_over_six_months_in_one_payment_is_refused(cast):
    set_base(cast, cast.member_a, D("4000"), month=dt.date(2025, 1, 1))
    for n in range(1, 10):
        services.generate_bills(dt.date(2025, n + 3, 1) if n <= 9 else MARCH)
    # Bills from 2025-04 to 2025-12 (9 months owed before March 2026).
    with pytest.raises(ValidationError):
        pay(cast, cast.member_a, "B1", "280.00", months=7)
    pay(cast, cast.member_a, "B2", "240.00", months=6)
    assert selectors.member_arrears(cast.member_a, TODAY).months_owed == 3


def test_voluntary_extra_of_1000_or_more_is_flagged_for_the_centre(cast):
    set_base(cast, cast.member_a, D("4000"))
    services.generate_bills(MARCH)
    small = pay(cast, cast.member_a, "V1", "1039.99")
    assert small.voluntary_amount == D("999.99") and not small.remit_to_central
    big = pay(cast, cast.member_a, "V2", "1000.00", months=0)
    assert big.voluntary_amount == D("1000.00") and big.remit_to_central
    assert list(selectors.central_remittances(cast.district_admin, cast.district)) == [big]


def test_a_month_without_a_base_cannot_be_paid(cast):
    services.generate_bills(MARCH)
    with pytest.raises(ValidationError) as exc:
        pay(cast, cast.member_a, "U1", "40.00")
    assert "2026-03" in exc.value.message_dict["months"][0]


def test_payment_in_the_future_is_refused(cast):
    with pytest.raises(ValidationError):
        pay(cast, cast.member_a, "F1", "1.00", months=0, paid_on=dt.date(2026, 3, 16))


# --- arrears and roll-up ---------------------------------------------------------------------


def test_arrears_age_and_level(cast):
    set_base(cast, cast.member_a, D("4000"), month=dt.date(2025, 1, 1))
    for n in range(10, 13):
        services.generate_bills(dt.date(2025, n, 1))
    for n in range(1, 4):
        services.generate_bills(dt.date(2026, n, 1))
    services.generate_bills(dt.date(2026, 4, 1))  # generated ahead: not owed yet
    arrears = selectors.member_arrears(cast.member_a, TODAY)
    assert (arrears.months_owed, arrears.oldest_month, arrears.amount_owed, arrears.level) == (
        6, dt.date(2025, 10, 1), D("240.00"), "lapse_review")
    pay(cast, cast.member_a, "A1", "40.00")
    arrears = selectors.member_arrears(cast.member_a, TODAY)
    assert (arrears.months_owed, arrears.oldest_month, arrears.level) == (
        5, dt.date(2025, 11, 1), "red")
    rows = selectors.with_levels(selectors.arrears_list(cast.district_admin, cast.district,
                                                        today=TODAY, min_months=3))
    assert [(r["member__name"], r["months_owed"], r["level"]) for r in rows] == [
        ("张三", 5, "red")]


def test_collection_rate_rolls_up_the_tree(cast):
    for member, base in ((cast.member_a, "4000"), (cast.secretary_a_member, "6000"),
                         (cast.member_a2, "2000"), (cast.member_b, "10000")):
        set_base(cast, member, D(base))
    services.generate_bills(MARCH)
    pay(cast, cast.member_a, "R1", "40.00")  # community A: 40 of 40 + 90 + 10
    pay(cast, cast.member_b, "R2", "150.00")  # branch B: 150 of 150
    total, children = selectors.collection_rollup(cast.district, MARCH, MARCH)
    assert (total.amount_due, total.amount_paid, total.bills_due, total.bills_paid) == (
        D("290.00"), D("190.00"), 4, 2)
    assert total.rate == D("65.5") and total.count_rate == D("50.0")
    by_name = {c.organization.name: c for c in children}
    assert by_name["望春街道党工委"].amount_due == D("140.00")
    assert by_name["望春街道党工委"].amount_paid == D("40.00")
    assert by_name["南门街道党工委"].rate == D("100.0")
    total_a, children_a = selectors.collection_rollup(cast.community_a, MARCH, MARCH)
    assert total_a.amount_due == D("140.00")
    assert [(c.organization.name, c.amount_due, c.amount_paid) for c in children_a] == [
        ("望春社区第一支部", D("130.00"), D("40.00")),
        ("望春社区第二支部", D("10.00"), D("0.00"))]


def test_remittance_to_the_parent_is_recorded_once(cast):
    r = services.remittance_record(cast.branch_secretary, cast.branch_a,
                                   first_month=dt.date(2026, 1, 1), last_month=MARCH,
                                   amount="120.00", remitted_on=TODAY, today=TODAY)
    assert r.recipient == cast.community_a
    with pytest.raises(ValidationError):
        services.remittance_record(cast.branch_secretary, cast.branch_a,
                                   first_month=dt.date(2026, 1, 1), last_month=MARCH,
                                   amount="120.00", remitted_on=TODAY, today=TODAY)
    with pytest.raises(ValidationError):
        services.remittance_record(cast.district_admin, cast.district, first_month=MARCH,
                                   last_month=MARCH, amount="1.00", remitted_on=TODAY,
                                   today=TODAY)
    assert Remittance.objects.count() == 1


def test_generate_bills_command_is_idempotent(cast):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("generate_bills", month="2026-03", ahead=1, stdout=out)
    assert "2026-03: 4 bills created" in out.getvalue()
    assert "2026-04: 4 bills created" in out.getvalue()
    out = StringIO()
    call_command("generate_bills", month="2026-03", ahead=1, stdout=out)
    assert "2026-03: 0 bills created" in out.getvalue()
    assert DuesBill.objects.count() == 8
    call_command("generate_bills", month="2026-05", ahead=0,
                 organization=cast.community_b.code, stdout=out)
    assert DuesBill.objects.filter(month=dt.date(2026, 5, 1)).count() == 1
    with pytest.raises(CommandError):
        call_command("generate_bills", month="March")
