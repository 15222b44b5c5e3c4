"""The steward's form for an activity of the record."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from territoria.catalog.models import Dataset
from territoria.governance.gdpr.dpia import CRITERIA_FIELDS
from territoria.governance.gdpr.models import ProcessingActivity, SpecialCategory


class ProcessingActivityForm(forms.ModelForm):
    special_categories = forms.MultipleChoiceField(
        label=_("Special categories of data (art. 9)"),
        choices=SpecialCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    datasets = forms.ModelMultipleChoiceField(
        label=_("Datasets"),
        queryset=Dataset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "name",
            "controller",
            "controller_contact",
            "dpo_name",
            "dpo_email",
            "purposes",
            "legal_basis",
            "data_subjects",
            "personal_data",
            "special_categories",
            "recipients",
            "transfers_outside_eu",
            "transfer_destinations",
            "transfer_safeguards",
            "retention",
            "security_measures",
            *CRITERIA_FIELDS,
            "datasets",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "controller_contact",
                "purposes",
                "data_subjects",
                "personal_data",
                "recipients",
                "transfer_destinations",
                "transfer_safeguards",
                "retention",
                "security_measures",
            )
        }

    def __init__(self, *args, datasets, **kwargs):
        """``datasets``: those the editor may link, from the access gate."""
        super().__init__(*args, **kwargs)
        self.fields["datasets"].queryset = datasets.order_by("title")
        self.fields["controller"].queryset = self.fields["controller"].queryset.order_by("name")

    @property
    def main_fields(self) -> list[forms.BoundField]:
        """Every field but the DPIA criteria and the datasets (shown apart)."""
        apart = {*CRITERIA_FIELDS, "datasets"}
        return [field for field in self if field.name not in apart]

    @property
    def criteria(self) -> list[forms.BoundField]:
        return [self[name] for name in CRITERIA_FIELDS]
