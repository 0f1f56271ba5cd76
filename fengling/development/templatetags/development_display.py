"""Display filters of the development pages: rule status chips."""

from django import template

register = template.Library()

_RULE_BADGES = {
    "satisfied": "text-bg-success",
    "pending": "text-bg-info",
    "missed": "text-bg-danger",
    "not_applicable": "text-bg-light border",
}


@register.filter
def rule_badge(status):
    """Bootstrap classes of the chip for a rule's status."""
    return _RULE_BADGES.get(str(status), "text-bg-secondary")
