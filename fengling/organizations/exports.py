"""The organizations in a user's scope as Excel (.xlsx), streamed from the scoped selector."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log

from .kinds import Domain, OrgKind
from .models import Organization
from .selectors import organization_list, organization_roots

CHUNK = 2000


@dataclass(frozen=True)
class Workbook:
    content: bytes
    filename: str
    rows: int


def _label(field_name: str) -> str:
    return capfirst(str(Organization._meta.get_field(field_name).verbose_name))


def organization_workbook(user, *, search: str = "", kind: str = "") -> tuple[bytes, int]:
    """The organizations `user` may see (optionally searched / of one kind), in tree order,
    with their parent's code and name; a fixed number of queries whatever the rows."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fields = ["code", "name", "short_name", "kind", "domain", "established_on",
              "supervising_department", "address", "phone", "path"]
    headers = [_label(f) for f in fields[:-1]]
    headers += [_("Parent organization code"), _("Parent organization")]
    kinds = {v: str(label) for v, label in OrgKind.choices}
    domains = {v: str(label) for v, label in Domain.choices}

    book = XlsxWorkbook(write_only=True)
    sheet = book.create_sheet(_("Organizations")[:31])
    for index, width in enumerate([14, 36, 20, 24, 16, 12, 24, 30, 16, 14, 36], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for label in headers:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    # Tree order puts each parent before its children: its code and name are known by then
    # (or it lies outside the user's scope, and the parent columns stay empty).
    seen: dict[str, tuple[str, str]] = {}
    rows = (organization_list(user, search=search, kind=kind).order_by("path")
            .values_list(*fields).iterator(chunk_size=CHUNK))
    count = 0
    for row in rows:
        code, name, short, kind_value, domain, established, dept, address, phone, path = row
        seen[path] = (code, name)
        parent_code, parent_name = seen.get(path[:-Organization.steplen], ("", ""))
        sheet.append([code, name, short, kinds.get(kind_value, kind_value),
                      domains.get(domain, domain), established, dept, address, phone,
                      parent_code, parent_name])
        count += 1
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


def organization_export(user, *, search: str = "", kind: str = "") -> Workbook:
    """Export the organizations in scope and record who exported what (audit)."""
    content, rows = organization_workbook(user, search=search, kind=kind)
    subject = organization_roots(user).order_by("path").first() or user
    audit_log(user, "organizations.export", subject,
              {"filters": {k: v for k, v in {"search": search, "kind": kind}.items() if v},
               "rows": rows},
              organization_path=getattr(subject, "path", ""))
    filename = f"{_('Organization list')}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return Workbook(content, filename, rows)
