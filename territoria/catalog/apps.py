from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "territoria.catalog"
    label = "catalog"
