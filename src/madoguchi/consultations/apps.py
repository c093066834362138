from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "madoguchi.consultations"
    verbose_name = "パブリックコメント"

    def ready(self) -> None:
        from . import metrics  # noqa: F401  (registers the KPI metrics)
