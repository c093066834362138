"""The public quality report of a resource, at ``/datasets/…/quality/`` and ``/en/datasets/…/quality/``
(``i18n_patterns``); the staff dashboard is in ``staff_urls`` (``quality_staff``)."""

from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("datasets/<slug:slug>/resources/<int:resource_id>/quality/", views.resource_quality, name="resource"),
]
