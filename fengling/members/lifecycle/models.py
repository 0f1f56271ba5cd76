"""Member lifecycle records: status history (党籍), transfers (组织关系转接), mobile members
(流动党员) and lost-contact members (失联党员). Imported by `members.models` (app `members`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fengling.core.scoping import ScopedQuerySet, path_q, scope_of

from ..models import Member, MemberStatus
from .rules import OPEN_STATES, ChangeKind, TransferDirection, TransferState


class StatusChangeQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class StatusChange(models.Model):
    """One dated, reasoned change of a member's standing (党籍变动). Rows are never edited:
    the member's current status is the status of the latest row (`rules.derive_status`)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes")
    kind = models.CharField(_("change"), max_length=20, choices=ChangeKind.choices)
    status = models.CharField(_("status after"), max_length=16, choices=MemberStatus.choices)
    effective_on = models.DateField(_("effective date"))
    reason = models.TextField(_("reason"), blank=True)
    document = models.CharField(_("decision document"), max_length=120, blank=True)
    transfer = models.ForeignKey("members.Transfer", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="status_changes")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["member_id", "effective_on", "id"]
        indexes = [models.Index(fields=["member", "effective_on", "id"],
                                name="status_change_member_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.effective_on}"


class TransferQuerySet(ScopedQuerySet):
    """A transfer is seen by both ends: the sending and the receiving organization."""

    scope_member_lookup = "member"

    def visible_to(self, user, write: bool = False):
        scope = scope_of(user)
        if scope.everything:
            return self
        paths = scope.paths(write)
        q = path_q("from_organization__path", paths) | path_q("to_organization__path", paths)
        if scope.member_ids and not write:
            q |= Q(member__in=scope.member_ids)
        return self.filter(q)

    def overdue(self, today: dt.date):
        """Issued letters not received within their validity (RULES Part A warnings)."""
        return self.filter(state=TransferState.ISSUED, valid_until__lt=today)


class Transfer(models.Model):
    """A transfer letter (党员组织关系介绍信) with its receipt (回执)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    direction = models.CharField(_("direction"), max_length=10,
                                 choices=TransferDirection.choices)
    from_organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("sending organization"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_out")
    to_organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("receiving organization"),
        on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_in")
    outside_unit = models.CharField(
        _("unit outside the district"), max_length=200, blank=True,
        help_text=_("The receiving (or sending) Party organization outside the district."))
    letter_number = models.CharField(_("letter number"), max_length=40, unique=True)
    issued_on = models.DateField(_("date of issue"))
    valid_until = models.DateField(_("valid until"))
    state = models.CharField(_("state"), max_length=10, choices=TransferState.choices,
                             default=TransferState.ISSUED)
    reason = models.TextField(_("reason for the transfer"), blank=True)
    decision_reason = models.TextField(_("reason for rejecting or suspending"), blank=True)
    received_on = models.DateField(_("date of receipt"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-issued_on", "-id"]
        indexes = [
            models.Index(fields=["from_organization", "state", "valid_until"],
                         name="transfer_from_idx"),
            models.Index(fields=["to_organization", "state", "valid_until"],
                         name="transfer_to_idx"),
        ]
        constraints = [
            # One letter under way per member at a time.
            models.UniqueConstraint(fields=["member"], condition=Q(state__in=OPEN_STATES),
                                    name="transfer_one_open_per_member"),
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("issued_on")),
                                   name="transfer_valid_after_issue"),
            # Each direction names the ends it has: inside both organizations; outgoing the
            # sender and an outside unit; incoming an outside unit and the receiver.
            models.CheckConstraint(
                condition=(
                    Q(direction=TransferDirection.INTERNAL, from_organization__isnull=False,
                      to_organization__isnull=False)
                    | Q(direction=TransferDirection.OUTGOING, from_organization__isnull=False,
                        to_organization__isnull=True)
                    | Q(direction=TransferDirection.INCOMING, from_organization__isnull=True,
                        to_organization__isnull=False)
                ),
                name="transfer_direction_ends",
            ),
        ]

    def __str__(self):
        return self.letter_number


class MobileRecordQuerySet(ScopedQuerySet):
    # Membership stays with the home branch (RULES §4.4), so the home branch's scope applies.
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"

    def open(self):
        return self.filter(ended_on__isnull=True)


class MobileRecord(models.Model):
    """A period as a mobile member (流动党员): where, since when, how to reach them."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="mobile_records")
    destination = models.CharField(_("where to"), max_length=200)
    since = models.DateField(_("away since"))
    contact = models.CharField(_("contact while away"), max_length=200, blank=True)
    certificate_number = models.CharField(_("mobile member certificate (流动党员活动证)"),
                                          max_length=40, blank=True)
    ended_on = models.DateField(_("returned on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MobileRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("mobile member record")
        verbose_name_plural = _("mobile member records")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True),
                                    name="mobile_one_open_per_member"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True)
                                   | Q(ended_on__gte=models.F("since")),
                                   name="mobile_ended_after_since"),
        ]

    def __str__(self):
        return f"{self.member} → {self.destination}"


class MobileReport(models.Model):
    """A mobile member's annual report to the sending branch (年度报告; RULES §4.4)."""

    record = models.ForeignKey(MobileRecord, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    reported_on = models.DateField(_("date of the report"))
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["record", "year"],
                                               name="mobile_report_once_a_year")]

    def __str__(self):
        return f"{self.record} {self.year}"


class LostContactRecordQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"

    def open(self):
        return self.filter(found_on__isnull=True)


class LostContactRecord(models.Model):
    """A period out of contact (失联党员), with the search efforts made."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE,
                               related_name="lost_contact_records")
    since = models.DateField(_("lost contact since"))
    circumstances = models.TextField(_("circumstances"), blank=True)
    found_on = models.DateField(_("found on"), null=True, blank=True)
    found_note = models.TextField(_("how they were found"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LostContactRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("lost-contact record")
        verbose_name_plural = _("lost-contact records")
        ordering = ["since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(found_on__isnull=True),
                                    name="lost_contact_one_open_per_member"),
            models.CheckConstraint(condition=Q(found_on__isnull=True)
                                   | Q(found_on__gte=models.F("since")),
                                   name="lost_contact_found_after_since"),
        ]

    def __str__(self):
        return f"{self.member} {self.since}"


class SearchEffort(models.Model):
    """One dated attempt to find a lost-contact member."""

    record = models.ForeignKey(LostContactRecord, on_delete=models.CASCADE,
                               related_name="efforts")
    made_on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=120)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("search effort")
        verbose_name_plural = _("search efforts")
        ordering = ["made_on", "id"]

    def __str__(self):
        return f"{self.made_on} {self.method}"
