"""The form a steward resolves one finding with."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territoria.governance.personal_data.models import LegalGround, Resolution
from territoria.governance.personal_data.resolve import GENERALISATIONS

GENERALISATION_LABELS = {
    "year": _("dates to the year"),
    "month": _("dates to the month"),
    "grid:200": _("coordinates to a 200 m grid"),
    "grid:1000": _("coordinates to a 1 km grid"),
}


class ResolutionForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices)
    to = forms.ChoiceField(
        label=_("Generalise"),
        choices=[(key, GENERALISATION_LABELS[key]) for key in GENERALISATIONS],
        required=False,
    )
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"), choices=[("", "—"), *LegalGround.choices], required=False
    )
    legal_reference = forms.CharField(label=_("Reference"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("resolution") != Resolution.LEGAL_GROUND:
            return data
        if not data.get("legal_ground"):
            self.add_error("legal_ground", _("Choose the legal ground."))
        elif data["legal_ground"] == LegalGround.LAW and not data.get("legal_reference"):
            self.add_error("legal_reference", _("Give the reference of the legal provision."))
        return data
