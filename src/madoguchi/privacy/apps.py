from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "madoguchi.privacy"
    verbose_name = "個人情報チェック (Privacy)"
