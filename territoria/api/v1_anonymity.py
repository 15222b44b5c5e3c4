"""``/api/1/datasets/{slug}/anonymity?quasi=a,b&sensitive=c[&k=11&l=2]``: k-anonymity and
l-diversity of the live version, and of the staged version waiting, on the quasi-identifiers
given (``ingest/anonymity.py``, ``datastore/anonymity.py``).

For those who may write the dataset (the worst classes show quasi-identifier values): anyone
else gets the 404 of a dataset they may not know, as for the steps' preview. Without ``quasi``
there is nothing to report: an empty answer to whoever sees the dataset (the route inventory
asks every visible dataset's GET routes to answer).
"""

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from territoria.datastore.anonymity import DEFAULT_K, DEFAULT_L
from territoria.datastore.errors import QueryError, QueryTimeout
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.anonymity import dataset_anonymity

router = Router(tags=["anonymity"])


class AnonymityOut(Schema):
    quasi: list[str]
    sensitive: str | None
    versions: list[dict[str, Any]]  # one report per version: "live", then "staged"


class AnonymityErrorOut(Schema):
    error_code: str  # invalid_parameter, timeout
    detail: str
    param: str | None = None


@router.get(
    "/{slug}/anonymity",
    response={200: AnonymityOut, 400: AnonymityErrorOut},
)
def get_anonymity(
    request: HttpRequest,
    slug: str,
    quasi: str = "",
    sensitive: str = "",
    k: int = DEFAULT_K,
    l: int = DEFAULT_L,  # noqa: E741 — the name the literature gives it
):
    """The report on ``quasi`` (field names separated by commas) and ``sensitive``."""
    dataset = access_dataset_for(request.user, slug, purpose="anonymity")
    names = [name.strip() for name in quasi.split(",") if name.strip()]
    if not names:
        return {"quasi": [], "sensitive": None, "versions": []}
    if not can_write_dataset(request.user, dataset):
        raise Http404
    try:
        reports = dataset_anonymity(
            dataset, names, sensitive.strip() or None, target_k=k, target_l=l
        )
    except QueryTimeout as error:
        return Status(400, {"error_code": "timeout", "detail": error.message})
    except QueryError as error:
        detail = {"error_code": "invalid_parameter", "detail": error.message, "param": error.param}
        return Status(400, detail)
    return {
        "quasi": names,
        "sensitive": sensitive.strip() or None,
        "versions": [report.as_dict() for report in reports],
    }
