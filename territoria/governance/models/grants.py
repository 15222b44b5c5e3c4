"""Grants: an agreement's terms on one dataset, for its partner organisation.

A grant opens a `partners` or `restricted` dataset to the members of the agreement's partner
while the agreement is in force (and until ``expires_at`` if set), under its terms: allowed
columns, a row filter in ODSQL, and the aggregates-only mode of statistical secrecy (minimum
cell size, distinct units, dominance). The engine enforces them (``datastore/restriction.py``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoria.governance.models.agreements import StatisticalUnits

# The fields that say what a partner may read (the engine's ``Restriction``).
TERMS_FIELDS = (
    "allowed_fields",
    "row_filter",
    "aggregates_only",
    "dimensions",
    "statistical_units",
    "min_cell_size",
    "unit_field",
    "dominance_field",
)


class DatasetGrant(models.Model):
    agreement = models.ForeignKey(
        "governance.SharingAgreement",
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("agreement"),
    )
    dataset = models.ForeignKey("catalog.Dataset", on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "catalog.Organisation", on_delete=models.CASCADE, related_name="grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    allowed_fields = models.JSONField(
        _("allowed columns"), default=list, blank=True, help_text=_("empty: every column")
    )
    row_filter = models.TextField(
        _("row filter (ODSQL)"), blank=True, help_text=_("e.g. departement = '57'")
    )
    aggregates_only = models.BooleanField(_("aggregates only"), default=False)
    dimensions = models.JSONField(
        _("dimensions"),
        default=list,
        blank=True,
        help_text=_("columns to group and filter by; empty: allowed non-numeric columns"),
    )
    statistical_units = models.CharField(
        _("statistical units"),
        max_length=12,
        choices=StatisticalUnits.choices,
        default=StatisticalUnits.PERSONS,
    )
    min_cell_size = models.PositiveIntegerField(
        _("minimum cell size"),
        null=True,
        blank=True,
        help_text=_("empty: 11 persons, 3 businesses"),
    )
    unit_field = models.CharField(
        _("unit column"), max_length=100, blank=True, help_text=_("e.g. siren: units counted once")
    )
    dominance_field = models.CharField(
        _("dominance rule on"), max_length=100, blank=True, help_text=_("no unit above 85 %")
    )

    class Meta:
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "dataset", "organisation"], name="unique_grant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.dataset}"

    def clean(self) -> None:
        """The terms must apply to the dataset's live version (see ``agreements.check_terms``)."""
        from territoria.governance.agreements import check_terms

        if self.dataset_id is not None:
            check_terms(self)
