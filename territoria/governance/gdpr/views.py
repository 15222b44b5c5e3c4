"""The record's pages: the list, one activity (printable), the CSV export, the steward's forms.

Who reads what is decided in ``access.py``; these views only call it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from territoria.governance.audit import Action, record_event
from territoria.governance.gate import is_steward, visible_datasets
from territoria.governance.gdpr.access import (
    access_activity_for,
    access_record_for,
    check_record_editor,
    linked_datasets,
)
from territoria.governance.gdpr.dpia import CRITERIA, SOURCE, SOURCE_URL
from territoria.governance.gdpr.export import record_csv
from territoria.governance.gdpr.forms import ProcessingActivityForm
from territoria.governance.gdpr.models import ProcessingActivity
from territoria.portal.csp import with_csp


@require_safe
@with_csp
def record(request):
    activities = access_record_for(request.user).prefetch_related(
        Prefetch("datasets", queryset=visible_datasets(request.user), to_attr="shown_datasets")
    )
    context = {
        "activities": list(activities),
        "may_edit": is_steward(request.user),
        "nav": "gdpr",
    }
    return render(request, "gdpr/record.html", context)


@require_safe
@with_csp
def activity(request, pk: int):
    """One activity, laid out to be printed (print style sheet, no script)."""
    found = access_activity_for(request.user, pk)
    context = {
        "activity": found,
        "criteria": [(label, getattr(found, name)) for name, label in CRITERIA],
        "dpia_source": SOURCE,
        "dpia_source_url": SOURCE_URL,
        "datasets": linked_datasets(found, request.user),
        "may_edit": is_steward(request.user),
        "printed_at": timezone.now(),
        "nav": "gdpr",
    }
    return render(request, "gdpr/activity.html", context)


@require_safe
def export_csv(request):
    activities = access_record_for(request.user)
    response = HttpResponse(
        record_csv(activities, request.user).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="registre-rgpd-{day}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@with_csp
def create(request):
    check_record_editor(request.user)
    return _edit(request, ProcessingActivity())


@require_http_methods(["GET", "HEAD", "POST"])
@with_csp
def edit(request, pk: int):
    check_record_editor(request.user)
    return _edit(request, access_activity_for(request.user, pk))


def _edit(request, instance: ProcessingActivity):
    """The form of ``instance`` (new when it has no pk); saved, it redirects to its page."""
    datasets = visible_datasets(request.user)
    form = ProcessingActivityForm(
        request.POST if request.method == "POST" else None, instance=instance, datasets=datasets
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record_event(
                Action.PROCESSING_ACTIVITY_SAVE,
                actor=request.user,
                target=f"gdpr_activity:{saved.pk}",
                organisation=saved.controller_id,
            )
        return redirect("gdpr:activity", pk=saved.pk)
    context = {"form": form, "activity": instance, "nav": "gdpr"}
    return render(request, "gdpr/activity_form.html", context, status=400 if form.errors else 200)
