"""The Django admin, through the access gate: a back office for stewards of the data office only.

Django's own check (``is_staff`` plus model permissions) would let any staff account in and
would list datasets straight from the database. Here the site admits stewards only (the gate's
``is_steward``), every model admin asks the gate for permissions, and every queryset of
datasets, resources, versions and grants starts from ``visible_datasets`` — so the admin
follows the gate if its rules ever narrow what stewards see.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.catalog.models import Dataset, Resource, Version
from territoria.governance.gate import is_steward, visible_datasets
from territoria.governance.models import (
    AccessRequest,
    ApiToken,
    DatasetGrant,
    SharingAgreement,
)
from territoria.governance.models.grants import TERMS_FIELDS
from territoria.governance.tokens import do_revoke_token


def steward_only(request) -> bool:
    """``AdminSite.has_permission``: only stewards (an inactive user is nobody to the gate)."""
    return is_steward(request.user)


admin.site.has_permission = steward_only


def gated_queryset(model, user):
    """The objects of ``model`` tied to datasets ``user`` may see; None for other models."""
    visible = visible_datasets(user)
    if model is Dataset:
        return visible
    if model in (Resource, DatasetGrant):
        return model._default_manager.filter(dataset__in=visible.values("pk"))
    if model is Version:
        return model._default_manager.filter(resource__dataset__in=visible.values("pk"))
    return None


# Django 5.2 warns that URL fields will assume https in 6.0: opt in now (and stay quiet).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class StewardAdmin(admin.ModelAdmin):
    """A model admin whose permissions and querysets come from the gate, not Django's perms."""

    formfield_overrides = URL_FIELDS

    def has_module_permission(self, request) -> bool:
        return is_steward(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def has_add_permission(self, request) -> bool:
        return is_steward(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def get_queryset(self, request):
        gated = gated_queryset(self.model, request.user)
        if gated is None:
            return super().get_queryset(request)
        ordering = self.get_ordering(request)
        return gated.order_by(*ordering) if ordering else gated

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        gated = gated_queryset(db_field.related_model, request.user)
        if gated is not None:
            kwargs.setdefault("queryset", gated)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyStewardAdmin(StewardAdmin):
    """Records kept by the platform (jobs, runs, requests): stewards read them, nobody edits
    or deletes them here — their own pages carry the audited acts."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StewardInline(admin.TabularInline):
    """An inline whose rows come from the gate, like ``StewardAdmin``."""

    formfield_overrides = URL_FIELDS

    def has_view_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def has_add_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return is_steward(request.user)

    def get_queryset(self, request):
        gated = gated_queryset(self.model, request.user)
        return super().get_queryset(request) if gated is None else gated

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        gated = gated_queryset(db_field.related_model, request.user)
        if gated is not None:
            kwargs.setdefault("queryset", gated)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GrantInline(StewardInline):
    model = DatasetGrant
    extra = 0
    raw_id_fields = ("dataset",)
    fields = ("dataset", "organisation", *TERMS_FIELDS, "expires_at")


@admin.register(SharingAgreement)
class SharingAgreementAdmin(StewardAdmin):
    """Agreements and their terms per dataset; access opens when one is active and in force."""

    list_display = ("reference", "partner", "status", "starts_on", "ends_on", "legal_basis")
    list_filter = ("status", "legal_basis")
    search_fields = ("reference", "partner__name", "purpose")
    readonly_fields = ("created_by", "created_at")
    inlines = [GrantInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DatasetGrant)
class DatasetGrantAdmin(StewardAdmin):
    list_display = ("dataset", "organisation", "agreement", "aggregates_only", "expires_at")
    list_filter = ("organisation",)
    search_fields = ("dataset__title", "dataset__slug", "organisation__name")
    raw_id_fields = ("dataset",)
    readonly_fields = ("granted_by", "created_at")

    def save_model(self, request, obj, form, change):
        # The audit entry is written by a model signal (governance/audit/hooks.py).
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyStewardAdmin):
    """Read-only: requests are decided on ``/acces/demandes/``, where the acts are audited."""

    list_display = ("created_at", "organisation", "reference", "dataset", "status", "agreement")
    list_filter = ("status",)
    search_fields = ("reference", "organisation__name", "purpose")


@admin.register(ApiToken)
class ApiTokenAdmin(StewardAdmin):
    list_display = ("prefix", "name", "user", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "token_hash",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # a token is created by its user, who alone sees the secret once

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the audit trail keeps pointing at the token

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            do_revoke_token(request.user, token)
