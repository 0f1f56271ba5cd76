"""Democratic appraisal (民主评议党员): the flow, anonymous one-per-voter ballots, the 1/3
rule, probationary members, 一团和气 and the handling of 不合格."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fengling.core.models import AuditEntry
from fengling.evaluation import services
from fengling.evaluation.models import (
    AppraisalSession,
    Ballot,
    BallotMark,
    HandlingFollowUp,
    Participant,
    SessionState,
    VoterReceipt,
)
from fengling.evaluation.rules import Grade
from fengling.evaluation.selectors import session_tally

from .helpers import voters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English here (the pages' tests run in Chinese)."""
    from django.utils import translation
    with translation.override("en"):
        yield
E, Q, B, U = Grade.EXCELLENT, Grade.QUALIFIED, Grade.BASIC, Grade.UNQUALIFIED


@pytest.fixture
def session(cast):
    return services.session_open(cast.branch_secretary, cast.branch_a, 2026)


def graded(session):
    return list(session.participants.filter(probationary=False).order_by("pk"))


def test_open_takes_every_active_member_and_marks_probationary(cast):
    voters(cast, n=2, probationary=1)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    assert s.participants.count() == 5  # 张三, 李四, two voters, one probationary
    assert s.participants.filter(probationary=True).count() == 1
    with pytest.raises(ValidationError, match="already has an appraisal"):
        services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    with pytest.raises(ValidationError, match="branch"):
        services.session_open(cast.community_secretary, cast.community_a, 2026)
    assert AuditEntry.objects.filter(action="appraisal.open").count() == 1


def test_ballot_is_anonymous_and_cannot_be_cast_twice(cast):
    users = voters(cast, n=2)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    me = s.participants.get(member=users[0].member)
    others = [p for p in graded(s) if p.pk != me.pk]
    services.ballot_cast(users[0], s, {p.pk: Q for p in others})
    # The receipt says who voted; nothing links a ballot or a mark to the voter.
    assert VoterReceipt.objects.filter(session=s, voter=users[0].member).exists()
    fields = {f.name for f in Ballot._meta.get_fields()} | {
        f.name for f in BallotMark._meta.get_fields()}
    assert not fields & {"voter", "member", "user", "created_at", "cast_at"}
    with connection.cursor() as cur:
        cur.execute(f"SELECT * FROM {Ballot._meta.db_table}")  # noqa: S608 (a model's table)
        columns = [c[0] for c in cur.description]
    assert columns == ["id", "session_id"]
    audit = AuditEntry.objects.get(action="appraisal.vote")
    assert audit.data == {}
    # Nor does the change history (django-auditlog records the actor of every change).
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    assert not LogEntry.objects.filter(content_type__in=[
        ContentType.objects.get_for_model(Ballot),
        ContentType.objects.get_for_model(BallotMark)]).exists()
    with pytest.raises(ValidationError, match="already voted"):
        services.ballot_cast(users[0], s, {p.pk: E for p in others})
    assert Ballot.objects.filter(session=s).count() == 1
    assert BallotMark.objects.filter(participant__session=s, grade=E).count() == 0


def test_ballot_must_grade_every_other_full_member_only(cast):
    users = voters(cast, n=2, probationary=1)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    prob = s.participants.get(probationary=True)
    me = s.participants.get(member=users[0].member)
    others = {p.pk: Q for p in graded(s) if p.pk != me.pk}
    with pytest.raises(ValidationError, match="every member on the ballot"):
        services.ballot_cast(users[0], s, {**others, prob.pk: Q})
    with pytest.raises(ValidationError, match="every member on the ballot"):
        services.ballot_cast(users[0], s, {**others, me.pk: E})
    with pytest.raises(ValidationError, match="four grades"):
        services.ballot_cast(users[0], s, dict.fromkeys(others, "great"))
    assert not VoterReceipt.objects.exists() and not Ballot.objects.exists()
    # A probationary member votes too.
    services.ballot_cast(users[2], s, {p.pk: Q for p in graded(s)})
    with pytest.raises(ValidationError, match="Only members taking part"):
        services.ballot_cast(cast.member_b and cast.outsider_secretary, s, others)


def test_counts_are_set_based(cast, django_assert_num_queries):
    users = voters(cast, n=3)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    target = s.participants.get(member=cast.member_a)
    for u in users:
        me = s.participants.get(member=u.member)
        services.ballot_cast(u, s, {p.pk: (E if p.pk == target.pk else Q)
                                    for p in graded(s) if p.pk != me.pk})
    # Voting over (the committee's turn): the counts are shown.
    AppraisalSession.objects.filter(pk=s.pk).update(state=SessionState.PROPOSED)
    s.refresh_from_db()
    with django_assert_num_queries(2):  # the grouped marks, the participants
        rows = session_tally(s)
    row = next(r for r in rows if r.participant.pk == target.pk)
    assert row.counts[E] == 3 and row.ballots == 3 and row.peer_grade == E


def test_counts_are_withheld_while_voting_goes_on(client, cast):
    users = voters(cast, n=3)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    target = s.participants.get(member=cast.member_a)
    me = s.participants.get(member=users[0].member)
    services.ballot_cast(users[0], s, {p.pk: (E if p.pk == target.pk else Q)
                                       for p in graded(s) if p.pk != me.pk})
    # One ballot in, others to come: a count that moved now would show how that voter voted.
    row = next(r for r in session_tally(s) if r.participant.pk == target.pk)
    assert set(row.counts.values()) == {None} and row.peer_grade == ""
    client.force_login(cast.branch_secretary)
    api = client.get(f"/api/v1/evaluation/appraisals/{s.pk}").json()
    assert all(set(p["counts"].values()) == {None} for p in api["participants"])


def test_flow_one_third_probationary_no_spread_and_handling(cast):
    voters(cast, n=4, probationary=1)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    g = graded(s)  # six full members: at most two excellent
    prob = s.participants.get(probationary=True)
    three_e = {p.pk: (E if i < 3 else Q) for i, p in enumerate(g)}
    with pytest.raises(ValidationError, match="at most 2 members"):
        services.session_propose(cast.branch_secretary, s, three_e)
    with pytest.raises(ValidationError, match="not graded"):
        services.session_propose(cast.branch_secretary, s,
                                 {**{p.pk: Q for p in g}, prob.pk: Q})
    with pytest.raises(ValidationError, match="proposal"):
        services.session_decide(cast.branch_secretary, s, {p.pk: Q for p in g})
    services.session_propose(cast.branch_secretary, s, {p.pk: Q for p in g})
    s.refresh_from_db()
    assert s.state == SessionState.PROPOSED
    grades = {p.pk: (E if i < 2 else U if i == 5 else Q) for i, p in enumerate(g)}
    with pytest.raises(ValidationError, match="needs a handling"):
        services.session_decide(cast.branch_secretary, s, grades,
                                {g[5].pk: {"action": "rectify", "reasons": " "}})
    s.refresh_from_db()
    assert s.state == SessionState.PROPOSED and not Participant.objects.exclude(grade="").exists()
    services.session_decide(cast.branch_secretary, s, grades,
                            {g[5].pk: {"action": "rectify", "reasons": "长期不参加组织生活",
                                       "due_on": dt.date(2027, 3, 1)}},
                            today=dt.date(2026, 12, 20))
    s.refresh_from_db()
    assert s.state == SessionState.DECIDED and not s.no_spread
    prob.refresh_from_db()
    assert prob.grade == ""
    handling = g[5].__class__.objects.get(pk=g[5].pk).handling
    assert handling.action == "rectify"
    services.handling_follow_up(cast.branch_secretary, handling, on=dt.date(2027, 3, 2),
                                note="已改正", closes=True)
    handling.refresh_from_db()
    assert handling.closed and HandlingFollowUp.objects.count() == 1
    with pytest.raises(ValidationError, match="closed"):
        services.handling_follow_up(cast.branch_secretary, handling, on=dt.date(2027, 3, 3),
                                    note="again")
    assert AuditEntry.objects.filter(action__startswith="appraisal.").count() == 4


def test_everyone_the_same_is_flagged(cast):
    voters(cast, n=2)
    s = services.session_open(cast.branch_secretary, cast.branch_a, 2026)
    everyone = {p.pk: Q for p in graded(s)}
    services.session_propose(cast.branch_secretary, s, everyone)
    services.session_decide(cast.branch_secretary, s, everyone)
    s.refresh_from_db()
    assert s.no_spread is True


def test_read_only_and_outside_cannot_write(cast, session):
    from django.core.exceptions import PermissionDenied
    grades = {p.pk: Q for p in graded(session)}
    for who in (cast.auditor, cast.outsider_secretary):
        with pytest.raises(PermissionDenied):
            services.session_propose(who, session, grades)
