"""Development pages over the cast: scope (404 outside, 403 read-only), the board's stages,
the candidate file, recording steps, deadlines, forms, query counts."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.development.models import Candidate, Milestone
from fengling.testing.factories import make_id_number

from .factories import BIRTH, make_candidate, record_until

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    """Views read today's date: 2026-08-01 (Beijing), as in factories.TODAY."""
    with time_machine.travel(dt.datetime(2026, 8, 1, 4, tzinfo=dt.UTC), tick=False):
        yield
D = dt.date
BOARD = reverse("development:board")
DEADLINES = reverse("development:deadlines")


@pytest.fixture
def files(cast):
    """An applicant and a development target in branch A, an activist in branch A2, an
    applicant in branch B (another street)."""
    sponsors = [cast.member_a, cast.secretary_a_member]
    return {
        "a_applicant": make_candidate(cast.district_admin, cast.branch_a, name="孙一",
                                      applied_on=D(2026, 7, 10)),
        "a_target": record_until(cast.district_admin,
                                 make_candidate(cast.district_admin, cast.branch_a, name="孙二"),
                                 9, sponsors=sponsors),
        "a2_activist": record_until(cast.district_admin,
                                    make_candidate(cast.district_admin, cast.branch_a2,
                                                   name="孙三"), 3),
        "b_applicant": make_candidate(cast.district_admin, cast.branch_b, name="孙四",
                                      applied_on=D(2026, 6, 1)),
    }


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def names_on(response):
    return sorted(c.name for c in response.context["page"].object_list)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("district_admin", ["孙一", "孙三", "孙二", "孙四"]),
        ("street_admin", ["孙一", "孙三", "孙二"]),
        ("community_secretary", ["孙一", "孙三", "孙二"]),
        ("branch_secretary", ["孙一", "孙二"]),
        ("auditor", ["孙一", "孙三", "孙二"]),
        ("outsider_secretary", ["孙四"]),
    ],
)
def test_board_shows_exactly_the_candidates_in_scope(client, cast, files, who, expected):
    response = get(client, getattr(cast, who), BOARD)
    assert response.status_code == 200
    assert names_on(response) == sorted(expected)
    html = response.content.decode()
    for name in {"孙一", "孙二", "孙三", "孙四"} - set(expected):
        assert name not in html


def test_board_counts_candidates_by_derived_stage(client, cast, files):
    response = get(client, cast.district_admin, BOARD)
    assert {s.value: n for s, n in response.context["columns"]} == {
        1: 2, 2: 1, 3: 1, 4: 0, 5: 0}
    response = get(client, cast.district_admin, BOARD, stage=3)
    assert names_on(response) == ["孙二"]
    response = get(client, cast.district_admin, BOARD, organization=cast.branch_a2.pk)
    assert names_on(response) == ["孙三"]


def test_board_search_by_pinyin_initials(client, cast, files):
    assert names_on(get(client, cast.district_admin, BOARD, q="se")) == ["孙二"]


def test_member_role_has_no_board_and_outside_organizations_are_404(client, cast, files):
    assert get(client, cast.member, BOARD).status_code == 403
    assert get(client, cast.member, DEADLINES).status_code == 403
    assert get(client, cast.outsider_secretary, BOARD,
               organization=cast.branch_a.pk).status_code == 404
    assert get(client, cast.outsider_secretary, DEADLINES,
               organization=cast.branch_a.pk).status_code == 404


def _board_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(BOARD).status_code == 200
    return len(ctx.captured_queries)


def _deadline_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(DEADLINES).status_code == 200
    return len(ctx.captured_queries)


def test_board_and_deadlines_query_counts_do_not_grow_with_rows(client, cast, files):
    board, deadline = _board_queries(client, cast.district_admin), \
        _deadline_queries(client, cast.district_admin)
    for i in range(12):
        record_until(cast.district_admin,
                     make_candidate(cast.district_admin, cast.branch_a, name=f"钱{i}"), 9,
                     sponsors=[cast.member_a, cast.secretary_a_member])
    assert _board_queries(client, cast.district_admin) == board
    assert _deadline_queries(client, cast.district_admin) == deadline


# --- The candidate page --------------------------------------------------------------------


def detail_url(candidate):
    return reverse("development:detail", args=[candidate.pk])


@pytest.mark.parametrize(
    ("who", "status"),
    [("branch_secretary", 200), ("auditor", 200), ("district_admin", 200),
     ("outsider_secretary", 404), ("member", 404)],
)
def test_candidate_page_scope(client, cast, files, who, status):
    assert get(client, getattr(cast, who), detail_url(files["a_target"])).status_code == status


def test_candidate_page_shows_the_timeline_rules_and_next_steps(client, cast, files):
    candidate = files["a_target"]
    response = get(client, cast.branch_secretary, detail_url(candidate))
    html = response.content.decode()
    file = response.context["file"]
    assert file.stage.value == 3
    assert [s.number for s in file.next_steps] == [10, 11]
    assert "2025-03-10" in html  # the sponsor step's date
    assert cast.member_a.name in html
    results = {r.rule.id: r.status for r in file.results}
    assert results["talk_within_one_month"] == "satisfied"
    assert results["training_hours"] == "pending"
    assert 'data-rule="training_hours" data-status="pending"' in html
    assert candidate.id_number_masked in html
    assert Candidate.objects.get(pk=candidate.pk).set_id_number  # still only masked shown
    assert "id=\"next-step\"" in html


def test_read_only_viewer_sees_no_forms_and_a_masked_phone(client, cast, files):
    html = get(client, cast.auditor, detail_url(files["a_target"])).content.decode()
    assert 'id="next-step"' not in html
    assert "13900001234" not in html
    assert "139****1234" in html


def milestone_url(candidate):
    return reverse("development:milestone_add", args=[candidate.pk])


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def test_recording_a_step_from_the_page(client, cast, files):
    candidate = files["a_applicant"]
    response = post(client, cast.branch_secretary, milestone_url(candidate),
                    {"step": 2, "date": "2026-07-20", "note": "谈话人：李四"})
    assert response.status_code == 302
    assert Milestone.objects.filter(candidate=candidate, step=2, date=D(2026, 7, 20)).exists()


def test_a_refused_step_says_why_and_records_nothing(client, cast, files):
    candidate = files["a_applicant"]
    response = post(client, cast.branch_secretary, milestone_url(candidate),
                    {"step": 2, "date": "2026-07-01"})
    assert response.status_code == 400
    assert "不能早于" in response.content.decode()
    assert not Milestone.objects.filter(candidate=candidate, step=2).exists()


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider_secretary", 404),
                                             ("member", 404)])
def test_recording_steps_outside_scope_or_read_only(client, cast, files, who, status):
    candidate = files["a_applicant"]
    response = post(client, getattr(cast, who), milestone_url(candidate),
                    {"step": 2, "date": "2026-07-20"})
    assert response.status_code == status
    assert not Milestone.objects.filter(candidate=candidate, step=2).exists()


def test_recording_needs_post(client, cast, files):
    assert get(client, cast.branch_secretary,
               milestone_url(files["a_applicant"])).status_code == 405


@pytest.mark.parametrize("view", ["extend", "withdraw", "edit"])
@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("outsider_secretary", 404)])
def test_other_writes_outside_scope_or_read_only(client, cast, files, view, who, status):
    url = reverse(f"development:{view}", args=[files["a_applicant"].pk])
    assert post(client, getattr(cast, who), url, {}).status_code == status


def test_withdraw_from_the_page(client, cast, files):
    candidate = files["a_applicant"]
    response = post(client, cast.branch_secretary,
                    reverse("development:withdraw", args=[candidate.pk]),
                    {"date": "2026-07-30", "reason": "本人撤回"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.withdrawn_on == D(2026, 7, 30)


# --- Create and edit -----------------------------------------------------------------------

CREATE = reverse("development:create")


def form_data(cast, **extra):
    return {"name": "吴九", "gender": "F", "ethnicity": "汉族", "birth_date": "2001-09-09",
            "id_number": make_id_number(D(2001, 9, 9), "F"), "phone": "13700001111",
            "education": "bachelor", "occupation": "student", "work_unit": "",
            "organization": cast.branch_a.pk, "applied_on": "2026-07-01", "note": "", **extra}


def test_create_an_applicant(client, cast):
    response = post(client, cast.branch_secretary, CREATE, form_data(cast))
    assert response.status_code == 302
    candidate = Candidate.objects.get(name="吴九")
    assert candidate.milestones.get().date == D(2026, 7, 1)


def test_create_refuses_an_under_age_applicant_with_a_message(client, cast):
    data = form_data(cast, birth_date="2010-01-01", id_number=make_id_number(D(2010, 1, 1), "F"))
    response = post(client, cast.branch_secretary, CREATE, data)
    assert response.status_code == 200
    assert "18" in response.content.decode()
    assert not Candidate.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("auditor", 403), ("member", 403)])
def test_create_is_refused_to_read_only_roles(client, cast, who, status):
    assert get(client, getattr(cast, who), CREATE).status_code == status


def test_create_in_an_organization_outside_scope_is_404(client, cast):
    assert get(client, cast.outsider_secretary, CREATE,
               organization=cast.branch_a.pk).status_code == 404
    response = post(client, cast.outsider_secretary, CREATE, form_data(cast))
    assert response.status_code == 200  # the branch is not among the choices
    assert not Candidate.objects.exists()


def test_edit_a_candidate(client, cast, files):
    candidate = files["a_applicant"]
    url = reverse("development:edit", args=[candidate.pk])
    assert get(client, cast.branch_secretary, url).status_code == 200
    data = form_data(cast, name="孙一一", gender="M", birth_date=BIRTH.isoformat(),
                     id_number="", education="bachelor", occupation="in_service")
    response = post(client, cast.branch_secretary, url, data)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.name == "孙一一"


# --- Deadlines -----------------------------------------------------------------------------


def test_deadlines_upcoming_and_missed_in_scope(client, cast, files):
    # Today 2026-08-01. 孙一 applied 2026-07-10: talk due 2026-08-10 (upcoming).
    # 孙四 (branch B) applied 2026-06-01: talk due 2026-07-01, missed.
    # 孙三 activist since 2024-03-01, never reviewed: review missed since 2024-09-01.
    response = get(client, cast.district_admin, DEADLINES)
    upcoming = [(d.candidate.name, d.rule.id, d.due) for d in response.context["page"]]
    assert ("孙一", "talk_within_one_month", D(2026, 8, 10)) in upcoming
    response = get(client, cast.district_admin, DEADLINES, show="missed")
    missed = [(d.candidate.name, d.rule.id) for d in response.context["page"]]
    assert ("孙四", "talk_within_one_month") in missed
    assert ("孙三", "activist_review_every_six_months") in missed
    response = get(client, cast.community_secretary, DEADLINES, show="missed")
    assert "孙四" not in [d.candidate.name for d in response.context["page"]]
    assert get(client, cast.auditor, DEADLINES).status_code == 200


def test_nav_has_the_development_entry(client, cast):
    html = get(client, cast.branch_secretary, BOARD).content.decode()
    assert f'href="{BOARD}"' in html


def _detail_queries(client, user, candidate) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(detail_url(candidate)).status_code == 200
    return len(ctx.captured_queries)


def test_candidate_page_query_count_does_not_grow_with_steps(client, cast, files):
    short = _detail_queries(client, cast.branch_secretary, files["a_applicant"])
    long = _detail_queries(client, cast.branch_secretary, files["a_target"])
    assert long == short
