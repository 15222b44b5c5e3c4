from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "territoria.api"
    label = "api"
