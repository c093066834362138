from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "madoguchi.quality"
    verbose_name = "データ品質 (Quality)"

    def ready(self):
        from madoguchi.datastore import services as datastore

        from . import services

        # the quality facts of each ingested version, stored as report["quality"] (datastore.hooks)
        datastore.register_assessor("quality", services.assess)
