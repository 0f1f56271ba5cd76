"""Member development (发展党员): the people on their way to membership and their steps.

Applicants, activists and development targets are not members yet: they are `Candidate`s,
handled by a branch. Each of the 25 steps (see `steps.py`) recorded for them is a dated
`Milestone`. The stage is derived from the milestones (`CandidateQuerySet.with_stage`),
never stored. Admission creates their `members.Member` record and links it here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from fengling.core.lib import crypto, idcard, pinyin
from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet
from fengling.members.models import Education, Gender, Occupation

from . import rules
from .steps import ARCHIVED, STAGE_FIRST_STEP, STEP_CHOICES, Stage


class Progress(models.TextChoices):
    """Where a candidate's file stands; derived, like the stage."""

    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CandidateQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def with_stage(self):
        """Annotate `last_step` (the furthest step recorded) and `stage` (its stage)."""
        last = Milestone.objects.filter(candidate=models.OuterRef("pk")).order_by(
            "-step").values("step")[:1]
        whens = [
            models.When(last_step__gte=STAGE_FIRST_STEP[stage], then=models.Value(stage.value))
            for stage in sorted(Stage, reverse=True)
        ]
        return self.annotate(
            last_step=Coalesce(models.Subquery(last), 0),
        ).annotate(stage=models.Case(*whens, default=models.Value(Stage.APPLICATION.value),
                                     output_field=models.IntegerField()))

    def active(self):
        """Neither withdrawn nor archived (step 25)."""
        return self.filter(withdrawn_on__isnull=True).exclude(
            milestones__step=ARCHIVED)

    def in_subtree(self, path: str):
        return self.filter(organization__path__subtree=path)

    def search(self, text: str):
        text = pinyin.normalise_query(text)
        if not text:
            return self
        key = pinyin.pinyin_query(text)
        q = models.Q(name__icontains=text)
        if key:
            q |= models.Q(name_pinyin__keyprefix=key) | models.Q(name_initials__keyprefix=key)
        if len(text) == 4 and text.isdigit():
            q |= models.Q(phone__endswith=text) | models.Q(id_number_masked__endswith=text)
        return self.filter(q)


class Candidate(TimeStampedModel):
    """A person in the development pipeline (申请人 → 积极分子 → 发展对象 → 预备党员)."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("branch"), on_delete=models.PROTECT,
        related_name="candidates",
    )
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("date of birth"))
    # Personal data (PIPL), exactly as on Member: cipher text, keyed digest, masked form.
    id_number_cipher = models.TextField(editable=False)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    occupation = models.CharField(
        _("occupation category"), max_length=16, choices=Occupation.choices
    )
    work_unit = models.CharField(_("work unit"), max_length=120, blank=True)
    # The member record created on admission (step 17).
    member = models.OneToOneField(
        "members.Member", verbose_name=_("member record"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="development_candidate",
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=200,
                                         blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("development candidate")
        verbose_name_plural = _("development candidates")
        ordering = ["organization_id", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"], name="candidate_org_name_idx"),
            models.Index(fields=["name_pinyin"], name="candidate_name_pinyin_idx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="candidate_name_initials_idx",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True)
                | ~models.Q(withdrawal_reason=""),
                name="candidate_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return self.name

    def set_search_keys(self) -> None:
        self.name_pinyin, self.name_initials = pinyin.keys(self.name, surname=True)

    def save(self, *args, **kwargs):
        self.set_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def set_id_number(self, value: str) -> idcard.IDNumber:
        """Validate, encrypt and store an ID number (as `Member.set_id_number` does)."""
        parsed = idcard.parse(value)
        self.id_number_cipher = crypto.encrypt(parsed.value)
        self.id_number_digest = crypto.lookup_digest(parsed.value)
        self.id_number_masked = parsed.masked
        return parsed

    def reveal_id_number(self) -> str:
        """The clear ID number. Only `development.privacy.candidate_reveal` shows it to a
        person, and it records that it did."""
        return crypto.decrypt(self.id_number_cipher)


class MilestoneQuerySet(ScopedQuerySet):
    scope_path_lookup = "candidate__organization__path"


class Milestone(models.Model):
    """One of the 25 steps, done on a date for a candidate."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE,
                                  related_name="milestones")
    step = models.PositiveSmallIntegerField(_("step"), choices=STEP_CHOICES)
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Step 9 (确定入党介绍人): the two sponsors (介绍人).
    sponsors = models.ManyToManyField("members.Member", verbose_name=_("sponsors"),
                                      blank=True, related_name="sponsored_milestones")
    # Step 11 (集中培训): class hours (学时).
    hours = models.PositiveSmallIntegerField(_("class hours"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("development milestone")
        verbose_name_plural = _("development milestones")
        ordering = ["candidate_id", "step", "date", "id"]
        constraints = [
            # Each step once, except the half-yearly review of an activist (step 6).
            models.UniqueConstraint(
                fields=["candidate", "step"], condition=~models.Q(step=6),
                name="milestone_step_once",
            ),
            models.CheckConstraint(condition=models.Q(step__gte=1, step__lte=25),
                                   name="milestone_step_1_to_25"),
        ]
        indexes = [
            models.Index(fields=["candidate", "step"], name="milestone_candidate_step_idx"),
        ]

    def __str__(self):
        return f"{self.get_step_display()} {self.date:%Y-%m-%d}"


class ProbationExtension(models.Model):
    """The one extension of probation (延长预备期), 6–12 months (细则 第三十二条).

    One-to-one: a second extension cannot be stored."""

    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE,
                                     related_name="extension")
    decided_on = models.DateField(_("decided on"))
    months = models.PositiveSmallIntegerField(_("months"))
    reason = models.CharField(_("reason"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("probation extension")
        verbose_name_plural = _("probation extensions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__gte=rules.EXTENSION_MIN_MONTHS,
                                   months__lte=rules.EXTENSION_MAX_MONTHS),
                name="extension_six_to_twelve_months",
            ),
        ]

    def __str__(self):
        return f"{self.months}"
