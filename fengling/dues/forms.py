"""Forms of the dues pages. They parse input; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fengling.core.forms import add_service_errors

from .models import PaymentMethod, Relief
from .rates import Category, parse_month


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (an <input type="month">), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM, such as 2026-03.")) from None


def _date():
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class PaymentForm(StyledForm):
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=40)
    amount = forms.DecimalField(label=_("Amount paid (yuan)"), max_digits=12, decimal_places=2,
                                min_value=0)
    paid_on = _date()
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    months = forms.IntegerField(
        label=_("Months settled"), min_value=0, max_value=24, initial=1,
        help_text=_("1 monthly, 3 quarterly (with the branch's consent), 0 for a voluntary "
                    "payment only. The oldest unpaid month is settled first."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].label = _("Date paid")


class ProfileForm(StyledForm):
    effective_month = MonthField(label=_("Effective from (month)"))
    category = forms.ChoiceField(label=_("Dues category"), choices=Category.choices)
    income_base = forms.DecimalField(
        label=_("Monthly income base (yuan)"), max_digits=12, decimal_places=2, required=False,
        help_text=_("After-tax regular monthly salary; for retirees the total pension."))
    fixed_amount = forms.DecimalField(label=_("Farmer's fixed amount (yuan)"), max_digits=12,
                                      decimal_places=2, required=False)
    relief = forms.ChoiceField(label=_("Hardship relief"), choices=Relief.choices,
                               required=False)
    reduced_amount = forms.DecimalField(label=_("Reduced monthly amount (yuan)"),
                                        max_digits=12, decimal_places=2, required=False)
    relief_reason = forms.CharField(label=_("Reason for relief"), max_length=200,
                                    required=False)
    relief_approved_by = forms.CharField(label=_("Approved by (organization one level up)"),
                                         max_length=120, required=False)
    relief_approved_on = forms.DateField(
        label=_("Approved on"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class RemittanceForm(StyledForm):
    first_month = MonthField(label=_("First month"))
    last_month = MonthField(label=_("Last month"))
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=12, decimal_places=2,
                                min_value=0)
    remitted_on = _date()
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remitted_on"].label = _("Date remitted")
