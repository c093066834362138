from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "madoguchi.notices"
    verbose_name = "お知らせ配信"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metric)
