"""Evaluation writes: each in one transaction, validated with clear messages, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengling.core.audit import audit_log
from fengling.core.scoping import scope_of
from fengling.members.models import Member, Membership
from fengling.organizations.kinds import OrgKind

from . import rules
from .evidence import index_evidence
from .models import (
    AppraisalSession,
    Ballot,
    BallotMark,
    HandlingFollowUp,
    Participant,
    SessionState,
    UnqualifiedHandling,
    VoterReceipt,
)

# Organizations that hold a democratic appraisal of their members (支部; a general branch
# or committee for the members recorded directly in it).
APPRAISAL_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH})


def _check_writable(actor, path: str) -> None:
    if not scope_of(actor).covers_path(path, write=True):
        raise PermissionDenied


# --- Democratic appraisal -------------------------------------------------------------------


def session_open(actor, organization, year: int) -> AppraisalSession:
    """Open the year's appraisal of a branch: every active member of the branch takes part;
    probationary members are marked so they are not graded."""
    _check_writable(actor, organization.path)
    if organization.kind not in APPRAISAL_KINDS:
        raise ValidationError({"organization": [
            _("Democratic appraisal is held by a branch or general branch.")]})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
    if AppraisalSession.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": [
            _("This branch already has an appraisal for %(year)s.") % {"year": year}]})
    with transaction.atomic():
        session = AppraisalSession.objects.create(organization=organization, year=year)
        members = Member.objects.active().filter(organization=organization)
        Participant.objects.bulk_create([
            Participant(session=session, member_id=pk,
                        probationary=membership == Membership.PROBATIONARY)
            for pk, membership in members.values_list("pk", "membership")
        ])
        audit_log(actor, "appraisal.open", session, {"year": year},
                  organization_path=organization.path)
    return session


def _check_open(session: AppraisalSession) -> None:
    if session.state != SessionState.OPEN:
        raise ValidationError(_("This appraisal is no longer taking self-assessments or "
                                "ballots."))


def _own_participant(user, session: AppraisalSession) -> Participant:
    participant = None
    if user.member_id:
        participant = session.participants.filter(member_id=user.member_id).first()
    if participant is None:
        raise ValidationError(_("Only members taking part in this appraisal may do this."))
    return participant


def self_assess(user, session: AppraisalSession, text: str) -> Participant:
    """A member writes their own self-assessment (个人自评)."""
    _check_open(session)
    participant = _own_participant(user, session)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write your self-assessment.")]})
    with transaction.atomic():
        participant.self_assessment = text
        participant.save(update_fields=["self_assessment"])
        audit_log(user, "appraisal.self_assess", participant,
                  organization_path=session.organization.path)
    return participant


def graded_participants(session: AppraisalSession):
    return session.participants.filter(probationary=False)


def ballot_cast(user, session: AppraisalSession, grades: Mapping[int, str]) -> None:
    """Cast one anonymous peer ballot (民主测评): a grade for every graded member but the voter.

    The ballot stores no voter; a receipt says the voter has voted. Both in one transaction,
    so the receipt's unique constraint makes a second ballot impossible.
    """
    _check_open(session)
    voter = _own_participant(user, session)
    expected = set(graded_participants(session).exclude(pk=voter.pk)
                   .values_list("pk", flat=True))
    grades = {int(k): v for k, v in grades.items()}
    if set(grades) != expected:
        raise ValidationError(_("Give a grade to every member on the ballot, and only to them."))
    if any(g not in rules.Grade.values for g in grades.values()):
        raise ValidationError(_("Choose one of the four grades for each member."))
    try:
        with transaction.atomic():
            VoterReceipt.objects.create(session=session, voter_id=voter.member_id)
            ballot = Ballot.objects.create(session=session)
            BallotMark.objects.bulk_create([
                BallotMark(ballot=ballot, participant_id=pk, grade=grade)
                for pk, grade in grades.items()
            ])
            # The audit entry says that the member voted (as the receipt does), never how.
            audit_log(user, "appraisal.vote", session,
                      organization_path=session.organization.path)
    except IntegrityError:
        raise ValidationError(_("You have already voted in this appraisal.")) from None


def _check_grades(session: AppraisalSession, grades: Mapping[int, str]) -> dict[int, str]:
    grades = {int(k): v for k, v in grades.items()}
    graded = set(graded_participants(session).values_list("pk", flat=True))
    probationary = set(session.participants.filter(probationary=True)
                       .values_list("pk", flat=True))
    if set(grades) & probationary:
        raise ValidationError(_("Probationary members take part but are not graded."))
    if set(grades) != graded:
        raise ValidationError(_("Grade every full member taking part, and only them."))
    if any(g not in rules.Grade.values for g in grades.values()):
        raise ValidationError(_("Choose one of the four grades for each member."))
    if not rules.excellent_ok(grades.values()):
        allowed = rules.excellent_allowed(len(grades))
        raise ValidationError(ngettext(
            "At most one third of the members graded may be excellent: here at most "
            "%(n)d member.",
            "At most one third of the members graded may be excellent: here at most "
            "%(n)d members.", allowed) % {"n": allowed})
    return grades


def session_propose(actor, session: AppraisalSession, grades: Mapping[int, str]) -> None:
    """The branch committee's proposal (支委会提出等次意见), with the member index as evidence
    (frozen at this moment)."""
    _check_writable(actor, session.organization.path)
    if session.state == SessionState.DECIDED:
        raise ValidationError(_("This appraisal has been decided."))
    grades = _check_grades(session, grades)
    rows = list(session.participants.all())
    evidence = index_evidence([p.member_id for p in rows], session.year)
    with transaction.atomic():
        for p in rows:
            p.proposed_grade = grades.get(p.pk, "")
            p.evidence = evidence.get(p.member_id, {})
        Participant.objects.bulk_update(rows, ["proposed_grade", "evidence"])
        session.state = SessionState.PROPOSED
        session.save(update_fields=["state", "updated_at"])
        audit_log(actor, "appraisal.propose", session,
                  {"grades": rules.counter(grades.values())},
                  organization_path=session.organization.path)


def session_decide(actor, session: AppraisalSession, grades: Mapping[int, str],
                   handlings: Mapping[int, Mapping] | None = None, *, meeting=None,
                   today: dt.date | None = None) -> AppraisalSession:
    """The branch meeting's decision (党员大会审议). Every 不合格 needs a handling with reasons;
    a result with no spread is flagged 一团和气 for the level above."""
    _check_writable(actor, session.organization.path)
    if session.state != SessionState.PROPOSED:
        raise ValidationError(_("The committee must make its proposal before the meeting "
                                "decides."))
    grades = _check_grades(session, grades)
    handlings = {int(k): v for k, v in (handlings or {}).items()}
    errors = []
    for pk, grade in grades.items():
        if grade != rules.Grade.UNQUALIFIED:
            continue
        h = handlings.get(pk) or {}
        if h.get("action") not in rules.Handling.values or not (h.get("reasons") or "").strip():
            errors.append(pk)
    if errors:
        raise ValidationError(_("Every unqualified member needs a handling (correct within a "
                                "time limit, persuade to leave, or expel) with reasons."))
    if meeting is not None and meeting.organization_id != session.organization_id:
        raise ValidationError({"meeting": [_("Choose a meeting of this branch.")]})
    rows = list(session.participants.all())
    with transaction.atomic():
        for p in rows:
            p.grade = grades.get(p.pk, "")
        Participant.objects.bulk_update(rows, ["grade"])
        UnqualifiedHandling.objects.bulk_create([
            UnqualifiedHandling(participant_id=pk, action=handlings[pk]["action"],
                                reasons=handlings[pk]["reasons"].strip(),
                                due_on=handlings[pk].get("due_on"))
            for pk, g in grades.items() if g == rules.Grade.UNQUALIFIED
        ])
        session.state = SessionState.DECIDED
        session.no_spread = rules.no_spread(grades.values())
        session.meeting = meeting
        session.decided_on = today or timezone.localdate()
        session.save(update_fields=["state", "no_spread", "meeting", "decided_on",
                                    "updated_at"])
        audit_log(actor, "appraisal.decide", session,
                  {"grades": rules.counter(grades.values()), "no_spread": session.no_spread},
                  organization_path=session.organization.path)
    return session


def handling_follow_up(actor, handling: UnqualifiedHandling, *, on: dt.date, note: str,
                       closes: bool = False) -> HandlingFollowUp:
    """Record a follow-up of a 不合格 handling; `closes` ends it."""
    path = handling.participant.session.organization.path
    _check_writable(actor, path)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say what was followed up.")]})
    if handling.closed:
        raise ValidationError(_("This handling is closed."))
    with transaction.atomic():
        row = HandlingFollowUp.objects.create(handling=handling, on=on, note=note,
                                              closes=closes, recorded_by=actor)
        if closes:
            handling.closed = True
            handling.save(update_fields=["closed", "updated_at"])
        audit_log(actor, "appraisal.follow_up", handling, {"closes": closes},
                  organization_path=path)
    return row
