"""The record in the Django admin, for stewards (the portal's pages are the usual way in)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from territoria.governance.admin import StewardAdmin
from territoria.governance.gate import visible_datasets
from territoria.governance.gdpr.dpia import dpia_required
from territoria.governance.gdpr.forms import ProcessingActivityForm
from territoria.governance.gdpr.models import ProcessingActivity


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(StewardAdmin):
    list_display = ("name", "controller", "legal_basis", "dpia_flag", "updated_at")
    list_filter = ("legal_basis", "transfers_outside_eu", "controller")
    search_fields = ("name", "purposes")
    form = ProcessingActivityForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The form, its dataset choices from the gate (a steward sees them all today)."""
        form = super().get_form(request, obj, change, **kwargs)
        datasets = visible_datasets(request.user)

        class GatedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, datasets=datasets, **inner)

        return GatedForm

    @admin.display(boolean=True, description=_("DPIA required"))
    def dpia_flag(self, obj) -> bool:
        return dpia_required(obj)
