from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "madoguchi.reports"
    verbose_name = "市民からの通報 (Open311)"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metrics)
