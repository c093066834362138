"""``/counters/`` (DESIGN.md section 6)."""

from django.urls import path

from . import views

app_name = "counters"
urlpatterns = [
    path("", views.index, name="index"),
    path("stream", views.stream, name="stream"),
    path("staff/", views.staff, name="staff"),
    path("staff/counters/<int:counter_id>/record", views.staff_record, name="staff_record"),
    path("staff/offices/<int:office_id>/token", views.staff_token, name="staff_token"),
    path("<slug:office_slug>/<slug:counter_slug>/", views.counter_detail, name="counter"),
]
