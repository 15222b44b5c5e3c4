"""Audit entries for changes made through the ORM from anywhere: access levels and grants.

Access levels change from the management API, the portal's upload form, the admin, the CLI
(``territoria ingest --access``) and the demo loader; grants from the admin and the
agreements to come. Hooking each caller would miss the next one, so model signals record
them, and the acting user comes from the request being served (``audit.context``), or is
None on the command line.

Existing rows are recorded in ``pre_save`` / ``pre_delete``, *before* the write: if the audit
entry cannot be written the change never happens, whether or not the caller runs in a
transaction. A new row has no pk before it is saved, so its entry is written in ``post_save``;
every caller that creates datasets or grants does so inside ``transaction.atomic`` (ingest,
the APIs, the admin), so a refused entry rolls the creation back with it.

Not seen: ``QuerySet.update()``, the bulk methods and raw SQL, which bypass signals — no code
changes ``access_level`` or grants that way (a test greps for it). ``QuerySet.delete()`` is
seen: it sends ``pre_delete`` for every row, cascades included.

Known edge (PostgreSQL): the head row stays locked until the caller's transaction ends, so an
ingestion that changes the access level (head locked first) and a concurrent publication of
the same dataset (resource locked first) can deadlock; PostgreSQL then aborts one of them,
which fails cleanly and changes nothing.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from territoria.catalog.models import Dataset
from territoria.governance.audit.events import Action, record_event
from territoria.governance.models import DatasetGrant, SharingAgreement
from territoria.governance.models.grants import TERMS_FIELDS

GRANT_FIELDS = ("dataset_id", "organisation_id", "expires_at", *TERMS_FIELDS)
AGREEMENT_FIELDS = ("partner_id", "status", "starts_on", "ends_on", "purpose", "legal_basis")


@receiver(pre_save, sender=Dataset, dispatch_uid="audit_dataset_access_level_change")
def _access_level_change(sender, instance: Dataset, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    before = Dataset.objects.filter(pk=instance.pk).values_list("access_level", flat=True).first()
    if before is None or before == instance.access_level:
        return
    record_event(
        Action.DATASET_ACCESS_LEVEL,
        target=f"dataset:{instance.pk}",
        organisation=instance.organisation_id,
        detail={"from": before, "to": instance.access_level},
    )


@receiver(post_save, sender=Dataset, dispatch_uid="audit_dataset_access_level_create")
def _access_level_create(sender, instance: Dataset, created=False, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    record_event(
        Action.DATASET_ACCESS_LEVEL,
        target=f"dataset:{instance.pk}",
        organisation=instance.organisation_id,
        detail={"from": None, "to": instance.access_level},
    )


def _grant_detail(grant: DatasetGrant) -> dict:
    expires = grant.expires_at.isoformat() if grant.expires_at else None
    return {
        "dataset": grant.dataset_id,
        "grantee": grant.organisation_id,
        "expires": expires,
        "agreement": grant.agreement_id,
        "aggregates_only": grant.aggregates_only,
        "fields": [str(name) for name in grant.allowed_fields or []],
    }


@receiver(pre_save, sender=SharingAgreement, dispatch_uid="audit_agreement_save")
def _agreement_save(sender, instance: SharingAgreement, raw=False, **kwargs) -> None:
    """An agreement created or changed (its status, dates or partner open and close access)."""
    if raw:
        return
    if instance.pk is not None:
        before = SharingAgreement.objects.filter(pk=instance.pk).values(*AGREEMENT_FIELDS).first()
        if before is not None and all(before[f] == getattr(instance, f) for f in AGREEMENT_FIELDS):
            return
    record_event(
        Action.AGREEMENT_SAVE,
        target=f"agreement:{instance.reference}",
        organisation=instance.partner_id,
        detail={
            "status": instance.status,
            "starts": instance.starts_on.isoformat() if instance.starts_on else None,
            "ends": instance.ends_on.isoformat() if instance.ends_on else None,
        },
    )


def _grant_owner(grant: DatasetGrant) -> int | None:
    # The organisation concerned is the dataset's owner; the grantee is in the detail.
    owners = Dataset.objects.filter(pk=grant.dataset_id).values_list("organisation_id", flat=True)
    return owners.first()


@receiver(pre_save, sender=DatasetGrant, dispatch_uid="audit_grant_update")
def _grant_update(sender, instance: DatasetGrant, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    before = DatasetGrant.objects.filter(pk=instance.pk).values(*GRANT_FIELDS).first()
    if before is None or all(before[f] == getattr(instance, f) for f in GRANT_FIELDS):
        return
    record_event(
        Action.GRANT_UPDATE,
        target=f"grant:{instance.pk}",
        organisation=_grant_owner(instance),
        detail=_grant_detail(instance),
    )


@receiver(post_save, sender=DatasetGrant, dispatch_uid="audit_grant_create")
def _grant_create(sender, instance: DatasetGrant, created=False, raw=False, **kwargs) -> None:
    if raw or not created:
        return
    record_event(
        Action.GRANT_CREATE,
        target=f"grant:{instance.pk}",
        organisation=_grant_owner(instance),
        detail=_grant_detail(instance),
    )


@receiver(pre_delete, sender=DatasetGrant, dispatch_uid="audit_grant_delete")
def _grant_delete(sender, instance: DatasetGrant, **kwargs) -> None:
    record_event(
        Action.GRANT_DELETE,
        target=f"grant:{instance.pk}",
        organisation=_grant_owner(instance),
        detail=_grant_detail(instance),
    )
