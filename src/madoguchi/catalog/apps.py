from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    verbose_name = "カタログ (Catalog)"
