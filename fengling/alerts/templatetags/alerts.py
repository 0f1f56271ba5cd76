"""`{% alerts_panel %}`: the role's warnings first, on the home page."""

from django import template

from fengling.core.scoping import scope_of

from ..selectors import home_panel

register = template.Library()


@register.inclusion_tag("alerts/partials/home_panel.html", takes_context=True)
def alerts_panel(context):
    user = context["request"].user
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        return {"show": False}
    return {"show": True, "panel": home_panel(user)}
