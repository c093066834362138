from django.apps import AppConfig


def ingestion_check(checks: dict, *, dataset, resource_name: str, typed, row_numbers, **_) -> None:
    """At ingestion (``datastore.hooks``): the privacy gate, after the standards check.

    :raises PrivacyBlocked: personal data found and not overridden on a public dataset
    """
    from . import services

    checks["privacy"] = services.enforce_gate(dataset=dataset, resource_name=resource_name,
                                              findings=services.scan_table(typed, row_numbers))


class PrivacyConfig(AppConfig):
    name = "madoguchi.privacy"
    verbose_name = "個人情報チェック (Privacy)"

    def ready(self):
        from madoguchi.datastore import services as datastore

        datastore.register_table_check("privacy", ingestion_check, order=20)
