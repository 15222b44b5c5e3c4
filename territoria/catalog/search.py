"""Catalog search: accent- and plural-folded text match plus facet counts, on any SQL backend.

Each dataset carries ``search_text``: its words folded (lower case, no accents, French plural
endings dropped) and each prefixed by a space, so a query word matches the start of a word with
one ``LIKE``. Facets come from ``DatasetFacet`` rows (one per value) with one GROUP BY each.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from territoria.catalog import enums
from territoria.catalog.models import Dataset, DatasetFacet

FACET_KINDS = ("theme", "domain", "organisation", "licence", "format", "territory", "access")
_WORD_RE = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII without accents: ``"Qualité de l'Eau"`` → ``"qualite de l'eau"``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Drop the French plural ending so that "eaux" finds "eau" and "bornes" finds "borne"."""
    if len(word) > 3 and word.endswith("aux"):
        return word[
            :-1
        ]  # réseaux → reseau, eaux → eau (but "chevaux" → "chevau": fine, both sides)
    if len(word) > 2 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def search_terms(text: str) -> list[str]:
    return [stem(w) for w in _WORD_RE.findall(fold(text))]


def dataset_search_text(dataset: Dataset) -> str:
    parts = [dataset.title, dataset.slug.replace("-", " "), dataset.description]
    parts += list(dataset.keywords) + [dataset.organisation.name]
    words = dict.fromkeys(search_terms(" ".join(parts)))  # unique, in order
    return " " + " ".join(words) + " "


def dataset_facet_values(dataset: Dataset) -> set[tuple[str, str]]:
    values = {("organisation", dataset.organisation.slug), ("licence", dataset.licence)}
    values.add(("access", dataset.access_level))
    values.update(("theme", t) for t in dataset.themes)
    values.update(("domain", d) for d in dataset.domains)
    values.update(("territory", t) for t in dataset.spatial)
    for fmt in dataset.resources.exclude(format="").values_list("format", flat=True):
        values.add(("format", fmt.lower()))
    return values


def index_dataset(dataset: Dataset) -> None:
    """Refresh the search text and facet rows of one dataset (after any metadata change)."""
    text = dataset_search_text(dataset)
    Dataset.objects.filter(pk=dataset.pk).update(search_text=text)
    dataset.search_text = text
    wanted = dataset_facet_values(dataset)
    have = set(DatasetFacet.objects.filter(dataset=dataset).values_list("kind", "value"))
    for kind, value in have - wanted:
        DatasetFacet.objects.filter(dataset=dataset, kind=kind, value=value).delete()
    DatasetFacet.objects.bulk_create(
        [DatasetFacet(dataset=dataset, kind=k, value=v[:200]) for k, v in wanted - have]
    )


@dataclass
class SearchResult:
    datasets: QuerySet[Dataset]
    total: int
    # kind -> [(value, label, count)], most frequent first
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)


def match_text(visible: QuerySet[Dataset], q: str) -> QuerySet[Dataset]:
    """Keep the datasets of ``visible`` having a word that starts like each word of ``q``."""
    for term in search_terms(q):
        visible = visible.filter(search_text__contains=f" {term}")
    return visible


def search_datasets(
    visible: QuerySet[Dataset], q: str = "", filters: dict[str, list[str]] | None = None
) -> SearchResult:
    """Filter ``visible`` (already passed through the access gate) by text and facet values.

    Facet counts are computed over the same filtered set, so they can never count a dataset
    the caller may not see.
    """
    qs = match_text(visible, q)
    for kind, values in (filters or {}).items():
        if kind in FACET_KINDS and values:
            qs = qs.filter(facet_rows__kind=kind, facet_rows__value__in=values)
    qs = qs.distinct()
    counts = (
        DatasetFacet.objects.filter(dataset__in=qs.values("pk"))
        .values("kind", "value")
        .annotate(n=Count("dataset", distinct=True))
        .order_by("kind", "-n", "value")
    )
    facets: dict[str, list[tuple[str, str, int]]] = {k: [] for k in FACET_KINDS}
    rows = list(counts)
    labels = facet_labels({(r["kind"], r["value"]) for r in rows})
    for row in rows:
        label = labels.get((row["kind"], row["value"]), row["value"])
        facets[row["kind"]].append((row["value"], label, row["n"]))
    return SearchResult(datasets=qs, total=qs.count(), facets=facets)


def facet_labels(pairs: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Human labels of the given (kind, value) pairs; only the values shown are looked up."""
    from territoria.catalog.models import Organisation, Territory

    labels: dict[tuple[str, str], str] = {}
    for kind, choices in (
        ("theme", enums.Theme),
        ("domain", enums.Domain),
        ("licence", enums.Licence),
        ("access", enums.AccessLevel),
    ):
        labels.update({(kind, c.value): str(c.label) for c in choices})
    orgs = {v for k, v in pairs if k == "organisation"}
    if orgs:
        found = Organisation.objects.filter(slug__in=orgs).values_list("slug", "name")
        labels.update({("organisation", s): n for s, n in found})
    codes = {v for k, v in pairs if k == "territory"}
    if codes:
        found = Territory.objects.filter(code__in=codes).values_list("code", "name")
        labels.update({("territory", c): n for c, n in found})
    return labels
