from django.urls import re_path

from .views import action_view

app_name = "ckan"
urlpatterns = [
    re_path(r"^api/3/action/(?P<name>[a-z_]+)$", action_view, name="action"),
    re_path(r"^api/action/(?P<name>[a-z_]+)$", action_view, name="action_unversioned"),
]
