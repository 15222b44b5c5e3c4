"""``/moissonnage/``: the harvest sources and their last runs, for the data office only.

Others get 404, as for anything they may not see (``gate.is_steward``). The page lists the
sources and the reports of their latest runs; sources are edited in the admin.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from territoria.governance.gate import is_steward
from territoria.ingest.harvest.models import HarvestRun, HarvestSource
from territoria.portal.csp import with_csp

RUNS_SHOWN = 5


@require_safe
@with_csp
def source_list(request):
    """Each source with its last ``RUNS_SHOWN`` runs, newest first."""
    if not is_steward(request.user):
        raise Http404
    sources = list(HarvestSource.objects.select_related("organisation").order_by("name"))
    runs = HarvestRun.objects.filter(source__in=sources).order_by("-started_at", "-id")
    for source in sources:
        source.recent_runs = list(runs.filter(source=source)[:RUNS_SHOWN])
    return render(request, "harvest/source_list.html", {"sources": sources, "nav": "harvest"})
