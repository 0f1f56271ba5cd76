"""Forms of the warning and rectification pages. They parse input; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengling.members.lifecycle.forms import StyledForm

from .models import CaseState, Level, WarningState
from .rules import RULES


class AlertFilterForm(StyledForm):
    level = forms.ChoiceField(label=_("Level"), required=False,
                              choices=[("", _("All levels")), *Level.choices])
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *WarningState.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("All rules")),
                                       *[(r.id, r.title) for r in RULES]]

    def value(self, name: str) -> str:
        if not self.is_bound:
            return ""
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


class CaseForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=None)
    plan = forms.CharField(label=_("Rectification plan"), widget=forms.Textarea(
        attrs={"rows": 4}))
    deadline = forms.DateField(label=_("Deadline"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, responsible_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = responsible_choices


class ProgressForm(StyledForm):
    text = forms.CharField(label=_("Progress and evidence"),
                           widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("Evidence file"), required=False)
    submit = forms.BooleanField(label=_("Submit for review by the level above"),
                                required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submit"].widget.attrs["class"] = "form-check-input"


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        ("approve", _("Approve and close")), ("reopen", _("Reopen"))])
    text = forms.CharField(label=_("Comment"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("New deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class CaseFilterForm(StyledForm):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[
        ("", _("All states")), ("active", _("Not closed")), *CaseState.choices])
