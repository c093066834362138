from django.apps import AppConfig


def ingestion_check(checks: dict, *, dataset, typed, row_numbers, **_) -> None:
    """At ingestion (``datastore.hooks``): conformance to the dataset's declared standard
    (``checks["standard"]``), else the closest standards (``checks["standard_suggestions"]``)."""
    from . import services

    if dataset.standard:
        checks["standard"] = services.validate_table(dataset.standard, typed, row_numbers)
    else:
        checks["standard_suggestions"] = services.suggest_standards([c["name"] for c in typed.columns])


class StandardsConfig(AppConfig):
    name = "madoguchi.standards"
    verbose_name = "標準データセット (Standards)"

    def ready(self):
        from madoguchi.datastore import services as datastore

        datastore.register_table_check("standards", ingestion_check, order=10)
