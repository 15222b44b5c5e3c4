"""Who reads and who writes the record of processing activities.

The record is the data office's (stewards, among them the data protection officer) and each
controller's: a member of an organisation reads the activities it controls. Anybody else gets
404, as for anything they may not see. Only stewards write it. The datasets an activity shows
are those the reader may see, through the access gate.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from territoria.catalog.models import Dataset
from territoria.governance.gate import is_steward, member_organisation_ids, visible_datasets
from territoria.governance.gdpr.models import ProcessingActivity


def visible_activities(user) -> QuerySet[ProcessingActivity]:
    """Activities ``user`` may read, with their controller."""
    activities = ProcessingActivity.objects.select_related("controller")
    if is_steward(user):
        return activities
    return activities.filter(controller_id__in=member_organisation_ids(user))


def access_record_for(user) -> QuerySet[ProcessingActivity]:
    """The record as ``user`` may read it; Http404 for those who may read none of it."""
    activities = visible_activities(user)
    if not is_steward(user) and not activities.exists():
        raise Http404
    return activities


def access_activity_for(user, pk: int) -> ProcessingActivity:
    found = visible_activities(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def check_record_editor(user) -> None:
    """Raise Http404 unless ``user`` may write the record (a steward)."""
    if not is_steward(user):
        raise Http404


def linked_datasets(activity: ProcessingActivity, user) -> QuerySet[Dataset]:
    """The datasets of ``activity`` that ``user`` may see (the others are not named)."""
    return activity.datasets.filter(pk__in=visible_datasets(user).values("pk")).order_by("title")
