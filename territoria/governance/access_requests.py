"""Access requests (issue 6): a partner asks, a steward approves by drafting an agreement, or
refuses with a reason. Who sees which request is decided here too (decision 0026).

Deny by default holds: a request is no existence oracle. The dataset's reference is stored as
the partner typed it; the dataset it names is looked up without the gate, server-side only,
and nothing the requester sees (page, e-mail, their organisation's journal) depends on it.

Approval opens nothing: it drafts a ``SharingAgreement`` and its ``DatasetGrant`` with the
steward's terms; access opens when a steward activates the signed agreement in the admin
(``gate._grants_in_force`` reads only agreements in force).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset, Organisation
from territoria.governance import notifications
from territoria.governance.agreements import check_terms
from territoria.governance.audit import Action, record_event
from territoria.governance.gate import (
    is_steward,
    member_organisation_ids,
    restriction_for,
)
from territoria.governance.models import (
    AccessRequest,
    AgreementStatus,
    DatasetGrant,
    RequestStatus,
    SharingAgreement,
    StatisticalUnits,
)

AGREEMENT_DAYS = 365
# The last path segment after one of these is the slug: a portal page or an Explore API URL.
SLUG_AFTER = re.compile(r"/(?:jeux-de-donnees|datasets)/([^/?#]+)")


class AccessRequestError(Exception):
    """A request cannot be made or decided as asked; ``message`` is for the person acting."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def slug_from_reference(reference: str) -> str:
    """The slug a typed reference names: a dataset page or API address, or the slug itself."""
    text = reference.strip()
    found = SLUG_AFTER.search(text)
    if found:
        return found[1].lower()
    return text.strip("/").rsplit("/", 1)[-1].lower()


# --- Who may ask, who sees what ----------------------------------------------------------


def requesting_organisations(user) -> QuerySet[Organisation]:
    """Organisations on whose behalf ``user`` may ask: those they are a member of."""
    return Organisation.objects.filter(pk__in=member_organisation_ids(user)).order_by("name")


def may_request_more(user, dataset: Dataset) -> bool:
    """Should the dataset page offer ``user`` to ask for access? For a signed-in member of an
    organisation who reads ``dataset`` under limits, or reads an open dataset (the non-open
    detail behind it may exist); never for stewards nor the owner's members, who read all.

    Precondition: ``dataset`` came from the gate for ``user``."""
    if not member_organisation_ids(user) or is_steward(user):
        return False
    if dataset.organisation_id in member_organisation_ids(user):
        return False
    if dataset.access_level == AccessLevel.OPEN:
        return True
    return restriction_for(user, dataset) is not None


def requests_of(user) -> QuerySet[AccessRequest]:
    """The requests ``user`` made (with their organisation), newest first."""
    return AccessRequest.objects.filter(requester=user).select_related("organisation")


def access_own_request_for(user, pk: int) -> AccessRequest:
    """The request ``pk`` if ``user`` made it; Http404 otherwise."""
    found = requests_of(user).filter(pk=pk).first() if user.is_authenticated else None
    if found is None:
        raise Http404("request not found")
    return found


def check_steward(user) -> None:
    """Raise Http404 unless ``user`` is a steward: the steward pages do not exist for others."""
    if not is_steward(user):
        raise Http404("not found")


def requests_for_steward(user) -> QuerySet[AccessRequest]:
    check_steward(user)
    return AccessRequest.objects.select_related(
        "organisation", "requester", "dataset", "decided_by", "agreement"
    )


def access_request_for_steward(user, pk: int) -> AccessRequest:
    found = requests_for_steward(user).filter(pk=pk).first()
    if found is None:
        raise Http404("request not found")
    return found


# --- Acts --------------------------------------------------------------------------------


def do_request_access(
    user, organisation: Organisation, *, reference: str, purpose: str, legal_basis: str, details=""
) -> AccessRequest:
    """Record ``user``'s request on behalf of ``organisation`` and tell the stewards and the
    dataset owner's admins. Raises AccessRequestError if ``user`` is not its member."""
    if organisation.pk not in member_organisation_ids(user):
        raise AccessRequestError(_("You may ask only on behalf of your own organisations."))
    # Without the gate on purpose: the steward needs the dataset; the requester never sees it.
    dataset = Dataset.objects.filter(slug=slug_from_reference(reference)).first()
    with transaction.atomic():
        request = AccessRequest.objects.create(
            requester=user,
            organisation=organisation,
            reference=reference.strip(),
            dataset=dataset,
            purpose=purpose,
            legal_basis=legal_basis,
            details=details,
        )
        # No dataset in the detail: the organisation's admins read this entry (no oracle).
        record_event(
            Action.ACCESS_REQUEST_CREATE,
            actor=user,
            target=f"access_request:{request.pk}",
            organisation=organisation,
        )
    notifications.send_new_request(request)
    return request


def do_withdraw_request(request: AccessRequest, user) -> None:
    """The requester withdraws a pending request. Precondition: ``user`` made it."""
    _check_pending(request)
    with transaction.atomic():
        request.status = RequestStatus.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_at"])
        record_event(
            Action.ACCESS_REQUEST_WITHDRAW,
            actor=user,
            target=f"access_request:{request.pk}",
            organisation=request.organisation_id,
        )


def do_approve_request(
    request: AccessRequest,
    steward,
    *,
    allowed_fields: list[str] | tuple[str, ...] = (),
    row_filter: str = "",
    aggregates_only: bool = False,
    statistical_units: str = StatisticalUnits.PERSONS,
    min_cell_size: int | None = None,
) -> SharingAgreement:
    """Draft the agreement answering ``request``, with one grant on its dataset under these
    terms, and tell the requester. Nothing opens until a steward activates the agreement.

    Raises AccessRequestError (not pending, no dataset matched) or ValidationError (terms that
    do not fit the live version: ``agreements.check_terms``). Precondition: ``steward`` is one.
    """
    _check_pending(request)
    if request.dataset is None:
        raise AccessRequestError(_("No dataset matches this request: refuse it with a reason."))
    grant = DatasetGrant(
        dataset=request.dataset,
        organisation=request.organisation,
        granted_by=steward,
        allowed_fields=list(allowed_fields),
        row_filter=row_filter.strip(),
        aggregates_only=aggregates_only,
        statistical_units=statistical_units,
        min_cell_size=min_cell_size,
        note=_("Access request no. %(pk)s") % {"pk": request.pk},
    )
    check_terms(grant)
    with transaction.atomic():
        grant.agreement = _draft_agreement(request, steward)
        grant.save()
        _decide(request, steward, RequestStatus.APPROVED, agreement=grant.agreement)
        record_event(
            Action.ACCESS_REQUEST_APPROVE,
            actor=steward,
            target=f"access_request:{request.pk}",
            organisation=request.organisation_id,
            detail={"agreement": grant.agreement.pk, "dataset": request.dataset_id},
        )
    notifications.send_decision(request)
    return grant.agreement


def do_refuse_request(request: AccessRequest, steward, reason: str) -> None:
    """Refuse ``request`` with ``reason`` (required) and tell the requester why."""
    _check_pending(request)
    if not reason.strip():
        raise AccessRequestError(_("Give the reason of the refusal: the requester receives it."))
    with transaction.atomic():
        _decide(request, steward, RequestStatus.REFUSED, reason=reason.strip())
        record_event(
            Action.ACCESS_REQUEST_REFUSE,
            actor=steward,
            target=f"access_request:{request.pk}",
            organisation=request.organisation_id,
        )
    notifications.send_decision(request)


def _check_pending(request: AccessRequest) -> None:
    if request.status != RequestStatus.PENDING:
        raise AccessRequestError(_("This request has already been answered."))


def _decide(request: AccessRequest, steward, status: str, **fields) -> None:
    request.status = status
    request.decided_by = steward
    request.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(request, name, value)
    request.save()


def _draft_agreement(request: AccessRequest, steward) -> SharingAgreement:
    """A draft agreement for one year from today, under the next free reference."""
    today = timezone.localdate()
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a clashing reference is tried again
                return SharingAgreement.objects.create(
                    reference=next_agreement_reference(today),
                    partner=request.organisation,
                    purpose=request.purpose,
                    legal_basis=request.legal_basis,
                    starts_on=today,
                    ends_on=today + timedelta(days=AGREEMENT_DAYS),
                    status=AgreementStatus.DRAFT,
                    created_by=steward,
                )
        except IntegrityError:
            continue  # another steward took the same number at the same moment
    raise AccessRequestError(_("No agreement reference is free; try again."))


def next_agreement_reference(today: date) -> str:
    """``CONV-<year>-<number>``: the number after the highest of the year, four digits."""
    prefix = f"CONV-{today.year}-"
    taken = SharingAgreement.objects.filter(reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(ref[len(prefix) :]) for ref in taken if ref[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"
