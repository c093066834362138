from django.apps import AppConfig


class EformsConfig(AppConfig):
    name = "madoguchi.eforms"
    verbose_name = "電子申請フォーム (Forms)"
