from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "territoria.portal"
    label = "portal"
