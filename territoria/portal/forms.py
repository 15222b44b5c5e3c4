"""The upload form: a file, and either an existing dataset or what is needed to create one.

Who may write what is asked of the access gate (``can_write_dataset``); the form only turns
its answers into field errors.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset, Organisation
from territoria.governance.gate import (
    access_dataset_for,
    can_set_access_level,
    can_write_dataset,
    visible_datasets,
)

MAX_DATASET_CHOICES = 500  # a longer list is unusable; the dataset page links here pre-selected


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (any delimiter, UTF-8 or Latin-1), Excel, JSON, GeoJSON or Parquet."),
    )
    # A text value shown as a list: the list holds at most MAX_DATASET_CHOICES datasets, while
    # the gate (in clean_dataset) decides what may be written, listed or not.
    dataset = forms.CharField(
        label=_("Dataset"),
        required=False,
        widget=forms.Select,
        help_text=_("Choose the dataset this file is a new version of, or create a new one."),
    )
    slug = forms.SlugField(
        label=_("Identifier of the new dataset"),
        required=False,
        max_length=100,
        help_text=_("Lower-case letters, digits and hyphens, e.g. qualite-eau-2024."),
    )
    title = forms.CharField(label=_("Title of the new dataset"), required=False, max_length=250)
    organisation = forms.ModelChoiceField(
        label=_("Publisher of the new dataset"),
        queryset=Organisation.objects.none(),
        required=False,
        to_field_name="slug",
    )
    access = forms.ChoiceField(
        label=_("Access level"),
        required=False,
        help_text=_("Who may see the dataset. A new dataset is internal unless you open it."),
    )

    def __init__(self, *args, user, datasets: list[Dataset], organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_create = can_write_dataset(user, None)
        self.target: Dataset | None = None
        choices = [(d.slug, d.title) for d in datasets]
        wanted = self.data.get("dataset") if self.is_bound else self.initial.get("dataset")
        if wanted and wanted not in dict(choices):
            extra = self._writable(wanted)
            if extra is not None:
                choices.insert(0, (extra.slug, extra.title))
        blank = _("— A new dataset —") if self.may_create else _("— Choose a dataset —")
        self.fields["dataset"].widget.choices = [("", blank), *choices]
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = _("— Choose an organisation —")
        if not self.is_bound and len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].slug)
        # Levels the user may give some dataset; the one chosen is checked again in clean().
        self.fields["access"].choices = [
            ("", _("Unchanged (internal for a new dataset)")),
            *[
                (v, label)
                for v, label in AccessLevel.choices
                if can_set_access_level(user, None, v)
            ],
        ]
        if not self.may_create:
            for name in ("slug", "title", "organisation"):
                del self.fields[name]

    def _writable(self, slug: str) -> Dataset | None:
        """The dataset ``slug`` if the gate lets the user see and write it, else None."""
        try:
            dataset = access_dataset_for(self.user, slug, purpose="upload")
        except Http404:
            return None
        return dataset if can_write_dataset(self.user, dataset) else None

    def clean_dataset(self) -> str:
        slug = self.cleaned_data.get("dataset") or ""
        if slug:
            self.target = self._writable(slug)
            if self.target is None:
                raise forms.ValidationError(_("Unknown dataset."))
        return slug

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(_("The file exceeds %(limit)s MB.") % {"limit": limit})
        return upload

    def clean(self):
        data = super().clean()
        access = data.get("access")
        # For a new dataset (target None) the gate answers for the user's organisations.
        if (
            access
            and not self.errors.get("dataset")
            and not can_set_access_level(self.user, self.target, access)
        ):
            self.add_error("access", _("You may not give this access level."))
        if self.target is not None or self.errors.get("dataset"):
            return data
        if not self.may_create:
            self.add_error("dataset", _("Choose the dataset this file belongs to."))
            return data
        for name in ("slug", "title", "organisation"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Required to create a new dataset."))
        slug = data.get("slug")
        if slug and visible_datasets(self.user).filter(slug=slug).exists():
            self.add_error("slug", _("This dataset already exists: choose it in the list above."))
        elif slug and (slugify(slug) != slug or Dataset.objects.filter(slug=slug).exists()):
            # Neutral wording: the identifier belongs to a dataset the user may not see.
            self.add_error("slug", _("This identifier is not available."))
        return data

    def ingest_arguments(self) -> dict[str, str | None]:
        """Keyword arguments for ``do_ingest_file`` (precondition: the form is valid).

        No access change here: ``do_ingest_file`` saves the dataset before it reads the file, so
        a level passed to it would apply even if the file is refused. A new dataset starts
        internal; the level asked for is applied once the version is published (see
        ``requested_access``).
        """
        if self.target is not None:
            return {"dataset_slug": self.target.slug}
        data = self.cleaned_data
        return {
            "dataset_slug": data["slug"],
            "org_slug": data["organisation"].slug,
            "title": data["title"],
            "access": AccessLevel.INTERNAL,
        }

    def requested_access(self) -> str | None:
        """The access level to set after a successful upload, or None to keep it."""
        return self.cleaned_data.get("access") or None
