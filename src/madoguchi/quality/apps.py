from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "madoguchi.quality"
    verbose_name = "データ品質 (Quality)"

    def ready(self):
        from madoguchi.datastore import services as datastore

        from . import services

        # the quality facts of each ingested version, stored as report["quality"] (datastore.hooks)
        datastore.register_assessor("quality", services.assess)

        from madoguchi.plans.services import register_metric

        # KPI for the plans module: share of public resources at level 1 or better (machine-readability rules)
        register_metric("quality.resources_level1_share", services.level1_share,
                        title="機械可読性ルールのレベル1以上を満たす公開ファイルの割合", unit="%", replace=True)
