"""An organization subtree's dues bills and payments for a year as Excel (.xlsx).

Streams rows from the scoped selectors into openpyxl's write-only workbook, as
`members.exports` does: a fixed number of queries whatever the number of rows. Every export
is audit-logged. Amounts are written as Decimal (numbers in Excel, never floats in Python).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.members.exports import CHUNK, Workbook, _filename, _header_cells, _save
from fengling.organizations.models import Organization

from .models import BillStatus, PaymentMethod
from .rates import Category
from .selectors import BillFilters, bill_list, payment_list


def dues_workbook(user, organization: Organization, year: int) -> tuple[bytes, int]:
    from openpyxl import Workbook as XlsxWorkbook

    book = XlsxWorkbook(write_only=True)
    categories = {v: str(label) for v, label in Category.choices}
    statuses = {v: str(label) for v, label in BillStatus.choices}
    methods = {v: str(label) for v, label in PaymentMethod.choices}

    bills = book.create_sheet(_("Bills")[:31])
    bills.append(_header_cells(bills, [
        _("Month"), _("Member"), _("Branch"), _("Dues category"), _("Monthly income base"),
        _("Amount due"), _("Status"), _("Receipt number")]))
    rows = 0
    for month, name, branch, category, base, amount, status, receipt in (
        bill_list(user, BillFilters(organization=organization, year=year))
        .order_by("month", "organization__path", "member__name", "id")
        .values_list("month", "member__name", "organization__name", "category", "income_base",
                     "amount", "status", "payment__receipt_number")
        .iterator(chunk_size=CHUNK)
    ):
        bills.append([f"{month:%Y-%m}", name, branch, categories.get(category, category), base,
                      amount, statuses.get(status, status), receipt or ""])
        rows += 1

    payments = book.create_sheet(_("Payments")[:31])
    payments.append(_header_cells(payments, [
        _("Date paid"), _("Receipt number"), _("Member"), _("Branch"), _("Method"),
        _("Amount paid"), _("Dues settled"), _("Voluntary extra"), _("First month"),
        _("Last month"), _("To remit to the Central Committee")]))
    for (paid_on, receipt, name, branch, method, amount, dues, voluntary, first, last,
         central) in (
        payment_list(user, organization=organization, year=year)
        .order_by("paid_on", "id")
        .values_list("paid_on", "receipt_number", "member__name", "organization__name",
                     "method", "amount", "dues_amount", "voluntary_amount", "first_month",
                     "last_month", "remit_to_central")
        .iterator(chunk_size=CHUNK)
    ):
        payments.append([paid_on, receipt, name, branch, methods.get(method, method), amount,
                         dues, voluntary, f"{first:%Y-%m}" if first else "",
                         f"{last:%Y-%m}" if last else "", _("Yes") if central else ""])
        rows += 1
    return _save(book), rows


def dues_export(user, organization: Organization, year: int) -> Workbook:
    """Export and record who exported what (audit)."""
    content, rows = dues_workbook(user, organization, year)
    audit_log(user, "dues.export", organization, {"year": year, "rows": rows},
              organization_path=organization.path)
    return Workbook(content, _filename(_("Dues %(year)s") % {"year": year}), rows)
