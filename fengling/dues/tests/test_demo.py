"""Demo dues data: every member gets a profile and bills; payments settle whole months;
a second run adds nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from fengling.dues.demo import seed_dues
from fengling.dues.models import BillStatus, DuesBill, DuesPayment, DuesProfile
from fengling.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_seed_dues_builds_a_consistent_year(cast):
    for _ in range(30):
        MemberFactory(organization=cast.branch_a2)
    counts = seed_dues(dt.date(2026, 3, 15), months=6)
    assert counts["profiles"] == DuesProfile.objects.count() == 34
    assert DuesBill.objects.count() == 34 * 6
    assert not DuesBill.objects.filter(status=BillStatus.UNASSESSED).exists()
    for payment in DuesPayment.objects.prefetch_related("bills"):
        bills = list(payment.bills.all())
        assert sum(b.amount for b in bills) == payment.dues_amount
        assert payment.amount == payment.dues_amount + payment.voluntary_amount
        assert payment.paid_on <= dt.date(2026, 3, 15)
    assert DuesBill.objects.filter(status=BillStatus.PAID).exists()
    out = StringIO()
    call_command("seed_dues", as_of="2026-03-15", months=6, stdout=out)
    assert out.getvalue().startswith("0 profiles, 0 bills, 0 payments")
