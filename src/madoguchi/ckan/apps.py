from django.apps import AppConfig


class CkanConfig(AppConfig):
    name = "madoguchi.ckan"
    verbose_name = "CKAN 互換 API (CKAN Action API v3)"
