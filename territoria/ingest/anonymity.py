"""The k-anonymity and l-diversity report of a dataset as the catalog sees it: on its live
version, and on the newest staged version waiting to be published, if any (the counting:
``datastore/anonymity.py``). Shared by the portal page and the management API.

Precondition of every function: the caller got the dataset from the access gate and checked
that the user may write it (the worst classes show quasi-identifier values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from territoria.catalog.enums import VersionStatus
from territoria.catalog.models import Dataset, Version
from territoria.datastore.anonymity import DEFAULT_K, DEFAULT_L, AnonymityReport, anonymity_report
from territoria.ingest.publication import get_store


@dataclass(frozen=True)
class VersionAnonymity:
    """One version's report: ``state`` is "live" or "staged"."""

    state: str
    version: Version
    report: AnonymityReport

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "version": self.version.key, **self.report.as_dict()}

    @property
    def worst_rows(self) -> list[dict[str, Any]]:
        """The worst classes, their values in the order of the quasi-identifiers (``cells``)."""
        quasi = self.report.quasi
        return [{**w, "cells": [w["values"][q] for q in quasi]} for w in self.report.worst]


def versions_to_check(dataset: Dataset) -> list[tuple[str, Version]]:
    """The live version and the newest staged one (newer than the live), in that order."""
    resource = dataset.table_resource()
    if resource is None:
        return []
    found: list[tuple[str, Version]] = []
    live = resource.live_version
    if live is not None:
        found.append(("live", live))
    staged = (
        Version.objects.filter(resource=resource, status=VersionStatus.STAGED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if staged is not None and (live is None or staged.pk != live.pk):
        found.append(("staged", staged))
    return found


def report_fields(dataset: Dataset) -> list[dict[str, Any]]:
    """The fields one may choose among: those of the newest version checked."""
    versions = versions_to_check(dataset)
    return list(versions[-1][1].schema.get("fields", [])) if versions else []


def dataset_anonymity(
    dataset: Dataset,
    quasi: list[str],
    sensitive: str | None = None,
    *,
    target_k: int = DEFAULT_K,
    target_l: int = DEFAULT_L,
) -> list[VersionAnonymity]:
    """The report of each version to check. Raises AnonymityError (a field unknown to a
    version, a target out of range) and QueryTimeout."""
    store = get_store()
    reports = []
    for state, version in versions_to_check(dataset):
        info = store.open(version.key)
        report = anonymity_report(
            info.parquet,
            info.schema,
            quasi,
            sensitive,
            target_k=target_k,
            target_l=target_l,
            timeout=settings.QUERY_TIMEOUT,
        )
        reports.append(VersionAnonymity(state, version, report))
    return reports
