from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("resources/<int:resource_id>/suppress/", views.suppress, name="suppress"),
]
