from django.apps import AppConfig


class GdprConfig(AppConfig):
    name = "territoria.governance.gdpr"
    label = "gdpr"
