"""Sharing agreements: checking an agreement's terms against the data they apply to.

The terms are compiled into the query engine at every read (``gate.readable_version``); a
steward saving them gets every fault at once, in French, rather than a partner finding an
empty answer later.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from territoria.datastore.errors import QueryError
from territoria.datastore.query import restricted
from territoria.governance.models import DatasetGrant
from territoria.ingest.publication import live_version_info


def check_terms(grant: DatasetGrant) -> None:
    """Raise ValidationError when the grant's columns, filter, units or dominance field do
    not fit its dataset's live version (nothing published yet: nothing to check)."""
    info = live_version_info(grant.dataset)
    if info is None:
        return
    names = set(info.field_names())
    errors: dict[str, str] = {}
    for name, values in (
        ("allowed_fields", grant.allowed_fields),
        ("dimensions", grant.dimensions),
        ("unit_field", [grant.unit_field] if grant.unit_field else []),
        ("dominance_field", [grant.dominance_field] if grant.dominance_field else []),
    ):
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            errors[name] = _("A list of column names is expected.")
            continue
        unknown = [value for value in values if value not in names]
        if unknown:
            errors[name] = _("Unknown column: %(name)s") % {"name": unknown[0]}
    if errors:
        raise ValidationError(errors)
    from territoria.governance.gate import grant_restriction

    terms = grant_restriction(grant)
    if terms is None:
        return
    try:
        restricted(info, terms)
    except QueryError as error:
        field = "row_filter" if error.param == "where" else None
        raise ValidationError({field: error.message} if field else error.message) from None
