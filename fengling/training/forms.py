"""Forms of the training pages. Rules live in `services`; forms parse and map errors."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.core.forms import add_service_errors

from .models import CourseKind, PlacementKind, ReportKind, StudyKind


class BootstrapForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_service_errors(self, exc) -> None:
        """Put a service's ValidationError on the fields it names (else on the form)."""
        add_service_errors(self, exc)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CourseForm(BootstrapForm):
    organization = forms.TypedChoiceField(label=_("Organized by"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput(), required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    certifies = forms.BooleanField(
        label=_("Passing the exam earns the Red Collar Academy certificate"), required=False)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.pk, o.name) for o in organizations]


class SessionForm(BootstrapForm):
    title = forms.CharField(label=_("Topic"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    hours = forms.DecimalField(label=_("Study hours"), min_value=Decimal("0.5"),
                               max_value=Decimal("12"), decimal_places=1)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    speaker = forms.CharField(label=_("Speaker"), max_length=60, required=False)


class ExamForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=120)
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    max_score = forms.DecimalField(label=_("Full marks"), initial=100, decimal_places=1)
    pass_mark = forms.DecimalField(label=_("Pass mark"), initial=60, decimal_places=1)


class StudyRecordForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=StudyKind.choices)
    title = forms.CharField(label=_("What was studied"), max_length=120)
    studied_on = forms.DateField(label=_("Date"), widget=DateInput(),
                                 initial=timezone.localdate)
    hours = forms.DecimalField(label=_("Study hours"), decimal_places=1)


class PlacementForm(BootstrapForm):
    member = forms.TypedChoiceField(label=_("Member"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=PlacementKind.choices)
    counterpart = forms.CharField(label=_("Host unit or partner"), max_length=120)
    counterpart_unit = forms.CharField(label=_("Partner's unit"), max_length=120,
                                       required=False)
    starts_on = forms.DateField(label=pgettext_lazy("date range", "From"), widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), widget=DateInput(), required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, f"{m.name} · {m.organization.name}")
                                         for m in members]


class ReportForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReportKind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              initial=lambda: timezone.localdate().year)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}))


def parse_year(raw: str | None, default: int | None = None) -> int:
    """A year from the query string; anything odd gives this year."""
    today = timezone.localdate()
    try:
        year = int(raw or "")
    except ValueError:
        return default or today.year
    return year if 2000 <= year <= today.year + 1 else (default or today.year)


