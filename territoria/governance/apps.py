from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "territoria.governance"
    label = "governance"
