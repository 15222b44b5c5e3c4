"""Pages of access requests (``/acces/``): ask, follow one's own requests, and the stewards'
list and decision page. Who sees what is decided in ``access_requests.py``; these views
only call it (decision 0026)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from territoria.governance.access_requests import (
    AccessRequestError,
    access_own_request_for,
    access_request_for_steward,
    do_approve_request,
    do_refuse_request,
    do_request_access,
    do_withdraw_request,
    requests_for_steward,
    requests_of,
)
from territoria.governance.models import AccessRequest, RequestStatus
from territoria.governance.request_forms import ApproveForm, RefuseForm, RequestForm
from territoria.governance.views import session_only
from territoria.ingest.publication import live_version_info
from territoria.portal.csp import with_csp

DECIDED_SHOWN = 200  # the latest decisions; older ones stay in the admin


@session_only
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@with_csp
def ask(request):
    """The request form. The answer to a valid request is the same page whatever the
    reference names — an existing private dataset or nothing (no oracle)."""
    if request.method == "POST":
        form = RequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            do_request_access(
                request.user,
                data["organisation"],
                reference=data["reference"],
                purpose=data["purpose"],
                legal_basis=data["legal_basis"],
                details=data["details"],
            )
            return render(request, "governance/request_done.html", {"nav": "access"})
    else:
        form = RequestForm(initial={"reference": request.GET.get("jeu", "")}, user=request.user)
    status = 400 if form.errors else 200
    context = {"form": form, "nav": "access"}
    return render(request, "governance/request_form.html", context, status=status)


@login_required
@require_safe
@with_csp
def mine(request):
    context = {"requests": list(requests_of(request.user)), "nav": "access"}
    return render(request, "governance/my_requests.html", context)


@session_only
@login_required
@require_POST
def withdraw(request, pk: int):
    found = access_own_request_for(request.user, pk)
    try:
        do_withdraw_request(found, request.user)
    except AccessRequestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is withdrawn."))
    return redirect("access:mine")


@require_safe
@with_csp
def steward_list(request):
    found = requests_for_steward(request.user)
    context = {
        "pending": list(found.filter(status=RequestStatus.PENDING)),
        "decided": list(found.exclude(status=RequestStatus.PENDING)[:DECIDED_SHOWN]),
        "nav": "access",
    }
    return render(request, "governance/requests.html", context)


@require_safe
@with_csp
def steward_detail(request, pk: int):
    found = access_request_for_steward(request.user, pk)
    version = _live_version(found)
    return _detail(request, found, ApproveForm(version=version), RefuseForm())


@session_only
@require_POST
@with_csp
def approve(request, pk: int):
    found = access_request_for_steward(request.user, pk)
    form = ApproveForm(request.POST, version=_live_version(found))
    if form.is_valid():
        try:
            agreement = do_approve_request(found, request.user, **form.cleaned_data)
        except AccessRequestError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Agreement %(reference)s drafted: complete and activate it.")
                % {"reference": agreement.reference},
            )
            return redirect("access:request", pk=found.pk)
    return _detail(request, found, form, RefuseForm(), status=400)


@session_only
@require_POST
@with_csp
def refuse(request, pk: int):
    found = access_request_for_steward(request.user, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            do_refuse_request(found, request.user, form.cleaned_data["reason"])
        except AccessRequestError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The request is refused; the requester is told why."))
            return redirect("access:request", pk=found.pk)
    version = _live_version(found)
    return _detail(request, found, ApproveForm(version=version), form, status=400)


def _live_version(found: AccessRequest):
    """The live version of the requested dataset (the columns to offer), or None."""
    if found.dataset is None:
        return None
    try:
        return live_version_info(found.dataset)
    except KeyError:  # the catalog names a version the store lost: nothing to offer
        return None


def _detail(request, found: AccessRequest, approve_form, refuse_form, status=200):
    context = {
        "access_request": found,
        "approve_form": approve_form,
        "refuse_form": refuse_form,
        "pending": found.status == RequestStatus.PENDING,
        "nav": "access",
    }
    return render(request, "governance/request_detail.html", context, status=status)
