from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "territoria.governance"
    label = "governance"

    def ready(self) -> None:
        # Connects the audit's model signals (access levels, grants): see audit/hooks.py.
        from territoria.governance.audit import hooks  # noqa: F401
