"""A dataset becomes open only when its live versions hold no unresolved personal data.

Access levels change from the management API, the portal's upload form, the admin, the CLI
and the demo loader (see ``audit/hooks.py``); one ``pre_save`` signal sees them all, before
the write: ``PersonalDataPending`` is raised and nothing is saved.
"""

from __future__ import annotations

from django.db.models.signals import pre_save
from django.dispatch import receiver

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset
from territoria.governance.personal_data.perms import check_open_access


@receiver(pre_save, sender=Dataset, dispatch_uid="personal_data_before_opening")
def _before_opening(sender, instance: Dataset, raw=False, **kwargs) -> None:
    if raw or instance.pk is None or instance.access_level != AccessLevel.OPEN:
        return
    before = Dataset.objects.filter(pk=instance.pk).values_list("access_level", flat=True).first()
    if before is not None and before != AccessLevel.OPEN:
        check_open_access(instance)
