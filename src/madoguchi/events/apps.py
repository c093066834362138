from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "madoguchi.events"
    verbose_name = "イベント (Events)"
