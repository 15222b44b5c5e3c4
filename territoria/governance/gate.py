"""The access gate: the one place that decides who may see which dataset.

Every read path — portal pages, search and facet counts, records, exports, every API dialect —
asks ``visible_datasets`` or ``access_dataset_for``. Something the caller may not see raises
``Http404``, exactly as if it did not exist (a 403 would confirm that it exists).

At this stage: anonymous and ordinary users see ``open`` datasets; staff of the data office
(``is_staff``) see everything. Roles and agreements refine this function, never bypass it.
"""

from django.db.models import QuerySet
from django.http import Http404

from territoria.catalog.enums import AccessLevel
from territoria.catalog.models import Dataset, Organisation


def sees_everything(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def visible_datasets(user) -> QuerySet[Dataset]:
    """Datasets ``user`` may see (metadata and data alike)."""
    qs = Dataset.objects.select_related("organisation")
    if sees_everything(user):
        return qs
    return qs.filter(access_level=AccessLevel.OPEN)


def access_dataset_for(user, slug: str) -> Dataset:
    """Return the dataset ``slug`` if ``user`` may see it; raise Http404 otherwise."""
    dataset = visible_datasets(user).filter(slug=slug).first()
    if dataset is None:
        raise Http404("dataset not found")
    return dataset


def visible_organisations(user) -> QuerySet[Organisation]:
    """Organisations are public bodies and companies that chose to publish: all are visible."""
    return Organisation.objects.all()


def can_write_dataset(user, dataset: Dataset | None) -> bool:
    """May ``user`` create ``dataset`` (None: a new one) or stage and publish its versions?"""
    return sees_everything(user)
