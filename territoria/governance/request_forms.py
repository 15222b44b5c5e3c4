"""Forms of access requests: the partner's request, the steward's approval (the terms of the
drafted grant) and refusal. The rules are in ``access_requests.py``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from territoria.datastore.errors import QueryError
from territoria.datastore.odsql.planner import plan_filter
from territoria.datastore.query import schema_types
from territoria.datastore.versions import VersionInfo
from territoria.governance.access_requests import requesting_organisations
from territoria.governance.models import LegalBasis, StatisticalUnits


class RequestForm(forms.Form):
    reference = forms.CharField(
        label=_("Dataset"),
        max_length=300,
        help_text=_("Its address on the portal, or its identifier, as the region gave it to you."),
    )
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the data will be used for, by whom."),
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    details = forms.CharField(
        label=_("Desired columns and period"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = requesting_organisations(user)


class ApproveForm(forms.Form):
    """The terms of the grant to draft, checked against the live version's columns."""

    allowed_fields = forms.MultipleChoiceField(
        label=_("Allowed columns"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every column."),
    )
    row_filter = forms.CharField(
        label=_("Row filter (ODSQL)"),
        max_length=2000,
        required=False,
        help_text=_("e.g. departement = '57'"),
    )
    aggregates_only = forms.BooleanField(label=_("Aggregates only"), required=False)
    statistical_units = forms.ChoiceField(
        label=_("Statistical units"), choices=StatisticalUnits.choices
    )
    min_cell_size = forms.IntegerField(
        label=_("Minimum cell size"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("empty: 11 persons, 3 businesses"),
    )

    def __init__(self, *args, version: VersionInfo | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        names = version.field_names() if version is not None else []
        self.fields["allowed_fields"].choices = [(name, name) for name in names]

    def clean_row_filter(self) -> str:
        text = self.cleaned_data["row_filter"].strip()
        if text and self.version is not None:
            try:
                plan_filter(schema_types(self.version), where=(text,))
            except QueryError as error:
                raise forms.ValidationError(error.message) from None
        return text


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the requester."),
    )
