from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "madoguchi.jobs"
    verbose_name = "バックグラウンド処理 (Jobs)"
