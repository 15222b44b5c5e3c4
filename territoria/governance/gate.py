"""The access gate: the one place that decides who may see and change which dataset.

Every read path — portal pages, search and facet counts, records, exports, every API dialect,
feeds — asks ``visible_datasets`` or ``access_dataset_for``. Something the caller may not see
raises ``Http404``, exactly as if it did not exist (a 403 would confirm that it exists).

Who sees what (``catalog.enums.AccessLevel``):

=============  =================================================================
``open``       everyone, signed in or not
``partners``   members of the owner organisation, region staff, members of
               organisations holding a grant on the dataset
``internal``   members of the owner organisation and region staff
``restricted`` members of the owner organisation and of organisations holding a
               grant — region staff only if their organisation is named
=============  =================================================================

Stewards of the data office (a ``steward`` membership, or a superuser) see everything.
"Region staff" are members of an organisation of kind ``region``.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from territoria.accounts.models import WRITER_ROLES, Membership, Role
from territoria.catalog.enums import AccessLevel, OrganisationKind
from territoria.catalog.models import Dataset, Organisation
from territoria.governance.audit import Action, record_event
from territoria.governance.models import DatasetGrant
from territoria.ingest.publication import with_live_version_key


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _memberships(user) -> list[tuple[int, str, str]]:
    """(organisation id, role, organisation kind) of the user's memberships, cached per user."""
    if not _signed_in(user):
        return []
    cached = getattr(user, "_territoria_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user).values_list(
                "organisation_id", "role", "organisation__kind"
            )
        )
        user._territoria_memberships = cached
    return cached


def forget_memberships(user) -> None:
    """Drop the per-request cache after a membership of ``user`` changed."""
    if hasattr(user, "_territoria_memberships"):
        del user._territoria_memberships


def is_steward(user) -> bool:
    if not _signed_in(user):
        return False
    return bool(user.is_superuser) or any(r == Role.STEWARD for _, r, _ in _memberships(user))


def is_region_staff(user) -> bool:
    return any(kind == OrganisationKind.REGION for _, _, kind in _memberships(user))


def member_organisation_ids(user) -> set[int]:
    return {org_id for org_id, _, _ in _memberships(user)}


def visible_datasets(user) -> QuerySet[Dataset]:
    """Datasets ``user`` may see (metadata and data alike)."""
    qs = Dataset.objects.select_related("organisation")
    if is_steward(user):
        return qs
    visible = Q(access_level=AccessLevel.OPEN)
    orgs = member_organisation_ids(user)
    if orgs:
        visible |= Q(organisation_id__in=orgs)
        granted = DatasetGrant.objects.filter(organisation_id__in=orgs).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )
        visible |= Q(
            access_level__in=[AccessLevel.PARTNERS, AccessLevel.RESTRICTED],
            pk__in=granted.values("dataset_id"),
        )
    if is_region_staff(user):
        visible |= Q(access_level__in=[AccessLevel.PARTNERS, AccessLevel.INTERNAL])
    return qs.filter(visible)


def access_dataset_for(user, slug: str, *, purpose: str = "read") -> Dataset:
    """Return the dataset ``slug`` if ``user`` may see it; raise Http404 otherwise.

    A dataset that is not open is read only once the read is in the audit log (``purpose``
    says which: page, records, export…); if that entry cannot be written this raises
    ``AuditUnavailable`` and the caller answers 503 (see ``audit/middleware.py``).

    The dataset comes with its organisation and the key of its live version (what
    ``live_version_info`` reads next), in one query.
    """
    # No ORDER BY: the slug is unique, and ordering costs compiling it on every request.
    found = list(with_live_version_key(visible_datasets(user)).filter(slug=slug).order_by()[:1])
    dataset = found[0] if found else None
    if dataset is None:
        raise Http404("dataset not found")
    if dataset.access_level != AccessLevel.OPEN:
        record_event(
            Action.DATASET_READ,
            actor=user,
            target=f"dataset:{dataset.pk}",
            organisation=dataset.organisation_id,
            detail={"purpose": purpose},
        )
    return dataset


def visible_organisations(user) -> QuerySet[Organisation]:
    """Organisations are public bodies and companies that chose to publish: all are visible."""
    return Organisation.objects.all()


def writable_organisations(user) -> QuerySet[Organisation]:
    """Organisations in which ``user`` may create datasets and publish versions."""
    if is_steward(user):
        return Organisation.objects.all()
    ids = {org for org, role, _ in _memberships(user) if role in WRITER_ROLES}
    return Organisation.objects.filter(pk__in=ids)


def can_write_dataset(user, dataset: Dataset | None) -> bool:
    """May ``user`` change ``dataset`` (or, for None, create one somewhere)?

    Producers and admins write their own organisation's datasets only; stewards write all.
    """
    if is_steward(user):
        return True
    writable = {org for org, role, _ in _memberships(user) if role in WRITER_ROLES}
    if dataset is None:
        return bool(writable)
    return dataset.organisation_id in writable


def can_set_access_level(user, dataset: Dataset | None, level: str) -> bool:
    """Opening a dataset to everyone is a steward's act (CKAN had no such workflow, #3837)."""
    if level == AccessLevel.OPEN:
        return is_steward(user)
    return can_write_dataset(user, dataset)


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """May ``user`` invite members, change roles and answer membership requests?"""
    if is_steward(user):
        return True
    return any(org == organisation.pk and role == Role.ADMIN for org, role, _ in _memberships(user))
