"""Organizational life (组织生活, 三会一课) and themed Party Days (主题党日, 海曙新红图)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from .rules import DEFAULT_PARTY_DAY, MeetingKind, MeetingState

__all__ = ["MeetingKind", "MeetingState"]


def new_signin_token() -> str:
    """An unguessable per-meeting token for the sign-in link and QR code."""
    return secrets.token_urlsafe(24)


class PartyDayTheme(TimeStampedModel):
    """A theme in the library (主题): what a month's themed Party Day is about."""

    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(pgettext_lazy("meeting", "summary"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("themed day theme")
        verbose_name_plural = _("themed day themes")
        ordering = ["title", "id"]

    def __str__(self):
        return self.title


class PartyDayTemplate(TimeStampedModel):
    """How a themed Party Day runs (模板): agenda, materials, a checklist, default times."""

    name = models.CharField(_("name"), max_length=120)
    agenda = models.TextField(_("agenda"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    checklist = models.TextField(_("checklist"), blank=True, help_text=_("One item per line."))
    start_time = models.TimeField(_("starts at"), default="09:00")
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("themed day template")
        verbose_name_plural = _("themed day templates")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=1),
                                   name="party_day_template_duration_positive"),
        ]

    def __str__(self):
        return self.name

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class PartyDaySettingQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class PartyDaySetting(models.Model):
    """An organization's fixed day of the month for its themed Party Day (RULES: "a relatively
    fixed day"). Without a row the day is `rules.DEFAULT_PARTY_DAY` (the 15th)."""

    organization = models.OneToOneField(
        "organizations.Organization", verbose_name=_("organization"), on_delete=models.CASCADE,
        related_name="party_day_setting",
    )
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"),
                                                    default=DEFAULT_PARTY_DAY)

    objects = PartyDaySettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("themed day setting")
        verbose_name_plural = _("themed day settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1) & models.Q(day_of_month__lte=31),
                name="party_day_setting_day_1_to_31",
            ),
        ]

    def __str__(self):
        return f"{self.organization_id}: {self.day_of_month}"


class ThemePushQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class ThemePush(TimeStampedModel):
    """A district or street pushed a theme to every branch below it for a month."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("pushed by"), on_delete=models.PROTECT,
        related_name="theme_pushes",
    )
    theme = models.ForeignKey(PartyDayTheme, verbose_name=_("theme"), on_delete=models.PROTECT,
                              related_name="pushes")
    template = models.ForeignKey(PartyDayTemplate, verbose_name=_("template"),
                                 on_delete=models.PROTECT, related_name="pushes")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = ThemePushQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme push")
        verbose_name_plural = _("theme pushes")
        ordering = ["-month", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"],
                                    name="theme_push_once_a_month"),
        ]

    def __str__(self):
        return f"{self.theme} {self.month:%Y-%m}"


class MeetingQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def in_subtree(self, path: str):
        return self.filter(organization__path__subtree=path)

    def held(self):
        return self.filter(state=MeetingState.HELD)


class Meeting(TimeStampedModel):
    """One meeting of organizational life (三会一课, 主题党日, 组织生活会 …)."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"), on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    state = models.CharField(_("state"), max_length=12, choices=MeetingState.choices,
                             default=MeetingState.PLANNED)
    topic = models.CharField(_("topic"), max_length=200)
    host = models.ForeignKey("members.Member", verbose_name=_("host"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    recorder = models.ForeignKey("members.Member", verbose_name=_("recorder"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    resolutions = models.TextField(_("resolutions"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    signin_token = models.CharField(max_length=64, unique=True, default=new_signin_token,
                                    editable=False)
    # Themed Party Days: the theme, template and month (one per organization and month).
    theme = models.ForeignKey(PartyDayTheme, verbose_name=_("theme"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="meetings")
    template = models.ForeignKey(PartyDayTemplate, verbose_name=_("template"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="meetings")
    party_day_month = models.DateField(null=True, blank=True, editable=False)
    push = models.ForeignKey(ThemePush, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="meetings")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "starts_at"], name="meeting_org_start_idx"),
            models.Index(fields=["state", "ends_at"], name="meeting_state_end_idx"),
            models.Index(fields=["state", "kind", "starts_at"],
                         name="meeting_state_kind_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="meeting_ends_after_start"),
            models.UniqueConstraint(
                fields=["organization", "party_day_month"],
                condition=models.Q(party_day_month__isnull=False),
                name="meeting_one_party_day_a_month",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.topic}"

    @property
    def is_open(self) -> bool:
        return self.state in (MeetingState.PLANNED, MeetingState.NOTIFIED)


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("Not yet recorded")
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class AttendanceQuerySet(ScopedQuerySet):
    scope_path_lookup = "meeting__organization__path"
    scope_member_lookup = "member_id"


class Attendance(models.Model):
    """One member who should attend one meeting, and whether they did."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey("members.Member", verbose_name=_("member"),
                               on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=12, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.EXPECTED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"],
                                    name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=~models.Q(status=AttendanceStatus.LEAVE) | ~models.Q(reason=""),
                name="attendance_leave_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "meeting"], name="attendance_member_idx"),
            models.Index(fields=["meeting", "status"], name="attendance_meeting_status_idx"),
        ]

    def __str__(self):
        return f"{self.member_id}@{self.meeting_id}: {self.status}"


class FileKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class MeetingFile(models.Model):
    """A photo or document of a meeting, kept in Django's default storage."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to="meetings/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


class MeetingVote(models.Model):
    """A vote taken at a general assembly (党员大会), with its quorum check (RULES Part A)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    subject = models.CharField(_("subject"), max_length=200)
    full_members = models.PositiveIntegerField(_("full members who should attend"))
    full_present = models.PositiveIntegerField(_("full members present"))
    votes_for = models.PositiveIntegerField(_("votes for"))
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    passed = models.BooleanField(pgettext_lazy("vote", "passed"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.subject
