"""`record_url`: the page of the record behind an index credit ("app.model:id")."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

_PAGES = {"meetings.meeting": "meetings:detail"}


@register.filter
def record_url(record: str) -> str:
    label, _sep, pk = (record or "").partition(":")
    name = _PAGES.get(label)
    if not name or not pk.isdigit():
        return ""
    try:
        return reverse(name, args=[int(pk)])
    except NoReverseMatch:
        return ""
