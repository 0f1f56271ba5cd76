from django import template

register = template.Library()


@register.filter
def cells(row, kinds):
    """A compliance row's [required, met, held] per kind, in the table's column order."""
    return row.cells(kinds)
