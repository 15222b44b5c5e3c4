"""The publication rule of the record: personal data are published only for a recorded purpose.

"A dataset with personal data cannot be published at any level without its activity"
(issue 6): processing personal data needs a purpose and a legal basis (GDPR articles 5 and 6),
and the record of processing activities (article 30) is where they are written. Publishing a
version whose scan found personal data is such a processing, whatever its access level.

The findings come from the personal-data scan (``governance/personal_data``); this module
reads them without importing that app at import time, so either app works without the other.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from territoria.ingest.services import IngestionFailed


class ProcessingActivityMissing(IngestionFailed):
    """A version with personal data, of a dataset linked to no processing activity. An
    ``IngestionFailed``, like ``PersonalDataPending``: the CLI, the jobs and the management
    API already show its one line."""


def has_personal_data(version) -> bool:
    """True when the scan found personal data in ``version`` (a ``catalog.Version``), open or
    resolved, unless a steward recorded it as a false positive (legal ground
    ``not_personal``). A finding resolved by dropping its column still counts for this
    version: the column is gone from the *new* version that resolution makes, which is scanned
    on its own. False when the scan is not installed.
    """
    try:
        from territoria.governance.personal_data.models import LegalGround, PersonalDataFinding
    except ImportError:  # the personal-data app is optional for this rule
        return False
    found = PersonalDataFinding.objects.filter(version=version)
    return found.exclude(legal_ground=LegalGround.NOT_PERSONAL).exists()


def check_processing_activity(dataset, version) -> None:
    """Raise ProcessingActivityMissing (a French sentence for the producer) when ``version``
    holds personal data and ``dataset`` is linked to no activity of the record.

    Precondition: ``version`` belongs to ``dataset``; the caller is about to publish it.
    """
    if not has_personal_data(version):
        return
    if dataset.processing_activities.exists():
        return
    raise ProcessingActivityMissing(
        _(
            "The dataset “%(title)s” holds personal data: it can be published only once it is "
            "linked to a processing activity of the GDPR record. Ask the data protection "
            "officer or a data steward to link it."
        )
        % {"title": dataset.title}
    )
