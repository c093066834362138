from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "madoguchi.standards"
    verbose_name = "標準データセット (Standards)"
