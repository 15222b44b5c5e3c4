"""Search filters as the portal shows them: facet groups with counts and add/remove links.

Pure functions of the query string and of the counts ``catalog.search`` computed (over the
datasets the access gate let through): nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from territoria.catalog.enums import AccessLevel, Domain, Licence, Theme
from territoria.catalog.search import FACET_KINDS

FACET_TITLES = {
    "theme": _("Themes"),
    "domain": _("Regional domains"),
    "organisation": _("Organisations"),
    "licence": _("Licences"),
    "format": _("Formats"),
    "territory": _("Territories"),
    "access": _("Access"),
}
VOCABULARIES = {"theme": Theme, "domain": Domain, "licence": Licence, "access": AccessLevel}
SHOWN_FIRST = 8  # values shown before "more"; the rest sit in a disclosure widget
MAX_VALUES_PER_KIND = 20  # a crafted URL cannot make the search build a huge IN list


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    url: str  # the search with this value added (inactive) or removed (active)


@dataclass
class FacetGroup:
    kind: str
    title: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def first(self) -> list[FacetValue]:
        return self.values[:SHOWN_FIRST]

    @property
    def more(self) -> list[FacetValue]:
        return self.values[SHOWN_FIRST:]


def filters_from(params: QueryDict) -> dict[str, list[str]]:
    """The facet filters of a query string: ``?theme=ENVI&theme=TRAN`` → ``{"theme": [...]}``."""
    filters = {}
    for kind in FACET_KINDS:
        values = list(dict.fromkeys(v.strip() for v in params.getlist(kind) if v.strip()))
        if values:
            filters[kind] = values[:MAX_VALUES_PER_KIND]
    return filters


def toggled_url(params: QueryDict, kind: str, value: str) -> str:
    """The query string with ``kind=value`` added, or removed when present; back to page 1."""
    query = params.copy()
    values = query.getlist(kind)
    if value in values:
        query.setlist(kind, [v for v in values if v != value])
    else:
        query.setlist(kind, [*values, value])
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def facet_groups(
    params: QueryDict,
    counts: dict[str, list[tuple[str, str, int]]],
    filters: dict[str, list[str]],
) -> list[FacetGroup]:
    """One group per facet kind that has values; active values first, then by count."""
    groups = []
    for kind in FACET_KINDS:
        active = set(filters.get(kind, []))
        seen = set()
        group = FacetGroup(kind=kind, title=str(FACET_TITLES[kind]))
        for value, label, count in counts.get(kind, []):
            seen.add(value)
            shown = label.upper() if kind == "format" else label
            group.values.append(
                FacetValue(value, shown, count, value in active, toggled_url(params, kind, value))
            )
        # A chosen value that matches nothing any more still needs its "remove" link.
        for value in filters.get(kind, []):
            if value not in seen:
                group.values.append(
                    FacetValue(
                        value, _label(kind, value), 0, True, toggled_url(params, kind, value)
                    )
                )
        group.values.sort(key=lambda v: (not v.active, -v.count, v.label.lower()))
        if group.values:
            groups.append(group)
    return groups


def _label(kind: str, value: str) -> str:
    choices = VOCABULARIES.get(kind)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def active_filters(groups: list[FacetGroup]) -> list[tuple[str, FacetValue]]:
    """(group title, value) of every chosen value, for the "active filters" bar."""
    return [(g.title, v) for g in groups for v in g.values if v.active]
