from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "territoria.accounts"
    label = "accounts"

    def ready(self) -> None:
        from territoria.accounts import signals  # noqa: F401 — connects the sign-in receivers
