"""``/reports/`` — citizen reports (namespace ``reports``)."""

from django.urls import path

from . import staff_views, views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("map/", views.map_view, name="map"),
    path("reports.geojson", views.geojson, name="geojson"),
    path("<int:pk>/", views.detail, name="detail"),
    path("track/<uuid:token>/", views.track, name="track"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
    path("staff/", staff_views.queue, name="staff_queue"),
    path("staff/<int:pk>/", staff_views.report, name="staff_report"),
    path("staff/wards/", staff_views.wards, name="staff_wards"),
    path("staff/keys/", staff_views.keys, name="staff_keys"),
    path("staff/keys/<int:pk>/revoke/", staff_views.revoke_key, name="staff_revoke_key"),
]
