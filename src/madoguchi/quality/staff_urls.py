"""The staff dashboard ``/staff/quality/`` (namespace ``quality_staff``): outside ``i18n_patterns``, no ``/en/``."""

from django.urls import path

from . import views

app_name = "quality_staff"

urlpatterns = [
    path("staff/quality/", views.dashboard, name="dashboard"),
]
