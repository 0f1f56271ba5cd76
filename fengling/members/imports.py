"""Member rosters from Excel (.xlsx): check every row, then write all or nothing.

`member_import(actor, file)` reads the workbook with openpyxl in read-only mode, maps the
header row by its labels (Chinese or English), checks each row and returns the report. If any
row is bad nothing is written; a clean file is written in one transaction with `bulk_create`
and one audit entry. The per-record rules (dates, age at joining, membership and conversion,
the kind of home organization, ID number against birth date and gender) are those of
`members.services`, called on unsaved records so that no row costs a query; the ID numbers'
uniqueness is checked against the database with one query per chunk of digests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengling.core.audit import audit_log
from fengling.core.lib import crypto, idcard
from fengling.core.scoping import scope_of
from fengling.organizations.models import Organization
from fengling.organizations.selectors import organization_roots

from . import services
from .models import Education, Gender, Member, Membership, Occupation, StatusChange

# Rows written per INSERT; digests looked up per query (below SQLite's variable limit).
WRITE_CHUNK = 2000
LOOKUP_CHUNK = 500
# Progress is reported every this many rows read or checked (and per chunk written).
PROGRESS_EVERY = 500

# `progress(phase, done, total)`: phases "read", "check", "prepare" (encrypting), "write";
# total 0 if unknown.
ProgressFn = Callable[[str, int, int], None]


def _no_progress(phase: str, done: int, total: int) -> None:
    return None
PHONE_RE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class Column:
    key: str  # the Member field, or "id_number" / "organization_code"
    label: object  # lazy, translated
    required: bool = True
    choices: type | None = None  # a TextChoices class


def _field_label(name: str):
    return Member._meta.get_field(name).verbose_name


# The template's columns, in order. Import maps headers to these by label.
COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_lazy("Full name")),
    Column("gender", _field_label("gender"), choices=Gender),
    Column("ethnicity", _field_label("ethnicity"), required=False),
    Column("birth_date", _field_label("birth_date")),
    Column("id_number", gettext_lazy("ID number")),
    Column("phone", _field_label("phone"), required=False),
    Column("education", _field_label("education"), choices=Education),
    Column("occupation", _field_label("occupation"), choices=Occupation),
    Column("work_unit", _field_label("work_unit"), required=False),
    Column("join_date", _field_label("join_date")),
    Column("membership", _field_label("membership"), choices=Membership),
    Column("conversion_date", _field_label("conversion_date"), required=False),
    Column("organization_code", gettext_lazy("Home branch code")),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
DATE_KEYS = ("birth_date", "join_date", "conversion_date")
# Service error fields → the column they are reported in.
FIELD_TO_COLUMN = {"organization": "organization_code"}

# English msgids, resolved in the reader's language when reported.
MESSAGES = {
    "required": gettext_lazy("This field is required."),
    "missing_column": gettext_lazy("This column is missing from the header row."),
    "bad_date": gettext_lazy("Enter a date such as 2005-07-01."),
    "bad_phone": gettext_lazy("A mobile phone number has 11 digits and starts with 1."),
    "bad_choice": gettext_lazy("“%(value)s” is not one of the allowed values: %(allowed)s."),
    "too_long": gettext_lazy("At most %(max)d characters."),
    "unknown_org": gettext_lazy("No organization has the code “%(code)s”."),
    "org_out_of_scope": gettext_lazy("You may not place members in this organization."),
    "dup_in_file": gettext_lazy("The same ID number is already on line %(line)d."),
    "dup_in_db": gettext_lazy("Another member already has this ID number."),
    "empty": gettext_lazy("The file has no member rows."),
    "unreadable": gettext_lazy("This file cannot be read as an Excel workbook (.xlsx)."),
}


@dataclass(frozen=True)
class RowError:
    line: int  # the row number in Excel (the header is line 1)
    column: str  # the header label, in the reader's language
    message: str


@dataclass
class ImportResult:
    rows: int = 0  # member rows read
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Good rows per home organization: (code, name, rows), by code. Filled when all are good.
    organizations: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportAborted(Exception):
    """Raised inside the write to roll it back (tests, and any failure while writing)."""


def _norm(text) -> str:
    return re.sub(r"[\s*＊]", "", str(text or "")).casefold()


def _labels_in_all_languages(label) -> set[str]:
    labels = set()
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            labels.add(_norm(capfirst(str(label))))
    return labels


def header_map() -> dict[str, str]:
    """Normalized header label (either language, or the field key) → column key."""
    mapping = {}
    for column in COLUMNS:
        mapping[_norm(column.key)] = column.key
        for label in _labels_in_all_languages(column.label):
            mapping[label] = column.key
    # What staff commonly write instead.
    mapping[_norm("身份证号")] = "id_number"
    mapping[_norm("姓名")] = "name"
    mapping[_norm("手机号")] = "phone"
    mapping[_norm("organization code")] = "organization_code"
    return mapping


def choice_map(choices) -> dict[str, str]:
    """Code, English label or Chinese label → code."""
    mapping = {}
    for value, label in choices.choices:
        mapping[_norm(value)] = value
        for text in _labels_in_all_languages(label):
            mapping[text] = value
    return mapping


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise ValueError(text)
    return dt.date(*(int(g) for g in match.groups()))


@dataclass
class _Row:
    line: int
    member: Member
    id_value: str = ""


class _Checker:
    """Checks rows one by one; keeps what the later, file-wide checks need."""

    def __init__(self, actor, organizations: dict[str, Organization], result: ImportResult):
        self.scope = scope_of(actor)
        self.organizations = organizations
        self.result = result
        self.choice_maps = {c.key: choice_map(c.choices) for c in COLUMNS if c.choices}
        self.allowed = {
            c.key: " / ".join(str(label) for _v, label in c.choices.choices)
            for c in COLUMNS if c.choices
        }
        self.labels = {c.key: capfirst(str(c.label)) for c in COLUMNS}
        self.first_line_of_id: dict[str, int] = {}

    def error(self, line: int, key: str, message) -> None:
        self.result.errors.append(RowError(line, self.labels[key], str(message)))

    def check(self, line: int, cells: dict[str, object]) -> _Row | None:
        n_errors = len(self.result.errors)
        values: dict[str, object] = {}
        for column in COLUMNS:
            raw = cells.get(column.key)
            text = _text(raw)
            if not text:
                if column.required:
                    self.error(line, column.key, MESSAGES["required"])
                values[column.key] = None if column.key in DATE_KEYS else ""
                continue
            if column.key in DATE_KEYS:
                try:
                    values[column.key] = _date(raw)
                except ValueError:
                    self.error(line, column.key, MESSAGES["bad_date"])
                    values[column.key] = None
            elif column.choices:
                code = self.choice_maps[column.key].get(_norm(text))
                if code is None:
                    self.error(line, column.key, MESSAGES["bad_choice"] % {
                        "value": text, "allowed": self.allowed[column.key]})
                values[column.key] = code or ""
            else:
                values[column.key] = text
        for key in ("name", "ethnicity", "work_unit"):
            limit = Member._meta.get_field(key).max_length
            if len(values[key]) > limit:
                self.error(line, key, MESSAGES["too_long"] % {"max": limit})
        if values["phone"] and not PHONE_RE.match(values["phone"]):
            self.error(line, "phone", MESSAGES["bad_phone"])

        org = None
        code = values["organization_code"]
        if code:
            org = self.organizations.get(code)
            if org is None:
                self.error(line, "organization_code", MESSAGES["unknown_org"] % {"code": code})
            elif not self.scope.covers_path(org.path, write=True):
                self.error(line, "organization_code", MESSAGES["org_out_of_scope"])
                org = None
            # A home of the wrong kind is reported by the service's rules below.

        member = Member(
            organization=org,
            name=values["name"],
            gender=values["gender"],
            ethnicity=values["ethnicity"] or "汉族",
            birth_date=values["birth_date"],
            phone=values["phone"],
            education=values["education"],
            occupation=values["occupation"],
            work_unit=values["work_unit"],
            join_date=values["join_date"],
            membership=values["membership"],
            conversion_date=values["conversion_date"],
        )
        id_value = ""
        if values["id_number"]:
            try:
                parsed = idcard.parse(values["id_number"])
            except idcard.IDNumberError as exc:
                self.error(line, "id_number", services.ID_ERRORS[exc.code])
            else:
                id_value = parsed.value
                id_errors: services.Errors = {}
                services._check_against_id(id_errors, member, parsed)
                self._service_errors(line, id_errors)
                first = self.first_line_of_id.setdefault(id_value, line)
                if first != line:
                    self.error(line, "id_number", MESSAGES["dup_in_file"] % {"line": first})
        # The service's record rules without an ID number: no query per row.
        self._service_errors(line, services._record_errors(member, None))
        if len(self.result.errors) > n_errors:
            return None
        return _Row(line, member, id_value)

    def _service_errors(self, line: int, errors: services.Errors) -> None:
        for field_name, messages in errors.items():
            key = FIELD_TO_COLUMN.get(field_name, field_name)
            for message in messages:
                self.error(line, key, message)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _read_rows(file, progress: ProgressFn = _no_progress) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook

    workbook = load_workbook(file, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # The sheet's recorded size, if the file has one; 0 (unknown) otherwise.
        try:
            total = max((sheet.max_row or 1) - 1, 0)
        except Exception:  # a file without a dimension record
            total = 0
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line % PROGRESS_EVERY == 0:
                progress("read", min(line - 1, total) if total else line - 1, total)
            yield line, row
    finally:
        workbook.close()


def _organizations_by_code(codes: Iterable[str]) -> dict[str, Organization]:
    found: dict[str, Organization] = {}
    for chunk in _chunks(sorted(set(codes)), LOOKUP_CHUNK):
        for org in Organization.objects.filter(code__in=chunk).only("pk", "path", "kind",
                                                                    "code", "name"):
            found[org.code] = org
    return found


def check_file(actor, file, *, progress: ProgressFn | None = None
               ) -> tuple[ImportResult, list[_Row]]:
    """Read and check every row; nothing is written. `progress` hears of it in chunks."""
    progress = progress or _no_progress
    result = ImportResult()
    headers = header_map()
    progress("read", 0, 0)
    try:
        rows = _read_rows(file, progress)
        first = next(rows, None)
        raw_rows = []
        if first is not None:
            raw_rows = list(rows)
    except Exception:  # openpyxl raises several kinds for a file that is not .xlsx
        result.errors.append(RowError(0, "", str(MESSAGES["unreadable"])))
        return result, []
    header = first[1] if first else ()
    positions: dict[str, int] = {}
    for index, label in enumerate(header):
        key = headers.get(_norm(label))
        if key and key not in positions:
            positions[key] = index
    labels = {c.key: capfirst(str(c.label)) for c in COLUMNS}
    missing = [c for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        result.errors.extend(RowError(1, labels[c.key], str(MESSAGES["missing_column"]))
                             for c in missing)
        return result, []

    cell_rows = []
    codes = set()
    for line, row in raw_rows:
        if not any(_text(v) for v in row):
            continue
        cells = {key: row[i] if i < len(row) else None for key, i in positions.items()}
        cell_rows.append((line, cells))
        codes.add(_text(cells.get("organization_code")))
    if not cell_rows:
        result.errors.append(RowError(2, "", str(MESSAGES["empty"])))
        return result, []
    result.rows = len(cell_rows)

    checker = _Checker(actor, _organizations_by_code(codes), result)
    total = len(cell_rows)
    progress("check", 0, total)
    good = []
    for done, (line, cells) in enumerate(cell_rows, start=1):
        row = checker.check(line, cells)
        if row is not None:
            good.append(row)
        if done % PROGRESS_EVERY == 0:
            progress("check", done, total)

    # Against the database: one query per chunk of digests.
    by_digest = {}
    for row in good:
        row.member.id_number_digest = crypto.lookup_digest(row.id_value)
        by_digest[row.member.id_number_digest] = row
    for chunk in _chunks(list(by_digest), LOOKUP_CHUNK):
        taken = Member.objects.filter(id_number_digest__in=chunk).values_list(
            "id_number_digest", flat=True)
        for digest in taken:
            checker.error(by_digest[digest].line, "id_number", MESSAGES["dup_in_db"])
    progress("check", total, total)
    result.errors.sort(key=lambda e: e.line)
    if result.ok:
        counts = Counter(row.member.organization.code for row in good)
        names = {row.member.organization.code: row.member.organization.name for row in good}
        result.organizations = [(code, names[code], counts[code]) for code in sorted(counts)]
    return result, good


def _bulk_insert(members: list[Member], actor) -> None:
    created = Member.objects.bulk_create(members)
    # Each imported member's status history starts with the record (members.lifecycle),
    # recorded by whoever imported the file (none from the command line).
    recorder = actor if actor is not None and actor.is_authenticated else None
    reason = _("Imported from Excel")
    StatusChange.objects.bulk_create([
        StatusChange(member_id=m.pk, kind="initial", status=m.status, effective_on=m.join_date,
                     reason=reason, recorded_by=recorder)
        for m in created
    ])


def _audit_subject(actor):
    root = organization_roots(actor).order_by("path").first()
    return root if root is not None else actor


def member_import(actor, file, *, dry_run: bool = False, source: str = "",
                  progress: ProgressFn | None = None) -> ImportResult:
    """Check `file` and, if every row is good and this is not a dry run, write them all in
    one transaction. Killing the process mid-write leaves the database as it was.
    `progress` hears of the reading, checking and writing in chunks."""
    progress = progress or _no_progress
    result, rows = check_file(actor, file, progress=progress)
    if not result.ok or dry_run:
        return result
    total = len(rows)
    progress("prepare", 0, total)
    for done, row in enumerate(rows, start=1):
        # As Member.set_id_number, without parsing the number and computing its digest
        # again: check_file has done both.
        row.member.id_number_cipher = crypto.encrypt(row.id_value)
        row.member.id_number_masked = idcard.mask(row.id_value)
        row.member.set_search_keys()  # bulk_create skips save(), which sets them
        if done % PROGRESS_EVERY == 0:
            progress("prepare", done, total)
    progress("write", 0, total)
    with transaction.atomic():
        written = 0
        for chunk in _chunks([r.member for r in rows], WRITE_CHUNK):
            _bulk_insert(chunk, actor)
            written += len(chunk)
            progress("write", written, total)
        subject = _audit_subject(actor)
        audit_log(actor, "members.import", subject, {"count": len(rows), "file": source},
                  organization_path=getattr(subject, "path", ""))
    result.written = len(rows)
    return result


def format_report(result: ImportResult) -> list[str]:
    """One line per bad row, in the active language."""
    lines = []
    for error in result.errors:
        if error.column:
            lines.append(_("Line %(line)d, column “%(column)s”: %(message)s") % {
                "line": error.line, "column": error.column, "message": error.message})
        else:
            lines.append(_("Line %(line)d: %(message)s") % {
                "line": error.line, "message": error.message})
    return lines
