"""``{% harvest_origin dataset as origin %}``: where a harvested dataset comes from.

For the dataset page (``harvest/_origin.html``), without touching the portal's view: the
page already passed the gate for ``dataset``; this adds the source's name and page and the
last synchronisation, or None for a dataset that was not harvested.
"""

from django import template

from territoria.ingest.harvest.models import HarvestedDataset

register = template.Library()


@register.simple_tag
def harvest_origin(dataset):
    if dataset is None or getattr(dataset, "pk", None) is None:
        return None
    return HarvestedDataset.objects.select_related("source").filter(dataset=dataset).first()
