"""Warning and rectification pages: scope of every page (outside 404, read-only 403), the
list's filters and pinned query count, the rectification flow from a warning to the branch
secretary's to-do and the review by the level above, and the home page panel."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fengling.alerts import services
from fengling.alerts.models import Alert, Case

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 5)


def make_alert(org, rule="lost_contact", level="red", member=None, subject=None, **kw):
    return Alert.objects.create(
        rule=rule, level=level, organization=org, member=member,
        subject=subject or f"m{member.pk if member else org.pk}", first_seen=TODAY,
        last_seen=TODAY, params={"name": member.name if member else "", "since": "2025-01-01"},
        evidence=[{"text": "证据", "url": "/members/"}], **kw)


@pytest.fixture
def alert(cast):
    return make_alert(cast.branch_a, member=cast.member_a)


@pytest.fixture
def case(cast, alert):
    return services.case_open(cast.community_secretary, cast.branch_a,
                              responsible=cast.branch_secretary, plan="恢复联系",
                              deadline=timezone.localdate() + dt.timedelta(days=30),
                              alert=alert)


def get(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {})


def urls(alert, case):
    return {
        "detail": ("get", reverse("alerts:detail", args=[alert.pk])),
        "case_new": ("get", reverse("alerts:case_new", args=[alert.pk])),
        "case": ("get", reverse("alerts:case", args=[case.pk])),
        "case_edit": ("get", reverse("alerts:case_edit", args=[case.pk])),
        "case_progress": ("post", reverse("alerts:case_progress", args=[case.pk])),
    }


READS = {"detail", "case"}


@pytest.mark.parametrize("name", ["detail", "case_new", "case", "case_edit", "case_progress"])
@pytest.mark.parametrize(("who", "reads", "writes"), [
    ("district_admin", 200, 200), ("branch_secretary", 200, 200),
    ("community_secretary", 200, 200), ("auditor", 200, 403),
    ("outsider_secretary", 404, 404), ("member", 404, 404),
])
def test_pages_scope(client, cast, alert, case, name, who, reads, writes):
    method, url = urls(alert, case)[name]
    response = get(client, getattr(cast, who), url, method)
    expected = reads if name in READS else writes
    if expected == 200 and method == "post":
        expected = 302
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["alerts:list", "alerts:cases"])
def test_lists_are_for_staff_and_scoped(client, cast, alert, name):
    make_alert(cast.branch_b, member=cast.member_b)
    assert get(client, cast.member, reverse(name)).status_code == 403
    response = get(client, cast.outsider_secretary, reverse(name))
    assert response.status_code == 200
    if name == "alerts:list":
        assert cast.member_b.name in response.content.decode()
        assert cast.member_a.name not in response.content.decode()


def test_list_filter_by_organization_outside_scope_is_404(client, cast):
    url = reverse("alerts:list") + f"?organization={cast.branch_b.pk}"
    assert get(client, cast.branch_secretary, url).status_code == 404


def test_list_filters(client, cast, alert):
    make_alert(cast.branch_a2, rule="branch_size", level="yellow", subject="o-a2")
    client.force_login(cast.district_admin)
    body = client.get(reverse("alerts:list"), {"level": "red"}).content.decode()
    assert cast.member_a.name in body and cast.branch_a2.name not in body
    body = client.get(reverse("alerts:list"), {"rule": "branch_size"}).content.decode()
    assert cast.branch_a2.name in body and cast.member_a.name not in body
    body = client.get(reverse("alerts:list"),
                      {"organization": cast.branch_a2.pk}).content.decode()
    assert cast.branch_a2.name in body and cast.member_a.name not in body
    Alert.objects.filter(pk=alert.pk).update(state="resolved", resolved_on=TODAY)
    body = client.get(reverse("alerts:list")).content.decode()
    assert cast.member_a.name not in body  # open by default
    body = client.get(reverse("alerts:list"), {"state": "resolved"}).content.decode()
    assert cast.member_a.name in body


def test_case_list_keeps_its_organization_when_filtered_again(client, cast, case):
    """Drilled down to one organization's cases (from the cockpit), the state filter keeps
    that organization: the form carries it, and the heading names it."""
    services.case_open(cast.district_admin, cast.branch_b, responsible=cast.outsider_secretary,
                       plan="整改", deadline=timezone.localdate() + dt.timedelta(days=9),
                       title="另一街道的整改")
    client.force_login(cast.district_admin)
    body = client.get(reverse("alerts:cases"),
                      {"organization": cast.branch_a.pk, "overdue": "1"}).content.decode()
    assert f'name="organization" value="{cast.branch_a.pk}"' in body
    assert 'name="overdue" value="1"' in body
    body = client.get(reverse("alerts:cases"), {"organization": cast.branch_a.pk,
                                                "state": "active"}).content.decode()
    assert case.title in body and "另一街道的整改" not in body
    assert f"· {cast.branch_a.name}</h1>" in body


def test_list_query_count_does_not_grow(client, cast):
    client.force_login(cast.district_admin)
    make_alert(cast.branch_a, member=cast.member_a)
    client.get(reverse("alerts:list"))  # warm the session

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("alerts:list")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        make_alert(cast.branch_a2, rule="branch_size", level="yellow", subject=f"x{i}")
    assert count() == few


def test_rectification_flow_to_the_secretary_todo_and_review(client, cast, alert):
    client.force_login(cast.community_secretary)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(reverse("alerts:case_new", args=[alert.pk]), {
        "title": "", "responsible": cast.branch_secretary.pk, "plan": "走访联系",
        "deadline": deadline.isoformat()})
    case = Case.objects.get()
    assert response.status_code == 302 and case.title == alert.title
    # The branch secretary sees it as a to-do and reports progress.
    client.force_login(cast.branch_secretary)
    assert case.title in client.get(reverse("alerts:todo")).content.decode()
    client.post(reverse("alerts:case_progress", args=[case.pk]),
                {"text": "已联系上", "submit": "on"})
    case.refresh_from_db()
    assert case.state == "submitted"
    # The branch secretary cannot review their own case; the level above can.
    response = client.post(reverse("alerts:case_review", args=[case.pk]),
                           {"decision": "approve"})
    assert response.status_code == 403
    client.force_login(cast.community_secretary)
    client.post(reverse("alerts:case_review", args=[case.pk]), {"decision": "approve"})
    case.refresh_from_db()
    assert case.state == "closed" and case.closed_on == timezone.localdate()
    assert list(case.events.values_list("kind", flat=True)) == ["created", "submitted",
                                                                "approved"]
    from fengling.core.models import AuditEntry
    assert AuditEntry.objects.filter(action__startswith="rectification.").count() == 3


def test_case_form_bad_input_changes_nothing(client, cast, alert):
    client.force_login(cast.community_secretary)
    response = client.post(reverse("alerts:case_new", args=[alert.pk]), {
        "responsible": cast.branch_secretary.pk, "plan": "x",
        "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    from django.utils import translation
    with translation.override("zh-hans"):
        message = translation.gettext("The deadline cannot be in the past.")
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_responsible_must_work_on_the_organization(cast, alert):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as exc:
        services.case_open(cast.community_secretary, cast.branch_a,
                           responsible=cast.outsider_secretary, plan="x",
                           deadline=timezone.localdate(), alert=alert)
    assert "responsible" in exc.value.error_dict


def test_an_overdue_case_keeps_its_deadline_but_takes_no_new_past_one(cast, alert):
    """Editing an overdue case's plan keeps its past deadline; moving the deadline to
    another past day is refused and changes nothing."""
    from django.core.exceptions import ValidationError
    opened = dt.date(2026, 3, 1)
    case = services.case_open(cast.community_secretary, cast.branch_a,
                              responsible=cast.branch_secretary, plan="恢复联系",
                              deadline=dt.date(2026, 3, 20), alert=alert, today=opened)
    services.case_update(cast.community_secretary, case, plan="恢复联系，每周走访",
                         today=TODAY)
    case.refresh_from_db()
    assert (case.plan, case.deadline) == ("恢复联系，每周走访", dt.date(2026, 3, 20))
    with pytest.raises(ValidationError) as exc:
        services.case_update(cast.community_secretary, case, deadline=dt.date(2026, 3, 30),
                             today=TODAY)
    assert "deadline" in exc.value.error_dict
    case.refresh_from_db()
    assert case.deadline == dt.date(2026, 3, 20)
    services.case_update(cast.community_secretary, case, deadline=dt.date(2026, 4, 30),
                         today=TODAY)
    case.refresh_from_db()
    assert case.deadline == dt.date(2026, 4, 30)


def test_home_page_shows_the_role_warnings_first(client, cast, alert, case):
    make_alert(cast.branch_b, member=cast.member_b)
    body = get(client, cast.branch_secretary, reverse("reports:home")).content.decode()
    assert reverse("alerts:detail", args=[alert.pk]) in body
    assert cast.branch_b.name not in body
    assert reverse("alerts:todo") in body
    body = get(client, cast.member, reverse("reports:home")).content.decode()
    assert reverse("alerts:detail", args=[alert.pk]) not in body


def test_case_form_shows_the_suggested_deadline_in_the_date_field(client, cast, alert):
    # An <input type=date> takes only YYYY-MM-DD; the Chinese locale's 2026/05/05 left it empty.
    client.force_login(cast.community_secretary)
    body = client.get(reverse("alerts:case_new", args=[alert.pk])).content.decode()
    deadline = timezone.localdate() + dt.timedelta(days=30)
    assert f'value="{deadline.isoformat()}"' in body


PDF = b"%PDF-1.4\n%evidence\n"


def test_evidence_files_are_checked_and_served_only_within_scope(client, cast, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fengling.alerts.models import CaseEvent

    progress = reverse("alerts:case_progress", args=[case.pk])
    # A page of script named as a photo is refused, and nothing is recorded.
    get(client, cast.branch_secretary, progress, "post", {
        "text": "整改照片", "file": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")})
    assert not CaseEvent.objects.filter(case=case).exclude(file="").exists()
    get(client, cast.branch_secretary, progress, "post", {
        "text": "整改报告", "file": SimpleUploadedFile("报告.pdf", PDF)})
    event = CaseEvent.objects.filter(case=case).exclude(file="").get()
    url = reverse("alerts:case_file", args=[case.pk, event.pk])
    assert url in get(client, cast.community_secretary,
                      reverse("alerts:case", args=[case.pk])).content.decode()
    response = get(client, cast.auditor, url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert get(client, cast.outsider_secretary, url).status_code == 404
    assert get(client, cast.member, url).status_code == 404
