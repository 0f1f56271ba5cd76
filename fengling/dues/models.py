"""Party dues (党费): each member's dues profile, monthly bills, payments, remittances.

Months are dates on the first day of the month. Money is Decimal in DecimalField, in yuan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from .rates import Category

MONEY = {"max_digits": 12, "decimal_places": 2}


class Relief(models.TextChoices):
    """Hardship relief (党费规定 第七条): by branch decision, approved one level up."""

    NONE = "", _("None")
    REDUCED = "reduced", _("Reduced")
    EXEMPT = "exempt", _("Exempt")


class DuesProfileQuerySet(ScopedQuerySet):
    scope_path_lookup = "member__organization__path"
    scope_member_lookup = "member"


class DuesProfile(TimeStampedModel):
    """What a member pays from `effective_month` on, until the next row (history by month).

    党费规定 第十条: a new salary applies from the month it is first paid; the amount is fixed
    at the start of the year otherwise.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="dues_profiles", verbose_name=_("member"))
    effective_month = models.DateField(_("effective from (month)"))
    category = models.CharField(_("dues category"), max_length=16, choices=Category.choices)
    income_base = models.DecimalField(_("monthly income base"), null=True, blank=True, **MONEY)
    fixed_amount = models.DecimalField(_("fixed monthly amount"), null=True, blank=True,
                                       **MONEY)
    relief = models.CharField(_("hardship relief"), max_length=8, choices=Relief.choices,
                              blank=True, default=Relief.NONE)
    reduced_amount = models.DecimalField(_("reduced monthly amount"), null=True, blank=True,
                                         **MONEY)
    relief_reason = models.CharField(_("reason for relief"), max_length=200, blank=True)
    relief_approved_by = models.CharField(_("approved by (organization one level up)"),
                                          max_length=120, blank=True)
    relief_approved_on = models.DateField(_("approved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = DuesProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues profile")
        verbose_name_plural = _("dues profiles")
        ordering = ["member_id", "-effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_month"],
                                    name="dues_profile_once_per_month"),
            models.CheckConstraint(
                condition=models.Q(income_base__isnull=True) | models.Q(income_base__gte=0),
                name="dues_profile_base_not_negative",
            ),
            # 党费规定 第七条: relief needs a reason and an approver.
            models.CheckConstraint(
                condition=models.Q(relief="")
                | (~models.Q(relief_reason="") & ~models.Q(relief_approved_by="")),
                name="dues_profile_relief_reasoned",
            ),
            models.CheckConstraint(
                condition=~models.Q(relief=Relief.REDUCED)
                | models.Q(reduced_amount__isnull=False, reduced_amount__gte=0),
                name="dues_profile_reduced_has_amount",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.effective_month:%Y-%m} {self.category}"


class BillStatus(models.TextChoices):
    OPEN = "open", _("Unpaid")
    PAID = "paid", _("Paid")
    EXEMPT = "exempt", _("Exempt")
    # No income base on record for a category that needs one: a gap for the branch to close.
    UNASSESSED = "unassessed", _("Base not recorded")


class DuesBillQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"
    scope_member_lookup = "member"

    def unpaid(self):
        return self.filter(status=BillStatus.OPEN)

    def in_subtree(self, path: str):
        return self.filter(organization__path__subtree=path)


class DuesBill(models.Model):
    """One member's dues for one month. Unique per (member, month): generating is idempotent.

    `organization` is the member's home branch when the bill was made: the branch that
    collects it (党费规定 第九条), and what roll-ups and scoping follow.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="dues_bills", verbose_name=_("member"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("branch"))
    month = models.DateField(_("month"))
    category = models.CharField(_("dues category"), max_length=16, choices=Category.choices)
    income_base = models.DecimalField(_("monthly income base"), null=True, blank=True,
                                      **MONEY)
    amount = models.DecimalField(_("amount due"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=BillStatus.choices,
                              default=BillStatus.OPEN)
    payment = models.ForeignKey("DuesPayment", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="bills", verbose_name=_("payment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DuesBillQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues bill")
        verbose_name_plural = _("dues bills")
        ordering = ["month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_bill_once_per_month"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="dues_bill_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status=BillStatus.PAID) | models.Q(payment__isnull=False),
                name="dues_bill_paid_has_payment",
            ),
        ]
        indexes = [
            # Collection of a month (or months): the month's bills, by branch.
            models.Index(fields=["month", "organization", "status"],
                         name="dues_bill_month_org_idx"),
            # Arrears of a subtree: from its organizations to their open bills by month.
            models.Index(fields=["organization", "status", "month"],
                         name="dues_bill_org_status_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.month:%Y-%m} {self.amount}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BANK = "bank", _("Bank transfer")
    PAYROLL = "payroll", _("Payroll deduction")


class DuesPaymentQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"
    scope_member_lookup = "member"


class DuesPayment(TimeStampedModel):
    """Money a member paid, recorded once under its receipt number.

    `dues_amount` settles whole monthly bills (`bills`), oldest first; the rest is a voluntary
    extra payment (自愿多交). A single voluntary payment of 1000 yuan or more is remitted
    entirely to the Central Committee (党费规定; RULES Part A): `remit_to_central`.
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT,
                               related_name="dues_payments", verbose_name=_("member"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("branch"))
    receipt_number = models.CharField(_("receipt number"), max_length=40, unique=True)
    paid_on = models.DateField(_("date paid"))
    method = models.CharField(_("method"), max_length=12, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount paid"), **MONEY)
    dues_amount = models.DecimalField(_("dues settled"), **MONEY)
    voluntary_amount = models.DecimalField(_("voluntary extra"), **MONEY)
    first_month = models.DateField(_("first month paid"), null=True, blank=True)
    last_month = models.DateField(_("last month paid"), null=True, blank=True)
    remit_to_central = models.BooleanField(_("to remit to the Central Committee"),
                                           default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = DuesPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="dues_payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("dues_amount") + models.F("voluntary_amount")),
                name="dues_payment_parts_add_up",
            ),
            models.CheckConstraint(
                condition=models.Q(dues_amount__gte=0, voluntary_amount__gte=0),
                name="dues_payment_parts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["organization", "paid_on"], name="dues_payment_org_idx")]

    def __str__(self):
        return self.receipt_number


class RemittanceQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class Remittance(TimeStampedModel):
    """Dues an organization passed up to its parent (党费上缴) for a period of months."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("from"))
    recipient = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("to"))
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    amount = models.DecimalField(_("amount"), **MONEY)
    remitted_on = models.DateField(_("date remitted"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    objects = RemittanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("remittance")
        verbose_name_plural = _("remittances")
        ordering = ["-first_month", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "first_month", "last_month"],
                                    name="dues_remittance_once_per_period"),
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="dues_remittance_amount_positive"),
            models.CheckConstraint(condition=models.Q(last_month__gte=models.F("first_month")),
                                   name="dues_remittance_period_ordered"),
        ]

    def __str__(self):
        return f"{self.organization_id} → {self.recipient_id} {self.first_month:%Y-%m}"
