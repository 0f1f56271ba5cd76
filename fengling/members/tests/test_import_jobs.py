"""Importing members on the web and through the API: upload → checked preview (a job) →
confirm → written in one transaction (another job). Scoped to the job's owner."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.core.models import AuditEntry
from fengling.jobs.models import Job, JobState
from fengling.members import import_jobs, imports
from fengling.members.models import Member
from fengling.members.tests.test_imports import person, xlsx

pytestmark = pytest.mark.django_db

UPLOAD = reverse("members:import")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_file(rows, name="名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx(rows).getvalue(), content_type=XLSX_TYPE)


def imported() -> list[str]:
    return sorted(Member.objects.filter(name__startswith="导入").values_list("name", flat=True))


def upload(client, user, rows, **extra):
    client.force_login(user)
    return client.post(UPLOAD, {"file": upload_file(rows)}, **extra)


def test_a_clean_file_is_previewed_then_written_all_at_once_on_confirmation(client, cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 4)]
    rows.append(person(4, cast.branch_a2.code))
    response = upload(client, cast.community_secretary, rows)
    preview = Job.objects.get(kind=import_jobs.CHECK)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:import_job", args=[preview.pk])
    assert preview.state == JobState.SUCCEEDED
    assert imported() == []  # the preview writes nothing

    page = client.get(response["Location"]).content.decode()
    assert "4 行全部正确" in page or "全部 4 行" in page
    assert cast.branch_a.name in page and cast.branch_a2.name in page
    assert preview.result["organizations"] == [
        {"code": cast.branch_a.code, "name": cast.branch_a.name, "rows": 3},
        {"code": cast.branch_a2.code, "name": cast.branch_a2.name, "rows": 1},
    ]
    assert reverse("members:import_confirm", args=[preview.pk]) in page

    response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    write = Job.objects.get(kind=import_jobs.WRITE)
    assert response["Location"] == reverse("members:import_job", args=[write.pk])
    assert (write.state, write.parent_id, write.result["written"]) == (
        JobState.SUCCEEDED, preview.pk, 4)
    assert imported() == ["导入1", "导入2", "导入3", "导入4"]
    assert AuditEntry.objects.filter(action="members.import").count() == 1
    assert "已导入 4 名党员" in client.get(response["Location"]).content.decode()
    # The uploaded file (ID numbers in clear) is gone once written.
    assert not Job.objects.get(pk=preview.pk).input_file


def test_confirming_twice_writes_once(client, cast):
    upload(client, cast.community_secretary, [person(1, cast.branch_a.code)])
    preview = Job.objects.get(kind=import_jobs.CHECK)
    url = reverse("members:import_confirm", args=[preview.pk])
    first = client.post(url)
    second = client.post(url)
    assert Job.objects.filter(kind=import_jobs.WRITE).count() == 1
    assert second.status_code in (302, 400)
    assert first["Location"] == reverse("members:import_job",
                                        args=[Job.objects.get(kind=import_jobs.WRITE).pk])
    assert imported() == ["导入1"]


def test_bad_rows_are_listed_with_line_column_and_reason_and_nothing_is_written(client, cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 6)]
    rows[1]["phone"] = "12345"
    rows[3]["organization_code"] = cast.branch_b.code  # another street: out of scope
    response = upload(client, cast.community_secretary, rows)
    page = client.get(response["Location"]).content.decode()
    assert imported() == []
    preview = Job.objects.get(kind=import_jobs.CHECK)
    assert preview.result["ok"] is False
    assert [(e["line"], e["column"]) for e in preview.result["errors"]] == [
        (3, "手机号码"), (5, "所在党组织代码")]
    assert "11 位" in page or "11位" in page
    assert "没有写入任何数据" in page
    assert reverse("members:import_confirm", args=[preview.pk]) not in page
    # A preview with bad rows cannot be confirmed, and its file is already deleted.
    response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    assert response.status_code == 400
    assert imported() == []
    assert not preview.input_file or not Job.objects.get(pk=preview.pk).input_file


def test_the_report_is_in_the_uploaders_language(client, cast):
    rows = [person(1, cast.branch_a.code, phone="12345")]
    client.force_login(cast.community_secretary)
    client.post(UPLOAD, {"file": upload_file(rows)}, headers={"accept-language": "en"})
    error = Job.objects.get().result["errors"][0]
    assert (error["column"], error["message"]) == (
        "Mobile phone", "A mobile phone number has 11 digits and starts with 1.")


def test_many_bad_rows_are_paginated(client, cast):
    rows = [person(n, cast.branch_a.code, phone="1") for n in range(1, 61)]
    response = upload(client, cast.community_secretary, rows)
    first = client.get(response["Location"])
    second = client.get(response["Location"], {"page": 2})
    assert len(first.context["errors"].object_list) == 50
    assert [e["line"] for e in second.context["errors"].object_list] == list(range(52, 62))
    assert "第1页，共2页" in first.content.decode()


def test_a_crash_mid_write_leaves_the_database_unchanged_and_fails_the_job(
        client, cast, monkeypatch):
    upload(client, cast.community_secretary, [person(n, cast.branch_a.code)
                                              for n in range(1, 6)])
    preview = Job.objects.get(kind=import_jobs.CHECK)
    monkeypatch.setattr(imports, "WRITE_CHUNK", 2)
    written = []
    real_insert = imports._bulk_insert

    def insert_then_crash(chunk, actor):
        real_insert(chunk, actor)
        written.append(len(chunk))
        if len(written) == 2:
            raise OSError("disk unplugged")

    monkeypatch.setattr(imports, "_bulk_insert", insert_then_crash)
    before = Member.objects.count()
    response = client.post(reverse("members:import_confirm", args=[preview.pk]))
    write = Job.objects.get(kind=import_jobs.WRITE)
    assert written == [2, 2]  # two chunks went in before the crash ...
    assert Member.objects.count() == before  # ... and were rolled back
    assert imported() == []
    assert write.state == JobState.FAILED and "OSError" in write.error
    assert not AuditEntry.objects.filter(action="members.import").exists()
    page = client.get(response["Location"]).content.decode()
    assert "没有写入任何数据" in page


def test_rows_that_went_bad_since_the_preview_fail_the_write_and_are_listed(client, cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 3)]
    upload(client, cast.community_secretary, rows)
    preview = Job.objects.get(kind=import_jobs.CHECK)
    # Someone records the second person by hand meanwhile.
    from fengling.testing.factories import MemberFactory
    MemberFactory(organization=cast.branch_a, name="手工", id_number=rows[1]["id_number"],
                  birth_date=rows[1]["birth_date"])
    client.post(reverse("members:import_confirm", args=[preview.pk]))
    write = Job.objects.get(kind=import_jobs.WRITE)
    assert write.state == JobState.FAILED
    assert [e["line"] for e in write.result["errors"]] == [3]
    assert imported() == []


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(client, cast):
    job = Job.objects.create(kind=import_jobs.CHECK, owner=cast.community_secretary,
                             state=JobState.RUNNING, phase="check", progress_done=1500,
                             progress_total=45618, input_name="big.xlsx")
    client.force_login(cast.community_secretary)
    url = reverse("members:import_progress", args=[job.pk])
    response = client.get(url, headers={"hx-request": "true"})
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert ("1,500 / 45,618" in html or "1500 / 45618" in html) and 'aria-valuenow="3"' in html
    assert "HX-Refresh" not in response
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "progress-bar" in page
    Job.objects.filter(pk=job.pk).update(state=JobState.SUCCEEDED, result={"ok": True})
    response = client.get(url, headers={"hx-request": "true"})
    assert response["HX-Refresh"] == "true"
    assert "every 1s" not in response.content.decode()


def test_my_imports_lists_only_my_own_jobs(client, cast):
    upload(client, cast.community_secretary, [person(1, cast.branch_a.code)])
    mine = Job.objects.get()
    Job.objects.create(kind=import_jobs.CHECK, owner=cast.street_admin, input_name="他人.xlsx")
    client.force_login(cast.community_secretary)
    response = client.get(UPLOAD)
    assert [j.pk for j in response.context["jobs"].object_list] == [mine.pk]
    assert "他人.xlsx" not in response.content.decode()


@pytest.mark.parametrize("name", ["members:import_job", "members:import_progress"])
def test_another_users_job_is_not_found(client, cast, name):
    upload(client, cast.community_secretary, [person(1, cast.branch_a.code)])
    job = Job.objects.get()
    # Even the district admin, whose scope covers the organizations in the file.
    client.force_login(cast.district_admin)
    assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("members:import_confirm", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who", ["auditor", "member"])
def test_read_only_roles_may_not_import(client, cast, who):
    user = getattr(cast, who)
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 403
    response = client.post(UPLOAD, {"file": upload_file([person(1, cast.branch_a.code)])})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_the_member_list_links_to_the_import_page_for_writers_only(client, cast):
    client.force_login(cast.community_secretary)
    assert UPLOAD in client.get(reverse("members:list")).content.decode()
    client.force_login(cast.auditor)
    assert UPLOAD not in client.get(reverse("members:list")).content.decode()


@pytest.mark.parametrize(("name", "content", "limit", "fragment"), [
    ("名单.xls", b"\xd0\xcf\x11\xe0" + b"0" * 100, 20, ".xlsx"),
    ("名单.csv", b"a,b\n", 20, ".xlsx"),
    ("名单.xlsx", b"not a zip file", 20, "不是电子表格"),
    ("名单.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024 + 1), 1, "1 MB"),
])
def test_wrong_type_or_size_is_refused_with_a_clear_message(client, cast, settings, name,
                                                           content, limit, fragment):
    settings.FENGLING_IMPORT_MAX_MB = limit
    client.force_login(cast.community_secretary)
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors["file"])
    assert not Job.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_reported_by_the_check(client, cast):
    buffer = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    client.force_login(cast.community_secretary)
    client.post(UPLOAD, {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    job = Job.objects.get()
    assert job.result["ok"] is False
    assert ".xlsx" in job.result["errors"][0]["message"]


# --- API -----------------------------------------------------------------------------------


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def test_api_import_checks_then_confirms_and_the_job_reports_progress(client, cast):
    rows = [person(n, cast.branch_a.code) for n in range(1, 4)]
    response = client.post("/api/v1/members/import", {"file": upload_file(rows)},
                           headers=bearer(cast.community_secretary))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "members.import_check"
    job = client.get(f"/api/v1/jobs/{body['id']}",
                     headers=bearer(cast.community_secretary)).json()
    assert job["state"] == "succeeded" and job["result"]["ok"] is True
    assert job["result"]["rows"] == 3 and job["progress_done"] == job["progress_total"] == 3
    assert imported() == []
    response = client.post(f"/api/v1/members/import/{body['id']}/confirm",
                           headers=bearer(cast.community_secretary))
    assert response.status_code == 202
    write = response.json()
    assert (write["kind"], write["state"], write["parent"]) == (
        "members.import_write", "succeeded", body["id"])
    assert write["result"]["written"] == 3
    assert imported() == ["导入1", "导入2", "导入3"]
    listed = client.get("/api/v1/jobs", headers=bearer(cast.community_secretary)).json()
    assert [j["id"] for j in listed["items"]] == [write["id"], body["id"]]


def test_api_bad_rows_are_in_the_job_result(client, cast):
    rows = [person(1, cast.branch_a.code), person(2, cast.branch_a.code, phone="1")]
    body = client.post("/api/v1/members/import", {"file": upload_file(rows)},
                       headers=bearer(cast.community_secretary)).json()
    job = client.get(f"/api/v1/jobs/{body['id']}", headers=bearer(cast.community_secretary))
    errors = job.json()["result"]["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(3, "手机号码")]
    response = client.post(f"/api/v1/members/import/{body['id']}/confirm",
                           headers=bearer(cast.community_secretary))
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    assert imported() == []


def test_api_jobs_are_their_owners_alone_and_read_only_roles_may_not_import(client, cast):
    body = client.post("/api/v1/members/import",
                       {"file": upload_file([person(1, cast.branch_a.code)])},
                       headers=bearer(cast.community_secretary)).json()
    for other in (cast.district_admin, cast.outsider_secretary):
        response = client.get(f"/api/v1/jobs/{body['id']}", headers=bearer(other))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        response = client.post(f"/api/v1/members/import/{body['id']}/confirm",
                               headers=bearer(other))
        assert response.status_code == 404
    response = client.post("/api/v1/members/import",
                           {"file": upload_file([person(2, cast.branch_a.code)])},
                           headers=bearer(cast.auditor))
    assert response.status_code == 403
    response = client.post("/api/v1/members/import",
                           {"file": SimpleUploadedFile("a.csv", b"x")},
                           headers=bearer(cast.community_secretary))
    assert response.status_code == 400 and ".xlsx" in response.json()["message"]
    assert client.get("/api/v1/jobs/999999",
                      headers=bearer(cast.community_secretary)).status_code == 404
