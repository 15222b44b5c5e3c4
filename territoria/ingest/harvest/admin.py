"""Harvest sources in the Django admin, for stewards (``governance/admin.StewardAdmin``).

Sources are edited here; runs and harvested datasets are records, read-only.
"""

from __future__ import annotations

from django.contrib import admin

from territoria.governance.admin import ReadOnlyStewardAdmin, StewardAdmin
from territoria.governance.gate import visible_datasets
from territoria.ingest.harvest.models import HarvestedDataset, HarvestRun, HarvestSource


@admin.register(HarvestSource)
class HarvestSourceAdmin(StewardAdmin):
    list_display = ("name", "kind", "url", "organisation", "frequency", "active", "last_run_at")
    list_filter = ("kind", "active")
    search_fields = ("name", "url")


@admin.register(HarvestRun)
class HarvestRunAdmin(ReadOnlyStewardAdmin):
    list_display = ("source", "status", "started_at", "finished_at", "created", "updated",
                    "unchanged", "removed", "failed")  # fmt: skip
    list_filter = ("status", "source")


@admin.register(HarvestedDataset)
class HarvestedDatasetAdmin(ReadOnlyStewardAdmin):
    list_display = ("dataset", "source", "remote_slug", "synced_at", "archived_at")
    list_filter = ("source",)
    search_fields = ("remote_id", "remote_slug", "dataset__slug")

    def get_queryset(self, request):
        visible = visible_datasets(request.user).values("pk")
        return super().get_queryset(request).filter(dataset__in=visible)
