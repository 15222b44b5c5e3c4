"""The record as a CSV file for a spreadsheet: every column, French headers, ``;``, BOM.

Excel opens a ``;``-separated file with a UTF-8 BOM as it is, accents included, on a French
system: the data office's usual tool. The headers and the yes/no are French whatever the
reader's language: the record is a French administrative document.
"""

from __future__ import annotations

import csv
import io

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from territoria.governance.gate import visible_datasets
from territoria.governance.gdpr.dpia import CRITERIA, criteria_met, dpia_required
from territoria.governance.gdpr.models import ProcessingActivity

UTF8_BOM = "\ufeff"


def _special(activity: ProcessingActivity) -> str:
    return ", ".join(activity.special_category_labels())


def _columns() -> list[tuple[str, object]]:
    """(header, value of an activity) of every column; called with French active."""
    yes_no = {True: _("yes"), False: _("no")}
    columns = [
        (_("Processing activity"), lambda a: a.name),
        (_("Controller"), lambda a: a.controller.name),
        (_("Controller's contact"), lambda a: a.controller_contact),
        (_("Data protection officer"), lambda a: a.dpo_name),
        (_("DPO e-mail"), lambda a: a.dpo_email),
        (_("Purposes"), lambda a: a.purposes),
        (_("Legal basis"), lambda a: a.get_legal_basis_display()),
        (_("Categories of data subjects"), lambda a: a.data_subjects),
        (_("Categories of personal data"), lambda a: a.personal_data),
        (_("Special categories of data (art. 9)"), _special),
        (_("Recipients"), lambda a: a.recipients),
        (_("Transfers outside the EU"), lambda a: yes_no[a.transfers_outside_eu]),
        (_("Third countries or international organisations"), lambda a: a.transfer_destinations),
        (_("Safeguards of the transfers"), lambda a: a.transfer_safeguards),
        (_("Retention periods"), lambda a: a.retention),
        (_("Security measures"), lambda a: a.security_measures),
    ]
    for name, label in CRITERIA:
        columns.append((str(label), lambda a, name=name: yes_no[bool(getattr(a, name))]))
    columns += [
        (_("DPIA criteria met"), lambda a: len(criteria_met(a))),
        (_("DPIA required"), lambda a: yes_no[dpia_required(a)]),
        (_("Datasets"), lambda a: ", ".join(f"{d.title} ({d.slug})" for d in a.shown_datasets)),
        (_("Created on"), lambda a: timezone.localtime(a.created_at).strftime("%d/%m/%Y %H:%M")),
        (_("Updated on"), lambda a: timezone.localtime(a.updated_at).strftime("%d/%m/%Y %H:%M")),
    ]
    return columns


def record_csv(activities: QuerySet[ProcessingActivity], user) -> str:
    """The CSV text (BOM first) of ``activities``, naming only the datasets ``user`` may see.

    Precondition: ``activities`` come from ``access.access_record_for(user)``.
    """
    shown = visible_datasets(user).order_by("title")
    activities = activities.prefetch_related(
        Prefetch("datasets", queryset=shown, to_attr="shown_datasets")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    with translation.override("fr"):
        columns = _columns()
        writer.writerow([header for header, _value in columns])
        for activity in activities:
            writer.writerow([value(activity) for _header, value in columns])
    return UTF8_BOM + buffer.getvalue()
