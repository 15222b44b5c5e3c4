"""A validation report read by people: the datastore gives codes and parameters
(``datastore/validation.py``), this module gives the sentences, translated (French first).

Example values are shown to whoever may read the version's rows anyway; for the others they
are masked (``mask_values``): a staged version may hold rows that were never published.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MASK = "•••"

TYPE_LABELS = {
    "string": gettext_lazy("text"),
    "integer": gettext_lazy("integer"),
    "number": gettext_lazy("number"),
    "boolean": gettext_lazy("boolean"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "time": gettext_lazy("time"),
    "year": gettext_lazy("year"),
    "yearmonth": gettext_lazy("year and month"),
    "duration": gettext_lazy("duration"),
    "geopoint": gettext_lazy("geographic point"),
    "geojson": gettext_lazy("GeoJSON geometry"),
    "object": gettext_lazy("JSON object"),
    "array": gettext_lazy("JSON list"),
    "any": gettext_lazy("any value"),
}
TITLES = {
    "missing-column": gettext_lazy("Missing column"),
    "extra-column": gettext_lazy("Column not in the schema"),
    "type-error": gettext_lazy("Wrong type"),
    "required-error": gettext_lazy("Missing value"),
    "unique-error": gettext_lazy("Repeated value"),
    "primary-key-error": gettext_lazy("Repeated key"),
    "pattern-error": gettext_lazy("Unexpected form"),
    "enum-error": gettext_lazy("Value not allowed"),
    "minimum-error": gettext_lazy("Value too small"),
    "maximum-error": gettext_lazy("Value too large"),
    "min-length-error": gettext_lazy("Value too short"),
    "max-length-error": gettext_lazy("Value too long"),
    "blank-row": gettext_lazy("Empty row"),
}


def describe_error(error: dict[str, Any]) -> str:
    """One sentence saying what rule the error breaks, e.g. « Valeurs qui ne sont pas du type
    nombre dans la colonne « surface » »."""
    code, params = error["code"], error.get("params", {})
    column = error.get("field") or error.get("column") or ""
    if code == "missing-column":
        if params.get("required"):
            return _("The schema requires the column “%(column)s”, which the file lacks.") % {
                "column": column
            }
        return _("The schema declares the column “%(column)s”, which the file lacks.") % {
            "column": column
        }
    if code == "extra-column":
        return _("The column “%(column)s” of the file is not declared in the schema.") % {
            "column": column
        }
    if code == "blank-row":
        return _("Rows where every cell is empty.")
    if code == "type-error":
        type_label = str(TYPE_LABELS.get(params.get("type", ""), params.get("type", "")))
        if params.get("format") not in (None, "default"):
            return _(
                "Values of “%(column)s” that are not of the type %(type)s (format %(format)s)."
            ) % {"column": column, "type": type_label, "format": params["format"]}
        return _("Values of “%(column)s” that are not of the type %(type)s.") % {
            "column": column,
            "type": type_label,
        }
    messages = {
        "required-error": _("Empty cells in the required column “%(column)s”."),
        "unique-error": _("Values repeated in “%(column)s”, which must be unique."),
        "primary-key-error": _("Rows sharing the same key (%(column)s)."),
        "pattern-error": _("Values of “%(column)s” that do not match the pattern %(pattern)s."),
        "enum-error": _("Values of “%(column)s” outside the allowed list: %(enum)s."),
        "minimum-error": _("Values of “%(column)s” below the minimum %(limit)s."),
        "maximum-error": _("Values of “%(column)s” above the maximum %(limit)s."),
        "min-length-error": _("Values of “%(column)s” shorter than %(limit)s characters."),
        "max-length-error": _("Values of “%(column)s” longer than %(limit)s characters."),
    }
    if code not in messages:
        return code
    enum = params.get("enum") or []
    return messages[code] % {
        "column": column,
        "pattern": params.get("pattern", ""),
        "enum": ", ".join(str(v) for v in enum[:10]) + ("…" if len(enum) > 10 else ""),
        "limit": params.get("limit", ""),
    }


def readable_report(report: dict[str, Any] | None, *, show_values: bool) -> dict[str, Any] | None:
    """``report`` with a ``title`` and a ``message`` on each error; example values replaced by
    a mask unless ``show_values``. None stays None."""
    if not report:
        return None
    errors = []
    for error in report.get("errors", []):
        examples = [
            {**example, "value": example.get("value") if show_values else MASK}
            for example in error.get("examples", [])
        ]
        errors.append(
            {
                **error,
                "title": str(TITLES.get(error["code"], error["code"])),
                "message": describe_error(error),
                "examples": examples,
            }
        )
    return {**report, "errors": errors, "values_masked": not show_values}
