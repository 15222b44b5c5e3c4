"""The "Schema" page of a dataset: the Table Schema its versions are validated against.

Whoever sees the dataset sees the declared schema (its fields and constraints document the
data); those who may write it (``gate.can_write_dataset``) declare one, from a file or a URL
(e.g. one of schema.data.gouv.fr), or remove it. The rules are in ``ingest/schemas.py``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from territoria.catalog.models import Resource
from territoria.governance.gate import access_dataset_for, can_write_dataset
from territoria.ingest.schemas import (
    MAX_SCHEMA_BYTES,
    SchemaRefused,
    do_clear_schema,
    do_declare_schema,
)
from territoria.portal.csp import with_csp
from territoria.portal.quality import quality_context


class SchemaForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address of the schema"),
        required=False,
        max_length=Resource._meta.get_field("schema_url").max_length,
        assume_scheme="https",
        help_text=gettext_lazy("For instance a schema of schema.data.gouv.fr (JSON)."),
    )
    file = forms.FileField(
        label=gettext_lazy("Or a schema file"),
        required=False,
        help_text=gettext_lazy("A Table Schema in JSON."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("url") and not data.get("file"):
            raise forms.ValidationError(_("Give the address of a schema or a schema file."))
        upload = data.get("file")
        if upload is not None and upload.size > MAX_SCHEMA_BYTES:
            self.add_error("file", _("This file is too large to be a schema."))
        return data


@require_http_methods(["GET", "POST"])
@with_csp
def schema(request, slug: str):
    dataset = access_dataset_for(request.user, slug, purpose="schema")
    may_write = can_write_dataset(request.user, dataset)
    resource = dataset.table_resource()
    form = SchemaForm() if may_write and resource is not None else None
    if request.method == "POST":
        if not may_write or resource is None:
            raise PermissionDenied
        if "remove" in request.POST:
            do_clear_schema(resource)
            messages.success(request, _("The schema is removed."))
            return redirect("portal:dataset_schema", slug=dataset.slug)
        form = SchemaForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                if upload is not None:
                    do_declare_schema(resource, descriptor=upload.read())
                else:
                    do_declare_schema(resource, url=form.cleaned_data["url"])
            except SchemaRefused as error:
                form.add_error(
                    None, _("This schema cannot be used: %(reason)s") % {"reason": error}
                )
            else:
                messages.success(request, _("Schema saved: the published version was checked."))
                return redirect("portal:dataset_schema", slug=dataset.slug)
    context = {
        "dataset": dataset,
        "resource": resource,
        "form": form,
        "may_write": may_write,
        "fields": (resource.declared_schema or {}).get("fields", []) if resource else [],
        "nav": "datasets",
        **quality_context(dataset, may_write=may_write),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "portal/schema_form.html", context, status=status)
