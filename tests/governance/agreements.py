"""Test factories: a grant under a sharing agreement in force (the only kind that opens data)."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.utils import timezone

from territoria.governance.models import AgreementStatus, DatasetGrant, SharingAgreement

_references = itertools.count(1)


def agreement_for(organisation, *, days_left: int = 365, **fields) -> SharingAgreement:
    today = timezone.localdate()
    values = {
        "reference": f"CONV-TEST-{next(_references)}",
        "partner": organisation,
        "purpose": "Étude de la mobilité",
        "legal_basis": "public_task",
        "starts_on": today - timedelta(days=30),
        "ends_on": today + timedelta(days=days_left),
        "status": AgreementStatus.ACTIVE,
        **fields,
    }
    return SharingAgreement.objects.create(**values)


def grant(dataset, organisation, agreement: SharingAgreement | None = None, **terms):
    """A grant of ``dataset`` to ``organisation`` under ``agreement`` (a new one in force)."""
    agreement = agreement or agreement_for(organisation)
    return DatasetGrant.objects.create(
        agreement=agreement, dataset=dataset, organisation=organisation, **terms
    )
