from django.apps import AppConfig


class DatastoreConfig(AppConfig):
    name = "madoguchi.datastore"
    verbose_name = "データストア (Datastore)"
