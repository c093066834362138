from django.apps import AppConfig


class GomiConfig(AppConfig):
    name = "madoguchi.gomi"
    verbose_name = "ごみ分別 (Garbage sorting)"
