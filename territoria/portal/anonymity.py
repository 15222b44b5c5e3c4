"""The "Anonymity" page of a dataset: k-anonymity and l-diversity on chosen quasi-identifiers,
before a version is published (issue 6).

For those who may write the dataset (``gate.can_write_dataset``), like the processing steps
page: the worst classes show quasi-identifier values. A GET form chooses the quasi-identifiers,
a sensitive field and the targets; the report covers the live version and the staged one
waiting, if any (``ingest/anonymity.py``). Others who see the dataset are sent to its page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from territoria.datastore.anonymity import DEFAULT_K, DEFAULT_L
from territoria.datastore.errors import QueryError
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.anonymity import dataset_anonymity, report_fields
from territoria.portal.csp import with_csp


def _target(value: str | None, default: int) -> int:
    """A target from the query string; out-of-range values are refused by the report."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else default


@login_required
@require_GET
@with_csp
def anonymity(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="anonymity")
    if not can_write_dataset(request.user, dataset):
        return redirect(dataset)
    quasi = [name for name in request.GET.getlist("quasi") if name]
    sensitive = request.GET.get("sensitive") or None
    target_k = _target(request.GET.get("k"), DEFAULT_K)
    target_l = _target(request.GET.get("l"), DEFAULT_L)
    context: dict[str, Any] = {
        "dataset": dataset,
        "fields": report_fields(dataset),
        "quasi": quasi,
        "sensitive": sensitive,
        "target_k": target_k,
        "target_l": target_l,
        "nav": "datasets",
    }
    if not quasi:
        return render(request, "portal/anonymity.html", context)
    try:
        context["reports"] = dataset_anonymity(
            dataset, quasi, sensitive, target_k=target_k, target_l=target_l
        )
    except QueryError as error:  # an unknown field, a target out of range, the time budget
        context["error"] = error.message
        return render(request, "portal/anonymity.html", context, status=400)
    return render(request, "portal/anonymity.html", context)
