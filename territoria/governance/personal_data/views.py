"""The steward's page of a dataset's personal-data findings: review, then resolve each one.

``/jeux-de-donnees/<slug>/donnees-personnelles/``: the dataset comes from the access gate (404
for whoever may not see it); whoever sees it but is not a steward is sent to its page, as the
processing-steps page does for those who may not write.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from territoria.catalog.models import Dataset, Version
from territoria.datastore.errors import IngestError
from territoria.governance.gate import access_dataset_for
from territoria.governance.personal_data.forms import ResolutionForm
from territoria.governance.personal_data.models import PersonalDataFinding, Resolution
from territoria.governance.personal_data.perms import PersonalDataPending, may_review
from territoria.governance.personal_data.resolve import (
    do_resolve_by_legal_ground,
    do_resolve_by_step,
    is_held,
)
from territoria.portal.csp import with_csp

# Versions listed: the newest ones with findings (an hourly source makes many).
MAX_VERSIONS = 10


@require_http_methods(["GET", "POST"])
@with_csp
def findings(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="personal_data")
    if not may_review(request.user):
        return redirect(dataset)
    if request.method == "POST":
        return _resolve(request, dataset)
    return render(request, "personal_data/findings.html", _context(dataset))


def _context(dataset: Dataset) -> dict:
    versions = (
        Version.objects.filter(resource__dataset=dataset, personal_data_findings__isnull=False)
        .distinct()
        .select_related("resource")
        .order_by("-created_at", "-id")[:MAX_VERSIONS]
    )
    rows = []
    for version in versions:
        rows.append(
            {
                "version": version,
                "held": is_held(version),
                "findings": [
                    (finding, ResolutionForm(initial={"finding": finding.pk}))
                    for finding in version.personal_data_findings.all()
                ],
            }
        )
    return {"dataset": dataset, "rows": rows, "nav": "datasets"}


def _resolve(request, dataset: Dataset):
    form = ResolutionForm(request.POST)
    finding = None
    if form.is_valid():
        finding = PersonalDataFinding.objects.filter(
            pk=form.cleaned_data["finding"], version__resource__dataset=dataset, status="open"
        ).first()
    if finding is None:
        messages.error(request, _("This finding cannot be resolved: check the form."))
        return redirect("personal_data:findings", slug=dataset.slug)
    data = form.cleaned_data
    try:
        if data["resolution"] == Resolution.LEGAL_GROUND:
            do_resolve_by_legal_ground(
                finding, data["legal_ground"], data["legal_reference"], request.user
            )
        else:
            new = do_resolve_by_step(finding, data["resolution"], request.user, to=data["to"])
            messages.info(
                request, _("Version %(key)s was made with the new step.") % {"key": new.key}
            )
    except PersonalDataPending as error:
        messages.warning(request, str(error))
    except IngestError as error:
        messages.error(request, str(error))
        return redirect("personal_data:findings", slug=dataset.slug)
    messages.success(request, _("The finding is resolved."))
    return redirect("personal_data:findings", slug=dataset.slug)
