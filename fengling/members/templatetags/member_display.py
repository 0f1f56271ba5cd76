"""Display filters for member pages: age, masked phone, labels and dates."""

from django import template
from django.utils import timezone

from fengling.members import rules
from fengling.members.masking import mask_phone
from fengling.members.models import Education, Gender, Membership, MemberStatus, Occupation

register = template.Library()


@register.filter
def age(birth_date):
    return rules.age_on(birth_date, timezone.localdate())


@register.filter
def ymd(value):
    """A date as 2024-07-01, what `|date:"Y-m-d"` gives, without the localized-format
    look-ups that filter goes through (a millisecond on a 25-row list page)."""
    return value.isoformat() if value else ""


@register.filter
def masked_phone(phone):
    return mask_phone(phone)


_STATUS_BADGES = {
    "normal": "text-bg-success",
    "mobile": "text-bg-info",
    "lost_contact": "text-bg-warning",
    "transferred_out": "text-bg-secondary",
    "left": "text-bg-dark",
    "deceased": "text-bg-light border",
}


@register.filter
def status_badge(status):
    """Bootstrap classes of the badge for a member status."""
    return _STATUS_BADGES.get(status, "text-bg-secondary")


@register.filter
def standing_years(conversion_date):
    """党龄 in whole years, counted from conversion (None while probationary)."""
    return rules.party_standing_years(conversion_date, timezone.localdate())


# Labels of coded fields, looked up in a dict built once: `get_FOO_display` rebuilds the
# field's choices on every call, which a 25-row list page pays 75 times. The labels are
# lazy, so each renders in the reader's language.
_LABELS = {
    "gender": dict(Gender.choices),
    "membership": dict(Membership.choices),
    "status": dict(MemberStatus.choices),
    "education": dict(Education.choices),
    "occupation": dict(Occupation.choices),
}


@register.filter
def label_of(value, field):
    """`{{ m.status|label_of:"status" }}`: the label of a coded member field's value."""
    return _LABELS[field].get(value, value)
