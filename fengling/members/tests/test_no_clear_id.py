"""Acceptance (issue 3): the database file or tables never contain an ID number in clear text.

Every way an ID number enters or leaves the product is exercised — the web form, the
service, the API, an Excel import, an edit of the number, reveals, masked and unmasked
exports, a search and a refused duplicate — and then every column of every table is read
back (django-auditlog's LogEntry and our AuditEntry included) and searched for each clear
number. On SQLite the database is also written to a file and its raw bytes are searched.
"""

import datetime as dt
import io
import json
import sqlite3

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from fengling.accounts.services import api_token_issue
from fengling.core.lib import crypto, idcard
from fengling.core.models import AuditEntry
from fengling.members.imports import COLUMNS, member_import
from fengling.members.models import Member
from fengling.members.services import member_create

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1986, 3, 9)


def make_id(sequence: int, gender: str = "M", birth: dt.date = BIRTH) -> str:
    return idcard.build("330203", birth, sequence, gender)


def import_file(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append([str(c.label) for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def person(name: str, id_number: str, code: str) -> dict:
    return {
        "name": name, "gender": "男", "ethnicity": "汉族", "birth_date": BIRTH,
        "id_number": id_number, "phone": "13912345678", "education": "本科",
        "occupation": "在职（月薪）", "work_unit": "某公司", "join_date": dt.date(2010, 7, 1),
        "membership": "正式党员", "conversion_date": dt.date(2011, 7, 1),
        "organization_code": code,
    }


def member_form(member_or_none=None, **values) -> dict:
    data = {
        "name": "孙七", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH.isoformat(),
        "id_number": "", "phone": "13900001234", "education": "master",
        "occupation": "in_service", "work_unit": "海曙区图书馆", "join_date": "2015-07-01",
        "membership": "full", "conversion_date": "2016-07-01", "status": "normal",
        "roles": ["volunteer"], "functional_organizations": [],
    }
    if member_or_none is not None:
        m = member_or_none
        data.update(name=m.name, gender=m.gender, birth_date=m.birth_date.isoformat(),
                    phone=m.phone, organization=m.organization_id, roles=[])
    data.update(values)
    return data


def exercise(client, cast) -> list[str]:
    """Put ID numbers through every path; return every clear number used."""
    clear = []
    # 1. The web form (create), with a role and the auditlog middleware in the request.
    web_id = make_id(11)
    client.force_login(cast.branch_secretary)
    response = client.post(reverse("members:create"),
                           member_form(id_number=web_id, organization=cast.branch_a.pk))
    assert response.status_code == 302, response.content.decode()[:500]
    web_member = Member.objects.get(id_number_digest=crypto.lookup_digest(web_id))
    clear.append(web_id)

    # 2. The service directly, and the API.
    service_id = make_id(12, "F")
    member_create(cast.district_admin, organization=cast.branch_a, id_number=service_id,
                  name="周八", gender="F", birth_date=BIRTH, education="bachelor",
                  occupation="retiree", join_date=dt.date(2010, 7, 1),
                  conversion_date=dt.date(2011, 7, 1))
    clear.append(service_id)
    api_id = make_id(13)
    token = {"authorization": f"Bearer {api_token_issue(cast.district_admin)[0]}"}
    response = client.post("/api/v1/members", {
        "organization": cast.branch_a.pk, "id_number": api_id, "name": "吴九", "gender": "M",
        "birth_date": BIRTH.isoformat(), "education": "bachelor", "occupation": "retiree",
        "join_date": "2010-07-01", "conversion_date": "2011-07-01",
    }, content_type="application/json", headers=token)
    assert response.status_code == 201, response.content
    clear.append(api_id)

    # 3. An Excel import (two rows, a lower-case x among them).
    imported = [make_id(n) for n in range(20, 400)]
    with_x = next(i for i in imported if i.endswith("X"))
    result = member_import(cast.community_secretary, import_file(
        [person("导入甲", imported[0], cast.branch_a.code),
         person("导入乙", with_x.lower(), cast.branch_a.code)]), source="名单.xlsx")
    assert result.ok and result.written == 2, result.errors
    clear += [imported[0], with_x]

    # 4. An edit of the ID number: on the web, and through the API.
    edited_web = make_id(14)
    client.force_login(cast.community_secretary)
    response = client.post(reverse("members:edit", args=[web_member.pk]),
                           member_form(web_member, id_number=edited_web))
    assert response.status_code == 302, response.content.decode()[:500]
    clear.append(edited_web)
    edited_api = make_id(15)
    response = client.patch(f"/api/v1/members/{web_member.pk}", {"id_number": edited_api},
                            content_type="application/json", headers=token)
    assert response.status_code == 200, response.content
    clear.append(edited_api)

    # 5. A duplicate refused (the number is in the request, nothing may keep it).
    response = client.post(reverse("members:create"),
                           member_form(id_number=edited_api, organization=cast.branch_a.pk))
    assert response.status_code == 200  # the form again, with the error

    # 6. Reveals on the web and in the API; masked and unmasked exports; a search.
    response = client.post(reverse("members:reveal", args=[web_member.pk]),
                           {"field": "id_number"})
    assert edited_api in response.content.decode()
    response = client.post(f"/api/v1/members/{cast.member_a.pk}/reveal", {},
                           content_type="application/json", headers=token)
    assert response.status_code == 200
    clear.append(cast.member_a.reveal_id_number())
    assert client.get(reverse("members:export"), {"q": edited_api}).status_code == 200
    response = client.post(reverse("members:export") + f"?q={service_id}", {"unmasked": "1"})
    assert response.status_code == 200
    assert client.get(reverse("members:list"), {"q": imported[0]}).status_code == 200
    assert client.get("/api/v1/members", {"search": with_x}, headers=token).status_code == 200
    # Every number of the cast too.
    clear += [m.reveal_id_number() for m in Member.objects.all()]
    return sorted(set(clear))


def text_columns():
    """(table, column) of every text-like column of every table the models know about."""
    kinds = {"CharField", "TextField", "JSONField", "SlugField", "EmailField",
             "GenericIPAddressField", "FilePathField", "URLField"}
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if f.get_internal_type() in kinds:
                yield model, f


def every_row_of_every_table():
    """Every cell of every table of the database, as text: nothing skipped. (A SQLite
    virtual table, the pinyin index, keeps its rows in ordinary shadow tables, which are
    read here like any other: members_member_pinyin_fts_data and so on.)"""
    with connection.cursor() as cursor:
        virtual = set()
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
            virtual = {row[0] for row in cursor.fetchall()}
        for table in connection.introspection.table_names(cursor):
            if table in virtual:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                yield table, " ".join(str(v) for v in row)


def variants(number: str) -> set[str]:
    return {number, number.lower(), number.upper()}


@pytest.mark.django_db
def found_in_tables(clear) -> set[tuple[str, str]]:
    """Where any of the `clear` numbers occurs: (model, field) through every model's text and
    JSON columns, and (table, "*") reading every cell of every table raw."""
    hits = set()
    for model, f in text_columns():
        for value in model._base_manager.values_list(f.attname, flat=True):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            if any(v in text for number in clear for v in variants(number)):
                hits.add((model._meta.label, f.name))
    for table, text in every_row_of_every_table():
        if any(v in text for number in clear for v in variants(number)):
            hits.add((table, "*"))
    return hits


def test_the_scan_finds_a_number_left_in_clear(cast):
    clear = cast.member_b.reveal_id_number()
    assert found_in_tables([clear]) == set()
    cast.member_b.work_unit = f"ID {clear.lower()}"
    cast.member_b.save()
    hits = found_in_tables([clear])
    assert ("members.Member", "work_unit") in hits
    assert ("members_member", "*") in hits
    # django-auditlog recorded the change, so its log holds it too: the scan sees that.
    assert ("auditlog.LogEntry", "changes") in hits


def test_no_table_holds_an_id_number_in_clear(client, cast):
    clear = exercise(client, cast)
    assert len(clear) >= 10
    scanned = {model._meta.label for model, _f in text_columns()}
    assert {"auditlog.LogEntry", "core.AuditEntry", "members.Member",
            "sessions.Session", "axes.AccessLog"} <= scanned
    assert found_in_tables(clear) == set()

    # The logs were written (so the scan looked at something), in masked form.
    assert LogEntry.objects.filter(changes__icontains="id_number_masked").count() >= 3
    assert AuditEntry.objects.filter(action="member.reveal").count() == 2
    assert AuditEntry.objects.filter(action="members.export").count() == 2
    assert AuditEntry.objects.filter(action="members.import").count() == 1
    # Nor the keyed hash of a number anywhere outside the member table.
    digests = set(Member.objects.values_list("id_number_digest", flat=True))
    for entry in [*LogEntry.objects.all(), *AuditEntry.objects.all()]:
        text = json.dumps([entry.changes if isinstance(entry, LogEntry) else entry.data,
                           str(entry)], ensure_ascii=False)
        assert not any(d in text for d in digests)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="greps an SQLite database file")
# Committed for real (no test transaction left open), so the database can be copied whole.
@pytest.mark.django_db(transaction=True)
def test_the_sqlite_database_file_holds_no_id_number_in_clear(client, tmp_path):
    from fengling.testing.cast import build_cast

    clear = exercise(client, build_cast())
    path = tmp_path / "fengling.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    # The test database lives in memory: copy it page by page into a real file.
    connection.connection.backup(target)
    target.close()
    raw = path.read_bytes()
    assert len(raw) > 100_000
    # The file holds the data (masked numbers, names), but never a clear number.
    assert idcard.mask(clear[0]).encode() in raw or b"330203********" in raw
    assert "张三".encode() in raw
    for number in clear:
        for v in variants(number):
            assert v.encode("utf-8") not in raw
            assert v.encode("utf-16-le") not in raw
