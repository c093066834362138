from django.urls import path

from . import views

app_name = "quality"
urlpatterns = [
    path("datasets/<slug:slug>/resources/<int:resource_id>/quality/", views.resource_quality, name="resource"),
    path("staff/quality/", views.dashboard, name="dashboard"),
]
