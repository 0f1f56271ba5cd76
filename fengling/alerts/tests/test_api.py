"""/api/v1/alerts: scope of every endpoint (outside 404, read-only 403), the case flow and
review by the level above, the scan summary, and a complete OpenAPI schema."""

import datetime as dt

import pytest
from django.utils import timezone

from fengling.accounts.services import api_token_issue
from fengling.alerts import services
from fengling.alerts.models import Alert, Case

from .test_views import make_alert

pytestmark = pytest.mark.django_db
BASE = "/api/v1/alerts"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def call(client, user, method, url, data=None, **params):
    fn = getattr(client, method)
    if method == "get":
        return fn(url, params, headers=bearer(user))
    return fn(url, data or {}, content_type="application/json", headers=bearer(user))


def later(days=30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def alert(cast):
    return make_alert(cast.branch_a, member=cast.member_a)


@pytest.fixture
def case(cast, alert):
    return services.case_open(cast.community_secretary, cast.branch_a,
                              responsible=cast.branch_secretary, plan="恢复联系",
                              deadline=timezone.localdate() + dt.timedelta(days=30),
                              alert=alert)


@pytest.mark.parametrize(("who", "reads", "writes"), [
    ("district_admin", 200, 200), ("branch_secretary", 200, 200), ("auditor", 200, 403),
    ("outsider_secretary", 404, 404), ("member", 404, 404),
])
def test_endpoint_scope(client, cast, alert, case, who, reads, writes):
    user = getattr(cast, who)
    assert call(client, user, "get", f"{BASE}/warnings/{alert.pk}").status_code == reads
    assert call(client, user, "get", f"{BASE}/cases/{case.pk}").status_code == reads
    assert call(client, user, "patch", f"{BASE}/cases/{case.pk}",
                {"plan": "新计划"}).status_code == writes
    assert call(client, user, "post", f"{BASE}/cases/{case.pk}/progress",
                {"text": "进展"}).status_code == (201 if writes == 200 else writes)
    response = call(client, user, "post", f"{BASE}/cases", {
        "warning": alert.pk, "responsible": cast.branch_secretary.pk, "plan": "p",
        "deadline": later()})
    assert response.status_code == (201 if writes == 200 else writes)


def test_lists_are_scoped(client, cast, alert, case):
    make_alert(cast.branch_b, member=cast.member_b)
    data = call(client, cast.branch_secretary, "get", f"{BASE}/warnings").json()
    assert [w["id"] for w in data["items"]] == [alert.pk]
    assert data["items"][0]["message"]
    assert call(client, cast.member, "get", f"{BASE}/warnings").status_code == 403
    assert call(client, cast.outsider_secretary, "get", f"{BASE}/cases").json()["count"] == 0
    mine = call(client, cast.branch_secretary, "get", f"{BASE}/cases", mine=True).json()
    assert [c["id"] for c in mine["items"]] == [case.pk]
    assert call(client, cast.branch_secretary, "get", f"{BASE}/warnings",
                organization=cast.branch_b.pk).status_code == 404


def test_warning_detail_has_evidence(client, cast, alert, case):
    data = call(client, cast.branch_secretary, "get", f"{BASE}/warnings/{alert.pk}").json()
    assert data["evidence"] == [{"text": "证据", "url": "/members/"}]
    assert data["cases"] == [case.pk] and data["level"] == "red"


def test_review_by_the_level_above_only(client, cast, case):
    url = f"{BASE}/cases/{case.pk}"
    call(client, cast.branch_secretary, "post", f"{url}/progress", {"text": "完成",
                                                                    "submit": True})
    assert call(client, cast.branch_secretary, "post", f"{url}/review",
                {"decision": "approve"}).status_code == 403
    response = call(client, cast.community_secretary, "post", f"{url}/review",
                    {"decision": "reopen"})
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    response = call(client, cast.community_secretary, "post", f"{url}/review",
                    {"decision": "reopen", "text": "证据不足", "deadline": later(10)})
    assert response.status_code == 200 and response.json()["state"] == "open"
    call(client, cast.branch_secretary, "post", f"{url}/progress", {"text": "补充",
                                                                    "submit": True})
    response = call(client, cast.street_admin, "post", f"{url}/review", {"decision": "approve"})
    assert response.json()["state"] == "closed"
    assert [e["kind"] for e in response.json()["events"]] == [
        "created", "submitted", "reopened", "submitted", "approved"]


def test_create_bad_input_changes_nothing(client, cast, alert):
    response = call(client, cast.community_secretary, "post", f"{BASE}/cases", {
        "warning": alert.pk, "responsible": cast.outsider_secretary.pk, "plan": "",
        "deadline": later()})
    assert response.status_code == 422
    assert set(response.json()["fields"]) >= {"responsible", "plan"}
    assert not Case.objects.exists()


def test_scan_summary(client, cast):
    make_alert(cast.branch_b, member=cast.member_b)
    services.run_scan(timezone.localdate(), send=False)
    data = call(client, cast.district_admin, "get", f"{BASE}/scan").json()
    assert data["day"] == timezone.localdate().isoformat()
    assert sum(data["by_rule"].values()) == sum(data["open_by_level"].values())
    assert data["opened"] >= 1
    assert call(client, cast.member, "get", f"{BASE}/scan").status_code == 403


def test_scan_summary_counts_only_the_callers_scope(client, cast):
    """A community secretary sees their scope's open warnings, by level and by rule, and
    none of the scan's district-wide figures."""
    make_alert(cast.branch_b, member=cast.member_b)
    services.run_scan(timezone.localdate(), send=False)
    everyone = call(client, cast.district_admin, "get", f"{BASE}/scan").json()
    outsider = call(client, cast.outsider_secretary, "get", f"{BASE}/scan").json()
    in_scope = Alert.objects.visible_to(cast.outsider_secretary).open()
    assert sum(outsider["by_rule"].values()) == in_scope.count()
    assert sum(outsider["open_by_level"].values()) == in_scope.count()
    assert in_scope.count() < Alert.objects.open().count() == sum(everyone["by_rule"].values())
    assert outsider["opened"] is None and outsider["resolved"] is None
    assert outsider["day"] == everyone["day"]


def test_openapi_documents_every_alerts_operation(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith(BASE)}
    assert set(paths) == {f"{BASE}/warnings", f"{BASE}/warnings/{{warning_id}}",
                          f"{BASE}/cases", f"{BASE}/cases/{{case_id}}",
                          f"{BASE}/cases/{{case_id}}/progress",
                          f"{BASE}/cases/{{case_id}}/review", f"{BASE}/scan"}
    for ops in paths.values():
        for op in ops.values():
            assert op.get("summary") and "401" in op["responses"]


def test_warning_list_reads_only_the_page_it_shows(client, cast):
    """A page of the warnings list reads that page's rows (LIMIT in SQL) and counts the
    rest, whatever the scope's total: not every warning of the district for one page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(60):
        make_alert(cast.branch_a, rule="branch_size", level="yellow", subject=f"o{n}")
    call(client, cast.district_admin, "get", f"{BASE}/warnings")  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        data = call(client, cast.district_admin, "get", f"{BASE}/warnings", page_size=5).json()
    assert data["count"] == 60 and len(data["items"]) == 5
    reads = [q["sql"] for q in ctx.captured_queries
             if q["sql"].startswith('SELECT "alerts_alert"."id"')]
    assert reads and all("LIMIT 5" in sql for sql in reads)
