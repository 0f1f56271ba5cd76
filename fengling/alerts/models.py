"""Early warnings (监测预警) and rectification cases (整转提升).

A `Warning` is one occurrence of a rule firing for one subject (an organization, or a member
of it): first seen, last seen, resolved. A resolved warning that fires again opens a new
occurrence, so the history of each subject is kept. `Threshold` rows make the numbers of the
rules data with an effective year. A `Case` follows a warning until the level above closes it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet


class Level(models.TextChoices):
    # A look-ahead: will breach by the end of the month at the current pace.
    UPCOMING = "upcoming", _("Upcoming")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class WarningState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Threshold(models.Model):
    """A rule's number for the years from `effective_year` on (until a later row).

    Changing next year's number is adding a row for next year: this year's evaluation keeps
    the row in force for this year. Without any row the rule's default applies.
    """

    rule = models.CharField(_("rule"), max_length=40)
    name = models.CharField(_("parameter"), max_length=40)
    effective_year = models.PositiveSmallIntegerField(_("from year"))
    value = models.IntegerField(_("value"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("warning threshold")
        verbose_name_plural = _("warning thresholds")
        ordering = ["rule", "name", "effective_year"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "name", "effective_year"],
                                    name="threshold_once_per_year"),
        ]

    def __str__(self):
        return f"{self.rule}.{self.name} {self.effective_year}: {self.value}"


class AlertQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def open(self):
        return self.filter(state=WarningState.OPEN)


class Alert(models.Model):
    """One occurrence of a rule firing for a subject."""

    rule = models.CharField(_("rule"), max_length=40, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"),
        on_delete=models.CASCADE, related_name="alerts",
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="alerts",
    )
    # The rule's own key for the subject ("o12", "m34", "o12:committee"): one open
    # occurrence per (rule, subject).
    subject = models.CharField(max_length=80)
    state = models.CharField(_("state"), max_length=10, choices=WarningState.choices,
                             default=WarningState.OPEN)
    first_seen = models.DateField(_("first seen"))
    last_seen = models.DateField(_("last seen"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # Values for the rule's message (%(name)s placeholders) and the rows behind it.
    params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")
        ordering = ["-last_seen", "organization__path", "rule", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject"],
                                    condition=models.Q(state="open"),
                                    name="warning_one_open_per_subject"),
            models.CheckConstraint(
                condition=models.Q(state="open", resolved_on__isnull=True)
                | models.Q(state="resolved", resolved_on__isnull=False),
                name="warning_resolved_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "level"], name="warning_state_level_idx"),
        ]

    def __str__(self):
        return f"{self.rule} {self.subject}"

    @property
    def rule_obj(self):
        from .rules import RULE_BY_ID
        return RULE_BY_ID.get(self.rule)

    @property
    def title(self) -> str:
        rule = self.rule_obj
        return str(rule.title) if rule else self.rule

    @property
    def message(self) -> str:
        rule = self.rule_obj
        if rule is None:
            return self.rule
        from .rules import MEETING_KIND_LABELS
        params = dict(self.params)
        if "kind" in params:
            params["kind"] = MEETING_KIND_LABELS.get(params["kind"], params["kind"])
        try:
            return str(rule.message) % params
        except (KeyError, TypeError, ValueError):
            return str(rule.title)


class ScanRun(models.Model):
    """One scan of the whole district, for the summary and the record."""

    day = models.DateField(_("date evaluated"))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    opened = models.PositiveIntegerField(_("opened"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    open_total = models.PositiveIntegerField(_("open"), default=0)
    escalated = models.PositiveIntegerField(_("cases escalated"), default=0)
    by_rule = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.day}"


class CaseState(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted for review")
    CLOSED = "closed", _("Closed")


class CaseQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def active(self):
        return self.exclude(state=CaseState.CLOSED)


class Case(TimeStampedModel):
    """A rectification case (整转提升): who fixes what by when, reviewed by the level above."""

    warning = models.ForeignKey(Alert, verbose_name=_("warning"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"),
        on_delete=models.PROTECT, related_name="rectification_cases",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"),
        on_delete=models.PROTECT, related_name="rectification_cases",
    )
    title = models.CharField(_("title"), max_length=200)
    plan = models.TextField(_("rectification plan"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(_("state"), max_length=12, choices=CaseState.choices,
                             default=CaseState.OPEN)
    # How many levels above the reviewing level an overdue case has been escalated to.
    escalation = models.PositiveSmallIntegerField(_("escalation"), default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="closed") | models.Q(closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]

    def __str__(self):
        return self.title


class EventKind(models.TextChoices):
    CREATED = "created", _("Opened")
    PROGRESS = "progress", _("Progress update")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved and closed")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated")


class CaseEventQuerySet(ScopedQuerySet):
    scope_path_lookup = "case__organization__path"


class CaseEvent(models.Model):
    """One step of a case: progress with evidence, submission, review, escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("evidence file"), upload_to="rectification/%Y/%m/",
                            max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.kind
