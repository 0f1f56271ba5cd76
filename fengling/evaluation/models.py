"""Evaluation (考评): democratic appraisal of members (民主评议党员), organization scores and
stars (星级考评) and the work funds they unlock (经费补助). Rules: `rules.py`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from .rules import Grade, Handling

__all__ = ["Grade", "Handling"]


# --- Democratic appraisal -------------------------------------------------------------------


class SessionState(models.TextChoices):
    """RULES Part A: self-assessment → peer appraisal → committee proposal → meeting."""

    OPEN = "open", _("Self-assessment and peer ballots")
    PROPOSED = "proposed", _("Committee proposal made")
    DECIDED = "decided", _("Decided by the meeting")


class AppraisalSessionQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class AppraisalSession(TimeStampedModel):
    """One branch's annual democratic appraisal (民主评议党员, once a year)."""

    organization = models.ForeignKey("organizations.Organization", verbose_name=_("branch"),
                                     on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(_("state"), max_length=12, choices=SessionState.choices,
                             default=SessionState.OPEN)
    # 一团和气: the decided grades show no spread; shown to the level above.
    no_spread = models.BooleanField(_("no spread (一团和气)"), default=False)
    meeting = models.ForeignKey("meetings.Meeting", verbose_name=_("meeting"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    objects = AppraisalSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("democratic appraisal")
        verbose_name_plural = _("democratic appraisals")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"],
                                    name="appraisal_one_session_per_branch_year"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"


class ParticipantQuerySet(ScopedQuerySet):
    scope_path_lookup = "session__organization__path"
    scope_member_lookup = "member"


class Participant(models.Model):
    """A member taking part in a session. Probationary members take part (vote, assess
    themselves) but are not graded (RULES Part A)."""

    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE,
                                related_name="participants")
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.PROTECT, related_name="appraisals")
    probationary = models.BooleanField(_("probationary"), default=False)
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    proposed_grade = models.CharField(_("committee proposal"), max_length=12, blank=True,
                                      choices=Grade.choices)
    grade = models.CharField(_("grade"), max_length=12, blank=True, choices=Grade.choices)
    # The member index behind the committee's proposal, frozen when proposed (锋领指数).
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("appraisal participant")
        verbose_name_plural = _("appraisal participants")
        ordering = ["session", "member__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"],
                                    name="appraisal_participant_once"),
            models.CheckConstraint(
                condition=models.Q(probationary=False) | (models.Q(grade="")
                                                          & models.Q(proposed_grade="")),
                name="appraisal_probationary_not_graded"),
        ]

    def __str__(self):
        return f"{self.session}: {self.member}"


class VoterReceipt(models.Model):
    """That a member has voted in a session, and nothing about how (one per voter)."""

    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE,
                                related_name="receipts")
    voter = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("voting receipt")
        verbose_name_plural = _("voting receipts")
        constraints = [
            models.UniqueConstraint(fields=["session", "voter"], name="appraisal_vote_once"),
        ]

    def __str__(self):
        return f"{self.session_id}: {self.voter_id}"


class Ballot(models.Model):
    """An anonymous peer ballot: no voter, no time, a random key (so not even the order of
    insertion links it to a receipt)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE,
                                related_name="ballots")

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self):
        return str(self.pk)


class BallotMark(models.Model):
    """One grade a ballot gives one graded participant."""

    # A random key too: sequential ids would give away the order ballots were cast in.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE,
                                    related_name="marks")
    grade = models.CharField(max_length=12, choices=Grade.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "participant"],
                                    name="appraisal_mark_once_per_ballot"),
        ]
        indexes = [models.Index(fields=["participant", "grade"],
                                name="appraisal_mark_count_idx")]

    def __str__(self):
        return self.grade


class HandlingQuerySet(ScopedQuerySet):
    scope_path_lookup = "participant__session__organization__path"


class UnqualifiedHandling(TimeStampedModel):
    """What is done about a 不合格 grade (限期改正 / 劝退 / 除名), with reasons."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE,
                                       related_name="handling")
    action = models.CharField(_("handling"), max_length=12, choices=Handling.choices)
    reasons = models.TextField(_("reasons"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    closed = models.BooleanField(_("closed"), default=False)

    objects = HandlingQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling of an unqualified grade")
        verbose_name_plural = _("handlings of unqualified grades")


class HandlingFollowUp(models.Model):
    """A follow-up of a handling: what was checked, when, by whom."""

    handling = models.ForeignKey(UnqualifiedHandling, on_delete=models.CASCADE,
                                 related_name="follow_ups")
    on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    closes = models.BooleanField(_("closes the handling"), default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["on", "pk"]

    def __str__(self):
        return f"{self.on}: {self.note[:40]}"
