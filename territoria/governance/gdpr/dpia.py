"""When a processing activity needs a data protection impact assessment (GDPR article 35).

The nine criteria are those of the EDPB's guidelines on DPIA (WP248 rev.01, endorsed by the
EDPB on 25 May 2018), which the CNIL took over in its deliberation no. 2018-327 of
11 October 2018 (the list of processing types needing a DPIA). Both say that a processing
meeting two criteria or more requires, in most cases, an assessment.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SOURCE = _(
    "CNIL, deliberation no. 2018-327 of 11 October 2018, and the EDPB guidelines on data "
    "protection impact assessment (WP248 rev.01): two criteria or more call for a DPIA."
)
SOURCE_URL = "https://www.cnil.fr/fr/RGPD-analyse-impact-protection-des-donnees-aipd"
THRESHOLD = 2

# (field of ProcessingActivity, label): the order of WP248.
CRITERIA: tuple[tuple[str, object], ...] = (
    ("dpia_evaluation", _("Evaluation or scoring (including profiling and predicting)")),
    (
        "dpia_automated_decision",
        _("Automated decision-making with legal or similar significant effect"),
    ),
    ("dpia_systematic_monitoring", _("Systematic monitoring")),
    ("dpia_sensitive_data", _("Sensitive data or data of a highly personal nature")),
    ("dpia_large_scale", _("Data processed on a large scale")),
    ("dpia_matching", _("Matching or combining datasets")),
    ("dpia_vulnerable_persons", _("Data concerning vulnerable data subjects")),
    (
        "dpia_innovative_use",
        _("Innovative use or applying new technological or organisational solutions"),
    ),
    (
        "dpia_prevents_right",
        _(
            "Processing that prevents data subjects from exercising a right or using a "
            "service or a contract"
        ),
    ),
)
CRITERIA_FIELDS = tuple(name for name, _label in CRITERIA)


def criteria_met(activity) -> list[str]:
    """Labels of the criteria ``activity`` meets, in the order of WP248."""
    return [str(label) for name, label in CRITERIA if getattr(activity, name)]


def dpia_required(activity) -> bool:
    """True when ``activity`` meets two criteria or more (CNIL 2018-327, WP248)."""
    return sum(bool(getattr(activity, name)) for name in CRITERIA_FIELDS) >= THRESHOLD
