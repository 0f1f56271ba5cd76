"""Evaluation pages and API: scope of every page and endpoint (outside 404, read-only 403),
the member's ballot page, pinned query counts of the list."""

import pytest
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.evaluation import services
from fengling.evaluation.models import AppraisalSession, Ballot
from fengling.evaluation.rules import Grade
from fengling.testing.factories import make_org

from .helpers import voters

pytestmark = pytest.mark.django_db
Q = Grade.QUALIFIED


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


@pytest.fixture
def session(cast):
    return services.session_open(cast.branch_secretary, cast.branch_a, 2026)


def graded_payload(session):
    return {f"grade-{p.pk}": Q for p in session.participants.filter(probationary=False)}


@pytest.mark.parametrize(("who", "read", "write"), [
    ("branch_secretary", 200, 302), ("community_secretary", 200, 302),
    ("street_admin", 200, 302), ("auditor", 200, 403), ("outsider_secretary", 404, 404),
    ("member", 404, 404),
])
def test_session_pages_scope(client, cast, session, who, read, write):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("evaluation:session", args=[session.pk])).status_code == read
    r = client.post(reverse("evaluation:propose", args=[session.pk]), graded_payload(session))
    assert r.status_code == write
    session.refresh_from_db()
    assert (session.state == "proposed") is (write == 302)


def test_list_is_staff_only_and_scoped(client, cast, session):
    services.session_open(cast.outsider_secretary, cast.branch_b, 2026)
    client.force_login(cast.member)
    assert client.get(reverse("evaluation:appraisals")).status_code == 403
    client.force_login(cast.street_admin)
    r = client.get(reverse("evaluation:appraisals"))
    assert r.status_code == 200
    assert [s.pk for s in r.context["page"].object_list] == [session.pk]


def test_list_query_count_is_pinned(client, cast, django_assert_num_queries):
    client.force_login(cast.district_admin)
    services.session_open(cast.district_admin, cast.branch_a, 2026)
    url = reverse("evaluation:appraisals")
    client.get(url)
    with django_assert_num_queries(5) as ctx:
        client.get(url)
    n = len(ctx.captured_queries)
    for i, parent in enumerate([cast.community_a, cast.community_a2, cast.community_b]):
        b = make_org(parent, f"新支部{i}", "branch")
        services.session_open(cast.district_admin, b, 2025)
    with django_assert_num_queries(n):
        r = client.get(url)
    assert r.context["page"].paginator.count == 4


def test_open_page_checks_scope(client, cast):
    client.force_login(cast.auditor)
    r = client.post(reverse("evaluation:appraisal_open"),
                    {"organization": cast.branch_a.pk, "year": 2026})
    assert r.status_code == 403
    client.force_login(cast.outsider_secretary)
    r = client.post(reverse("evaluation:appraisal_open"),
                    {"organization": cast.branch_a.pk, "year": 2026})
    assert r.status_code == 404
    client.force_login(cast.branch_secretary)
    r = client.post(reverse("evaluation:appraisal_open"),
                    {"organization": cast.branch_a.pk, "year": 2026})
    assert r.status_code == 302 and AppraisalSession.objects.count() == 1


def test_member_ballot_page_on_the_phone(client, cast, session):
    client.force_login(cast.member)
    url = reverse("evaluation:ballot", args=[session.pk])
    r = client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    assert r.status_code == 200
    assert "李四" in r.content.decode()  # the other member on the ballot
    me = session.participants.get(member=cast.member_a)
    other = session.participants.get(member=cast.secretary_a_member)
    client.post(url, {"what": "self", "text": "认真学习"})
    me.refresh_from_db()
    assert me.self_assessment == "认真学习"
    client.post(url, {"what": "ballot", f"grade-{other.pk}": Q})
    assert Ballot.objects.count() == 1
    r = client.post(url, {"what": "ballot", f"grade-{other.pk}": Q}, follow=True)
    assert Ballot.objects.count() == 1
    assert "已经投过票" in r.content.decode() or "already voted" in r.content.decode()
    assert 'id="voted"' in client.get(url).content.decode()
    # Another branch's member cannot open it.
    client.force_login(cast.outsider_secretary)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(("who", "read", "write"), [
    ("branch_secretary", 200, 200), ("auditor", 200, 403),
    ("outsider_secretary", 404, 404), ("member", 404, 404),
])
def test_api_scope(client, cast, session, who, read, write):
    user = getattr(cast, who)
    base = f"/api/v1/evaluation/appraisals/{session.pk}"
    assert client.get(base, headers=bearer(user)).status_code == read
    grades = [{"participant": p.pk, "grade": Q}
              for p in session.participants.filter(probationary=False)]
    r = client.post(f"{base}/proposal", {"grades": grades}, content_type="application/json",
                    headers=bearer(user))
    assert r.status_code == write
    listed = client.get("/api/v1/evaluation/appraisals", headers=bearer(user)).json()
    assert (session.pk in [s["id"] for s in listed["items"]]) is (read == 200)


def test_api_ballot_once_and_not_readable(client, cast):
    users = voters(cast, n=1)
    session = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    base = f"/api/v1/evaluation/appraisals/{session.pk}/ballot"
    me = session.participants.get(member=users[0].member)
    grades = [{"participant": p.pk, "grade": Q}
              for p in session.participants.filter(probationary=False).exclude(pk=me.pk)]
    assert client.get(base, headers=bearer(users[0])).json() == {"voted": False}
    r = client.post(base, {"grades": grades}, content_type="application/json",
                    headers=bearer(users[0]))
    assert r.status_code == 201
    r = client.post(base, {"grades": grades}, content_type="application/json",
                    headers=bearer(users[0]))
    assert r.status_code == 422
    assert client.get(base, headers=bearer(users[0])).json() == {"voted": True}
    assert client.get(base, headers=bearer(cast.outsider_secretary)).status_code == 404


def test_session_page_after_the_decision_shows_handling_and_follow_up(client, cast):
    voters(cast, n=2, probationary=1)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    graded = list(s.participants.filter(probationary=False).order_by("pk"))
    grades = {p.pk: ("unqualified" if i == 0 else "qualified") for i, p in enumerate(graded)}
    client.force_login(cast.branch_secretary)
    url = reverse("evaluation:session", args=[s.pk])
    client.post(reverse("evaluation:propose", args=[s.pk]),
                {f"grade-{k}": v for k, v in grades.items()})
    # Unqualified without a handling: refused, nothing changes.
    r = client.post(reverse("evaluation:decide", args=[s.pk]),
                    {f"grade-{k}": v for k, v in grades.items()}, follow=True)
    assert "都须有处置" in r.content.decode()
    s.refresh_from_db()
    assert s.state == "proposed"
    data = {f"grade-{k}": v for k, v in grades.items()}
    data.update({f"action-{graded[0].pk}": "rectify", f"reasons-{graded[0].pk}": "不参加组织生活",
                 f"due-{graded[0].pk}": "2027-03-01"})
    client.post(reverse("evaluation:decide", args=[s.pk]), data)
    s.refresh_from_db()
    assert s.state == "decided" and not s.no_spread
    body = client.get(url).content.decode()
    assert "限期改正" in body and "不参加组织生活" in body and "预备党员：不评定等次" in body
    handling = graded[0].__class__.objects.get(pk=graded[0].pk).handling
    client.post(reverse("evaluation:follow_up", args=[handling.pk]),
                {"on": "2027-03-02", "note": "已改正", "closes": "1"})
    handling.refresh_from_db()
    assert handling.closed
    assert "已改正" in client.get(url).content.decode()
    client.force_login(cast.auditor)
    assert client.post(reverse("evaluation:follow_up", args=[handling.pk]),
                       {"note": "x"}).status_code == 403


@pytest.mark.parametrize(("who", "status"), [
    ("branch_secretary", 302), ("auditor", 403), ("outsider_secretary", 404), ("member", 404)])
def test_decide_and_follow_up_pages_scope(client, cast, session, who, status):
    services.session_propose(cast.branch_secretary, session,
                             {p.pk: Q for p in session.participants.all()})
    client.force_login(getattr(cast, who))
    r = client.post(reverse("evaluation:decide", args=[session.pk]), graded_payload(session))
    assert r.status_code == status
    session.refresh_from_db()
    assert (session.state == "decided") is (status == 302)


def test_mine_pages_need_a_member_record(client, cast, session):
    client.force_login(cast.street_admin)
    assert client.get(reverse("evaluation:mine")).status_code == 403
    client.force_login(cast.member)
    r = client.get(reverse("evaluation:mine"))
    assert [s.pk for s in r.context["sessions"]] == [session.pk]


@pytest.mark.parametrize(("who", "status"), [
    ("branch_secretary", 200), ("auditor", 403), ("outsider_secretary", 404), ("member", 404)])
def test_api_decision_scope(client, cast, session, who, status):
    services.session_propose(cast.branch_secretary, session,
                             {p.pk: Q for p in session.participants.all()})
    grades = [{"participant": p.pk, "grade": Q} for p in session.participants.all()]
    r = client.post(f"/api/v1/evaluation/appraisals/{session.pk}/decision",
                    {"grades": grades}, content_type="application/json",
                    headers=bearer(getattr(cast, who)))
    assert r.status_code == status


def test_api_self_assessment_only_for_participants(client, cast, session):
    url = f"/api/v1/evaluation/appraisals/{session.pk}/self-assessment"
    r = client.put(url, {"text": "自评"}, content_type="application/json",
                   headers=bearer(cast.member))
    assert r.status_code == 200
    r = client.put(url, {"text": "自评"}, content_type="application/json",
                   headers=bearer(cast.outsider_secretary))
    assert r.status_code == 404
    r = client.post("/api/v1/evaluation/appraisals", {"organization": cast.branch_b.pk,
                                                      "year": 2026},
                    content_type="application/json", headers=bearer(cast.auditor))
    assert r.status_code == 404
    r = client.post("/api/v1/evaluation/appraisals", {"organization": cast.branch_a2.pk,
                                                      "year": 2026},
                    content_type="application/json", headers=bearer(cast.auditor))
    assert r.status_code == 403
