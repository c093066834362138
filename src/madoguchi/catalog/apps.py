from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "madoguchi.catalog"
    verbose_name = "カタログ (Catalog)"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the generation bumps)
