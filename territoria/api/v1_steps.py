"""``/api/1/datasets/{slug}/steps``: the processing steps re-applied to every new version.

GET lists them to whoever sees the dataset (how the published rows were made is part of their
provenance). PUT replaces them (checked against the live version first: a step that does not
fit answers 400 naming it, and nothing is saved), optionally re-processing the live rows into a
new staged version; POST ``…/steps/preview`` shows their effect on the first rows of the live
version without saving — both for those who may write the dataset. The rules are in
``datastore/steps.py``; the catalog side in ``ingest/steps.py``.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from territoria.api.v1 import WRITE_AUTH, check_write
from territoria.datastore.errors import IngestError
from territoria.datastore.steps import MAX_STEPS, PREVIEW_ROWS, StepError
from territoria.governance.gate import access_dataset_for
from territoria.ingest.steps import do_save_steps, preview

router = Router(tags=["steps"])


class StepsOut(Schema):
    steps: list[dict[str, Any]]
    staged_version: str | None = None  # the key of the re-processed version, when asked


class StepsIn(Schema):
    steps: list[dict[str, Any]]
    reprocess: bool = False  # also run them now on the live rows, into a staged version


class PreviewIn(Schema):
    steps: list[dict[str, Any]]
    limit: int = PREVIEW_ROWS


class StepErrorOut(Schema):
    error_code: str  # invalid_step, processing_failed, nothing_published
    detail: str
    step: int | None = None  # 0-based position of the step at fault


def _step_error(error: IngestError) -> Status:
    index = error.index if isinstance(error, StepError) else None
    code = "invalid_step" if index is not None else "processing_failed"
    return Status(400, {"error_code": code, "detail": str(error), "step": index})


@router.get("/{slug}/steps", response=StepsOut)
def get_steps(request: HttpRequest, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="steps")
    resource = dataset.table_resource()
    return {"steps": list(resource.steps) if resource else []}


@router.put("/{slug}/steps", response={200: StepsOut, 400: StepErrorOut}, auth=WRITE_AUTH)
def put_steps(request: HttpRequest, slug: str, payload: StepsIn):
    """Replace the steps; they apply from the next version (or now, with ``reprocess``)."""
    dataset = access_dataset_for(request.user, slug, purpose="steps")
    check_write(request, dataset)
    try:
        steps, staged = do_save_steps(
            dataset, payload.steps, reprocess=payload.reprocess, user=request.user
        )
    except IngestError as error:
        return _step_error(error)
    key = staged.key if staged is not None else None
    return {"steps": [step.as_json() for step in steps], "staged_version": key}


@router.post(
    "/{slug}/steps/preview",
    response={200: dict[str, Any], 400: StepErrorOut},
    auth=WRITE_AUTH,
)
def preview_steps(request: HttpRequest, slug: str, payload: PreviewIn):
    """The first rows of the live version before and after ``steps`` (nothing is saved)."""
    dataset = access_dataset_for(request.user, slug, purpose="steps")
    check_write(request, dataset)
    if len(payload.steps) > MAX_STEPS:
        return Status(400, {"error_code": "invalid_step", "detail": f"at most {MAX_STEPS} steps"})
    try:
        shown = preview(dataset, payload.steps, limit=max(1, min(payload.limit, 100)))
    except IngestError as error:
        return _step_error(error)
    if shown is None:
        detail = "nothing is published yet: there are no rows to preview"
        return Status(400, {"error_code": "nothing_published", "detail": detail})
    return {
        "before": {"fields": shown.before_fields, "rows": shown.before},
        "after": {"fields": shown.after_fields, "types": shown.after_types, "rows": shown.after},
    }
