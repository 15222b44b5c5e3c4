"""The "Processing steps" page of a dataset: the steps re-applied to every new version.

For those who may write the dataset (``gate.can_write_dataset``): the list of steps (edited
in the page by ``static/portal/js/steps.js``, or as JSON without JavaScript), "Preview" shows
the first rows of the live version before and after them, "Save" stores them and, if asked,
re-processes the live rows into a new staged version. Others who see the dataset are sent to
its page. The rules are in ``datastore/steps.py``; the catalog side in ``ingest/steps.py``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from territoria.datastore.errors import IngestError
from territoria.datastore.steps import CAST_TYPES, DATE_FORMATS, GROUP_SEPARATORS, OPS, StepError
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.publication import live_version_info
from territoria.ingest.steps import do_save_steps, preview, raw_source
from territoria.portal.csp import with_csp

# What each operation is called in the page, in the order of the menu.
OP_LABELS = {
    "rename": gettext_lazy("Rename a field"),
    "cast": gettext_lazy("Change the type of a field"),
    "trim": gettext_lazy("Remove surrounding spaces"),
    "normalise_date": gettext_lazy("Read dates written in given formats"),
    "normalise_number": gettext_lazy("Read numbers written with given separators"),
    "split": gettext_lazy("Split a field into several"),
    "concatenate": gettext_lazy("Join fields into one"),
    "compute": gettext_lazy("Computed field (ODSQL expression)"),
    "filter": gettext_lazy("Keep the rows matching a condition (ODSQL where)"),
    "deduplicate": gettext_lazy("Remove duplicate rows (keep the first)"),
    "join_referential": gettext_lazy("Add commune, EPCI, département and région by INSEE code"),
    "geolocate": gettext_lazy("Add the commune centre by INSEE code"),
    "drop": gettext_lazy("Remove fields"),
    "pseudonymise": gettext_lazy("Replace a field by a keyed pseudonym"),
    "generalise": gettext_lazy(
        "Generalise: dates to month or year, numbers to bands, coordinates to a grid or commune"
    ),
}
OPTION_LABELS = {
    "field": gettext_lazy("field"),
    "fields": gettext_lazy("fields (separated by commas)"),
    "to": gettext_lazy("new name"),
    "title": gettext_lazy("label"),
    "type": gettext_lazy("type"),
    "invalid": gettext_lazy("invalid values"),
    "formats": gettext_lazy("formats (separated by commas)"),
    "decimal": gettext_lazy("decimal mark"),
    "group": gettext_lazy("thousands separator"),
    "separator": gettext_lazy("separator"),
    "into": gettext_lazy("new fields (separated by commas)"),
    "keep": gettext_lazy("keep the field split"),
    "expression": gettext_lazy("expression"),
    "where": gettext_lazy("condition"),
    "prefix": gettext_lazy("prefix of the new fields"),
    "latitude": gettext_lazy("latitude field"),
    "longitude": gettext_lazy("longitude field"),
    "recipient": gettext_lazy("recipient (a key of its own; empty: the platform's key)"),
    "bands": gettext_lazy("bands: a width (10) or edges (18, 25, 65)"),
    "grid": gettext_lazy("grid cell side, in metres (fields: latitude, longitude)"),
}
# Where an option means something else for one operation.
OP_OPTION_LABELS = {("generalise", "to"): gettext_lazy("generalise to")}
OP_CHOICES = {("generalise", "to"): ["month", "year", "commune"]}
# Options whose value is one of a few, offered as a menu by steps.js.
CHOICES = {
    "type": list(CAST_TYPES),
    "invalid": ["fail", "null"],
    "decimal": [",", "."],
    "group": list(GROUP_SEPARATORS),
    "keep": ["true", "false"],
}


def _editor_config(fields: list[str]) -> str:
    """What steps.js needs, as JSON for a ``data-`` attribute (no inline script: CSP)."""
    ops = [
        {
            "op": op,
            "label": str(OP_LABELS[op]),
            "options": [
                {
                    "name": name,
                    "label": str(OP_OPTION_LABELS.get((op, name), OPTION_LABELS[name])),
                    "required": name in required,
                    "choices": OP_CHOICES.get((op, name), CHOICES.get(name)),
                    "list": name in ("fields", "into", "formats"),
                }
                for name in sorted(required) + sorted(optional)
            ],
        }
        for op, (required, optional) in OPS.items()
    ]
    labels = {
        "add": _("Add a step"),
        "remove": _("Remove"),
        "up": _("Move up"),
        "down": _("Move down"),
        "step": _("Step"),
    }
    return json.dumps({"ops": ops, "fields": fields, "labels": labels}, ensure_ascii=False)


def _read_steps(text: str) -> Any:
    try:
        return json.loads(text or "[]")
    except ValueError as error:
        raise StepError(_("the steps are not valid JSON: %(error)s") % {"error": error}) from None


@login_required
@require_http_methods(["GET", "POST"])
@with_csp
def steps(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="steps")
    if not can_write_dataset(request.user, dataset):
        return redirect(dataset)
    resource = dataset.table_resource()
    info = live_version_info(dataset)
    fields = [f["name"] for f in raw_source(info)[1].get("fields", [])] if info else []
    current = list(resource.steps) if resource else []
    context: dict[str, Any] = {
        "dataset": dataset,
        "has_live": info is not None,
        "steps_json": json.dumps(current, ensure_ascii=False, indent=1),
        "editor_json": _editor_config(fields),
        "date_formats": list(DATE_FORMATS),
        "nav": "datasets",
    }
    if request.method != "POST":
        return render(request, "portal/steps.html", context)
    text = request.POST.get("steps", "")
    context["steps_json"] = text
    try:
        specs = _read_steps(text)
        if request.POST.get("action") == "save":
            _steps, staged = do_save_steps(
                dataset, specs, reprocess=bool(request.POST.get("reprocess")), user=request.user
            )
            messages.success(request, _("The processing steps are saved."))
            if staged is not None:
                messages.success(
                    request,
                    _("The live rows were processed again: version %(key)s is staged.")
                    % {"key": staged.key},
                )
            return redirect(reverse("portal:steps", args=[dataset.slug]))
        context["preview"] = preview(dataset, specs)
    except IngestError as error:
        context["error"] = str(error)
        return render(request, "portal/steps.html", context, status=400)
    return render(request, "portal/steps.html", context)
