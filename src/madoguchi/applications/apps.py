from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "madoguchi.applications"
    verbose_name = "オンライン申請"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metrics)
