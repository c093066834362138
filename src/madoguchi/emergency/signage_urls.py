from django.urls import path

from . import views

app_name = "signage"
urlpatterns = [
    path("", views.signage, name="index"),
]
