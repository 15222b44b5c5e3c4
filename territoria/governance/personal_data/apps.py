"""The personal-data gate: every new version scanned; open publication waits for a steward."""

from django.apps import AppConfig


class PersonalDataConfig(AppConfig):
    name = "territoria.governance.personal_data"
    label = "personal_data"

    def ready(self) -> None:
        from territoria.governance.personal_data import hooks  # noqa: F401 - connects the signal
