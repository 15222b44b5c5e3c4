"""The personal-data gate: who reviews findings, and what open findings forbid.

``check_*`` raise ``PersonalDataPending`` (an ``IngestionFailed``: one French line, shown by
the CLI, the jobs, the APIs) and change nothing. Publishing a version of an *open* dataset
needs its findings resolved; so does opening a dataset whose live versions have findings
(DESIGN: "Personal data found by the scan blocks open publication until a steward resolves
it"). Other access levels publish freely: the findings wait for the day the data opens.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import ngettext

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset, Resource, Version
from territoria.governance.gate import is_steward
from territoria.governance.personal_data.models import FindingStatus, PersonalDataFinding
from territoria.ingest.services import IngestionFailed


class PersonalDataPending(IngestionFailed):
    """Open personal-data findings forbid this publication; nothing was changed."""

    code = "personal_data_pending"


def may_review(user) -> bool:
    """Reviewing findings (and seeing their masked examples) is a steward's act."""
    return is_steward(user)


def open_findings(version: Version) -> QuerySet[PersonalDataFinding]:
    return PersonalDataFinding.objects.filter(version=version, status=FindingStatus.OPEN)


def pending_message(version: Version, count: int) -> str:
    """The one line told to the producer: "version … en attente : données personnelles…"."""
    return ngettext(
        "version %(key)s on hold: personal data to review (%(count)d finding)",
        "version %(key)s on hold: personal data to review (%(count)d findings)",
        count,
    ) % {"key": version.key, "count": count}


def held_for_review(version: Version, dataset: Dataset) -> bool:
    """Whether publishing ``version`` in ``dataset`` must wait for a steward."""
    return dataset.access_level == AccessLevel.OPEN and open_findings(version).exists()


def check_open_publication(version: Version) -> None:
    """Raise PersonalDataPending when ``version``'s dataset is open and the version has open
    findings."""
    dataset = Dataset.objects.only("access_level").get(resources__versions=version)
    if held_for_review(version, dataset):
        raise PersonalDataPending(pending_message(version, open_findings(version).count()))


def check_open_access(dataset: Dataset) -> None:
    """Raise PersonalDataPending when a live version of ``dataset`` has open findings: the
    dataset cannot become open until a steward resolves them."""
    live = Resource.objects.filter(dataset=dataset).values("live_version")
    count = PersonalDataFinding.objects.filter(version__in=live, status=FindingStatus.OPEN).count()
    if count:
        raise PersonalDataPending(
            ngettext(
                "dataset %(slug)s cannot be opened: personal data to review (%(count)d finding)",
                "dataset %(slug)s cannot be opened: personal data to review (%(count)d findings)",
                count,
            )
            % {"slug": dataset.slug, "count": count}
        )
