"""``/reports/`` and ``/en/reports/`` — citizen reports (namespace ``reports``, ``i18n_patterns``). The staff pages
are in ``staff_urls`` (namespace ``reports_staff``, ``/reports/staff/`` only), Open311 in ``open311_urls``."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("map/", views.map_view, name="map"),
    path("reports.geojson", views.geojson, name="geojson"),
    path("<int:pk>/", views.detail, name="detail"),
    path("track/<uuid:token>/", views.track, name="track"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
]
