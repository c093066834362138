from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "madoguchi.reports"
    verbose_name = "市民からの通報 (Open311)"
