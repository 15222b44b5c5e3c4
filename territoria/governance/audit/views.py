"""The journal in the portal: stewards browse the whole log, an organisation its own part.

Who sees what: the whole log, stewards only; an organisation's journal — the entries about it
and those of its members' acts — its administrators and stewards. Everyone else gets 404, as
for anything they may not see. The log holds identifiers only; the page shows the names of
the actors the reader may know (all of them for a steward, the organisation's own members
for its administrators), never the titles of targets (a dataset's title could be private).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from territoria.accounts.models import Membership
from territoria.catalog.models import Organisation
from territoria.governance.audit.events import Action
from territoria.governance.gate import can_manage_organisation, is_steward
from territoria.governance.models import AuditCheckpoint, AuditEntry, AuditHead
from territoria.portal.csp import with_csp
from territoria.portal.pagination import page_window

PER_PAGE = 50


class JournalFilters(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All actions")), *Action.choices]
    )
    actor = forms.IntegerField(
        label=_("Actor (user number)"), required=False, min_value=1, max_value=2**63 - 1
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All organisations"),
    )
    target = forms.CharField(
        label=_("Target"),
        required=False,
        max_length=100,
        help_text=_("e.g. dataset:42, or dataset for every dataset"),
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """Narrow ``entries`` to the valid filters (precondition: ``is_valid`` was called)."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("actor"):
            entries = entries.filter(actor_id=data["actor"])
        if data.get("organisation"):
            entries = entries.filter(organisation_id=data["organisation"].pk)
        target = (data.get("target") or "").strip()
        if target:
            exact = ":" in target and not target.endswith(":")
            entries = entries.filter(**{"target" if exact else "target__startswith": target})
        if data.get("since"):
            entries = entries.filter(created_at__gte=_start_of(data["since"]))
        if data.get("until"):
            entries = entries.filter(created_at__lt=_start_of(data["until"] + timedelta(days=1)))
        return entries


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _page(request, entries: QuerySet[AuditEntry], filters: JournalFilters, names_from):
    window = page_window(entries.count(), request.GET.get("page"), per_page=PER_PAGE)
    rows = list(window.slice(entries.order_by("-sequence")))
    actor_ids = {e.actor_id for e in rows if e.actor_id is not None}
    names = dict(names_from.filter(pk__in=actor_ids).values_list("pk", "username"))
    labels = dict(Action.choices)
    for entry in rows:
        entry.actor_name = names.get(entry.actor_id, "")
        entry.action_label = labels.get(entry.action, "")
    return {"entries": rows, "window": window, "filters": filters}


@require_safe
@with_csp
def journal(request):
    """The whole log, newest first, for the data office."""
    if not is_steward(request.user):
        raise Http404
    filters = JournalFilters(request.GET or None)
    filters.is_valid()
    context = _page(
        request, filters.apply(AuditEntry.objects.all()), filters, get_user_model().objects
    )
    context["head"] = AuditHead.objects.first()
    context["last_checkpoint"] = AuditCheckpoint.objects.order_by("-sequence").first()
    context["nav"] = "journal"
    return render(request, "governance/audit_journal.html", context)


@require_safe
@with_csp
def organisation_journal(request, slug: str):
    """Entries about the organisation, and its members' own acts (current members)."""
    organisation = get_object_or_404(Organisation, slug=slug)
    if not can_manage_organisation(request.user, organisation):
        raise Http404
    filters = JournalFilters(request.GET or None)
    del filters.fields["organisation"]
    filters.is_valid()
    members = Membership.objects.filter(organisation=organisation).values("user_id")
    entries = AuditEntry.objects.filter(
        Q(organisation_id=organisation.pk) | Q(actor_id__in=members)
    )
    names_from = get_user_model().objects.filter(pk__in=members)
    context = _page(request, filters.apply(entries), filters, names_from)
    context["organisation"] = organisation
    return render(request, "governance/audit_organisation.html", context)
