from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    name = "madoguchi.procedures"
    verbose_name = "手続きガイド (procedures)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metrics)
