"""`record_url`: the page of the record behind an index credit or a computed criterion
("app.model:id"): a meeting, the member's own dues or study record, a warning."""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

# Pages of one record (by its id).
_PAGES = {"meetings.meeting": "meetings:detail", "alerts.alert": "alerts:detail"}
# Records shown on the signed-in member's own pages (the page lists them).
_OWN_PAGES = {"dues.duesbill": ("record:mine", "?kind=dues"),
              "training.studyrecord": ("training:my_study", "")}


@register.filter
def record_url(record: str) -> str:
    label, _sep, pk = (record or "").partition(":")
    if not pk.isdigit():
        return ""
    try:
        if label in _PAGES:
            return reverse(_PAGES[label], args=[int(pk)])
        if label in _OWN_PAGES:
            name, query = _OWN_PAGES[label]
            return reverse(name) + query
    except NoReverseMatch:
        return ""
    return ""
