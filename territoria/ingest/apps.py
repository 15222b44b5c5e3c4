from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "territoria.ingest"
    label = "ingest"
