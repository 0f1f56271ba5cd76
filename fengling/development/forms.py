"""Forms of the development pages. Rules live in `services`; their ValidationError messages
are put back beside the fields they concern."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fengling.core.forms import add_service_errors
from fengling.members.forms import QuickSelect
from fengling.members.models import Education, Gender, Member, Occupation
from fengling.members.selectors import member_home_choices
from fengling.organizations.models import Organization

from . import rules
from .models import Candidate, Progress
from .services import candidate_create, candidate_update
from .steps import Stage


def _label(field_name: str):
    return capfirst(Candidate._meta.get_field(field_name).verbose_name)


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _blank(choices):
    return [("", "—"), *choices]


def style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class BoardFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60,
                        widget=forms.TextInput(attrs={
                            "type": "search", "autocomplete": "off",
                            "placeholder": _("Name, pinyin or initials")}))
    organization = forms.ChoiceField(label=_("Organization"), required=False,
                                     widget=QuickSelect)
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int,
                                   empty_value=None,
                                   choices=[("", _("All stages")), *Stage.choices])
    progress = forms.ChoiceField(label=_("Progress"), required=False,
                                 choices=[*Progress.choices, ("all", _("Any progress"))])

    def __init__(self, *args, organization_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [
            ("", _("All organizations in my scope")),
            *[(str(pk), "\u3000" * indent + name) for pk, name, indent in organization_choices],
        ]
        style(self)

    def value(self, name: str):
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None


class CandidateForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_label("gender"), choices=_blank(Gender.choices))
    ethnicity = forms.CharField(label=_label("ethnicity"), max_length=20, initial="汉族")
    birth_date = forms.DateField(label=_label("birth_date"), widget=_date_widget())
    id_number = forms.CharField(
        label=_("ID number"), max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "class": "font-monospace"}),
    )
    phone = forms.CharField(
        label=_label("phone"), max_length=20, required=False,
        validators=[RegexValidator(
            r"^\+?[0-9][0-9 \-]{4,18}$",
            _("Enter a phone number: digits, with spaces, dashes or a leading +."),
        )],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(label=_label("education"), choices=_blank(Education.choices))
    occupation = forms.ChoiceField(label=_label("occupation"),
                                   choices=_blank(Occupation.choices))
    work_unit = forms.CharField(label=_label("work_unit"), max_length=120, required=False)
    organization = forms.ModelChoiceField(
        label=_("Branch"), queryset=Organization.objects.none(),
        empty_label=_("Choose the branch"), widget=QuickSelect,
    )
    applied_on = forms.DateField(
        label=_("Date of the written application"), widget=_date_widget(),
        help_text=_("Step 1. The applicant must be at least 18 years old on this day."),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, user, candidate: Candidate | None = None,
                 home: Organization | None = None, **kwargs):
        self.user = user
        self.candidate = candidate
        initial = kwargs.pop("initial", None) or {}
        if candidate is not None:
            initial.update({f: getattr(candidate, f) for f in (
                "name", "gender", "ethnicity", "birth_date", "phone", "education",
                "occupation", "work_unit")})
            initial["organization"] = candidate.organization_id
        elif home is not None:
            initial["organization"] = home.pk
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = member_home_choices(user).only(
            "id", "name", "kind", "path", "depth")
        if candidate is not None:
            del self.fields["applied_on"]
            del self.fields["note"]
            id_field = self.fields["id_number"]
            id_field.required = False
            id_field.help_text = _(
                "Now %(masked)s. Leave blank to keep it; enter a new number to replace it."
            ) % {"masked": candidate.id_number_masked}
        style(self)

    def save(self) -> Candidate | None:
        data = dict(self.cleaned_data)
        organization = data.pop("organization")
        id_number = data.pop("id_number") or None
        try:
            if self.candidate is None:
                return candidate_create(self.user, organization=organization,
                                        id_number=id_number or "",
                                        applied_on=data.pop("applied_on"),
                                        note=data.pop("note"), **data)
            return candidate_update(self.user, self.candidate, organization=organization,
                                    id_number=id_number, **data)
        except ValidationError as exc:
            self.add_service_errors(exc)
            return None


class MilestoneForm(ServiceErrorsMixin, forms.Form):
    step = forms.TypedChoiceField(label=_("Step"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    hours = forms.IntegerField(
        label=_("Class hours"), required=False, min_value=1, max_value=1000,
        help_text=_("Training step only: at least %(hours)s class hours (3 days).")
        % {"hours": rules.TRAINING_HOURS},
    )
    sponsors = forms.ModelMultipleChoiceField(
        label=_("Sponsors"), queryset=Member.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Sponsor step only: two full members of the branch."),
    )

    def __init__(self, *args, next_steps=(), sponsor_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.number, f"{s.number}. {s.name}") for s in next_steps]
        if sponsor_choices is not None:
            self.fields["sponsors"].queryset = sponsor_choices
        if not any(s.needs_sponsors for s in next_steps):
            del self.fields["sponsors"]
        if not any(s.needs_hours for s in next_steps):
            del self.fields["hours"]
        style(self)


class ExtensionForm(ServiceErrorsMixin, forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=_date_widget())
    months = forms.IntegerField(label=pgettext_lazy("duration", "Months"),
                                min_value=rules.EXTENSION_MIN_MONTHS,
                                max_value=rules.EXTENSION_MAX_MONTHS)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class WithdrawForm(ServiceErrorsMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=_date_widget())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
