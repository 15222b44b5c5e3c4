"""Management API (``/api/1/``, OpenAPI at ``/api/1/docs``): datasets, uploads, versions.

Reads go through the access gate like every other route; writes need a signed-in session (with
CSRF) or a token of scope ``write``, and the gate's ``can_write_dataset``.
"""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from territoria import __version__
from territoria.catalog.models import Dataset, Organisation, Version
from territoria.catalog.search import index_dataset
from territoria.governance.audit import AuditUnavailable
from territoria.governance.audit.middleware import audit_unavailable_response
from territoria.governance.gate import (
    access_dataset_for,
    can_set_access_level,
    can_write_dataset,
    is_steward,
    visible_datasets,
    writable_organisations,
)
from territoria.governance.models import TokenScope
from territoria.governance.personal_data.perms import PersonalDataPending
from territoria.ingest.publication import do_publish_version, do_rollback
from territoria.ingest.services import IngestionFailed, ensure_dataset


class TokenAuth(HttpBearer):
    """``Authorization: Bearer|Apikey <token>``; checked by the middleware, trusted here."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "api_token", None)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        return None


WRITE_AUTH = [TokenAuth(), SessionAuth()]

api = NinjaAPI(
    title="Territoria management API",
    version=__version__,
    urls_namespace="management",
    docs_url="/docs",
)


@api.exception_handler(AuditUnavailable)
def audit_unavailable(request: HttpRequest, exc: AuditUnavailable):
    """No entry in the audit log, no access: ninja catches exceptions before the middleware."""
    return audit_unavailable_response(request)


@api.exception_handler(PersonalDataPending)
def personal_data_pending(request: HttpRequest, exc: PersonalDataPending):
    """Publishing or opening waits for a steward's review of personal data (decision 0023)."""
    return api.create_response(request, {"detail": str(exc), "code": exc.code}, status=409)


def check_write(request: HttpRequest, dataset: Dataset | None) -> None:
    """Raise unless the caller may write ``dataset`` (None: create one)."""
    token = getattr(request, "api_token", None)
    if token is not None and not token.allows(TokenScope.WRITE):
        raise HttpError(403, "this token is read-only")
    if not can_write_dataset(request.user, dataset):
        if dataset is not None:
            raise Http404  # the caller may not know it exists
        raise HttpError(403, "you may not create datasets")


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    siren: str


class VersionOut(Schema):
    key: str
    status: str
    row_count: int
    byte_size: int
    checksum: str
    source: str
    source_format: str
    created_at: datetime
    published_at: datetime | None
    table_schema: dict[str, Any]
    reports: dict[str, Any]  # reports computed while staging (validation…), by name

    @staticmethod
    def resolve_table_schema(obj: Version) -> dict[str, Any]:
        return obj.schema


class DatasetOut(Schema):
    slug: str
    title: str
    description: str
    organisation: str
    access_level: str
    licence: str
    themes: list[str]
    domains: list[str]
    keywords: list[str]
    spatial: list[str]
    frequency: str
    temporal_start: date | None
    temporal_end: date | None
    created_at: datetime
    modified_at: datetime

    @staticmethod
    def resolve_organisation(obj: Dataset) -> str:
        return obj.organisation.slug


class DatasetIn(Schema):
    slug: str
    title: str
    organisation: str
    description: str = ""
    access_level: str = "internal"
    licence: str = "lov2"
    licence_name: str = ""  # when licence is "other"
    licence_url: str = ""
    # Homologation of another licence for open data (CRPA D323-2-2): recorded by stewards only.
    licence_approval_reference: str = ""
    themes: list[str] = []
    domains: list[str] = []
    keywords: list[str] = []
    spatial: list[str] = []
    frequency: str = "UNKNOWN"


class ErrorOut(Schema):
    detail: str


router = Router()


@router.get("/datasets", response=list[DatasetOut], tags=["datasets"])
def list_datasets(request: HttpRequest, limit: int = 100, offset: int = 0):
    """Datasets the caller may see."""
    limit, offset = max(0, min(limit, 1000)), max(0, offset)  # a negative offset was a 500
    return visible_datasets(request.user).order_by("slug")[offset : offset + limit]


@router.get("/datasets/{slug}", response=DatasetOut, tags=["datasets"])
def get_dataset(request: HttpRequest, slug: str):
    return access_dataset_for(request.user, slug, purpose="metadata")


@router.post(
    "/datasets", response={201: DatasetOut, 400: ErrorOut}, auth=WRITE_AUTH, tags=["datasets"]
)
def create_dataset(request: HttpRequest, payload: DatasetIn):
    check_write(request, None)
    if visible_datasets(request.user).filter(slug=payload.slug).exists():
        return Status(400, {"detail": f"dataset {payload.slug!r} already exists"})
    if Dataset.objects.filter(slug=payload.slug).exists():
        # Neutral wording: the identifier belongs to a dataset the caller may not see.
        return Status(400, {"detail": f"identifier {payload.slug!r} is not available"})
    if not Organisation.objects.filter(slug=payload.organisation).exists():
        return Status(400, {"detail": f"unknown organisation {payload.organisation!r}"})
    if not writable_organisations(request.user).filter(slug=payload.organisation).exists():
        raise HttpError(403, f"you may not publish for {payload.organisation!r}")
    if not can_set_access_level(request.user, None, payload.access_level):
        raise HttpError(403, "opening a dataset to everyone is a steward's act")
    data = payload.dict()
    if data["licence_approval_reference"]:
        if not is_steward(request.user):
            raise HttpError(403, "recording the approval of a licence is a steward's act")
        data.update(licence_approved_by=request.user, licence_approved_at=timezone.now())
    try:
        with transaction.atomic():
            dataset = ensure_dataset(
                data.pop("slug"),
                org_slug=data.pop("organisation"),
                title=data.pop("title"),
                access=data.pop("access_level"),
                metadata=data,
            )
            index_dataset(dataset)
    except (IngestionFailed, ValueError) as error:
        return Status(400, {"detail": str(error)})
    except ValidationError as error:
        return Status(400, {"detail": "; ".join(error.messages)})
    return Status(201, dataset)


@router.get("/datasets/{slug}/versions", response=list[VersionOut], tags=["versions"])
def list_versions(request: HttpRequest, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    return Version.objects.filter(resource__dataset=dataset)


@router.post(
    "/datasets/{slug}/versions/{key}/publish",
    response=VersionOut,
    auth=WRITE_AUTH,
    tags=["versions"],
)
def publish(request: HttpRequest, slug: str, key: str):
    dataset = access_dataset_for(request.user, slug, purpose="publish")
    check_write(request, dataset)
    version = get_object_or_404(Version, resource__dataset=dataset, key=key)
    if version.status == "failed":
        raise HttpError(400, "a failed version cannot be published")
    return do_publish_version(version, actor=request.user)


@router.post(
    "/datasets/{slug}/rollback",
    response={200: VersionOut, 400: ErrorOut},
    auth=WRITE_AUTH,
    tags=["versions"],
)
def rollback(request: HttpRequest, slug: str):
    """Publish again the version that was live before the current one."""
    dataset = access_dataset_for(request.user, slug, purpose="rollback")
    check_write(request, dataset)
    resource = dataset.table_resource()
    version = do_rollback(resource, actor=request.user) if resource else None
    if version is None:
        return Status(400, {"detail": "no earlier version to roll back to"})
    return version


@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
def list_organisations(request: HttpRequest):
    return Organisation.objects.all()


@router.get("/organisations/{slug}", response=OrganisationOut, tags=["organisations"])
def get_organisation(request: HttpRequest, slug: str):
    return get_object_or_404(Organisation, slug=slug)


api.add_router("/", router)
api.add_router("/", "territoria.api.v1_jobs.router")  # jobs, and uploads (which start one)
api.add_router("/tokens", "territoria.api.v1_tokens.router")
api.add_router("/datasets", "territoria.api.v1_versions.router")  # one version, diff, rollback to
api.add_router("/datasets", "territoria.api.v1_sources.router")  # URL source of a dataset
api.add_router("/datasets", "territoria.api.v1_steps.router")  # processing steps
api.add_router("/datasets", "territoria.api.v1_quality.router")  # quality, validation, schema
api.add_router("/datasets", "territoria.api.v1_anonymity.router")  # k-anonymity, l-diversity
