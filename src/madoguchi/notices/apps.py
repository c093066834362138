from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "madoguchi.notices"
    verbose_name = "お知らせ配信"
