"""Importing members from .xlsx: every row checked, all or nothing, scoped, reported."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from fengling.core.lib import idcard
from fengling.core.models import AuditEntry
from fengling.members import imports
from fengling.members.imports import COLUMNS, member_import
from fengling.members.models import Member

pytestmark = pytest.mark.django_db

def person(n: int, code: str, **overrides) -> dict:
    birth = dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
    row = {
        "name": f"导入{n}", "gender": "男", "ethnicity": "汉族", "birth_date": birth,
        "id_number": idcard.build("330204", birth, n % 500, "M"),
        "phone": f"139{n:08d}", "education": "本科", "occupation": "在职（月薪）",
        "work_unit": "某公司", "join_date": birth.replace(year=birth.year + 25),
        "membership": "正式党员", "conversion_date": birth.replace(year=birth.year + 26),
        "organization_code": code,
    }
    row.update(overrides)
    return row


def xlsx(rows: list[dict], headers=None) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        sheet.append(headers or [str(c.label) for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer



def test_a_clean_file_writes_every_row_with_its_fields(cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 6)]
    rows[1].update(gender="female", id_number=idcard.build("330204", rows[1]["birth_date"],
                                                           7, "F"),
                   membership="Probationary member", conversion_date=None,
                   education="master", phone="")
    result = member_import(cast.community_secretary, xlsx(rows))
    assert result.ok, result.errors
    assert result.written == 5
    written = Member.objects.get(name="导入2")
    assert (written.organization, written.gender, written.membership, written.education,
            written.conversion_date, written.phone) == (cast.branch_a, "F", "probationary",
                                                        "master", None, "")
    assert written.reveal_id_number() == rows[1]["id_number"]
    assert written.id_number_masked == idcard.mask(rows[1]["id_number"])
    first = Member.objects.get(name="导入1")
    assert (first.birth_date, first.join_date, first.occupation) == (
        rows[0]["birth_date"], rows[0]["join_date"], "in_service")
    entry = AuditEntry.objects.get(action="members.import")
    assert entry.data["count"] == 5


def test_one_bad_row_among_many_writes_nothing_and_reports_that_row(cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 41)]
    rows[22]["phone"] = "12345"
    before = Member.objects.count()
    result = member_import(cast.district_admin, xlsx(rows))
    assert Member.objects.count() == before
    assert [(e.line, e.column) for e in result.errors] == [(24, "手机号码")]
    assert "11" in result.errors[0].message


def _bad(cast, n=3):
    return {
        "bad check digit": ({"id_number": "33020419730404003X"}, "身份证号码", "校验"),
        "birth date mismatch": ({"birth_date": dt.date(1973, 4, 5)}, "出生日期",
                                "身份证"),
        "unknown org code": ({"organization_code": "NOPE"}, "Home branch code", "NOPE"),
        "out-of-scope org": ({"organization_code": cast.branch_b.code}, "Home branch code",
                             ""),
        "not a home kind": ({"organization_code": cast.street1.code}, "Home branch code", ""),
        "bad date": ({"join_date": "2005-13-40"}, "入党日期", ""),
        "bad phone": ({"phone": "23800001111"}, "手机号码", "11"),
        "under 18": ({"join_date": dt.date(1990, 1, 1)}, "入党日期", "18"),
        "bad choice": ({"education": "幼儿园"}, "学历", "幼儿园"),
        "missing name": ({"name": ""}, "Full name", ""),
        "probationary converted": ({"membership": "预备党员"}, "转正日期", ""),
        "conversion before joining": ({"conversion_date": dt.date(1997, 1, 1)}, "转正日期", ""),
    }


@pytest.mark.parametrize("case", [
    "bad check digit", "birth date mismatch", "unknown org code", "out-of-scope org",
    "not a home kind", "bad date", "bad phone", "under 18", "bad choice", "missing name",
    "probationary converted", "conversion before joining",
])
def test_each_check_reports_line_column_and_reason(cast, case):
    overrides, column, fragment = _bad(cast)[case]
    rows = [person(n, cast.branch_a.code) for n in range(1, 5)]
    rows[2] = person(3, cast.branch_a.code, birth_date=dt.date(1973, 4, 4),
                     id_number=idcard.build("330204", dt.date(1973, 4, 4), 3, "M"),
                     join_date=dt.date(2000, 7, 1), conversion_date=dt.date(2001, 7, 1))
    rows[2].update(overrides)
    result = member_import(cast.community_secretary, xlsx(rows))
    labels = {"Full name": "姓名", "Home branch code": None}
    expected_column = labels.get(column, column)
    errors = [(e.line, e.column) for e in result.errors]
    assert len(errors) >= 1 and {line for line, _c in errors} == {4}, result.errors
    if expected_column:
        assert expected_column in {c for _l, c in errors}
    assert fragment in " ".join(e.message for e in result.errors)
    assert not Member.objects.filter(name__startswith="导入").exists()


def test_duplicate_id_within_the_file_names_the_first_line(cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 4)]
    rows[2]["id_number"] = rows[0]["id_number"]
    rows[2]["birth_date"] = rows[0]["birth_date"]
    result = member_import(cast.community_secretary, xlsx(rows))
    assert [(e.line, e.column) for e in result.errors] == [(4, "身份证号码")]
    assert "2" in result.errors[0].message


def test_duplicate_id_against_the_database_is_reported(cast):
    existing = cast.member_a.reveal_id_number()
    rows = [person(1, cast.branch_a.code, id_number=existing,
                   birth_date=cast.member_a.birth_date, join_date=dt.date(2005, 7, 1),
                   conversion_date=dt.date(2006, 7, 1))]
    result = member_import(cast.community_secretary, xlsx(rows))
    assert [(e.line, e.column) for e in result.errors] == [(2, "身份证号码")]
    assert "已" in result.errors[0].message or "already" in result.errors[0].message


def test_headers_may_be_english_and_in_any_order(cast):
    rows = [person(1, cast.branch_a.code)]
    book = Workbook()
    sheet = book.active
    with translation.override("en"):
        labels = [str(c.label) for c in COLUMNS]
    order = list(reversed(range(len(COLUMNS))))
    sheet.append([labels[i] for i in order])
    sheet.append([rows[0][COLUMNS[i].key] for i in order])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    assert member_import(cast.community_secretary, buffer).written == 1


def test_report_follows_the_language(cast):
    rows = [person(1, cast.branch_a.code, phone="123")]
    with translation.override("en"):
        result = member_import(cast.community_secretary, xlsx(rows))
    assert result.errors[0].column == "Mobile phone"
    assert "11 digits" in result.errors[0].message


def test_dry_run_writes_nothing(cast, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx([person(1, cast.branch_a.code)]).getvalue())
    call_command("import_members", str(path), "--dry-run", "--as", "community_secretary")
    assert not Member.objects.filter(name="导入1").exists()
    assert not AuditEntry.objects.filter(action="members.import").exists()


def test_command_writes_a_clean_file_as_the_district_admin_by_default(cast, tmp_path):
    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx([person(n, cast.branch_b.code) for n in (1, 2)]).getvalue())
    call_command("import_members", str(path))
    assert Member.objects.filter(name__startswith="导入", organization=cast.branch_b).count() == 2


def test_command_exits_non_zero_with_the_report_in_chinese(cast, tmp_path, capsys):
    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx([person(1, cast.branch_b.code)]).getvalue())
    with pytest.raises(CommandError):
        call_command("import_members", str(path), "--as", "community_secretary")
    assert "第 2 行" in capsys.readouterr().err
    assert not Member.objects.filter(name="导入1").exists()


def test_a_failure_in_the_middle_of_the_write_leaves_the_database_as_it_was(
        cast, monkeypatch):
    monkeypatch.setattr(imports, "WRITE_CHUNK", 2)
    calls = []
    real = imports._bulk_insert

    def insert_then_fail(members, actor):
        calls.append(len(members))
        if len(calls) == 2:
            raise imports.ImportAborted("killed")
        real(members, actor)

    monkeypatch.setattr(imports, "_bulk_insert", insert_then_fail)
    before = Member.objects.count()
    with pytest.raises(imports.ImportAborted):
        member_import(cast.district_admin, xlsx([person(n, cast.branch_a.code)
                                                  for n in range(1, 6)]))
    assert calls == [2, 2]
    assert Member.objects.count() == before
    assert not AuditEntry.objects.filter(action="members.import").exists()


def test_a_file_that_is_not_a_workbook_is_reported(cast):
    result = member_import(cast.district_admin, io.BytesIO(b"not a zip"))
    assert not result.ok


def test_a_missing_required_column_is_reported_on_line_1(cast):
    result = member_import(cast.district_admin, xlsx([], headers=["姓名", "性别"]))
    assert {e.line for e in result.errors} == {1}
    assert "出生日期" in {e.column for e in result.errors}


def test_imported_members_are_found_by_pinyin_initials(cast):
    rows = [person(1, cast.branch_a.code, name="张导入")]
    assert member_import(cast.community_secretary, xlsx(rows)).ok
    found = Member.objects.visible_to(cast.community_secretary).search("zdr")
    assert [m.name for m in found] == ["张导入"]


def test_imported_members_history_starts_with_who_imported_them(cast):
    from fengling.members.lifecycle.models import StatusChange

    rows = [person(1, cast.branch_a.code, name="王导入")]
    assert member_import(cast.community_secretary, xlsx(rows)).ok
    first = StatusChange.objects.get(member__name="王导入")
    assert (first.kind, first.recorded_by) == ("initial", cast.community_secretary)
    assert first.reason
