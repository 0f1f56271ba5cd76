"""Display filters for member pages: age and masked phone."""

from django import template
from django.utils import timezone

from fengling.members import rules
from fengling.members.masking import mask_phone

register = template.Library()


@register.filter
def age(birth_date):
    return rules.age_on(birth_date, timezone.localdate())


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
