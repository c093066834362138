from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "madoguchi.quality"
    verbose_name = "データ品質 (Quality)"
