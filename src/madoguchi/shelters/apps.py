from django.apps import AppConfig


class SheltersConfig(AppConfig):
    name = "madoguchi.shelters"
    verbose_name = "避難所 (Shelters)"
