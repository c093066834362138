from django.apps import AppConfig


class BulkyConfig(AppConfig):
    name = "madoguchi.bulky"
    verbose_name = "粗大ごみ収集申込 (Bulky-waste collection)"
