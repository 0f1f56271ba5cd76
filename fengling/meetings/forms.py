"""Forms of the meeting pages. Rules live in `services`; forms parse and map errors."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.members.forms import QuickSelect
from fengling.members.models import Member

from .models import Meeting, MeetingKind, MeetingState
from .selectors import template_choices, theme_choices
from .services import EXPECTED_STATUSES


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})},
                         format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control", **(attrs or {})}, format="%Y-%m-%d")


class MeetingFilterForm(forms.Form):
    """The list's filters. Invalid values are ignored rather than refused."""

    organization = forms.ChoiceField(label=_("Organization"), required=False,
                                     widget=QuickSelect)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("All kinds")), *MeetingKind.choices])
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *MeetingState.choices])
    start = forms.DateField(label=pgettext_lazy("date range", "From"), required=False,
                            widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("date range", "To"), required=False,
                          widget=DateInput())

    def __init__(self, *args, organization_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("All in my scope"))] + [
            (str(pk), "\u3000" * indent + name) for pk, name, indent in organization_choices]
        for name in ("organization", "kind", "state"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.is_valid()

    def value(self, name):
        return self.cleaned_data.get(name) if name not in self.errors else None


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "topic", "starts_at", "ends_at", "place", "online", "host",
                  "recorder", "agenda", "minutes", "resolutions"]
        widgets = {"starts_at": DateTimeLocal(), "ends_at": DateTimeLocal(),
                   "agenda": forms.Textarea(attrs={"rows": 3}),
                   "minutes": forms.Textarea(attrs={"rows": 4}),
                   "resolutions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        people = Member.objects.filter(organization=organization,
                                       status__in=EXPECTED_STATUSES).order_by("name")
        for name in ("host", "recorder"):
            self.fields[name].queryset = people
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs.setdefault("class", "form-control")
            if name in ("starts_at", "ends_at"):
                field.input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def _post_clean(self):
        # The service validates across fields; the model's full_clean would need the
        # organization, which the service sets.
        pass


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class FileForm(forms.Form):
    file = forms.FileField(label=_("Photo or document"))


class VoteForm(forms.Form):
    subject = forms.CharField(label=_("Subject of the vote"), max_length=200)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, initial=0)


def _month_choices(today: dt.date) -> list[tuple[str, str]]:
    months = []
    year, month = today.year, today.month
    for _i in range(4):
        months.append((f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}"))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


class PartyDayForm(forms.Form):
    """The one button's choices: the month, a theme, a template."""

    month = forms.ChoiceField(label=_("Month"))
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=None, empty_label=None)
    template = forms.ModelChoiceField(label=_("Template"), queryset=None, empty_label=None)

    def __init__(self, *args, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = _month_choices(today or timezone.localdate())
        self.fields["theme"].queryset = theme_choices()
        self.fields["template"].queryset = template_choices()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean_month(self):
        year, month = self.cleaned_data["month"].split("-")
        return dt.date(int(year), int(month), 1)


class PartyDaySettingForm(forms.Form):
    day_of_month = forms.IntegerField(label=_("Fixed day of the month"), min_value=1,
                                      max_value=31,
                                      widget=forms.NumberInput(attrs={"class": "form-control"}))


class PeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("date range", "To"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The period must end after it starts."))
        return data
