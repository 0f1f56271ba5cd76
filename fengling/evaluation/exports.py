"""The year's work-fund allocation as Excel (.xlsx): scoped, audited, money as numbers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.organizations.kinds import OrgKind
from fengling.organizations.models import Organization
from fengling.organizations.selectors import organization_roots

from .selectors import allocations, street_report


@dataclass(frozen=True)
class Workbook:
    content: bytes
    filename: str
    rows: int


def funding_workbook(user, year: int) -> Workbook:
    """Two sheets: each filed organization (street, kind, stars, subsidy) and the report per
    street. Records the export in the audit log."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font

    rows = allocations(user, year)
    streets = street_report(rows)
    names = {s.path: s.name for s in streets}
    book = XlsxWorkbook(write_only=True)
    bold = Font(bold=True)

    def header(sheet, labels):
        from openpyxl.cell import WriteOnlyCell
        cells = []
        for label in labels:
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    sheet = book.create_sheet(_("Allocation")[:31])
    header(sheet, [_("Street/town"), _("Organization"), _("Kind"), _("Stars"),
                   _("Subsidy (yuan)")])
    kinds = dict(OrgKind.choices)
    for r in rows:
        street = names.get(r.path[:2 * Organization.steplen], "")
        sheet.append([street, r.name, str(kinds.get(r.kind, r.kind)), r.stars, r.amount])
    sheet.append([_("Total"), "", "", "", sum((r.amount for r in rows), Decimal(0))])
    sheet = book.create_sheet(_("Per street")[:31])
    header(sheet, [_("Street/town"), _("Organizations"), "5★", "4★", "3★",
                   _("Below 3 stars"), _("Subsidy (yuan)")])
    for s in streets:
        sheet.append([s.name, s.organizations, s.stars.get(5, 0), s.stars.get(4, 0),
                      s.stars.get(3, 0), sum(n for k, n in s.stars.items() if k < 3),
                      s.amount])
    buffer = io.BytesIO()
    book.save(buffer)
    subject = organization_roots(user).order_by("path").first() or user
    audit_log(user, "funding.export", subject, {"year": year, "rows": len(rows)},
              organization_path=getattr(subject, "path", ""))
    return Workbook(buffer.getvalue(), f"funding-{year}.xlsx", len(rows))
