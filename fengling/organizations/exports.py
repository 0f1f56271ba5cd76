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


# --- the organization import template ------------------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    key: str
    label: object  # lazy, translated when the template is built
    required: bool = False
    choices: type | None = None  # a TextChoices class
    width: int = 16


def template_columns() -> tuple[TemplateColumn, ...]:
    from django.utils.translation import gettext_lazy

    from .kinds import FunctionalType

    def field(name):
        return Organization._meta.get_field(name).verbose_name

    return (
        TemplateColumn("name", field("name"), required=True, width=36),
        TemplateColumn("short_name", field("short_name"), width=20),
        TemplateColumn("kind", field("kind"), required=True, choices=OrgKind, width=28),
        TemplateColumn("domain", field("domain"), required=True, choices=Domain),
        TemplateColumn("functional_type", field("functional_type"), choices=FunctionalType),
        TemplateColumn("parent_code", gettext_lazy("Parent organization code"),
                       required=True),
        TemplateColumn("code", field("code")),
        TemplateColumn("established_on", field("established_on"), width=12),
        TemplateColumn("supervising_department", field("supervising_department"),
                       width=24),
        TemplateColumn("registration", field("registration"), width=24),
        TemplateColumn("address", field("address"), width=30),
        TemplateColumn("phone", field("phone")),
        TemplateColumn("units_covered", field("units_covered"), width=10),
    )


def organization_import_template(user) -> Workbook:
    """The organization import template (组织导入模板): headers in the reader's language
    (Chinese by default, required ones marked *), an example row, and a sheet of the allowed
    values — kinds, fields, functional types and the parent organizations `user` may add
    to — with drop-down lists on those columns."""
    import datetime as dt

    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = template_columns()
    parents = list(Organization.objects.visible_to(user, write=True)
                   .exclude(kind__in=(OrgKind.PARTY_GROUP, OrgKind.FUNCTIONAL))
                   .order_by("path").values_list("code", "name"))
    book = XlsxWorkbook()
    sheet = book.active
    sheet.title = _("Organizations")[:31]
    allowed = book.create_sheet(_("Allowed values")[:31])

    def header(column):
        label = capfirst(str(column.label))
        return f"{label}*" if column.required else label

    sheet.append([header(c) for c in columns])
    example = {
        "name": _("Example Community Second Party Branch"),
        "kind": str(OrgKind.BRANCH.label),
        "domain": str(Domain.COMMUNITY.label),
        "parent_code": parents[0][0] if parents else "",
        "established_on": dt.date(2020, 7, 1),
        "units_covered": 1,
    }
    sheet.append([example.get(c.key, "") for c in columns])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.key in ("parent_code", "code", "phone"):
            sheet[f"{letter}2"].number_format = "@"  # text: Excel keeps leading zeros
        elif column.key == "established_on":
            sheet[f"{letter}2"].number_format = "yyyy-mm-dd"

    lists = [(c, [str(label) for _v, label in c.choices.choices]) for c in columns
             if c.choices]
    lists.append((next(c for c in columns if c.key == "parent_code"),
                  [code for code, _n in parents]))
    allowed.append([capfirst(str(c.label)) for c, _v in lists] + [_("Organization name")])
    for cell in allowed[1]:
        cell.font = bold
    for index, (_c, values) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        allowed.column_dimensions[letter].width = 30
        for offset, value in enumerate(values, start=2):
            allowed[f"{letter}{offset}"] = value
    name_letter = get_column_letter(len(lists) + 1)
    allowed.column_dimensions[name_letter].width = 40
    for offset, (_code, name) in enumerate(parents, start=2):
        allowed[f"{name_letter}{offset}"] = name

    title = allowed.title.replace("'", "''")
    for index, (column, values) in enumerate(lists, start=1):
        if not values:
            continue
        letter = get_column_letter(index)
        target = get_column_letter(columns.index(column) + 1)
        validation = DataValidation(
            type="list", formula1=f"'{title}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=not column.required, showErrorMessage=True,
            error=str(_("Choose a value from the list.")),
        )
        sheet.add_data_validation(validation)
        validation.add(f"{target}2:{target}5000")
    buffer = io.BytesIO()
    book.save(buffer)
    filename = f"{_('Organization import template')}-{timezone.localdate():%Y-%m-%d}.xlsx"
    return Workbook(buffer.getvalue(), filename, 0)
