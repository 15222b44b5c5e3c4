"""The data office's back office for catalog objects, through the access gate.

Every admin here is a ``StewardAdmin`` (``governance/admin.py``): stewards only, and the
datasets, resources and versions listed come from ``visible_datasets``. Changes of access
level are recorded in the audit trail by a model signal (``governance/audit/hooks.py``).
"""

from django import forms
from django.contrib import admin
from django.utils import timezone

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset, Organisation, Resource, Territory, Version
from territoria.catalog.search import index_dataset
from territoria.governance.admin import StewardAdmin, StewardInline
from territoria.governance.gate import access_dataset_for
from territoria.governance.personal_data.perms import PersonalDataPending, check_open_access


@admin.register(Organisation)
class OrganisationAdmin(StewardAdmin):
    list_display = ("name", "kind", "siren")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "siren")
    prepopulated_fields = {"slug": ("name",)}


class ResourceInline(StewardInline):
    model = Resource
    extra = 0
    fields = ("title", "kind", "format", "url", "live_version")
    raw_id_fields = ("live_version",)


class DatasetForm(forms.ModelForm):
    def clean(self):
        """Opening a dataset waits for its personal-data findings (decision 0023): a form
        error rather than the signal's exception."""
        data = super().clean()
        opening = data.get("access_level") == AccessLevel.OPEN
        if opening and "access_level" in self.changed_data and self.instance.pk is not None:
            try:
                check_open_access(self.instance)
            except PersonalDataPending as error:
                self.add_error("access_level", str(error))
        return data


@admin.register(Dataset)
class DatasetAdmin(StewardAdmin):
    form = DatasetForm
    list_display = ("title", "organisation", "access_level", "licence", "modified_at")
    list_filter = ("access_level", "licence", "frequency", "organisation")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ResourceInline]
    # Who approved a non-standard licence, and when, is recorded from the request, not typed.
    readonly_fields = ("licence_approved_by", "licence_approved_at")

    def save_model(self, request, obj, form, change):
        """A steward recording (or changing) an approval reference signs it (CRPA D323-2-2);
        the licence check itself runs in ``Dataset.clean`` (``catalog/licences.py``)."""
        if "licence_approval_reference" in form.changed_data:
            approved = bool(obj.licence_approval_reference.strip())
            obj.licence_approved_by = request.user if approved else None
            obj.licence_approved_at = timezone.now() if approved else None
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A steward reading a non-open dataset in the back office reads it like anywhere
        # else: through the gate, which writes the audit entry (or refuses with 503).
        dataset = self.get_object(request, object_id)
        if dataset is not None:
            access_dataset_for(request.user, dataset.slug, purpose="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_dataset(form.instance)


@admin.register(Version)
class VersionAdmin(StewardAdmin):
    list_display = ("key", "resource", "status", "row_count", "created_at", "published_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Version._meta.fields]

    def has_add_permission(self, request):
        return False  # versions come from ingestion only


@admin.register(Territory)
class TerritoryAdmin(StewardAdmin):
    list_display = ("code", "name", "level")
    list_filter = ("level",)
    search_fields = ("name", "insee_code")
