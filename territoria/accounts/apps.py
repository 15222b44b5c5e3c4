from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "territoria.accounts"
    label = "accounts"
