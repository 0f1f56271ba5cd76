"""Notifications (通知): the in-app inbox and the outbox of outbound deliveries.

A `Notification` is one message to one user, shown in their inbox. Each notification may
have `Delivery` rows, one per outbound channel (e-mail, SMS, WeChat) the recipient can be
reached on; `send_notifications` drains them outside any page request.

Title and body are stored already rendered (not as msgids): in the site's default language
(`settings.LANGUAGE_CODE`, zh-Hans), whatever language the sender's page was in. Users have
no language preference of their own yet; see docs/notifications.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What a notification is about. Extend freely: the column is a plain string."""

    MEETING_NOTICE = "meeting_notice", _("Meeting notice")
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
    THEMED_DAY = "themed_day", _("Themed Party Day")
    BIRTHDAY = "birthday", _("Political birthday")
    DUES_REMINDER = "dues_reminder", _("Dues reminder")
    TRAINING = "training", _("Training")
    WARNING = "warning", _("Early warning")
    RECTIFICATION = "rectification", _("Rectification")
    SYSTEM = "system", _("System")


class Channel(models.TextChoices):
    """Outbound channels. The in-app inbox is not a channel: every notification is in it."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        """The inbox of `user`: their own notifications that are due (never anyone else's)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user, visible_from__lte=timezone.now())

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    # The organization the message is about (e.g. the branch holding the meeting), if any.
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # A local path (e.g. /meetings/12/) the inbox links to.
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Idempotency: one notification per (recipient, key), e.g. "meeting:12:notice".
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Shown in the inbox (and sent out) from this moment: reminders can be queued ahead.
    visible_from = models.DateTimeField(_("from"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-visible_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"],
                                    name="notification_once_per_key"),
        ]
        indexes = [
            # The inbox and its unread badge: one range of this index per user.
            models.Index(fields=["recipient", "read_at", "visible_from"],
                         name="notification_inbox_idx"),
            models.Index(fields=["dedupe_key"], name="notification_key_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One outbound send of a notification on one channel (the outbox).

    pending → sending (claimed by one worker) → sent | failed; a failed attempt that may be
    retried goes back to pending with a later `due_at`.
    """

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE,
                                     related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The address at the time it was queued: e-mail address or phone number.
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"],
                                    name="delivery_once_per_channel"),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="delivery_due_idx"),
            models.Index(fields=["claim"], name="delivery_claim_idx"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.address} ({self.status})"
