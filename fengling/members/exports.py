"""Member rosters as Excel (.xlsx): the filtered list, and the import template.

Exports stream rows from the scoped selector (`member_list`) into openpyxl's write-only
workbook, so memory and the number of queries do not grow with the rows. Phone and ID numbers
are masked (PIPL) unless the user may reveal them and asks for an unmasked export, which is
audit-logged with the filters and the row count (docs/privacy.md).
Headers and choice labels follow the active language.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengling.core.audit import audit_log
from fengling.core.lib import crypto, idcard
from fengling.core.scoping import path_q, scope_of
from fengling.organizations.selectors import organization_roots

from .imports import COLUMN_BY_KEY, COLUMNS
from .masking import mask_phone
from .models import Education, Gender, Member, Membership, MemberStatus, Occupation
from .selectors import MemberFilters, member_home_choices, member_list

CHUNK = 2000
# Anything shaped like an ID number (15 or 18 characters): masked before it is logged.
ID_LIKE = re.compile(r"\d{17}[\dXx]|\d{15}")
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Workbook:
    content: bytes
    filename: str
    rows: int


def _label(field_name: str) -> str:
    return capfirst(str(Member._meta.get_field(field_name).verbose_name))


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


# (header, values_list field) in sheet order.
def _member_columns():
    return [
        (_("Full name"), "name"),
        (_label("gender"), "gender"),
        (_label("ethnicity"), "ethnicity"),
        (_label("birth_date"), "birth_date"),
        (_("ID number"), "id_number_masked"),
        (_label("phone"), "phone"),
        (_label("education"), "education"),
        (_label("occupation"), "occupation"),
        (_label("work_unit"), "work_unit"),
        (_label("join_date"), "join_date"),
        (_label("membership"), "membership"),
        (_label("conversion_date"), "conversion_date"),
        (_label("status"), "status"),
        (_("Home branch"), "organization__name"),
        (_("Home branch code"), "organization__code"),
        # 党小组: shown, not read back by the import (which places no one in a group).
        (_label("party_group"), "party_group__name"),
    ]


def _new_sheet(title: str):
    from openpyxl import Workbook as XlsxWorkbook

    book = XlsxWorkbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    return book, sheet


def _header_cells(sheet, labels):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        cells.append(cell)
    return cells


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filters_as_data(filters: MemberFilters) -> dict:
    """The filters in a form an audit entry can keep: an ID number typed into the search
    box is kept masked, never in clear."""
    data = {k: v for k, v in vars(filters).items() if v and k != "organization"}
    if data.get("search"):
        data["search"] = ID_LIKE.sub(lambda m: idcard.mask(m.group(0)), data["search"])
    if filters.organization is not None:
        data["organization"] = filters.organization.pk
    return data


def _audit_subject(user):
    root = organization_roots(user).order_by("path").first()
    return root if root is not None else user


def export_refused() -> PermissionDenied:
    return PermissionDenied(
        _("Your role may not export full ID or phone numbers. Download the masked list.")
    )


def member_workbook(user, filters: MemberFilters | None = None, *,
                    unmasked: bool = False) -> tuple[bytes, int]:
    """The members `user` may see under `filters` as .xlsx bytes, masked; and the row count.

    `unmasked`: full ID and phone numbers, only of the members whose data `user` may reveal
    (`Scope.reveal_paths`: a reader elsewhere gets those rows left out). The caller checks
    the permission and writes the audit entry (`member_export`).

    A fixed number of queries whatever the number of rows.
    """
    columns = _member_columns()
    if unmasked:
        columns = [(h, "id_number_cipher" if f == "id_number_masked" else f)
                   for h, f in columns]
    fields = [f for _h, f in columns]
    labels = {
        "gender": _labels(Gender), "education": _labels(Education),
        "occupation": _labels(Occupation), "membership": _labels(Membership),
        "status": _labels(MemberStatus),
    }
    converters = []
    for index, name in enumerate(fields):
        if name in labels:
            converters.append((index, labels[name].get))
        elif name == "phone" and not unmasked:
            converters.append((index, mask_phone))
        elif name == "id_number_cipher":
            converters.append((index, crypto.decrypt))
    book, sheet = _new_sheet(_("Members"))
    for index, name in enumerate(fields):
        sheet.column_dimensions[_column_letter(index)].width = 12 if name.endswith("date") else 16
    sheet.append(_header_cells(sheet, [h for h, _f in columns]))
    members = member_list(user, filters)
    scope = scope_of(user)
    if unmasked and not scope.everything:
        members = members.filter(path_q("organization__path", scope.reveal_paths))
    rows = members.values_list(*fields).iterator(chunk_size=CHUNK)
    count = 0
    for row in rows:
        row = list(row)
        for index, convert in converters:
            row[index] = convert(row[index]) if row[index] else row[index]
        sheet.append(row)
        count += 1
    return _save(book), count


def member_export(user, filters: MemberFilters | None = None, *, unmasked: bool = False,
                  ip_address: str | None = None, user_agent: str = "") -> Workbook:
    """Export the filtered member list and record who exported what (audit).

    `unmasked` needs the reveal permission (`Scope.can_reveal`; PermissionDenied otherwise).
    """
    filters = filters or MemberFilters()
    if unmasked and not scope_of(user).can_reveal:
        raise export_refused()
    content, rows = member_workbook(user, filters, unmasked=unmasked)
    subject = _audit_subject(user)
    data = {"filters": filters_as_data(filters), "rows": rows, "masked": not unmasked}
    if user_agent:
        data["user_agent"] = user_agent
    audit_log(user, "members.export", subject, data,
              organization_path=getattr(subject, "path", ""), ip_address=ip_address)
    stem = _("Member roster (unmasked)") if unmasked else _("Member roster")
    return Workbook(content, _filename(stem), rows)


def _filename(stem: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.xlsx"


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


EXAMPLE_ROW = {
    "name": "张三",
    "gender": Gender.MALE,
    "ethnicity": "汉族",
    "birth_date": dt.date(1980, 5, 17),
    "id_number": idcard.build("330203", dt.date(1980, 5, 17), 5, Gender.MALE),
    "phone": "13812345678",
    "education": Education.BACHELOR,
    "occupation": Occupation.IN_SERVICE,
    "work_unit": gettext_lazy("Example Company Ltd."),
    "join_date": dt.date(2005, 7, 1),
    "membership": Membership.FULL,
    "conversion_date": dt.date(2006, 7, 1),
}


def import_template(user) -> Workbook:
    """The member import template: headers, an example row, the allowed values, and
    drop-down lists on the choice columns and on the home branch code."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    homes = list(member_home_choices(user).values_list("code", "name"))
    book = XlsxWorkbook()
    sheet = book.active
    sheet.title = _("Members")[:31]
    allowed = book.create_sheet(_("Allowed values")[:31])

    sheet.append([capfirst(str(c.label)) for c in COLUMNS])
    example = dict(EXAMPLE_ROW, organization_code=homes[0][0] if homes else "")
    row = []
    for column in COLUMNS:
        value = example.get(column.key, "")
        if column.choices:
            value = dict(column.choices.choices)[value]
        row.append(str(value) if isinstance(value, Promise) else value)
    sheet.append(row)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for index, column in enumerate(COLUMNS):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = 16
        if column.key in ("id_number", "phone", "organization_code"):
            # Text, so that Excel keeps all 18 digits and leading zeros.
            sheet.column_dimensions[letter].number_format = "@"
            sheet[f"{letter}2"].number_format = "@"
        elif column.key.endswith("date"):
            sheet[f"{letter}2"].number_format = DATE_FORMAT

    # The allowed values, one column each, and a list validation pointing at them.
    lists = [(c, [str(label) for _v, label in c.choices.choices]) for c in COLUMNS
             if c.choices]
    lists.append((COLUMN_BY_KEY["organization_code"], [code for code, _n in homes]))
    headers = [capfirst(str(c.label)) for c, _values in lists] + [_("Organization name")]
    allowed.append(headers)
    for cell in allowed[1]:
        cell.font = bold
    for index, (_c, values) in enumerate(lists):
        letter = _column_letter(index)
        allowed.column_dimensions[letter].width = 24
        for offset, value in enumerate(values, start=2):
            allowed[f"{letter}{offset}"] = value
    name_letter = _column_letter(len(lists))
    allowed.column_dimensions[name_letter].width = 40
    for offset, (_code, name) in enumerate(homes, start=2):
        allowed[f"{name_letter}{offset}"] = name

    title = allowed.title.replace("'", "''")
    for index, (column, values) in enumerate(lists):
        if not values:
            continue
        letter = _column_letter(index)
        target = _column_letter(COLUMNS.index(column))
        validation = DataValidation(
            type="list",
            formula1=f"'{title}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=True,
            error=str(_("Choose a value from the list.")),
        )
        sheet.add_data_validation(validation)
        validation.add(f"{target}2:{target}5000")
    return Workbook(_save(book), _filename(_("Member import template")), 0)
