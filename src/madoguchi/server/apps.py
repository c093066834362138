from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "madoguchi.server"
    label = "server"
    verbose_name = "Server"
