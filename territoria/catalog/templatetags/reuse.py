"""``{% reuse_conditions dataset live_version as reuse %}``: a dataset's reuse conditions in a
template (``portal/_reuse.html``), from ``catalog/licences.py``."""

from django import template

from territoria.catalog.licences import NOT_READ
from territoria.catalog.licences import reuse_conditions as conditions_of

register = template.Library()


@register.simple_tag
def reuse_conditions(dataset, live_version=NOT_READ):
    """The conditions of ``dataset``; ``live_version``: its table's live ``Version`` row, as
    the page read it already (None when nothing is published), so the tag costs no query;
    without it, one query reads it."""
    return conditions_of(dataset, live_version)
