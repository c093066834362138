from django.apps import AppConfig


class CountersConfig(AppConfig):
    name = "madoguchi.counters"
    verbose_name = "窓口混雑 (Counter congestion)"
