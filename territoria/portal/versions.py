"""The "Versions" pages of a dataset: its history with reports, a diff of two versions, and
the rollback button for those who may write it.

Everything comes through the access gate; the history logic is in ``ingest/history.py``.
The name of who made a version is shown only to those who may write the dataset.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from territoria.catalog.gtfs_report import readable_gtfs_report
from territoria.catalog.models import Dataset, Version
from territoria.datastore.diff import DiffError, key_candidates
from territoria.datastore.errors import QueryTimeout
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.history import (
    DIFF_BUDGET_FACTOR,
    default_pair,
    do_diff,
    do_rollback_to,
    restorable,
    version_of,
    versions_of,
)
from territoria.ingest.publication import get_store
from territoria.portal.csp import with_csp
from territoria.portal.pagination import page_window

# Versions offered in the diff page's lists (an hourly source makes 8,760 a year).
MAX_CHOICES = 200
# Report values shown in the history table; the full reports are on their own pages.
MAX_REPORT_ITEMS = 6


def report_summary(version: Version) -> list[tuple[str, str]]:
    """(report, one line) per report of the version: validation in words, others by their
    top-level plain values. The full validation report is on the dataset page."""
    summary = []
    for name, report in sorted((version.reports or {}).items()):
        if not isinstance(report, dict):
            continue
        if name == "validation" and "valid" in report:
            summary.append((_("Validation"), _validation_line(report)))
            continue
        if name == "gtfs" and (gtfs := readable_gtfs_report(report)) is not None:
            summary.append((_("GTFS check"), _gtfs_line(gtfs)))
            continue
        items = [
            f"{key}: {value}"
            for key, value in report.items()
            if isinstance(value, bool | int | float) or (isinstance(value, str) and len(value) < 80)
        ]
        summary.append((str(name), ", ".join(items[:MAX_REPORT_ITEMS])))
    return summary


def _validation_line(report: dict[str, Any]) -> str:
    if report.get("valid"):
        return _("valid")
    errors, rows = int(report.get("error_count") or 0), int(report.get("invalid_rows") or 0)
    return (
        ngettext("%(errors)s error", "%(errors)s errors", errors) % {"errors": errors}
        + ", "
        + ngettext("%(rows)s invalid row", "%(rows)s invalid rows", rows) % {"rows": rows}
    )


def _gtfs_line(gtfs: dict[str, Any]) -> str:
    if gtfs["valid"] and not gtfs["warnings"]:
        return _("valid")
    errors, warnings = gtfs["error_count"], len(gtfs["warnings"])
    return (
        ngettext("%(errors)s error", "%(errors)s errors", errors) % {"errors": errors}
        + ", "
        + ngettext("%(warnings)s warning", "%(warnings)s warnings", warnings)
        % {"warnings": warnings}
    )


def _live_id(dataset: Dataset) -> int | None:
    resource = dataset.table_resource()
    return resource.live_version_id if resource is not None else None


@require_safe
@with_csp
def history(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    may_write = can_write_dataset(request.user, dataset)
    versions = versions_of(dataset)
    window = page_window(versions.count(), request.GET.get("page"))
    # One more than the page: the last row is compared with the version before it.
    page = list(versions[window.offset : window.offset + window.per_page + 1])
    live_id = _live_id(dataset)
    rows = [
        {
            "version": version,
            "live": version.pk == live_id,
            "restorable": may_write and restorable(version),
            "previous": page[index + 1] if index + 1 < len(page) else None,
            "reports": report_summary(version),
            "author": version.created_by.get_username() if may_write and version.created_by else "",
        }
        for index, version in enumerate(page[: window.per_page])
    ]
    context = {
        "dataset": dataset,
        "rows": rows,
        "window": window,
        "may_write": may_write,
        "nav": "datasets",
    }
    return render(request, "portal/versions.html", context)


@login_required
@require_POST
@with_csp
def rollback(request, slug: str, key: str):
    """Publish ``key`` again (it was live, then superseded): one atomic switch, audited."""
    dataset = access_dataset_for(request.user, slug, purpose="rollback")
    if not can_write_dataset(request.user, dataset):
        raise PermissionDenied
    version = version_of(dataset, key)
    if version is None:
        raise Http404("no such version")
    restored = do_rollback_to(version, actor=request.user)
    if restored is None:
        messages.error(request, _("Only a version that was published before can be restored."))
    else:
        messages.success(
            request,
            _("The version of %(date)s is published again.")
            % {"date": date_format(restored.created_at, "DATETIME_FORMAT")},
        )
    return redirect("portal:versions", slug=dataset.slug)


def _chosen_pair(request, dataset: Dataset) -> tuple[Version, Version] | None:
    old_key, new_key = request.GET.get("old", ""), request.GET.get("new", "")
    if not (old_key or new_key):
        return default_pair(dataset)
    old, new = version_of(dataset, old_key), version_of(dataset, new_key)
    if old is None or new is None:
        raise Http404("no such version")
    return old, new


DIFF_ERRORS = {
    "unknown-key": gettext_lazy("This column is not in both versions."),
    "key-not-unique": gettext_lazy(
        "This column is empty or repeated in some rows: choose a column that identifies each row."
    ),
}


@require_safe
@with_csp
def diff(request, slug: str):
    """Compare two versions (default: the live one and the one before it) on a key column."""
    dataset = access_dataset_for(request.user, slug, purpose="versions")
    pair = _chosen_pair(request, dataset)
    on = request.GET.get("on", "").strip() or None
    context: dict[str, Any] = {
        "dataset": dataset,
        "choices": list(versions_of(dataset)[:MAX_CHOICES]),
        "pair": pair,
        "on": on or "",
        "nav": "datasets",
    }
    status = 200
    if pair is not None:
        old, new = pair
        try:
            store = get_store()
            context["keys"] = key_candidates(store.open(old.key), store.open(new.key))
            context["result"] = do_diff(old, new, on=on)
        except DiffError as error:
            context["error"] = DIFF_ERRORS.get(error.code) or _(
                "These versions cannot be compared."
            )
            status = 400
        except QueryTimeout:
            context["error"] = _(
                "The comparison took longer than %(seconds)s seconds: choose another key column."
            ) % {"seconds": int(settings.QUERY_TIMEOUT * DIFF_BUDGET_FACTOR)}
        except KeyError:
            context["error"] = _("The files of one of these versions are missing.")
    return render(request, "portal/version_diff.html", context, status=status)
