from django.apps import AppConfig


class EasyConfig(AppConfig):
    name = "madoguchi.easy"
    verbose_name = "やさしい日本語 (Plain Japanese)"
    default_auto_field = "django.db.models.BigAutoField"
