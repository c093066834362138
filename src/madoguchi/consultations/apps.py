from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "madoguchi.consultations"
    verbose_name = "パブリックコメント"
