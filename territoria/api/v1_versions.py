"""``/api/1/datasets/{slug}/…``: one version with its reports, a diff, a rollback to a version.

The list of versions, publishing a staged version and rolling back to the previous one are
in ``v1.py``; this router adds what the version history needs beyond them. The logic is in
``ingest/history.py`` (and the diff in ``datastore/diff.py``); reads go through the gate.
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from territoria.api.v1 import WRITE_AUTH, ErrorOut, VersionOut, check_write
from territoria.catalog.models import Version
from territoria.datastore.diff import DEFAULT_SAMPLE, DiffError
from territoria.datastore.errors import QueryTimeout
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.history import default_pair, do_diff, do_rollback_to, version_of

router = Router(tags=["versions"])


class VersionDetailOut(VersionOut):
    live: bool
    restorable: bool
    created_by: str | None  # shown to those who may write the dataset only

    @staticmethod
    def resolve_live(obj: Version) -> bool:
        return obj.resource.live_version_id == obj.pk

    @staticmethod
    def resolve_restorable(obj: Version) -> bool:
        return obj.status == "superseded"

    @staticmethod
    def resolve_created_by(obj: Version, context: Any) -> str | None:
        request = context["request"]
        if obj.created_by is None or not can_write_dataset(request.user, obj.resource.dataset):
            return None
        return obj.created_by.get_username()


class ColumnCount(Schema):
    name: str
    count: int


class Retyped(Schema):
    name: str
    old: str
    new: str


class DiffOut(Schema):
    """``old``/``new`` null: the dataset has fewer than two versions to compare."""

    old: str | None
    new: str | None
    key: str | None  # the column rows were matched on; null: rows compared whole
    old_rows: int = 0
    new_rows: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    columns_added: list[str] = []
    columns_removed: list[str] = []
    columns_retyped: list[Retyped] = []
    changed_columns: list[ColumnCount] = []
    added_sample: list[dict[str, Any]] = []
    removed_sample: list[dict[str, Any]] = []
    changed_sample: list[dict[str, Any]] = []


class DiffQuery(Schema):
    old: str | None = None
    new: str | None = None
    on: str | None = None
    sample: int = DEFAULT_SAMPLE


class DiffError400(Schema):
    error_code: str
    detail: str
    field: str | None = None


@router.get("/{slug}/versions/{key}", response=VersionDetailOut)
def version_detail(request: HttpRequest, slug: str, key: str):
    """One version: counts, source, status, its reports (validation…), who made it."""
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    version = version_of(dataset, key)
    if version is None:
        raise Http404("no such version")
    return version


@router.get("/{slug}/diff", response={200: DiffOut, 400: DiffError400, 503: DiffError400})
def version_diff(request: HttpRequest, slug: str, query: Query[DiffQuery]):
    """What changed from version ``old`` to version ``new``, matching rows on column ``on``.

    Defaults: ``new`` the live version, ``old`` the one published before it, ``on`` the
    first column unique in both. Counts are exact; each sample holds at most ``sample``
    rows (0–100), ordered by the key.
    """
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    if query.old or query.new:
        old = version_of(dataset, query.old or "")
        new = version_of(dataset, query.new or "")
        if old is None or new is None:
            raise Http404("no such version")
    else:
        pair = default_pair(dataset)
        if pair is None:
            return {"old": None, "new": None, "key": None}
        old, new = pair
    try:
        result = do_diff(old, new, on=query.on or None, sample=query.sample)
    except QueryTimeout as error:
        return Status(503, {"error_code": "timeout", "detail": str(error)})
    except DiffError as error:
        return Status(400, {"error_code": error.code, "detail": str(error), "field": error.field})
    except KeyError:
        return Status(503, {"error_code": "missing", "detail": "a version's files are missing"})
    data = result.as_dict()
    data["old"], data["new"] = data.pop("old_key"), data.pop("new_key")
    return data


@router.post(
    "/{slug}/versions/{key}/rollback",
    response={200: VersionOut, 400: ErrorOut},
    auth=WRITE_AUTH,
)
def rollback_to_version(request: HttpRequest, slug: str, key: str):
    """Publish again an earlier version (one that was live, then superseded), atomically."""
    dataset = access_dataset_for(request.user, slug, purpose="rollback")
    check_write(request, dataset)
    version = version_of(dataset, key)
    if version is None:
        raise Http404("no such version")
    restored = do_rollback_to(version, actor=request.user)
    if restored is None:
        if version.resource.live_version_id == version.pk:
            return Status(400, {"detail": "this version is the live one"})
        return Status(400, {"detail": "only a version that was published can be restored"})
    return restored
