"""Forms of the member pages. Validation across fields lives in `services`; the record
form maps the service's errors back onto its fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fengling.core.forms import add_service_errors
from fengling.organizations.models import Organization

from .models import (
    Education,
    Gender,
    Member,
    MemberRoleKind,
    Membership,
    MemberStatus,
    Occupation,
)
from .selectors import functional_organizations_near, member_home_choices, party_groups_of
from .services import member_create, member_update


class QuickSelect(forms.Select):
    """A <select> rendered in one pass instead of one template per option.

    Organization choices run to thousands for a district administrator; Django's per-option
    templates would spend most of the page's time on them. No option groups.
    """

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # Flat (value, label) pairs or a lazy iterator (ModelChoiceIterator), used as
        # they come: Django's normalizing copy costs ~1 µs an option.
        self._choices = value

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        selected = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(v)}"{" selected" if str(v) in selected else ""}>'
            f"{escape(label)}</option>"
            for v, label in self.choices
        )
        # Every value and label above is escaped.
        return format_html("<select{}>{}</select>", flatatt(final_attrs),
                           mark_safe(options))  # noqa: S308


class QuickChoiceField(forms.ChoiceField):
    """A ChoiceField of flat (value, label) pairs, taken as they are: Django normalizes
    choices on the field and again on its widget, which for a district administrator's
    ~600 organizations costs more than the rest of the filter form."""

    widget = QuickSelect

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = self.widget.choices = list(value)


def _label(field_name: str):
    return capfirst(Member._meta.get_field(field_name).verbose_name)


def _any(choices, label):
    return [("", label), *choices]


class MemberFilterForm(forms.Form):
    """The member list's filters. Invalid values are ignored rather than refused."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=60,
        widget=forms.TextInput(attrs={
            "type": "search",
            "placeholder": _("Name, pinyin or initials, last 4 digits of the phone or ID number"),
            "class": "form-control", "autocomplete": "off",
        }),
    )
    organization = QuickChoiceField(label=_("Organization"), required=False)
    status = forms.ChoiceField(
        label=_label("status"), required=False, widget=QuickSelect,
        choices=_any(MemberStatus.choices, _("All statuses")),
    )
    membership = forms.ChoiceField(
        label=_label("membership"), required=False, widget=QuickSelect,
        choices=_any(Membership.choices, _("Any membership")),
    )
    gender = forms.ChoiceField(
        label=_label("gender"), required=False, widget=QuickSelect,
        choices=_any(Gender.choices, _("Any gender")),
    )
    education = forms.ChoiceField(
        label=_label("education"), required=False, widget=QuickSelect,
        choices=_any(Education.choices, _("Any education")),
    )
    occupation = forms.ChoiceField(
        label=_label("occupation"), required=False, widget=QuickSelect,
        choices=_any(Occupation.choices, _("Any occupation")),
    )

    def __init__(self, *args, organization_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # U+3000 (ideographic space) indents sub-organizations inside the <select>.
        self.fields["organization"].choices = _any(
            [(str(pk), "\u3000" * indent + name) for pk, name, indent in organization_choices],
            _("All organizations in my scope"),
        )
        for name, field in self.fields.items():
            if name != "q":
                field.widget.attrs["class"] = "form-select"

    def value(self, name: str) -> str:
        """The cleaned value, or "" when it was missing or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""

    @property
    def has_more_filters(self) -> bool:
        """A filter beyond search and organization is set (the phone layout folds those)."""
        return any(self.value(name) for name in self.fields if name not in ("q", "organization"))

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.fields)


def _blank(choices):
    # No silent default: a new record's gender, education and occupation are chosen.
    return [("", "—"), *choices]


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.Form):
    """Create or edit one member record. `save()` calls the service; its ValidationError
    messages land beside the fields they concern and nothing is stored."""

    # "Name" (a person: 姓名), not the model's "name", shared with organizations (名称).
    name = forms.CharField(label=_("Name"), max_length=50)
    gender = forms.ChoiceField(label=_label("gender"), choices=_blank(Gender.choices))
    ethnicity = forms.CharField(label=_label("ethnicity"), max_length=20, initial="汉族")
    birth_date = forms.DateField(label=_label("birth_date"), widget=_date_widget())
    id_number = forms.CharField(
        label=_("ID number"), max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "inputmode": "text", "class": "font-monospace"}),
    )
    phone = forms.CharField(
        label=_label("phone"), max_length=20, required=False,
        validators=[RegexValidator(
            r"^\+?[0-9][0-9 \-]{4,18}$",
            _("Enter a phone number: digits, with spaces, dashes or a leading +."),
        )],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    education = forms.ChoiceField(label=_label("education"),
                                  choices=_blank(Education.choices))
    occupation = forms.ChoiceField(
        label=_label("occupation"), choices=_blank(Occupation.choices),
        help_text=_("The occupation category decides how dues are calculated."),
    )
    work_unit = forms.CharField(label=_label("work_unit"), max_length=120, required=False)
    join_date = forms.DateField(
        label=_label("join_date"), widget=_date_widget(),
        help_text=_("Political birthday: the day the member was admitted."),
    )
    membership = forms.ChoiceField(label=_label("membership"), choices=Membership.choices)
    conversion_date = forms.DateField(
        label=_label("conversion_date"), required=False, widget=_date_widget(),
        help_text=_("Full members only. Party standing counts from this date."),
    )
    organization = forms.ModelChoiceField(
        label=_label("organization"), queryset=Organization.objects.none(),
        empty_label=_("Choose the home branch"), widget=QuickSelect,
    )
    functional_organizations = forms.ModelMultipleChoiceField(
        label=_label("functional_organizations"), queryset=Organization.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
    )
    party_group = forms.ModelChoiceField(
        label=_label("party_group"), queryset=Organization.objects.none(), required=False,
        empty_label=_("Not in a Party group"),
        help_text=_("One of the Party groups of the home branch (党小组)."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=MemberRoleKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, member: Member | None = None,
                 home: Organization | None = None, **kwargs):
        self.user = user
        self.member = member
        initial = self.initial_for(member) if member is not None else {}
        if home is not None:
            initial["organization"] = home.pk
        initial.update(kwargs.pop("initial", None) or {})
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        # Only what the choices, the service and the functional organizations need: a district
        # administrator has thousands of homes to choose from.
        homes = member_home_choices(user).only("id", "name", "kind", "path", "depth")
        self.fields["organization"].queryset = homes
        self.home = self._chosen_home(homes, home)
        current = member.functional_organizations.values_list("pk", flat=True) if member else ()
        self.fields["functional_organizations"].queryset = functional_organizations_near(
            user, self.home, also=list(current)
        )
        self.fields["party_group"].queryset = party_groups_of(self.home)
        if member is not None:
            id_field = self.fields["id_number"]
            id_field.required = False
            id_field.help_text = _(
                "Now %(masked)s. Leave blank to keep it; enter a new number to replace it."
            ) % {"masked": member.id_number_masked}
        self._style()

    @staticmethod
    def initial_for(member: Member) -> dict:
        initial = {f: getattr(member, f) for f in (
            "name", "gender", "ethnicity", "birth_date", "phone", "education", "occupation",
            "work_unit", "join_date", "membership", "conversion_date",
        )}
        initial["organization"] = member.organization_id
        initial["party_group"] = member.party_group_id
        initial["functional_organizations"] = list(
            member.functional_organizations.values_list("pk", flat=True)
        )
        initial["roles"] = list(member.roles.values_list("role", flat=True))
        return initial

    def _chosen_home(self, homes, fallback: Organization | None) -> Organization | None:
        """The home branch the form is about: the one typed in, else the given one."""
        raw = self.data.get(self.add_prefix("organization")) if self.is_bound else None
        if raw:
            try:
                return homes.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                return None
        if fallback is not None:
            return fallback
        return self.member.organization if self.member is not None else None

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()

    def save(self) -> Member | None:
        """Create or update through the service; None (with errors added) if it refuses."""
        data = dict(self.cleaned_data)
        organization = data.pop("organization")
        id_number = data.pop("id_number") or None
        functional = list(data.pop("functional_organizations"))
        roles = data.pop("roles")
        try:
            if self.member is None:
                return member_create(
                    self.user, organization=organization, id_number=id_number or "",
                    roles=roles, functional_organizations=functional, **data,
                )
            return member_update(
                self.user, self.member, organization=organization, id_number=id_number,
                roles=roles, functional_organizations=functional, **data,
            )
        except ValidationError as exc:
            self._add_service_errors(exc)
            return None

    def _add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)
