from django.urls import path

from . import views

app_name = "easy"
urlpatterns = [
    path("garbage/", views.garbage, name="garbage"),
    path("shelters/", views.shelters, name="shelters"),
    path("emergency/", views.emergency, name="emergency"),
    path("reservations/", views.reservations, name="reservations"),
    path("procedures/", views.procedures, name="procedures"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/pages/<slug:slug>/", views.staff_edit, name="staff_edit"),
    path("staff/overrides/", views.staff_override, name="staff_override"),
]
