from django.urls import path

from . import views

app_name = "shelters"
urlpatterns = [
    path("", views.list_page, name="list"),
    path("map/", views.map_page, name="map"),
    path("staff/", views.staff_page, name="staff"),
]
