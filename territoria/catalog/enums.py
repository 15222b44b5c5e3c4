"""Controlled vocabularies of the catalog: DCAT-AP themes, frequencies, licences, kinds, levels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    DEPARTEMENT = "departement", _("Département")
    EPCI = "epci", _("Intercommunality (EPCI)")
    COMMUNE = "commune", _("Commune")
    TRANSPORT_OPERATOR = "transport-operator", _("Transport operator")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Company")
    PUBLIC_BODY = "public-body", _("Public body")


class AccessLevel(models.TextChoices):
    """Who may see a dataset. Everything but OPEN is denied unless the gate says otherwise."""

    OPEN = "open", _("Open data")
    PARTNERS = "partners", _("Partners")
    INTERNAL = "internal", _("Internal")
    RESTRICTED = "restricted", _("Restricted")


class Theme(models.TextChoices):
    """The EU data-theme vocabulary (http://publications.europa.eu/resource/authority/data-theme)."""

    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECON = "ECON", _("Economy and finance")
    EDUC = "EDUC", _("Education, culture and sport")
    ENER = "ENER", _("Energy")
    ENVI = "ENVI", _("Environment")
    GOVE = "GOVE", _("Government and public sector")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")
    REGI = "REGI", _("Regions and cities")
    SOCI = "SOCI", _("Population and society")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")


THEME_URI = "http://publications.europa.eu/resource/authority/data-theme/"


class Domain(models.TextChoices):
    """The region's own domains of action, alongside the EU themes."""

    TRANSPORT = "transport", _("Transport")
    ENVIRONMENT_PLANNING = "environnement-amenagement", _("Environment and land planning")
    ECONOMY = "economie", _("Economy")


class Frequency(models.TextChoices):
    """The EU frequency vocabulary (http://publications.europa.eu/resource/authority/frequency)."""

    CONT = "CONT", _("Continuous")
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Annual")
    IRREG = "IRREG", _("Irregular")
    NEVER = "NEVER", _("Never")
    UNKNOWN = "UNKNOWN", _("Unknown")


class RefreshFrequency(models.TextChoices):
    """How often a URL source is fetched: the periodic codes of the EU frequency vocabulary."""

    HOURLY = "HOURLY", _("Every hour")
    DAILY = "DAILY", _("Every day")
    WEEKLY = "WEEKLY", _("Every week")
    MONTHLY = "MONTHLY", _("Every month")
    QUARTERLY = "QUARTERLY", _("Every quarter")
    ANNUAL = "ANNUAL", _("Every year")


class Licence(models.TextChoices):
    """The two licences a French administration may use without homologation (CRPA D323-2-1)."""

    LICENCE_OUVERTE_2 = "lov2", _("Licence Ouverte / Open Licence 2.0")
    ODBL = "odbl", _("Open Database License (ODbL) 1.0")
    OTHER = "other", _("Other licence (non-standard)")


LICENCE_URLS = {
    Licence.LICENCE_OUVERTE_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}
STANDARD_LICENCES = frozenset(LICENCE_URLS)


class ResourceKind(models.TextChoices):
    TABLE = "table", _("Table (queryable)")
    FILE = "file", _("File")
    LINK = "link", _("Link")


class VersionStatus(models.TextChoices):
    STAGED = "staged", _("Staged")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    FAILED = "failed", _("Failed")
