"""Harvesters of other portals (CKAN, udata, Opendatasoft, DCAT): gather, fetch, import."""

from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "territoria.ingest.harvest"
    label = "harvest"

    def ready(self) -> None:
        # The periodic task registers itself on the queue when imported (ingest/tasks.py).
        from territoria.ingest.harvest import tasks  # noqa: F401
