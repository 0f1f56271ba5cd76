"""Evaluation writes: each in one transaction, validated with clear messages, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fengling.core.audit import audit_log, audit_many
from fengling.core.lib.money import MoneyError, parse_money
from fengling.core.scoping import scope_of
from fengling.members.models import Member, Membership
from fengling.organizations.kinds import OrgKind

from . import rules
from .evidence import index_evidence
from .models import (
    AppraisalSession,
    Ballot,
    BallotMark,
    BudgetLine,
    Criterion,
    CriterionPart,
    CriterionScore,
    Disbursement,
    Fund,
    HandlingFollowUp,
    Participant,
    RatingState,
    SessionState,
    StarRating,
    SubsidyRate,
    UnqualifiedHandling,
    VoterReceipt,
    WeakDesignation,
    YearScheme,
)
from .scores import forget as forget_scores

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


# --- Stars (星级考评) ------------------------------------------------------------------------


# Years a scheme can be made for: from the first year Fengling knows to next year.
FIRST_YEAR = 2000


def check_year(year) -> int:
    """`year` as a year a scheme may exist for, or a ValidationError with a message (a year
    typed in an address or an API call is bad input, not a reason to write a scheme)."""
    last = timezone.localdate().year + 1
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= last:
        raise ValidationError({"year": [_("Choose a year from %(first)s to %(last)s.")
                                        % {"first": FIRST_YEAR, "last": last}]})
    return year


def year_defaults(year: int) -> YearScheme:
    """The year's scheme, criteria and subsidy table, created on first use as a copy of the
    latest earlier year's (else the defaults of `rules`). Later edits of one year never touch
    another year's rows. Only for years `check_year` accepts."""
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        check_year(year)  # not a year at all: refused before it reaches the database
    scheme = YearScheme.objects.filter(year=year).first()
    if scheme is not None:
        return scheme
    check_year(year)
    with transaction.atomic():
        before = YearScheme.objects.filter(year__lt=year).order_by("-year").first()
        if before is not None:
            scheme = YearScheme.objects.create(
                year=year, basic_share=before.basic_share,
                appraisal_share=before.appraisal_share,
                five_star_share=before.five_star_share, notice_days=before.notice_days)
            Criterion.objects.bulk_create([
                Criterion(year=year, code=c.code, name=c.name, part=c.part,
                          max_points=c.max_points, source=c.source, position=c.position,
                          params=c.params)
                for c in Criterion.objects.filter(year=before.year)])
            SubsidyRate.objects.bulk_create([
                SubsidyRate(year=year, kind=r.kind, stars=r.stars, amount=r.amount)
                for r in SubsidyRate.objects.filter(year=before.year)])
        else:
            scheme = YearScheme.objects.create(year=year)
            Criterion.objects.bulk_create([
                Criterion(year=year, code=code, name=name, part=part, max_points=mx,
                          source=source, position=i, params=dict(params))
                for i, (code, name, part, mx, source, params)
                in enumerate(rules.DEFAULT_CRITERIA)])
            SubsidyRate.objects.bulk_create([
                SubsidyRate(year=year, kind=kind, stars=stars, amount=amount)
                for kind, table in rules.DEFAULT_SUBSIDIES.items()
                for stars, amount in table.items()])
    return scheme


def _parent_path(organization) -> str:
    return organization.path[:-organization.steplen]


def _number(value) -> Decimal | None:
    """A typed score or points as a finite Decimal, or None ("NaN", "abc", blank)."""
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def rating_self_review(actor, organization, year: int, self_score: Decimal,
                       note: str = "") -> StarRating:
    """The organization's own review (自评), which opens its rating for the year."""
    _check_writable(actor, organization.path)
    if organization.kind not in rules.RATED_KINDS:
        raise ValidationError({"organization": [
            _("Stars are given to grassroots Party organizations.")]})
    self_score = _number(self_score)
    if self_score is None or not Decimal(0) <= self_score <= Decimal(100):
        raise ValidationError({"self_score": [_("Enter a score between 0 and 100.")]})
    year_defaults(year)
    existing = StarRating.objects.filter(organization=organization, year=year).first()
    if existing is not None and existing.state != RatingState.SELF_REVIEW:
        raise ValidationError(_("This rating is past its self-review."))
    with transaction.atomic():
        rating, _created = StarRating.objects.update_or_create(
            organization=organization, year=year,
            defaults={"kind": organization.kind, "self_score": self_score,
                      "self_note": (note or "").strip()})
        audit_log(actor, "stars.self_review", rating, {"self_score": str(self_score)},
                  organization_path=organization.path)
    return rating


def computed_points(actor, rating: StarRating, criteria) -> dict[int, tuple[Decimal, str, list]]:
    """Points of the criteria Fengling computes from its records (organizational life, the
    members' index, deductions from warnings: `scores.computed_for`), with the evidence and
    the records behind them. The subtree's figures to the year's end (or today)."""
    from .scores import as_of_for, computed_for

    return {pk: (c.points, c.evidence, c.records) for pk, c in computed_for(
        rating.organization, rating.year, criteria, as_of_for(rating.year)).items()}


def rating_score(actor, rating: StarRating, entries: Mapping[int, tuple]) -> StarRating:
    """Scoring by the level above (上级评分): manual criteria from `entries`
    ({criterion id: (points, evidence)}), evidence required; computed ones from the records.
    Score = (basic − deductions) × share + appraisal × share (RULES Part A), stars by bands."""
    parent = _parent_path(rating.organization)
    if not parent or not scope_of(actor).covers_path(parent, write=True):
        raise PermissionDenied
    if rating.state not in (RatingState.SELF_REVIEW, RatingState.SCORED):
        raise ValidationError(_("This rating is already on public notice or filed."))
    scheme = year_defaults(rating.year)
    criteria = list(Criterion.objects.filter(year=rating.year))
    computed = computed_points(actor, rating, criteria)
    entries = {int(k): v for k, v in entries.items()}
    rows, errors, sums = [], [], {p: Decimal(0) for p in CriterionPart.values}
    for c in criteria:
        records: list = []
        if c.pk in computed:
            points, evidence, records = computed[c.pk]
            is_computed = True
        else:
            raw, evidence = entries.get(c.pk, (None, ""))
            points = _number(raw)
            evidence = (evidence or "").strip()
            if points is None or not Decimal(0) <= points <= c.max_points:
                errors.append(_("%(name)s: enter points between 0 and %(max)s.")
                              % {"name": c.name, "max": c.max_points})
                continue
            if not evidence:
                errors.append(_("%(name)s: give the evidence.") % {"name": c.name})
                continue
            is_computed = False
        sums[c.part] += points
        rows.append(CriterionScore(rating=rating, criterion=c, points=points,
                                   evidence=evidence, computed=is_computed, records=records))
    if errors:
        raise ValidationError(errors)
    score = rules.organization_score(sums["basic"], sums["deduction"], sums["appraisal"],
                                     scheme.basic_share, scheme.appraisal_share)
    with transaction.atomic():
        rating.points.all().delete()
        CriterionScore.objects.bulk_create(rows)
        rating.basic, rating.deductions = sums["basic"], sums["deduction"]
        rating.appraisal, rating.score = sums["appraisal"], score
        rating.proposed_stars = rules.stars_for(score)
        rating.state = RatingState.SCORED
        rating.save()
        audit_log(actor, "stars.score", rating,
                  {"score": str(score), "stars": rating.proposed_stars},
                  organization_path=rating.organization.path)
    return rating


def stars_publish(actor, unit, year: int, kind: str, *, notice_from: dt.date) -> int:
    """Put the scored ratings of one kind under `unit` (the level above: the scoring unit)
    on public notice (公示), applying the caps: 软弱涣散 → at most 2★; 5★ at most the
    year's share (30%) of the unit's organizations of that kind."""
    _check_writable(actor, unit.path)
    scheme = year_defaults(year)
    ratings = list(StarRating.objects.filter(
        organization__path__subtree=unit.path, year=year, kind=kind)
        .exclude(organization=unit).select_related("organization"))
    if not ratings:
        raise ValidationError(_("There are no ratings of this kind to publish."))
    if any(r.state == RatingState.SELF_REVIEW for r in ratings):
        raise ValidationError(_("Score every organization of this kind before the public "
                                "notice: the 5-star share is counted over all of them."))
    if any(r.state != RatingState.SCORED for r in ratings):
        raise ValidationError(_("These ratings are already on public notice or filed."))
    weak = set(WeakDesignation.objects.filter(
        year=year, organization_id__in=[r.organization_id for r in ratings])
        .values_list("organization_id", flat=True))
    capped = {c.key: c for c in rules.apply_caps(
        [(r.pk, r.score, r.organization_id in weak) for r in ratings],
        share=scheme.five_star_share)}
    until = notice_from + dt.timedelta(days=scheme.notice_days)
    with transaction.atomic():
        for r in ratings:
            c = capped[r.pk]
            r.stars, r.cap_reason = c.stars, c.reason
            r.state, r.notice_from, r.notice_until = RatingState.NOTICE, notice_from, until
        StarRating.objects.bulk_update(ratings, ["stars", "cap_reason", "state",
                                                 "notice_from", "notice_until"])
        forget_scores()
        audit_many(actor, "stars.notice", ((r, {"stars": r.stars, "capped": r.cap_reason},
                                            r.organization.path) for r in ratings))
    return len(ratings)


def stars_file(actor, unit, year: int, kind: str, *, today: dt.date) -> int:
    """File (备案) the unit's ratings of a kind once their public notice is over."""
    _check_writable(actor, unit.path)
    ratings = list(StarRating.objects.filter(
        organization__path__subtree=unit.path, year=year, kind=kind,
        state=RatingState.NOTICE).select_related("organization"))
    if not ratings:
        raise ValidationError(_("There are no ratings on public notice to file."))
    if any(r.notice_until >= today for r in ratings):
        raise ValidationError(_("The public notice runs until %(day)s: file after it.")
                              % {"day": max(r.notice_until for r in ratings)})
    with transaction.atomic():
        for r in ratings:
            r.state, r.filed_on = RatingState.FILED, today
        StarRating.objects.bulk_update(ratings, ["state", "filed_on"])
        forget_scores()
        audit_many(actor, "stars.file", ((r, {"stars": r.stars}, r.organization.path)
                                          for r in ratings))
    return len(ratings)


def weak_designate(actor, organization, year: int, reason: str) -> WeakDesignation:
    """Designate an organization 软弱涣散 for a year (by the level above), with the reason."""
    parent = _parent_path(organization)
    if not parent or not scope_of(actor).covers_path(parent, write=True):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the designation.")]})
    if WeakDesignation.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(_("This organization is already designated for that year."))
    with transaction.atomic():
        row = WeakDesignation.objects.create(organization=organization, year=year,
                                             reason=reason)
        audit_log(actor, "stars.weak", row, {"year": year},
                  organization_path=organization.path)
    return row


# --- Funding (经费) -------------------------------------------------------------------------


def budget_line_set(actor, organization, year: int, fund: str, amount) -> BudgetLine:
    _check_writable(actor, organization.path)
    if fund not in Fund.values:
        raise ValidationError({"fund": [_("Choose a fund.")]})
    try:
        amount = parse_money(amount, max_digits=14)
    except MoneyError as error:
        raise ValidationError({"amount": [str(error)]}) from None
    with transaction.atomic():
        line, _c = BudgetLine.objects.update_or_create(
            organization=organization, year=year, fund=fund, defaults={"amount": amount})
        audit_log(actor, "funding.budget", line, {"amount": str(amount)},
                  organization_path=organization.path)
    return line


def disburse(actor, line: BudgetLine, organization, amount, paid_on: dt.date,
             note: str = "") -> Disbursement:
    """Pay money out of a budget line to an organization in the line's subtree."""
    _check_writable(actor, line.organization.path)
    if not organization.path.startswith(line.organization.path):
        raise ValidationError({"organization": [
            _("Choose an organization under the budget's organization.")]})
    try:
        amount = parse_money(amount, positive=True)
    except MoneyError as error:
        raise ValidationError({"amount": [str(error)]}) from None
    with transaction.atomic():
        row = Disbursement.objects.create(line=line, organization=organization, amount=amount,
                                          paid_on=paid_on, note=(note or "").strip())
        audit_log(actor, "funding.disburse", row, {"amount": str(amount)},
                  organization_path=organization.path)
    return row
