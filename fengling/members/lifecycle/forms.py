"""Forms of the lifecycle actions. They only parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengling.organizations.models import Organization

from . import rules


def _date(label, required=True, help_text=""):
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}))


def _text(label, required=True, max_length=200, help_text=""):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           help_text=help_text)


def _area(label, required=False):
    return forms.CharField(label=label, required=required,
                           widget=forms.Textarea(attrs={"rows": 3}))


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


class StatusChangeForm(StyledForm):
    kind = forms.ChoiceField(label=_("Change"))
    effective_on = _date(_("Effective date"))
    reason = _area(_("Reason"), required=True)
    document = _text(_("Decision document"), required=False, max_length=120,
                     help_text=_("The number of the decision, if there is one."))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, rules.ChangeKind(k).label) for k in kinds]


class TransferIssueForm(StyledForm):
    to_organization = forms.ModelChoiceField(
        label=_("Receiving organization"), queryset=Organization.objects.none(),
        required=False, empty_label=_("Outside the district"))
    outside_unit = _text(_("Unit outside the district"), required=False,
                         help_text=_("Only for a transfer out of the district."))
    letter_number = _text(_("Letter number"), max_length=40)
    issued_on = _date(_("Date of issue"))
    valid_until = _date(_("Valid until"), required=False,
                        help_text=_("30 days from issue if left blank; at most 3 months."))
    reason = _area(_("Reason for the transfer"))

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = receivers


class TransferIncomingForm(StyledForm):
    to_organization = forms.ModelChoiceField(label=_("Receiving organization"),
                                             queryset=Organization.objects.none())
    outside_unit = _text(_("Sending unit outside the district"))
    letter_number = _text(_("Letter number"), max_length=40)
    issued_on = _date(_("Date of issue"))
    received_on = _date(_("Date of receipt"))
    reason = _area(_("Reason for the transfer"))

    def __init__(self, *args, receivers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = receivers


class TransferActionForm(StyledForm):
    reason = _area(_("Reason"))
    on = _date(_("Date of receipt"), required=False)


class MobileForm(StyledForm):
    destination = _text(_("Where to"))
    since = _date(_("Away since"))
    contact = _text(_("Contact while away"), required=False)
    certificate_number = _text(_("Mobile member certificate number"), required=False,
                               max_length=40)


class MobileReportForm(StyledForm):
    year = forms.IntegerField(label=_("Year"), min_value=1921, max_value=2999)
    reported_on = _date(_("Date of the report"))
    summary = _area(_("Summary"))


class MobileCloseForm(StyledForm):
    ended_on = _date(_("Returned on"))


class LostForm(StyledForm):
    since = _date(_("Lost contact since"))
    circumstances = _area(_("Circumstances"))


class EffortForm(StyledForm):
    made_on = _date(_("Date"))
    method = _text(_("How"), max_length=120)
    outcome = _area(_("Outcome"))


class FoundForm(StyledForm):
    found_on = _date(_("Found on"))
    note = _area(_("How they were found"))
