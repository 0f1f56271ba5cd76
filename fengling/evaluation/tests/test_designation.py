"""The annual 软弱涣散 designation: the band and the score (tables), the proposal's triggers
and ranking with frozen dates, entry with its rectification case, exit only after the case is
closed by the level above; pages and API inside and outside the scope."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.alerts import services as alert_services
from fengling.alerts.models import Case, CaseState
from fengling.alerts.tests.helpers import seat, term
from fengling.core.models import AuditEntry
from fengling.evaluation import designation as weak
from fengling.evaluation.models import DesignationState, WeakDesignation, WeakQuota

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 10, 2, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 10)
BASE = "/api/v1/evaluation/weak-designations"


# --- tables --------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "lo_pct", "hi_pct", "band"), [
    (0, 5, 10, (0, 0)),
    (3, 5, 10, (1, 1)),      # a small unit still ranks one
    (10, 5, 10, (1, 1)),
    (24, 5, 10, (2, 2)),     # 1.2 → 2 at least, 2.4 → 2 at most
    (100, 5, 10, (5, 10)),
    (2159, 5, 10, (108, 215)),
    (40, 10, 10, (4, 4)),    # villages 10% (滁州 2014)
    (40, 5, 5, (2, 2)),      # communities 5%
])
def test_band(total, lo_pct, hi_pct, band):
    assert weak.band(total, lo_pct, hi_pct) == band


@pytest.mark.parametrize(("year", "expected"), [
    (2024, (5, 10)),   # no row yet: the default
    (2025, (6, 8)),
    (2026, (6, 8)),
    (2027, (5, 7)),
])
def test_quota_is_data_per_year(year, expected):
    rows = [(2027, 5, 7), (2025, 6, 8)]
    assert weak.quota_for(rows, year) == expected


@pytest.mark.parametrize(("facts", "score"), [
    ({}, 0),
    ({"red": 1}, 3),
    ({"yellow": 2}, 2),
    ({"overdue_cases": 1}, 5),
    ({"stars": 3}, 0),
    ({"stars": 2}, 10),
    ({"stars": 1}, 20),
    ({"red": 2, "yellow": 1, "overdue_cases": 1, "stars": 2}, 22),
])
def test_weakness_score(facts, score):
    assert weak.weakness_score(**facts) == score


@pytest.mark.parametrize(("rows", "lo", "expected"), [
    # every trigger is proposed, even beyond the band
    ([("a", True, 0, "1"), ("b", True, 0, "2"), ("c", False, 9, "3")], 1,
     {"a": ("trigger", 2), "b": ("trigger", 3)}),
    # too few triggers: the bottom of the ranking fills the band
    ([("a", True, 1, "1"), ("b", False, 9, "2"), ("c", False, 5, "3"), ("d", False, 0, "4")],
     3, {"a": ("trigger", 3), "b": ("ranking", 1), "c": ("ranking", 2)}),
    # ties broken by the path
    ([("x", False, 0, "2"), ("y", False, 0, "1")], 1, {"y": ("ranking", 1)}),
    ([], 0, {}),
])
def test_select_candidates(rows, lo, expected):
    assert weak.select_candidates(rows, lo) == expected


# --- the proposal, with the scan's warnings --------------------------------------------------


@pytest.fixture
def vacant(cast, time_machine):
    """Branch A without a secretary since June: red `secretary_vacant_long` by November."""
    time_machine.move_to(NOW)
    t = term(cast.branch_a, dt.date(2024, 1, 1))
    seat(t, "secretary", ended_on=dt.date(2026, 6, 1))
    alert_services.run_scan(TODAY, send=False)
    return cast


def test_proposal_trigger_then_ranking_to_reach_the_band(vacant):
    cast = vacant
    found = weak.proposal(cast.street1, 2026, TODAY)
    # street 1: communities A and A2, branches A, A2, A3 → 5% of 5 is one.
    assert (found.total, found.lo, found.hi) == (5, 1, 1)
    assert [(r.organization["name"], r.basis, r.triggers) for r in found.rows] == [
        ("望春社区第一支部", "trigger", ["secretary_vacant_long"])]
    top = found.rows[0]
    assert top.red == 1 and top.score == 3 * top.red + top.yellow

    WeakQuota.objects.create(effective_year=2026, min_percent=40, max_percent=60)
    found = weak.proposal(cast.street1, 2026, TODAY)
    assert (found.lo, found.hi) == (2, 3)
    assert [(r.organization["name"], r.basis) for r in found.rows][0] == (
        "望春社区第一支部", "trigger")
    second = found.rows[1]
    assert second.basis == "ranking" and len(found.rows) == 2
    # The weakest of the others by score (ties: the first in the tree).
    others = weak.proposal(cast.street1, 2026, TODAY)
    assert second.rank == 2 and second.score >= 0 and others.rows[0].rank == 1
    # Next year's quota row does not move this year's band.
    WeakQuota.objects.create(effective_year=2027, min_percent=5, max_percent=10)
    assert weak.proposal(cast.street1, 2026, TODAY).lo == 2


def test_proposal_without_trigger_before_the_vacancy_is_long(cast, time_machine):
    time_machine.move_to(dt.datetime(2026, 8, 1, 2, tzinfo=dt.UTC))
    t = term(cast.branch_a, dt.date(2024, 1, 1))
    seat(t, "secretary", ended_on=dt.date(2026, 6, 1))  # two months: yellow, no trigger
    alert_services.run_scan(dt.date(2026, 8, 1), send=False)
    found = weak.proposal(cast.street1, 2026, dt.date(2026, 8, 1))
    assert [r.triggers for r in found.rows] == [[]]
    assert [r.basis for r in found.rows] == ["ranking"]


def test_proposal_queries_do_not_grow_with_the_unit(vacant):
    with CaptureQueriesContext(connection) as small:
        weak.proposal(vacant.community_a, 2026, TODAY)
    with CaptureQueriesContext(connection) as large:
        weak.proposal(vacant.district, 2026, TODAY)
    assert len(small) == len(large) <= 8


# --- entry and exit ---------------------------------------------------------------------------


def _confirm(cast, who="street_admin"):
    return weak.designation_confirm(
        getattr(cast, who), cast.branch_a, 2026, situation="team_incomplete",
        reason="书记缺职超过三个月", plan="尽快补选书记", deadline=dt.date(2027, 3, 31),
        today=TODAY)


def test_entry_creates_the_designation_and_its_case_for_the_secretary(vacant):
    cast = vacant
    row = _confirm(cast)
    assert row.state == DesignationState.RECTIFYING and row.entered_on == TODAY
    assert row.triggers == ["secretary_vacant_long"]
    assert row.score == weak.proposal(cast.street1, 2026, TODAY).rows[0].score
    case = row.case
    assert (case.organization, case.responsible, case.deadline, case.state) == (
        cast.branch_a, cast.branch_secretary, dt.date(2027, 3, 31), CaseState.OPEN)
    assert list(row.events.values_list("state", flat=True)) == ["entered", "rectifying"]
    assert AuditEntry.objects.filter(action="weak.enter", object_id=str(row.pk)).exists()
    # The branch secretary sees it as a to-do.
    assert Case.objects.filter(responsible=cast.branch_secretary).count() == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"situation": "nonsense"}, "situation"),
    ({"reason": "  "}, "reason"),
    ({"plan": ""}, "plan"),
    ({"deadline": dt.date(2026, 1, 1)}, "deadline"),
])
def test_bad_entry_changes_nothing(vacant, changes, field):
    from django.core.exceptions import ValidationError

    values = {"situation": "team_incomplete", "reason": "r", "plan": "p",
              "deadline": dt.date(2027, 3, 31), **changes}
    with pytest.raises(ValidationError) as exc:
        weak.designation_confirm(vacant.street_admin, vacant.branch_a, 2026, today=TODAY,
                                 **values)
    assert field in exc.value.message_dict
    assert not WeakDesignation.objects.exists() and not Case.objects.exists()


def test_entry_only_by_the_level_above_and_once(vacant):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        _confirm(vacant, "branch_secretary")  # its own organization
    _confirm(vacant, "community_secretary")  # community A is the level above branch A
    with pytest.raises(ValidationError):
        _confirm(vacant)
    assert WeakDesignation.objects.count() == 1


def test_exit_only_after_the_case_is_closed_by_the_level_above(vacant):
    from django.core.exceptions import PermissionDenied, ValidationError

    cast = vacant
    row = _confirm(cast)
    with pytest.raises(ValidationError):
        weak.designation_exit(cast.street_admin, row, today=TODAY)
    alert_services.case_progress(cast.branch_secretary, row.case, text="已补选书记",
                                 submit=True)
    with pytest.raises(ValidationError):  # submitted, not yet reviewed
        weak.designation_exit(cast.street_admin, row, today=TODAY)
    alert_services.case_review(cast.community_secretary, row.case, decision="approve",
                               today=TODAY)
    with pytest.raises(PermissionDenied):
        weak.designation_exit(cast.branch_secretary, row, today=TODAY)
    row = weak.designation_exit(cast.street_admin, row, text="整改到位", today=TODAY)
    assert (row.state, row.exited_on) == (DesignationState.EXITED, TODAY)
    assert list(row.events.values_list("state", flat=True)) == [
        "entered", "rectifying", "exited"]
    assert AuditEntry.objects.filter(action="weak.exit", object_id=str(row.pk)).exists()


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [
    ("street_admin", 200), ("community_secretary", 200), ("auditor", 200),
    ("outsider_secretary", 404),
])
def test_detail_page_scope(client, vacant, who, status):
    row = _confirm(vacant)
    client.force_login(getattr(vacant, who))
    assert client.get(reverse("evaluation:weak_detail", args=[row.pk])).status_code == status


def test_list_page_shows_the_proposal_and_designations_in_scope(client, vacant):
    cast = vacant
    _confirm(cast)
    client.force_login(cast.street_admin)
    page = client.get(reverse("evaluation:weak_list"), {"year": 2026}).content.decode()
    assert "望春社区第一支部" in page and "proposal" in page
    client.force_login(cast.outsider_secretary)
    page = client.get(reverse("evaluation:weak_list"), {"year": 2026}).content.decode()
    assert "望春社区第一支部" not in page
    url = reverse("evaluation:weak_list")
    assert client.get(url, {"year": 2026, "unit": cast.street1.pk}).status_code == 404


def test_the_proposal_unit_is_picked_by_name(client, vacant):
    cast = vacant
    client.force_login(cast.district_admin)
    url = reverse("evaluation:weak_list")
    r = client.get(url, {"year": 2026, "unit": f"{cast.street1.name} #{cast.street1.pk}"})
    assert r.context["unit"] == cast.street1
    # The box shows the unit as the picker writes it.
    assert f'value="{cast.street1.name} #{cast.street1.pk}"' in r.content.decode()
    # A name that names nothing: a message, and the user's own top unit instead.
    r = client.get(url, {"year": 2026, "unit": "没有这个街道"})
    assert r.status_code == 200 and r.context["unit"] == cast.district
    assert "没有这个街道" in r.content.decode()


def test_list_page_query_count_does_not_grow(client, vacant, django_assert_num_queries):
    cast = vacant
    client.force_login(cast.district_admin)
    url = reverse("evaluation:weak_list")
    _confirm(cast)
    client.get(url, {"year": 2026})
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"year": 2026})
    for org in (cast.branch_a2, cast.branch_b):
        weak.designation_confirm(cast.district_admin, org, 2026, situation="no_venue",
                                 reason="r", plan="p", deadline=dt.date(2027, 3, 31),
                                 today=TODAY)
    with django_assert_num_queries(len(one)):
        response = client.get(url, {"year": 2026})
    page = response.content.decode()
    names = ("望春社区第一支部", "望春社区第二支部", "南门社区第一支部")
    assert all(name in page for name in names)


@pytest.mark.parametrize(("who", "status"), [
    ("street_admin", 302), ("community_secretary", 302), ("branch_secretary", 403),
    ("auditor", 403), ("outsider_secretary", 404),
])
def test_confirm_page_scope(client, vacant, who, status):
    client.force_login(getattr(vacant, who))
    response = client.post(reverse("evaluation:weak_confirm"), {
        "organization": vacant.branch_a.pk, "year": 2026, "situation": "team_incomplete",
        "reason": "r", "plan": "p", "deadline": "2027-03-31"})
    assert response.status_code == status
    assert WeakDesignation.objects.count() == (1 if status == 302 else 0)


def test_confirm_page_bad_input_shows_the_form_again(client, vacant):
    client.force_login(vacant.street_admin)
    response = client.post(reverse("evaluation:weak_confirm"), {
        "organization": vacant.branch_a.pk, "year": 2026, "situation": "",
        "reason": "", "plan": "p", "deadline": "2027-03-31"})
    assert response.status_code == 200 and not WeakDesignation.objects.exists()


def test_exit_page(client, vacant):
    cast = vacant
    row = _confirm(cast)
    url = reverse("evaluation:weak_exit", args=[row.pk])
    client.force_login(cast.outsider_secretary)
    assert client.post(url).status_code == 404
    client.force_login(cast.branch_secretary)
    assert client.post(url).status_code == 403
    client.force_login(cast.street_admin)
    client.post(url)
    row.refresh_from_db()
    assert row.state == DesignationState.RECTIFYING  # the case is not closed yet


# --- API --------------------------------------------------------------------------------------


def _auth(user):
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def test_api_flow_and_scope(client, vacant):
    cast = vacant
    admin, outsider = _auth(cast.street_admin), _auth(cast.outsider_secretary)
    r = client.get(f"{BASE}/proposal", {"year": 2026, "unit": cast.street1.pk}, headers=admin)
    assert r.status_code == 200
    assert [row["organization"]["id"] for row in r.json()["rows"]] == [cast.branch_a.pk]
    assert client.get(f"{BASE}/proposal", {"year": 2026, "unit": cast.street1.pk},
                      headers=outsider).status_code == 404
    body = {"organization": cast.branch_a.pk, "year": 2026, "situation": "team_incomplete",
            "reason": "r", "plan": "p", "deadline": "2027-03-31"}
    assert client.post(BASE, body, content_type="application/json",
                       headers=outsider).status_code == 404
    assert client.post(BASE, body, content_type="application/json",
                       headers=_auth(cast.branch_secretary)).status_code == 403
    assert client.post(BASE, {**body, "situation": "x"}, content_type="application/json",
                       headers=admin).status_code == 422
    r = client.post(BASE, body, content_type="application/json", headers=admin)
    assert r.status_code == 201 and r.json()["state"] == "rectifying"
    pk = r.json()["id"]
    assert client.get(f"{BASE}/{pk}", headers=outsider).status_code == 404
    assert [e["state"] for e in client.get(f"{BASE}/{pk}", headers=admin).json()["events"]] \
        == ["entered", "rectifying"]
    assert client.get(BASE, {"year": 2026}, headers=outsider).json()["items"] == []
    assert len(client.get(BASE, {"year": 2026}, headers=admin).json()["items"]) == 1
    assert client.post(f"{BASE}/{pk}/exit", {}, content_type="application/json",
                       headers=admin).status_code == 422


def test_openapi_documents_the_designation_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/evaluation/weak-designations",
                 "/api/v1/evaluation/weak-designations/proposal",
                 "/api/v1/evaluation/weak-designations/{designation_id}",
                 "/api/v1/evaluation/weak-designations/{designation_id}/exit"):
        assert path in paths
