"""Evaluation reads, through the scoping layer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from fengling.core.scoping import guard, scope_of

from . import rules
from .models import AppraisalSession, BallotMark, Participant, UnqualifiedHandling


def access_session(user, pk, write: bool = False) -> AppraisalSession:
    return guard(AppraisalSession.objects.select_related("organization"), user, pk, write)


def access_handling(user, pk, write: bool = False) -> UnqualifiedHandling:
    return guard(UnqualifiedHandling.objects.select_related(
        "participant__session__organization", "participant__member"), user, pk, write)


def session_for_voter(user, pk) -> tuple[AppraisalSession, Participant]:
    """The session a member takes part in (the ballot page): 404 unless they do."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not user.member_id:
        raise Http404
    participant = (Participant.objects.select_related("session__organization")
                   .filter(session_id=pk, member_id=user.member_id).first())
    if participant is None:
        raise Http404
    return participant.session, participant


def session_list(user, *, year: int | None = None, no_spread: bool | None = None):
    """Sessions in scope with their counts: participants, graded, voters. One query."""
    qs = AppraisalSession.objects.visible_to(user).select_related("organization").annotate(
        participants_count=Count("participants", distinct=True),
        graded_count=Count("participants", filter=Q(participants__probationary=False),
                           distinct=True),
        voted_count=Count("receipts", distinct=True),
    )
    if year:
        qs = qs.filter(year=year)
    if no_spread is not None:
        qs = qs.filter(no_spread=no_spread)
    return qs.order_by("-year", "organization__path", "pk")


def sessions_of_member(member_id: int):
    return (AppraisalSession.objects.filter(participants__member_id=member_id)
            .select_related("organization").order_by("-year"))


@dataclass
class ParticipantRow:
    participant: Participant
    counts: dict[str, int]
    peer_grade: str

    @property
    def ballots(self) -> int:
        return sum(self.counts.values())


def session_tally(session: AppraisalSession) -> list[ParticipantRow]:
    """Every participant with the peer ballot counts per grade, counted set-based (one grouped
    query for all marks; one for the participants)."""
    marks = (BallotMark.objects.filter(ballot__session=session).order_by()
             .values_list("participant_id", "grade").annotate(n=Count("pk")))
    counts = rules.ballot_counts(marks)
    rows = []
    for p in (session.participants.select_related("member", "handling")
              .prefetch_related("handling__follow_ups")):
        c = counts.get(p.pk, dict.fromkeys(rules.Grade.values, 0))
        rows.append(ParticipantRow(p, c, rules.peer_grade(c)))
    return rows


def has_voted(session: AppraisalSession, member_id: int) -> bool:
    return session.receipts.filter(voter_id=member_id).exists()


def can_write(user, path: str) -> bool:
    return scope_of(user).covers_path(path, write=True)
