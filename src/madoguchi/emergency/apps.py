from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "madoguchi.emergency"
    verbose_name = "緊急モード・防災情報"
