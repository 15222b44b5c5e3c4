from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "territoria.demo"
    label = "demo"
