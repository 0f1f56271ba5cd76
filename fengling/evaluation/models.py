"""Evaluation (考评): democratic appraisal of members (民主评议党员), organization scores and
stars (星级考评) and the work funds they unlock (经费补助). Rules: `rules.py`."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from .rules import Dimension, Grade, Handling, ItemSource

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

    # Never in the change history: django-auditlog would record the voter as the actor.
    audit_trail = False

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
    audit_trail = False  # as Ballot: no actor may be recorded beside a mark
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


# --- Organization score and stars (星级考评) --------------------------------------------------


class YearScheme(models.Model):
    """A year's scoring weights and settings (RULES Part A "Index and stars"). Each year has
    its own row, so changing next year's never changes this year's published figures."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    basic_share = models.DecimalField(_("share of basic items"), max_digits=4,
                                      decimal_places=2, default=Decimal("0.70"))
    appraisal_share = models.DecimalField(_("share of the appraisal"), max_digits=4,
                                          decimal_places=2, default=Decimal("0.30"))
    five_star_share = models.DecimalField(_("largest share of 5 stars"), max_digits=4,
                                          decimal_places=2, default=Decimal("0.30"))
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=7)

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CriterionPart(models.TextChoices):
    BASIC = "basic", _("Basic item")
    DEDUCTION = "deduction", _("Deduction")
    APPRAISAL = "appraisal", _("Appraisal item")


class CriterionSource(models.TextChoices):
    """Where the points come from: computed from Fengling's records, or entered by the level
    above with evidence."""

    MANUAL = "manual", _("Entered by the level above with evidence")
    MEETINGS = "meetings_compliance", _("Organizational life compliance (computed)")
    # Issue 6: the members' index and the year's warnings (`scores.py`).
    MEMBER_INDEX = "member_index", _("Members' average index (computed)")
    WARNINGS = "warnings", _("Deductions from the year's warnings (computed)")


class Criterion(models.Model):
    """One scoring criterion of a year (考评指标), with its maximum points."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    part = models.CharField(_("part"), max_length=12, choices=CriterionPart.choices)
    max_points = models.DecimalField(_("maximum points"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=24, choices=CriterionSource.choices,
                              default=CriterionSource.MANUAL)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The parameters of a computed criterion, per year (issue 6, `rules.DEFAULT_CRITERIA`):
    # member_index {"full_at": average annual index earning full points}; warnings
    # {"red": points per red, "yellow": points per yellow, "rules": {rule: points}}.
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["year", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="criterion_code_per_year"),
            models.CheckConstraint(condition=models.Q(max_points__gt=0),
                                   name="criterion_max_points_positive"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class WeakDesignationQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class WeakSituation(models.TextChoices):
    """The ten situations of a 软弱涣散 organization (RULES Part B §5.1, 中组部 2014)."""

    TEAM_INCOMPLETE = "team_incomplete", _(
        "Committee incomplete, secretary long absent, work at a standstill")
    SECRETARY_UNFIT = "secretary_unfit", _("Secretary unfit for the post, not in working form")
    TEAM_DISUNITED = "team_disunited", _("Committee disunited, serious internal friction")
    NO_ACTIVITY = "no_activity", _(
        "Organizational rules a dead letter, no Party activity held")
    ELECTION_BRIBERY = "election_bribery", _("Canvassing or bribery in elections")
    INTERFERENCE = "interference", _("Interference by clans, religion or criminal forces")
    NOT_PUBLIC = "not_public", _(
        "Party, village and financial affairs not public; democratic management in disorder")
    DISPUTES = "disputes", _("Public order problems and petitions concentrated")
    NO_VENUE = "no_venue", _("No place for activities")
    POOR_SERVICE = "poor_service", _(
        "Poor service attitude and ability, strong public dissatisfaction")


class DesignationState(models.TextChoices):
    """Entry (认定) → rectifying (整顿中) → exited (摘帽)."""

    ENTERED = "entered", _("Entered")
    RECTIFYING = "rectifying", _("Rectifying")
    EXITED = "exited", _("Exited")


class WeakDesignation(TimeStampedModel):
    """A 软弱涣散 designation of an organization for a year (caps its stars at 2), confirmed
    by the level above with one of the §5.1 situations; its rectification case; its exit
    (摘帽) once the case is closed after review."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="weak_designations",
                                     verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.TextField(_("reason"))
    situation = models.CharField(_("situation"), max_length=24, choices=WeakSituation.choices,
                                 blank=True)
    state = models.CharField(_("state"), max_length=12, choices=DesignationState.choices,
                             default=DesignationState.ENTERED)
    # What the proposal found (trigger ids, weakness score, rank), kept as evidence.
    triggers = models.JSONField(_("triggers"), default=list, blank=True)
    score = models.PositiveIntegerField(_("weakness score"), null=True, blank=True)
    case = models.OneToOneField("alerts.Case", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="weak_designation",
                                verbose_name=_("rectification case"))
    entered_on = models.DateField(_("entered on"), null=True, blank=True)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = WeakDesignationQuerySet.as_manager()

    class Meta:
        verbose_name = _("weak and lax designation")
        verbose_name_plural = _("weak and lax designations")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"],
                                    name="weak_designation_once_per_year"),
            models.CheckConstraint(
                condition=~models.Q(state="exited") | models.Q(exited_on__isnull=False),
                name="weak_designation_exit_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"


class DesignationEventQuerySet(ScopedQuerySet):
    scope_path_lookup = "designation__organization__path"


class DesignationEvent(models.Model):
    """The history of a designation: entered, rectifying, exited (who, when, why)."""

    designation = models.ForeignKey(WeakDesignation, on_delete=models.CASCADE,
                                    related_name="events")
    state = models.CharField(_("state"), max_length=12, choices=DesignationState.choices)
    text = models.TextField(_("text"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DesignationEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("designation event")
        verbose_name_plural = _("designation events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.state


class WeakQuota(models.Model):
    """The share of organizations ranked from the bottom each year (RULES Part B §5.1:
    5%–10%). The row with the latest effective year not after the year evaluated applies;
    without a row, 5–10%."""

    effective_year = models.PositiveSmallIntegerField(_("effective year"), unique=True)
    min_percent = models.PositiveSmallIntegerField(_("minimum share (%)"), default=5)
    max_percent = models.PositiveSmallIntegerField(_("maximum share (%)"), default=10)

    class Meta:
        verbose_name = _("weak and lax quota")
        verbose_name_plural = _("weak and lax quotas")
        ordering = ["effective_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_percent__lte=models.F("max_percent"),
                                   max_percent__lte=100),
                name="weak_quota_band"),
        ]

    def __str__(self):
        return f"{self.effective_year}: {self.min_percent}–{self.max_percent}%"


class RatingState(models.TextChoices):
    """RULES Part A: self-review → higher-level scoring → public notice (公示) → filing."""

    SELF_REVIEW = "self_review", _("Self-review")
    SCORED = "scored", _("Scored by the level above")
    NOTICE = "notice", _("Public notice")
    FILED = "filed", _("Filed")


class CapReason(models.TextChoices):
    NONE = "", _("None")
    WEAK = "weak", _("Weak and lax designation (at most 2 stars)")
    FIVE_STAR_SHARE = "five_star_share", _("5-star share of the kind reached")


class StarRatingQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class StarRating(TimeStampedModel):
    """An organization's star rating for a year, with its frozen score (published figures do
    not move when next year's weights change)."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="star_ratings",
                                     verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=24)  # the organization's kind that year
    state = models.CharField(_("state"), max_length=12, choices=RatingState.choices,
                             default=RatingState.SELF_REVIEW)
    self_score = models.DecimalField(_("self-review score"), max_digits=6, decimal_places=2)
    self_note = models.TextField(_("self-review"), blank=True)
    basic = models.DecimalField(_("basic items"), max_digits=6, decimal_places=2, null=True)
    deductions = models.DecimalField(_("deductions"), max_digits=6, decimal_places=2,
                                     null=True)
    appraisal = models.DecimalField(_("appraisal"), max_digits=6, decimal_places=2, null=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True)
    proposed_stars = models.PositiveSmallIntegerField(_("stars by the bands"), null=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True)
    cap_reason = models.CharField(_("capped by"), max_length=16, blank=True,
                                  choices=CapReason.choices)
    notice_from = models.DateField(_("notice from"), null=True, blank=True)
    notice_until = models.DateField(_("notice until"), null=True, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)

    objects = StarRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"],
                                    name="star_rating_once_per_year"),
            models.CheckConstraint(condition=models.Q(stars__isnull=True)
                                   | models.Q(stars__gte=1, stars__lte=5),
                                   name="star_rating_stars_1_to_5"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"


class CriterionScore(models.Model):
    """The points of one criterion in one rating, with the evidence behind them."""

    rating = models.ForeignKey(StarRating, on_delete=models.CASCADE, related_name="points")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    evidence = models.TextField(_("evidence"), blank=True)
    computed = models.BooleanField(_("computed from records"), default=False)
    # The records behind computed points ("alerts.alert:12", …): issue 6.
    records = models.JSONField(_("records"), default=list, blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"],
                                    name="criterion_score_once"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.points}"


# --- Funding (经费补助) ------------------------------------------------------------------------


class SubsidyRate(models.Model):
    """Work-fund subsidy by organization kind and stars for a year (the seed's table)."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=24)
    stars = models.PositiveSmallIntegerField(_("stars"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        ordering = ["year", "kind", "-stars"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "stars"],
                                    name="subsidy_rate_once"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="subsidy_rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.year} {self.kind} {self.stars}: {self.amount}"


class Fund(models.TextChoices):
    WORK = "work", _("Work funds (工作经费)")
    VENTURE = "venture", _("Venture fund (创投基金)")


class BudgetLineQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class BudgetLine(models.Model):
    """A year's budget line of an organization (the district): work funds, venture fund."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="budget_lines",
                                     verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"))
    fund = models.CharField(_("fund"), max_length=10, choices=Fund.choices)
    amount = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["-year", "fund"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "fund"],
                                    name="budget_line_once"),
        ]

    def __str__(self):
        return f"{self.year} {self.get_fund_display()}"


class DisbursementQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Disbursement(TimeStampedModel):
    """Money paid out of a budget line to an organization."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT,
                             related_name="disbursements")
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="disbursements",
                                     verbose_name=_("organization"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DisbursementQuerySet.as_manager()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="disbursement_positive"),
        ]

    def __str__(self):
        return f"{self.organization} {self.amount}"


# --- Member index (锋领指数) ------------------------------------------------------------------


class IndexItem(models.Model):
    """One behaviour item of a year's member index, with its points and monthly cap."""

    year = models.PositiveSmallIntegerField(_("year"))
    code = models.SlugField(_("code"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    name = models.CharField(_("name"), max_length=120)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=2)
    monthly_cap = models.DecimalField(_("monthly cap"), max_digits=5, decimal_places=2,
                                      null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=ItemSource.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("index item")
        verbose_name_plural = _("index items")
        ordering = ["year", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="index_item_code_per_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class CreditStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class IndexCreditQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class IndexCredit(models.Model):
    """Points credited to a member for a month, linked to the record behind them
    (`record`: "app.model:id", or the award's evidence)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="index_credits", verbose_name=_("member"))
    item = models.ForeignKey(IndexItem, on_delete=models.PROTECT, related_name="credits")
    month = models.DateField(_("month"))
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    record = models.CharField(_("record"), max_length=60, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CreditStatus.choices,
                              default=CreditStatus.APPROVED)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = IndexCreditQuerySet.as_manager()
    # High-churn rows recomputed each month; awards and reviews are in the audit log.
    audit_trail = False

    class Meta:
        verbose_name = _("index credit")
        verbose_name_plural = _("index credits")
        ordering = ["-month", "item__position", "pk"]
        indexes = [models.Index(fields=["member", "month"], name="index_credit_member_idx"),
                   models.Index(fields=["month", "item"], name="index_credit_month_idx")]

    def __str__(self):
        return f"{self.member_id} {self.month:%Y-%m} {self.points}"


class SnapshotKind(models.TextChoices):
    HALF_YEAR = "half_year", _("Half-year publication (半年亮绩)")
    YEAR_END = "year_end", _("Year-end scoring (年底考评)")


class IndexSnapshotQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class IndexSnapshot(TimeStampedModel):
    """A frozen publication of an organization's members' index."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="index_snapshots",
                                     verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=SnapshotKind.choices)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=2,
                                      default=Decimal("1.00"))

    objects = IndexSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("index publication")
        verbose_name_plural = _("index publications")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "kind"],
                                    name="index_snapshot_once"),
        ]

    def __str__(self):
        return f"{self.organization} {self.year} {self.kind}"


class IndexSnapshotRow(models.Model):
    snapshot = models.ForeignKey(IndexSnapshot, on_delete=models.CASCADE, related_name="rows")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    total = models.DecimalField(_("total"), max_digits=8, decimal_places=2)
    report = models.DecimalField(_("annual report"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))

    audit_trail = False  # frozen rows written in bulk; the publication is audited

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "member"], name="index_snapshot_row_once"),
        ]

    def __str__(self):
        return f"{self.member_id}: {self.total}"
