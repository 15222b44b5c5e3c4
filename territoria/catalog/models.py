"""Catalog metadata: organisations, datasets (DCAT-AP), resources and their versions.

The data itself lives in the datastore as immutable Parquet versions; a ``Version`` row is the
catalog's record of one of them, and ``Resource.live_version`` is the one switch that publishes.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territoria.catalog import enums, validators
from territoria.catalog.licences import check_open_licence


class Organisation(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=enums.OrganisationKind.choices)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validators.check_siren]
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:organisation", args=[self.slug])


class Dataset(models.Model):
    """A dataset described with the DCAT-AP fields data.gouv.fr and Opendatasoft expose."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description (Markdown)"), blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("publisher")
    )
    themes = models.JSONField(_("themes"), default=list, blank=True)
    domains = models.JSONField(_("regional domains"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    licence = models.CharField(
        _("licence"),
        max_length=10,
        choices=enums.Licence.choices,
        default=enums.Licence.LICENCE_OUVERTE_2,
    )
    licence_name = models.CharField(_("licence name (if other)"), max_length=200, blank=True)
    licence_url = models.URLField(_("licence URL (if other)"), blank=True)
    # An open dataset under another licence than the decree's two needs the reference of its
    # homologation (CRPA D323-2-1 and D323-2-2), recorded by a steward (catalog/licences.py).
    licence_approval_reference = models.CharField(
        _("licence approval reference"), max_length=300, blank=True
    )
    licence_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("licence approved by"),
    )
    licence_approved_at = models.DateTimeField(_("licence approved on"), null=True, blank=True)
    contact_name = models.CharField(_("contact point"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    spatial = models.JSONField(
        _("spatial coverage"),
        default=list,
        blank=True,
        validators=[validators.check_territory_codes],
    )
    temporal_start = models.DateField(_("temporal coverage start"), null=True, blank=True)
    temporal_end = models.DateField(_("temporal coverage end"), null=True, blank=True)
    frequency = models.CharField(
        _("update frequency"),
        max_length=10,
        choices=enums.Frequency.choices,
        default=enums.Frequency.UNKNOWN,
    )
    access_level = models.CharField(
        _("access level"),
        max_length=12,
        choices=enums.AccessLevel.choices,
        default=enums.AccessLevel.INTERNAL,  # deny by default: opening is a deliberate act
    )
    # Denormalised, accent- and plural-folded text for search (see catalog/search.py).
    search_text = models.TextField(default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal:dataset", args=[self.slug])

    def clean(self) -> None:
        if self.licence == enums.Licence.OTHER and not self.licence_name:
            raise ValidationError({"licence_name": _("Name the licence when it is not standard.")})
        check_open_licence(self)
        if self.temporal_start and self.temporal_end and self.temporal_start > self.temporal_end:
            raise ValidationError({"temporal_end": _("The coverage ends before it starts.")})
        for value in self.themes:
            if value not in enums.Theme.values:
                raise ValidationError({"themes": _("Unknown theme: %s") % value})
        for value in self.domains:
            if value not in enums.Domain.values:
                raise ValidationError({"domains": _("Unknown domain: %s") % value})

    @property
    def licence_is_standard(self) -> bool:
        return self.licence in enums.STANDARD_LICENCES

    @property
    def licence_label(self) -> str:
        if self.licence == enums.Licence.OTHER:
            return self.licence_name
        return str(self.get_licence_display())

    @property
    def licence_link(self) -> str:
        return enums.LICENCE_URLS.get(self.licence, self.licence_url)

    def table_resource(self) -> "Resource | None":
        """The resource the records API serves: the first table resource."""
        return self.resources.filter(kind=enums.ResourceKind.TABLE).order_by("id").first()


class DatasetFacet(models.Model):
    """One (kind, value) a dataset is found under: a denormalised index for search facets.

    JSON lists cannot be counted portably on SQLite and PostgreSQL alike; one row per value
    turns a facet count into one GROUP BY on both.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="facet_rows")
    kind = models.CharField(max_length=20)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "kind", "value"], name="unique_facet_row")
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class Resource(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=enums.ResourceKind.choices,
        default=enums.ResourceKind.TABLE,
    )
    format = models.CharField(_("format"), max_length=20, blank=True)
    url = models.URLField(_("URL"), blank=True)
    description = models.TextField(_("description"), blank=True)
    live_version = models.ForeignKey(
        "Version",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )
    # A URL source, fetched on a schedule by ingest/sources.py (decision 0013).
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    refresh_frequency = models.CharField(
        _("refresh frequency"), max_length=10, choices=enums.RefreshFrequency.choices, blank=True
    )
    source_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    source_etag = models.CharField(max_length=500, blank=True, editable=False)
    source_last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=1000, blank=True, editable=False)
    failure_count = models.PositiveIntegerField(default=0, editable=False)
    # The alert sent for the current trouble ("broken", "late"), so that it is sent once.
    source_alert = models.CharField(max_length=10, blank=True, editable=False)
    # Processing steps re-applied to every new version (datastore/steps.py, decision 0014).
    steps = models.JSONField(_("processing steps"), default=list, blank=True)
    # A declared Table Schema every new version is validated against (decision 0012):
    # the descriptor (uploaded, or a copy of ``schema_url`` fetched by ingest/schemas.py).
    declared_schema = models.JSONField(_("declared Table Schema"), default=dict, blank=True)
    schema_url = models.URLField(_("Table Schema URL"), max_length=2000, blank=True)
    schema_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")

    def __str__(self) -> str:
        return f"{self.dataset.slug} / {self.title}"


class Version(models.Model):
    """The catalog's record of one immutable datastore version of a table resource."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="versions")
    key = models.CharField(max_length=64, unique=True, help_text="datastore version id")
    status = models.CharField(
        max_length=12, choices=enums.VersionStatus.choices, default=enums.VersionStatus.STAGED
    )
    row_count = models.BigIntegerField(default=0)
    byte_size = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the source file")
    source = models.CharField(max_length=500, help_text="file name or URL it came from")
    source_format = models.CharField(max_length=20, blank=True)
    schema = models.JSONField(default=dict, help_text="Table Schema of the version")
    # Reports computed while staging, by name ("validation": datastore/validation.py).
    reports = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")

    def __str__(self) -> str:
        return f"{self.resource} @ {self.key}"


class Territory(models.Model):
    """A territory of INSEE's official geographic code (COG), referenced by spatial coverage."""

    code = models.CharField(max_length=30, unique=True, help_text="e.g. fr:commune:67482")
    level = models.CharField(max_length=12)
    insee_code = models.CharField(max_length=9)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"
